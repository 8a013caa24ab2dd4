"""The estimated mitragynine curve of a person's recent doses (Today page, `mitra exposure`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

from mitra.knowledge.pharmacokinetics import load_pharmacokinetics
from mitra.pharmacology import alkaloid_dose, exposure_curve
from mitra.pharmacology.exposure import ExposureCurve
from mitra.vocabulary import LEAF_FORMS

from .models import Dose, Person


def _lookback() -> timedelta:
    """How far back doses still matter: five of the longest half-lives any study reports."""
    longest = max(
        (f.high if f.high is not None else f.value) or 0.0
        for s in load_pharmacokinetics().parameter_sets.values()
        if s.alkaloid == "mitragynine"
        for key, f in s.figures.items()
        if key.startswith("half_life_hours")
    )
    return timedelta(hours=5 * longest)


LOOKBACK = _lookback()
STEP_HOURS = 0.25


@dataclass(frozen=True)
class RecentExposure:
    """Estimated concentration (nmol/L) on a grid of UTC times, with the widest honest band."""

    times: list[datetime]
    concentration_nM: list[float]  # noqa: N815 - nM is a unit
    low_nM: list[float]  # noqa: N815
    high_nM: list[float]  # noqa: N815
    doses: int
    estimated_doses: int
    skipped_doses: int
    parameter_set: str
    half_life_hours: float
    hours_since_last_dose: float | None
    sources: tuple[str, ...]
    caveats: tuple[str, ...]


def _content(dose: Dose) -> tuple[float, float, float, bool] | None:
    """mg of mitragynine in a dose: central, low and high, and whether it is an estimate."""
    if dose.mg_mitragynine is not None:
        return dose.mg_mitragynine, dose.mg_mitragynine, dose.mg_mitragynine, False
    if dose.product.form == "7oh":
        product = "7-OH product"
    elif dose.product.form in LEAF_FORMS:
        product = "leaf"
    else:
        return None  # an extract or a shot: leaf content would understate it several-fold
    try:
        found = alkaloid_dose(dose.grams, product=product)
    except KeyError:
        return None  # no literature default for this kind of product
    return found.mg, found.low_mg, found.high_mg, found.is_estimate


@lru_cache(maxsize=32)
def _curve(
    doses: tuple[tuple[float, float, float, float], ...], start: float, end: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, ExposureCurve]:
    hours = np.array([d[0] for d in doses])
    grid = np.arange(start, end + STEP_HOURS / 2, STEP_HOURS)
    central = exposure_curve(hours, [d[1] for d in doses], grid)
    # Content uncertainty (estimated products) and between-person spread both widen the band:
    # the curve is linear in the doses, so the low and high content bound it.
    low = exposure_curve(hours, [d[2] for d in doses], grid)
    high = exposure_curve(hours, [d[3] for d in doses], grid)
    assert low.band_low_nM is not None
    assert high.band_high_nM is not None
    return grid, central.concentration_nM, low.band_low_nM, high.band_high_nM, central


def recent_exposure(person: Person, now: datetime, hours: float = 72) -> RecentExposure | None:
    """The last `hours` of estimated mitragynine, or None when no dose can be counted."""
    # Anchor the grid to the next quarter hour so repeated page views reuse the same curve
    # and a dose taken a minute ago is already on it.
    step_s = STEP_HOURS * 3600
    epoch = -(-now.timestamp() // step_s) * step_s
    start_s = epoch - hours * 3600
    rows = (
        Dose.objects.filter(
            person=person, deleted_at__isnull=True, taken_at__gte=now - LOOKBACK, taken_at__lte=now
        )
        .select_related("product")
        .order_by("taken_at")
    )
    counted: list[tuple[float, float, float, float]] = []
    estimated = skipped = 0
    for dose in rows:
        content = _content(dose)
        if content is None:
            skipped += 1
            continue
        mg, mg_low, mg_high, is_estimate = content
        estimated += is_estimate
        counted.append((dose.taken_at.timestamp() / 3600, mg, mg_low, mg_high))
    if not counted:
        return None
    grid, conc, low, high, central = _curve(tuple(counted), start_s / 3600, epoch / 3600)
    model = central.model
    since = (now.timestamp() / 3600) - counted[-1][0]
    return RecentExposure(
        times=[datetime.fromtimestamp(h * 3600, now.tzinfo) for h in grid],
        concentration_nM=conc.tolist(),
        low_nM=low.tolist(),
        high_nM=high.tolist(),
        doses=len(counted),
        estimated_doses=estimated,
        skipped_doses=skipped,
        parameter_set=central.parameter_set,
        half_life_hours=float(model.half_life_hours),
        hours_since_last_dose=since,
        sources=tuple(central.sources),
        caveats=tuple(model.caveats),
    )
