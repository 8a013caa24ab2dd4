"""mitra's one vocabulary: product forms, veins, units, severities and practice kinds.

Every other place (Django model choices, validation schemas, forms, the engines, the CLI's help)
derives its lists from here, so a new form or unit is added once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

__all__ = [
    "DOSE_UNITS",
    "LEAF_FORMS",
    "MASS_UNITS",
    "PRACTICE_KINDS",
    "PRODUCT_FORMS",
    "PRODUCT_UNITS",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "VEINS",
    "PracticeKind",
    "ProductForm",
    "Severity",
    "Vein",
    "choices",
    "is_leaf",
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
    if unit in {"g", "mg", "ml"} or amount == 1:
        return f"{_amount(amount)} {unit}"
    return f"{_amount(amount)} {PRODUCT_UNITS.get(unit, unit)}"
