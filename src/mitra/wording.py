"""How mitra says a figure, a count or a date: one formatter for every page, command and report.

Figures never read "-0.0": a value that rounds to zero is shown without a sign. A range of
figures takes an en dash between its ends (U+2013), as the clinician's report writes it. Dates
are said one way everywhere ("3 Nov 2026", with a time "3 Nov 2026, 14:05"); ISO 8601 is for
JSON, the API and exports only.
"""

from __future__ import annotations

import math
from datetime import date, datetime

__all__ = [
    "amount_of",
    "band_text",
    "day",
    "figure",
    "mg",
    "mg_range",
    "moment",
    "plural",
    "restates",
    "signed",
    "span",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def figure(value: float, digits: int = 1) -> str:
    """`value` rounded to `digits` places, never "-0.0" (a value that rounds to zero is 0)."""
    if not math.isfinite(value):
        return "unknown"
    text = f"{value:.{digits}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def places(digits: int, *values: float | None) -> int:
    """`digits` decimal places, or the few more (up to three) that show each of `values` that
    is not zero as not zero: an interval that leaves out zero never reads "0.0"."""
    shown = digits
    while shown < digits + 3 and any(
        v is not None and math.isfinite(v) and v != 0.0 and float(figure(v, shown)) == 0.0
        for v in values
    ):
        shown += 1
    return shown


def mg(value: float) -> str:
    """Milligrams as mitra gives an estimate of them: whole below 10 mg only to two significant
    figures ("210 mg", "4.5 mg")."""
    return f"{value:.0f} mg" if value >= 10 else f"{value:.2g} mg"


def mg_range(low: float, high: float) -> str:
    """A range of milligrams, "150 to 290 mg" written with an en dash ("150\u2013290 mg"); one
    figure when both ends read the same."""
    low_text, high_text = mg(low), mg(high)
    return high_text if low_text == high_text else f"{low_text[:-3]}–{high_text}"


def signed(value: float, digits: int = 1) -> str:
    """`value` with its sign ("+0.4", "-1.2"), and a bare "0.0" when it rounds to zero."""
    text = figure(value, digits)
    if not math.isfinite(value) or float(text) == 0.0 or text.startswith("-"):
        return text
    return "+" + text


def plural(count: int, one: str, many: str | None = None) -> str:
    """A count with its noun: "1 day", "2 days" (`many` for irregular plurals)."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def span(minutes: int) -> str:
    """A stretch of time in the largest whole unit that says it exactly: "7 days", "30 minutes",
    "90 minutes" (not "1.5 hours")."""
    for size, unit in ((24 * 60, "day"), (60, "hour")):
        if minutes >= size and minutes % size == 0:
            return plural(minutes // size, unit)
    return plural(minutes, "minute")


def day(value: date) -> str:
    """A date as people read it: "3 Nov 2026"."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def moment(value: datetime) -> str:
    """A date and time as people read it: "3 Nov 2026, 14:05" (in `value`'s own zone)."""
    return f"{day(value)}, {value:%H:%M}"


def amount_of(quantity: str, name: str) -> str:
    """ "4 capsules of Bali", or "4 Maeng Da capsules" when the name already ends in the unit
    (never "4 capsules of Maeng Da capsules")."""
    number, _, unit = quantity.partition(" ")
    words = name.split()
    if unit and len(words) > 1:
        last, own = words[-1].lower(), unit.lower()
        if last in {own, own.removesuffix("s"), own + "s"}:
            return f"{number} {' '.join(words[:-1])} {unit}"
    return f"{quantity} of {name}"


def restates(label: str, meaning: str) -> bool:
    """Whether `meaning` only says `label` again ("Moderate anxiety symptoms.")."""
    said = meaning.strip().rstrip(".").lower().removesuffix(" symptoms")
    return said.replace("depressive", "depression") == label.strip().lower()


def band_text(label: str, low: int, high: int, meaning: str) -> str:
    """A questionnaire band, "Moderate anxiety (10\u201314).", with its meaning only when the
    meaning says more than the label (never "... (10\u201314). Moderate anxiety symptoms.")."""
    head = f"{label} ({low}–{high})."
    return head if restates(label, meaning) else f"{head} {meaning}"
