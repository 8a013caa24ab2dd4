"""Template filters for mitra's own wording."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

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
