"""Pharmacology: dose normalisation (and, later, exposure models)."""

from mitra.pharmacology.normalise import (
    DOSE_UNITS,
    PRODUCT_UNITS,
    NormalisedDose,
    UnknownUnitError,
    normalise_dose,
)

__all__ = [
    "DOSE_UNITS",
    "PRODUCT_UNITS",
    "NormalisedDose",
    "UnknownUnitError",
    "normalise_dose",
]
