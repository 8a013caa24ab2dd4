"""Pharmacology: dose normalisation and the exposure model."""

from mitra.pharmacology.exposure import (
    DEFAULT_PARAMETER_SET,
    AlkaloidDose,
    DerivedParameter,
    ExposureCurve,
    OneCompartment,
    RegularDosing,
    accumulation_ratio,
    alkaloid_dose,
    concentration_nM,
    exposure_curve,
    hours_since_last_dose,
    one_compartment,
    regular_dosing,
    time_to_steady_state_hours,
)
from mitra.pharmacology.normalise import (
    DOSE_UNITS,
    PRODUCT_UNITS,
    NormalisedDose,
    UnknownUnitError,
    content_per_gram,
    normalise_dose,
)

__all__ = [
    "DEFAULT_PARAMETER_SET",
    "DOSE_UNITS",
    "PRODUCT_UNITS",
    "AlkaloidDose",
    "DerivedParameter",
    "ExposureCurve",
    "NormalisedDose",
    "OneCompartment",
    "RegularDosing",
    "UnknownUnitError",
    "accumulation_ratio",
    "alkaloid_dose",
    "concentration_nM",
    "content_per_gram",
    "exposure_curve",
    "hours_since_last_dose",
    "normalise_dose",
    "one_compartment",
    "regular_dosing",
    "time_to_steady_state_hours",
]
