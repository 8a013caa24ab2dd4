"""What a taper is measured in (grams on a scale, whole capsules, mg of mitragynine), and amounts.

Every allowance is a whole number of `resolution`s, counted as integer ticks so that rounding
is exact and a step never lands between two readings of the person's scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, cast

from mitra import vocabulary
from mitra.knowledge.taper import load_taper

__all__ = ["Amount", "Measure", "TaperError", "Unit", "measure_for", "parse_amount"]

Unit = Literal["g", "capsule", "mg"]

# A tolerance for floating input such as 12.3 / 0.1 = 122.99999999999999.
_EPS = 1e-9


class TaperError(ValueError):
    """A taper that cannot be planned as asked (a target above the start, an unknown pace...).

    `field` names what the person gave that is wrong, when one thing is: "to" (the target),
    "start_amount" or "starts" (the first day). Each face names it its own way (a command's
    option, a form's field); the message does not.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Measure:
    """The unit a taper counts in and the smallest amount the person can measure in it.

    `grams_per_unit` is the product's grams per capsule when the unit is "capsule".
    """

    unit: Unit
    resolution: float
    grams_per_unit: float | None = None

    def ticks_down(self, amount: float) -> int:
        """Whole resolutions at or below `amount` (a start is never rounded up)."""
        return math.floor(amount / self.resolution + _EPS)

    def ticks_up(self, amount: float) -> int:
        """Whole resolutions at or above `amount` (a target is never rounded down)."""
        return math.ceil(amount / self.resolution - _EPS)

    def amount(self, ticks: int) -> float:
        """The amount of a number of ticks, free of floating noise (12.3, not 12.299999)."""
        decimals = max(0, -math.floor(math.log10(self.resolution) + _EPS))
        return round(ticks * self.resolution, decimals)

    def text(self, amount: float) -> str:
        """An amount with its unit: "12.3 g", "1 capsule", "4 capsules", "120 mg"."""
        number = f"{amount:.3f}".rstrip("0").rstrip(".")
        if self.unit == "capsule":
            return f"{number} capsule" if amount == 1 else f"{number} capsules"
        return f"{number} {self.unit}"


def measure_for(unit: Unit, grams_per_unit: float | None = None) -> Measure:
    """The measure of a unit, with its resolution from the knowledge base."""
    knowledge = load_taper()
    if unit == "capsule" and not (grams_per_unit and grams_per_unit > 0):
        raise TaperError("a taper in capsules needs the product's grams per capsule")
    resolution = knowledge.number(f"resolution_{unit}")
    return Measure(unit, resolution, grams_per_unit if unit == "capsule" else None)


@dataclass(frozen=True)
class Amount:
    """An amount a person typed: a number and its unit (None for a bare 0)."""

    value: float
    unit: Unit | None


def parse_amount(text: str, field: str | None = None) -> Amount:
    """Parse "8g", "8.5 g", "120mg", "6 capsules" or "0"; TaperError with a clear message.

    The spelling of numbers and units is the journal's own (`vocabulary.parse_amount`); a taper
    counts only in grams of leaf, mg of mitragynine or capsules, and only 0 may go without one.
    """
    try:
        value, unit = vocabulary.parse_amount(text or "", allow_zero=True)
    except vocabulary.AmountInvalid as exc:
        raise TaperError(str(exc), field=field) from None
    if unit is None and value != 0:
        raise TaperError(
            f"'{text}' needs a unit: g, mg or capsules (only 0 may go without)", field=field
        )
    if unit not in (None, "g", "mg", "capsule"):
        raise TaperError(f"a taper counts in g, mg or capsules, not {unit}", field=field)
    return Amount(value, cast(Unit | None, unit))
