"""The journal's arrays arranged once for every insight: per day, and per rating."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from mitra.pharmacology import exposure_curve
from mitra.timeline import Timeline

__all__ = ["Prepared", "concentration_at", "prepare"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_HOUR = 3600.0


@dataclass(frozen=True)
class Prepared:
    """Day-level and rating-level arrays derived from a `Timeline` (computed once)."""

    timeline: Timeline
    n_days: int
    # Ratings (check-ins with an anxiety rating), in time order.
    rating_time: FloatArray
    rating: FloatArray
    rating_day: IntArray
    hours_since_dose: FloatArray  # NaN before the first logged dose
    last_dose_mg: FloatArray  # mg of mitragynine of the latest dose before the rating, else NaN
    concentration_nM: FloatArray  # noqa: N815  unit symbol: nmol/L
    # Days.
    daily_anxiety: FloatArray  # NaN on days without a rating
    checked_in: BoolArray  # a check-in that day (so its practices would have been logged)
    sleep_hours: FloatArray  # the first sleep figure of the day, NaN if none
    practice_days: dict[str, BoolArray]  # kind -> done that day
    dose_day: IntArray  # the day of each dose in the span
    dose_has_content: BoolArray  # per dose in the span: a mitragynine figure or estimate
    daily_mg: FloatArray  # estimated mg of mitragynine per day (central)
    daily_mg_low: FloatArray
    daily_mg_high: FloatArray
    daily_grams_leaf: FloatArray  # grams of leaf products only
    # Diet, as the day's latest check-in said it (NaN when not said): regular meals 1 or 0,
    # cups of caffeinated drinks.
    regular_meals: FloatArray = field(default_factory=lambda: np.zeros(0))
    caffeine_cups: FloatArray = field(default_factory=lambda: np.zeros(0))


def concentration_at(timeline: Timeline, seconds: FloatArray) -> FloatArray:
    """Estimated mitragynine (nmol/L) at each time, by the exposure curve's function and rules.

    The doses counted are those with a mitragynine figure or estimate, as on the curve that
    `mitra.reads.exposure` draws; the central estimate, without the between-person band.
    """
    counted = np.isfinite(timeline.dose_mg_mitragynine)
    if seconds.size == 0 or not counted.any():
        return np.zeros(seconds.size)
    origin = float(timeline.dose_time[counted].min())
    curve = exposure_curve(
        (timeline.dose_time[counted] - origin) / _HOUR,
        timeline.dose_mg_mitragynine[counted],
        (seconds - origin) / _HOUR,
        band_samples=0,
    )
    return np.asarray(curve.concentration_nM, dtype=np.float64)


def prepare(timeline: Timeline) -> Prepared:
    """Arrange the timeline's arrays by day and by rating; estimate concentration at ratings."""
    t = timeline
    n_days = t.n_days

    c_day = t.day_of(t.checkin_time)
    in_span = (c_day >= 0) & (c_day < n_days)
    rated = in_span & ~np.isnan(t.anxiety)
    rating_time = t.checkin_time[rated]
    rating = t.anxiety[rated]
    rating_day = c_day[rated]
    order = np.argsort(rating_time, kind="stable")
    rating_time, rating, rating_day = rating_time[order], rating[order], rating_day[order]

    dose_order = np.argsort(t.dose_time, kind="stable")
    last = np.searchsorted(t.dose_time[dose_order], rating_time, side="right") - 1
    mg_in_order = t.dose_mg_mitragynine[dose_order]
    last_mg = (
        np.where(last >= 0, mg_in_order[np.maximum(last, 0)], np.nan)
        if t.dose_time.size
        else np.full(rating_time.size, np.nan)
    )

    count = np.bincount(rating_day, minlength=n_days)[:n_days]
    total = np.bincount(rating_day, weights=rating, minlength=n_days)[:n_days]
    with np.errstate(invalid="ignore", divide="ignore"):
        daily = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    checked_in = np.bincount(c_day[in_span], minlength=n_days)[:n_days] > 0

    sleep = np.full(n_days, np.nan)
    has_sleep = in_span & ~np.isnan(t.sleep_hours)
    s_day = c_day[has_sleep][::-1]  # reversed, so the day's first figure is written last
    sleep[s_day] = t.sleep_hours[has_sleep][::-1]

    p_day = t.day_of(t.practice_time)
    kinds = np.asarray(t.practice_kind, dtype=object)
    practice_days: dict[str, BoolArray] = {}
    for kind in sorted(set(t.practice_kind)):
        mask = (kinds == kind) & (p_day >= 0) & (p_day < n_days)
        practice_days[kind] = np.bincount(p_day[mask], minlength=n_days)[:n_days] > 0

    dose_day = t.day_of(t.dose_time)
    ok = (dose_day >= 0) & (dose_day < n_days)
    mg, mg_low, mg_high = t.daily_mg_mitragynine()
    return Prepared(
        timeline=t,
        n_days=n_days,
        rating_time=rating_time,
        rating=rating,
        rating_day=rating_day,
        hours_since_dose=t.hours_since_last_dose_at(rating_time),
        last_dose_mg=np.asarray(last_mg, dtype=np.float64),
        concentration_nM=concentration_at(t, rating_time),
        daily_anxiety=np.asarray(daily, dtype=np.float64),
        checked_in=checked_in,
        sleep_hours=sleep,
        practice_days=practice_days,
        dose_day=dose_day[ok],
        dose_has_content=np.isfinite(t.dose_mg_mitragynine[ok]),
        daily_mg=mg,
        daily_mg_low=mg_low,
        daily_mg_high=mg_high,
        daily_grams_leaf=t.daily_grams_leaf(),
        regular_meals=_latest_per_day(t.regular_meals, c_day, in_span, n_days),
        caffeine_cups=_latest_per_day(t.caffeine_cups, c_day, in_span, n_days),
    )


def _latest_per_day(values: FloatArray, day: IntArray, in_span: BoolArray, n: int) -> FloatArray:
    """The latest figure given on each day (a later check-in knows more of the day), else NaN."""
    out = np.full(n, np.nan)
    said = in_span & np.isfinite(values)
    out[day[said]] = values[said]  # check-ins are in time order: the latest is written last
    return out
