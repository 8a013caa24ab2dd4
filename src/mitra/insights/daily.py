"""The journal's arrays arranged once for every insight: per day, and per rating."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mitra.pharmacology import concentration_nM, one_compartment
from mitra.timeline import Timeline

__all__ = ["Prepared", "prepare"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_HOUR = 3600.0


@dataclass(frozen=True)
class Prepared:
    """Day-level and rating-level arrays derived from a `Timeline` (computed once)."""

    timeline: Timeline
    n_days: int
    day_start: FloatArray  # POSIX seconds, len n_days + 1
    # Ratings (check-ins with an anxiety rating), in time order.
    rating_time: FloatArray
    rating: FloatArray
    rating_day: IntArray
    hours_since_dose: FloatArray  # NaN before the first logged dose
    last_dose_grams: FloatArray  # grams of the latest dose before the rating, NaN if none
    concentration_nM: FloatArray  # noqa: N815  unit symbol: nmol/L
    # Days.
    daily_anxiety: FloatArray  # NaN on days without a rating
    checked_in: BoolArray  # a check-in that day (so its practices would have been logged)
    sleep_hours: FloatArray  # the first sleep figure of the day, NaN if none
    practice_days: dict[str, BoolArray]  # kind -> done that day
    dose_day: IntArray
    daily_grams: FloatArray


def prepare(timeline: Timeline) -> Prepared:
    """Arrange the timeline's arrays by day and by rating; estimate concentration at ratings."""
    t = timeline
    n_days = t.n_days
    starts = t.clock.day_starts(t.first, t.last)

    def day_of(seconds: FloatArray) -> IntArray:
        return np.searchsorted(starts, seconds, side="right").astype(np.int64) - 1

    c_day = day_of(t.checkin_time)
    in_span = (c_day >= 0) & (c_day < n_days)
    rated = in_span & ~np.isnan(t.anxiety)
    rating_time = t.checkin_time[rated]
    rating = t.anxiety[rated]
    rating_day = c_day[rated]
    order = np.argsort(rating_time, kind="stable")
    rating_time, rating, rating_day = rating_time[order], rating[order], rating_day[order]

    dose_order = np.argsort(t.dose_time, kind="stable")
    dose_time = t.dose_time[dose_order]
    dose_grams = t.dose_grams[dose_order]
    dose_mg = t.dose_mg_mitragynine[dose_order]
    last = np.searchsorted(dose_time, rating_time, side="right") - 1
    has = last >= 0
    safe = np.where(has, last, 0)
    hours_since = np.where(
        has, (rating_time - dose_time[safe] if dose_time.size else 0) / _HOUR, np.nan
    )
    last_grams = np.where(has, dose_grams[safe] if dose_time.size else 0.0, np.nan)
    known_mg = ~np.isnan(dose_mg)
    if dose_time.size and known_mg.any():
        origin = float(dose_time[0])
        conc = concentration_nM(
            (dose_time[known_mg] - origin) / _HOUR,
            dose_mg[known_mg],
            (rating_time - origin) / _HOUR,
            one_compartment(),
        )
    else:
        conc = np.zeros(rating_time.size)

    count = np.bincount(rating_day, minlength=n_days)[:n_days]
    total = np.bincount(rating_day, weights=rating, minlength=n_days)[:n_days]
    with np.errstate(invalid="ignore", divide="ignore"):
        daily = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    checked_in = np.bincount(c_day[in_span], minlength=n_days)[:n_days] > 0

    sleep = np.full(n_days, np.nan)
    has_sleep = in_span & ~np.isnan(t.sleep_hours)
    s_day = c_day[has_sleep][::-1]  # reversed, so the day's first figure is written last
    sleep[s_day] = t.sleep_hours[has_sleep][::-1]

    p_day = day_of(t.practice_time)
    kinds = np.asarray(t.practice_kind, dtype=object)
    practice_days: dict[str, BoolArray] = {}
    for kind in sorted(set(t.practice_kind)):
        mask = (kinds == kind) & (p_day >= 0) & (p_day < n_days)
        practice_days[kind] = np.bincount(p_day[mask], minlength=n_days)[:n_days] > 0

    dose_day = day_of(dose_time)
    ok = (dose_day >= 0) & (dose_day < n_days)
    grams = np.bincount(dose_day[ok], weights=np.nan_to_num(dose_grams[ok]), minlength=n_days)
    return Prepared(
        timeline=t,
        n_days=n_days,
        day_start=starts,
        rating_time=rating_time,
        rating=rating,
        rating_day=rating_day,
        hours_since_dose=np.asarray(hours_since, dtype=np.float64),
        last_dose_grams=np.asarray(last_grams, dtype=np.float64),
        concentration_nM=np.asarray(conc, dtype=np.float64),
        daily_anxiety=np.asarray(daily, dtype=np.float64),
        checked_in=checked_in,
        sleep_hours=sleep,
        practice_days=practice_days,
        dose_day=dose_day[ok],
        daily_grams=np.asarray(grams[:n_days], dtype=np.float64),
    )
