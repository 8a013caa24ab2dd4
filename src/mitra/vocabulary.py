"""mitra's one vocabulary: product forms, veins, units, severities and practice kinds.

Every other place (Django model choices, validation schemas, forms, the engines, the CLI's help)
derives its lists from here, so a new form or unit is added once.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Literal, get_args

__all__ = [
    "DOSE_UNITS",
    "GOAL_KINDS",
    "LEAF_FORMS",
    "MASS_UNITS",
    "MAX_AMOUNT",
    "PRACTICE_KINDS",
    "PRODUCT_FORMS",
    "PRODUCT_UNITS",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "VEINS",
    "AmountInvalid",
    "PracticeKind",
    "ProductForm",
    "Severity",
    "Vein",
    "choices",
    "is_leaf",
    "name_order",
    "parse_amount",
    "parse_measure",
    "severity_rank",
    "unit_text",
]

ProductForm = Literal["powder", "capsules", "tea", "extract", "7oh", "shot"]

#: Product forms with their labels, in the order a form lists them.
PRODUCT_FORMS: dict[ProductForm, str] = {
    "powder": "Leaf powder",
    "capsules": "Capsules",
    "tea": "Tea",
    "extract": "Extract",
    "7oh": "7-OH product",
    "shot": "Liquid shot",
}

#: Forms whose grams are grams of leaf. Extracts, shots and 7-OH products concentrate the
#: alkaloids several-fold, so their grams are never added to grams of leaf.
LEAF_FORMS: frozenset[ProductForm] = frozenset({"powder", "capsules", "tea"})

Vein = Literal["white", "green", "red", "yellow", "unknown"]
VEINS: dict[Vein, str] = {
    "white": "White",
    "green": "Green",
    "red": "Red",
    "yellow": "Yellow",
    "unknown": "Unknown or blend",
}

#: Units a product can be counted in, with their plural for display. "g" means loose product
#: weighed in grams; every other unit needs the product's grams per unit.
PRODUCT_UNITS: dict[str, str] = {
    "g": "grams",
    "capsule": "capsules",
    "tablet": "tablets",
    "scoop": "scoops",
    "teaspoon": "teaspoons",
    "shot": "shots",
    "ml": "ml",
}

#: Units that are a mass: a dose in these needs no grams per unit.
MASS_UNITS: frozenset[str] = frozenset({"g", "mg"})

#: Units a dose can be logged in: mass units, or the product's own unit.
DOSE_UNITS: tuple[str, ...] = ("g", "mg", *[u for u in PRODUCT_UNITS if u != "g"])

#: Other words people type for a unit, beside the units themselves and their plurals.
_UNIT_WORDS: dict[str, str] = {
    "gram": "g",
    "milligram": "mg",
    "milligrams": "mg",
    "cap": "capsule",
    "caps": "capsule",
    "tab": "tablet",
    "tabs": "tablet",
    "tsp": "teaspoon",
}
#: Every spelling `parse_amount` understands (lower case), with the unit it means.
_UNIT_SPELLINGS: dict[str, str] = {
    **{u: u for u in DOSE_UNITS},
    **{plural: u for u, plural in PRODUCT_UNITS.items()},
    **_UNIT_WORDS,
}
#: The largest amount `parse_amount` accepts in any unit; the journal's checks of plausibility
#: (grams per dose) come after it. Larger numbers are typos, and above 1e308 not even finite.
MAX_AMOUNT = 100_000.0
# A signed decimal number in ASCII digits (no exponent: "1e3g" is more likely a typo than a
# thousand grams), then an optional unit of letters; spaces between them are allowed.
_AMOUNT = re.compile(r"(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*(?P<unit>[a-zA-Z]+)?")


_LONGEST = 40


class AmountInvalid(ValueError):
    """An amount typed by a person that is not a positive number with a known unit."""


def ascii_digits(text: str) -> str:
    """The text with every decimal digit of any script (Arabic-Indic, full-width) as ASCII: a
    number typed with another keyboard's digits is the same number (README)."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _typed(text: str) -> tuple[str, str]:
    """The text as typed, its digits read in any script, and as a message quotes it.

    A number typed with another script's digits (Arabic-Indic, full-width) is the same number,
    on purpose: the web's and the CLI's other number fields read them so too (README). The
    message quotes the text on one short line: whitespace (a newline too) as one space, and only
    the start of a text longer than anybody types an amount."""
    cleaned = ascii_digits(text).strip()
    shown = " ".join(cleaned.split())
    return cleaned, shown if len(shown) <= _LONGEST else shown[:_LONGEST] + "..."


def _number(
    pattern: re.Pattern[str],
    cleaned: str,
    shown: str,
    example: str,
    decimal: str,
    *,
    allow_zero: bool = False,
) -> re.Match[str]:
    """The amount matched by `pattern`, positive (or zero if allowed) and at most MAX_AMOUNT."""
    if not cleaned:
        raise AmountInvalid(f"the amount is empty; {example}")
    found = pattern.fullmatch(cleaned)
    if found is None:
        hint = f" (use a point for decimals: {decimal})" if "," in cleaned else ""
        raise AmountInvalid(f"'{shown}' is not an amount{hint}; {example}")
    amount = float(found["number"])
    if amount < 0 or (amount == 0 and not allow_zero):
        least = "0 or more" if allow_zero else "more than 0"
        raise AmountInvalid(f"'{shown}': the amount must be {least}")
    if not math.isfinite(amount) or amount > MAX_AMOUNT:
        raise AmountInvalid(f"'{shown}': the amount must be at most {MAX_AMOUNT:,.0f}")
    return found


def parse_amount(text: str, *, allow_zero: bool = False) -> tuple[float, str | None]:
    """An amount as people type it ("2g", "2 g", "500 mg", "4 capsules") as (amount, unit).

    The unit is one of `DOSE_UNITS` (plurals and a few words such as "grams" or "caps" are
    read as their unit, in any case), or None when the text is a bare number: then the
    caller decides what it counts in. Zero is refused unless `allow_zero` (a taper's target).
    Raises `AmountInvalid` with a message for a person.
    """
    cleaned, shown = _typed(text)
    example = "write it like 2 g, 500 mg or 4 capsules"
    found = _number(_AMOUNT, cleaned, shown, example, "2.5 g", allow_zero=allow_zero)
    word = (found["unit"] or "").strip().lower()
    unit = _UNIT_SPELLINGS.get(word) if word else None
    if word and unit is None:
        raise AmountInvalid(
            f"'{found['unit']}' in '{shown}' is not a unit; use one of {', '.join(DOSE_UNITS)}"
        )
    return float(found["number"]), unit


# Any unit of words, as a person notes a medicine or a drink: letters (of any script), µ and %,
# words joined by one space or a slash ("mg", "2 tablets", "mg/ml", "cups of tea").
_MEASURE = re.compile(
    r"(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*"
    r"(?P<unit>(?:[^\W\d_]|[µ%])+(?:[ /](?:[^\W\d_]|[µ%])+)*)?"
)


def parse_measure(text: str) -> tuple[float, str]:
    """An amount with a unit of the person's own words ("50 mg", "2 tablets", "1 drink") as
    (amount, unit), the unit "" when the text is a bare number. Raises `AmountInvalid`."""
    cleaned, shown = _typed(text)
    found = _number(_MEASURE, cleaned, shown, "write it like 50 mg, 2 tablets or 1", "50.5 mg")
    return float(found["number"]), found["unit"] or ""


Severity = Literal["danger", "warning", "caution", "info"]
#: Severities, most severe first.
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
SEVERITY_LABELS: dict[Severity, str] = {
    "danger": "Danger",
    "warning": "Warning",
    "caution": "Caution",
    "info": "Information",
}

PracticeKind = Literal[
    "mindfulness", "breathing", "exercise", "yoga", "walk", "therapy", "journaling"
]
PRACTICE_KINDS: dict[PracticeKind, str] = {
    "mindfulness": "Mindfulness or meditation",
    "breathing": "Breathing exercise",
    "exercise": "Exercise",
    "yoga": "Yoga",
    "walk": "Walk outdoors",
    "therapy": "Therapy session",
    "journaling": "Journaling",
}

#: What a plan's weekly goals can be set for: every practice kind, then sleep (hours a night).
GOAL_KINDS: dict[str, str] = {**{str(k): v for k, v in PRACTICE_KINDS.items()}, "sleep": "Sleep"}


def severity_rank(severity: str) -> int:
    """Sort key of a severity: 0 for danger, the most severe."""
    return [str(x) for x in SEVERITIES].index(severity)


def is_leaf(form: str) -> bool:
    """Whether a product form's grams are grams of leaf."""
    return form in LEAF_FORMS


def choices(labels: Mapping[Any, str]) -> list[tuple[str, str]]:
    """(value, label) pairs for a Django field or form, in the vocabulary's order."""
    return [(str(k), v) for k, v in labels.items()]


def _amount(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def unit_text(amount: float, unit: str) -> str:
    """An amount with its unit in words: "4 capsules", "1 capsule", "2.5 g"."""
    said = _amount(amount)  # as shown: 1.0000000002 is "1", and one capsule
    if unit in {"g", "mg", "ml"} or said == "1":
        return f"{said} {unit}"
    return f"{said} {PRODUCT_UNITS.get(unit, unit)}"


#: The kinds of data a person may let a study use, each asked for separately (research consent).
RESEARCH_DATA_KINDS: dict[str, str] = {
    "doses": "Kratom doses (grams of leaf, estimated mg of alkaloids)",
    "checkins": "Check-ins (anxiety, mood, sleep, symptoms; never the notes)",
    "practices": "Practices (kind and minutes)",
    "questionnaire_totals": "Questionnaire totals and bands",
    "questionnaire_items": "Questionnaire answers, item by item",
    "substances": "Other substances, as classes (never their names)",
    "alerts": "Safety alerts (rule and severity)",
    "taper": "Taper steps and holds",
}


def name_order(name: str) -> str:
    """Where a name sorts in a list as it is read: without case or accents ("alcohol",
    "Éclair", "Xanax"; "Öl" beside "ol"), the same on every database (stored beside the name:
    SQLite's LOWER() folds ASCII only, and a database's collation may put "É" after "z")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
