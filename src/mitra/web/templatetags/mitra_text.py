"""Template filters for mitra's own wording."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def words(value: str | Iterable[str]) -> str:
    """An id such as "mechanism_only" (or a list of them) as words: "mechanism only"."""
    if isinstance(value, str):
        return value.replace("_", " ")
    return ", ".join(str(v).replace("_", " ") for v in value)


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
