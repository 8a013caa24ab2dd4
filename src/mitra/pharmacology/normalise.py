"""Convert a logged dose (amount and unit) to grams of product and, when known, mg of alkaloid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mitra.vocabulary import DOSE_UNITS, LEAF_FORMS, PRODUCT_UNITS

if TYPE_CHECKING:
    from mitra.pharmacology.exposure import AlkaloidDose

__all__ = [
    "DOSE_UNITS",
    "PRODUCT_UNITS",
    "NormalisedDose",
    "UnknownUnitError",
    "content_per_gram",
    "normalise_dose",
]

_MG_PER_G = 1000.0


class UnknownUnitError(ValueError):
    """The unit is unknown, or the product does not say how many grams one unit holds."""


@dataclass(frozen=True)
class NormalisedDose:
    """A dose in grams of product, with alkaloid content in mg when the product's lab says.

    `mg_mitragynine` and `mg_7oh` are None when the product has no lab figure; estimating
    them from literature defaults is the exposure model's job, which marks them as estimates.
    """

    grams: float
    mg_mitragynine: float | None
    mg_7oh: float | None


def normalise_dose(
    amount: float,
    unit: str,
    *,
    product_unit: str = "g",
    grams_per_unit: float | None = None,
    mitragynine_mg_per_g: float | None = None,
    hydroxy_mg_per_g: float | None = None,
) -> NormalisedDose:
    """Grams of product (and mg of alkaloids) in `amount` `unit` of a product.

    Parameters
    ----------
    amount : float
        How much was taken, in `unit`.
    unit : str
        "g", "mg", or the product's own unit (for example "capsule").
    product_unit : str
        The unit the product is counted in.
    grams_per_unit : float or None
        Grams of product in one `product_unit` (for example 0.5 g per capsule).
    mitragynine_mg_per_g, hydroxy_mg_per_g : float or None
        Lab-tested mitragynine and 7-hydroxymitragynine content, in mg per g of product.
    """
    if unit == "g":
        grams = amount
    elif unit == "mg":
        grams = amount / _MG_PER_G
    elif unit in PRODUCT_UNITS:
        if unit != product_unit:
            raise UnknownUnitError(
                f"is {PRODUCT_UNITS[unit]}, but this product is counted in "
                f"{PRODUCT_UNITS[product_unit]}"
            )
        if not grams_per_unit:
            raise UnknownUnitError(
                f"needs the grams one {unit} holds, which the product does not say; add them "
                "to the product (the Products page, or mitra products edit --grams-per-unit) "
                "or log the dose in g"
            )
        grams = amount * grams_per_unit
    else:
        # Each message reads on from the field's name, as the web shows it: "Unit is unknown".
        raise UnknownUnitError(f"is unknown ({unit!r}); use one of {', '.join(DOSE_UNITS)}")
    mg_mg = grams * mitragynine_mg_per_g if mitragynine_mg_per_g is not None else None
    mg_oh = grams * hydroxy_mg_per_g if hydroxy_mg_per_g is not None else None
    return NormalisedDose(grams=grams, mg_mitragynine=mg_mg, mg_7oh=mg_oh)


def content_per_gram(
    form: str, alkaloid: str = "mitragynine", lab_mg_per_g: float | None = None
) -> AlkaloidDose | None:
    """mg of `alkaloid` in one gram of a product of `form`: its lab figure, else an estimate.

    Leaf products (powder, capsules, tea) take the literature's leaf content and 7-OH products
    their measured range; an extract or a shot without a lab figure returns None, because leaf
    content would understate it several-fold and no literature default exists. The result is
    linear in grams, so a dose's content is this times its grams.
    """
    from mitra.pharmacology.exposure import alkaloid_dose

    if lab_mg_per_g is not None:
        return alkaloid_dose(1.0, alkaloid=alkaloid, lab_mg_per_g=lab_mg_per_g)  # type: ignore[arg-type]
    if form in LEAF_FORMS:
        kind = "leaf"
    elif form == "7oh":
        kind = "7-OH product"
    else:
        return None
    try:
        return alkaloid_dose(1.0, alkaloid=alkaloid, product=kind)  # type: ignore[arg-type]
    except KeyError:
        return None  # no literature default for this alkaloid in this kind of product
