"""How mitra says a figure, a count or a date: one formatter for every page, command and report.

Figures never read "-0.0": a value that rounds to zero is shown without a sign. Dates are said
one way everywhere ("3 Nov 2026", with a time "3 Nov 2026, 14:05"); ISO 8601 is for JSON,
the API and exports only.
"""

from __future__ import annotations

import math
from datetime import date, datetime

__all__ = ["day", "figure", "moment", "plural", "signed"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def figure(value: float, digits: int = 1) -> str:
    """`value` rounded to `digits` places, never "-0.0" (a value that rounds to zero is 0)."""
    if not math.isfinite(value):
        return "unknown"
    text = f"{value:.{digits}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def signed(value: float, digits: int = 1) -> str:
    """`value` with its sign ("+0.4", "-1.2"), and a bare "0.0" when it rounds to zero."""
    text = figure(value, digits)
    if not math.isfinite(value) or float(text) == 0.0 or text.startswith("-"):
        return text
    return "+" + text


def plural(count: int, one: str, many: str | None = None) -> str:
    """A count with its noun: "1 day", "2 days" (`many` for irregular plurals)."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def day(value: date) -> str:
    """A date as people read it: "3 Nov 2026"."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def moment(value: datetime) -> str:
    """A date and time as people read it: "3 Nov 2026, 14:05" (in `value`'s own zone)."""
    return f"{day(value)}, {value:%H:%M}"
