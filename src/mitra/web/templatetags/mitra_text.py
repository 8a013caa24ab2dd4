"""Template filters for mitra's own wording."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import is_aware, localtime

from mitra import wording
from mitra.knowledge.citing import readable_id, short_citation

register = template.Library()


@register.filter
def figure(value: float | None, digits: int = 1) -> str:
    """A shown figure, never "-0.0" (see `mitra.wording.figure`); "" for None."""
    return "" if value is None else wording.figure(float(value), int(digits))


@register.filter
def signed(value: float | None, digits: int = 1) -> str:
    """A figure with its sign ("+0.4"), never "-0.0"; "" for None."""
    return "" if value is None else wording.signed(float(value), int(digits))


@register.filter
def amount(value: float | None, unit: str) -> str:
    """An amount with its unit, in the plural where it takes one ("4 capsules", "1 capsule",
    "2.5 g"); "" for None."""
    from mitra.vocabulary import unit_text

    return "" if value is None else unit_text(float(value), str(unit))


@register.filter
def estimate(value: float | None, level: bool) -> str:
    """A card's estimate or interval end to two places: a level (a mean) as it is, a change
    or a slope with its sign; "" for None."""
    return figure(value, 2) if level else signed(value, 2)


def _local(value: datetime) -> datetime:
    """A moment on the clock of the active time zone (the person's), as Django's date filter."""
    return localtime(value) if is_aware(value) else value


@register.filter
def day(value: date | datetime | None) -> str:
    """A date as mitra says it everywhere: "3 Nov 2026" (a moment in the person's zone)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return wording.day(value)


@register.filter
def moment(value: datetime | None) -> str:
    """A date and time as mitra says it everywhere: "3 Nov 2026, 14:05" (the person's zone)."""
    if value is None or value == "":
        return ""
    return wording.moment(_local(value))


@register.filter
def moment_in(value: datetime | None, zone: str) -> str:
    """A date and time as `moment` says it, on the clock of `zone` (the person's journal, when
    someone else reads it: a clinician has no journal, so no zone of their own here)."""
    if value is None or value == "":
        return ""
    return wording.moment(value.astimezone(ZoneInfo(zone)))


@register.filter
def zone_words(zone: str) -> str:
    """A time zone's name as the Settings page lists it: "America/New York"."""
    return str(zone).replace("_", " ")


@register.filter
def band_meaning(band: Any) -> str:
    """A band's meaning, or "" when it only repeats the band's label."""
    return "" if wording.restates(band.label, band.meaning) else band.meaning


@register.filter
def cite(source: Any) -> str:
    """A source as a reader cites it, "Tanna et al. 2022" (a source, a dict with an id, or
    the id itself)."""
    if isinstance(source, str):
        return readable_id(source)
    ident = source["id"] if isinstance(source, dict) else source.id
    return short_citation(ident)


@register.filter
def words(value: str | Iterable[str]) -> str:
    """An id such as "mechanism_only" (or a list of them) as words: "mechanism only"."""
    if isinstance(value, str):
        return value.replace("_", " ")
    return ", ".join(str(v).replace("_", " ") for v in value)


@register.filter
def labelled(row: Iterable[object], columns: Iterable[str]) -> list[tuple[str, object]]:
    """Each cell of a table's row with its column's name (a phone shows it before the cell)."""
    return list(zip(columns, row, strict=True))


@register.filter
def get_chart(charts: dict[str, object], key: str) -> object:
    """The chart drawn for an insight card, if any."""
    return charts.get(key)


@register.filter
def chart_table(chart: Any) -> SafeString:
    """A chart's text alternative as an HTML table (its rows escaped; the first cell heads).

    Written in Python rather than as a template loop: a ten-year weekly chart has thousands
    of cells, and a template renders each through several nodes.
    """
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in chart.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<th scope="row">{escape(cell)}</th>' if n == 0 else f"<td>{escape(cell)}</td>"
            for n, cell in enumerate(row)
        )
        + "</tr>"
        for row in chart.rows
    )
    return mark_safe(  # noqa: S308  every piece above is escaped
        f'<table tabindex="0" class="data"><caption>{escape(chart.title)}</caption>\n'
        f"  <thead><tr>{head}</tr></thead>\n  <tbody>{body}</tbody>\n</table>"
    )
