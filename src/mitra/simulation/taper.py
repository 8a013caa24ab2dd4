"""A synthetic person in a taper: the plan they follow, their use, and each step's flare-up.

The plan is mitra's own planner's (`mitra.taper.plan_schedule`), so the demo can save it through
the journal's taper service and the calibration can feed the real hold proposal. Everything the
body does here is synthetic (see `mitra.simulation.person.TaperHabit`): the shape of a flare-up
only follows the course the evidence table gives for kratom withdrawal (onset within a day, a
peak at one to three days, an acute phase of under a week to ten days; no peer-reviewed source).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from mitra.simulation.person import ProductHabit, TaperHabit
from mitra.taper import Schedule, course, measure_for, plan_schedule

__all__ = [
    "FLARE_SHAPE",
    "SOWS_ITEMS",
    "TRUE_FLARE_POINTS",
    "TaperCourse",
    "follow_allowance",
    "plan_taper",
    "step_withdrawal",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: A flare-up's share of its peak on each day from the step's first day (synthetic).
FLARE_SHAPE = (0.4, 0.9, 1.0, 0.8, 0.55, 0.3, 0.15)
#: A day is a true flare-up day when the steps' withdrawal adds at least this many points.
TRUE_FLARE_POINTS = 1.0
SOWS_ITEMS = 16
_MEASURED_DAYS = 14  # as the planner measures current use (taper.toml's measured_days)


@dataclass(frozen=True)
class TaperCourse:
    """The planned taper laid over the simulated days (indices into the simulation's days)."""

    schedule: Schedule
    start: int  # day index of the taper's first day
    allowance: FloatArray  # grams per day; NaN before the taper
    step_start: tuple[int, ...]  # day index of each step that begins within the span


def plan_taper(
    habit: TaperHabit, first: date, days: int, dose_day: IntArray, grams: FloatArray
) -> TaperCourse:
    """Plan the taper from the person's use over the 14 days before it starts."""
    start = days - 1 - habit.starts_days_before_end
    if start < _MEASURED_DAYS:
        raise ValueError(
            f"a taper starting {habit.starts_days_before_end} days before the end needs at "
            f"least {habit.starts_days_before_end + _MEASURED_DAYS + 1} days"
        )
    per_day = np.bincount(dose_day, weights=grams, minlength=days)[:days]
    measured = float(per_day[start - _MEASURED_DAYS : start].mean())
    starts = first + timedelta(days=start)
    schedule = plan_schedule(
        measured, habit.target_fraction * measured, habit.pace, measure_for("g"), starts=starts
    )
    last = first + timedelta(days=days - 1)
    allowance = np.full(days, np.nan)
    for lived in course(schedule, (), last):
        allowance[(lived.day - first).days] = lived.allowance
    step_start = tuple(
        (s.starts - first).days for s in schedule.steps if (s.starts - first).days < days
    )
    return TaperCourse(schedule, start, allowance, step_start)


def follow_allowance(
    rng: np.random.Generator,
    habit: TaperHabit,
    taper: TaperCourse,
    products: tuple[ProductHabit, ...],
    *,
    dose_day: IntArray,
    dose_hour: FloatArray,
    grams: FloatArray,
    product: IntArray,
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray, IntArray]:
    """Doses on taper days rescaled to the day's allowance, weighed as powder to 0.1 g.

    Returns (day, hour, amount, grams, product). A day's doses keep their shares of the day; on
    `over_days` the day takes `over_factor` times the allowance (rounded up), otherwise a little
    under it (rounded down), and doses that round to nothing are not taken.
    """
    powder = next((i for i, pr in enumerate(products) if pr.unit == "g"), None)
    if powder is None:
        raise ValueError("a tapering person weighs powder: give them a product counted in grams")
    in_taper = dose_day >= taper.start
    day_total = np.bincount(dose_day, weights=grams, minlength=taper.allowance.size)
    over = np.zeros(taper.allowance.size, dtype=bool)
    for d in habit.over_days:
        if 0 <= taper.start + d < over.size:
            over[taper.start + d] = True
    # Most days a little under the allowance (what a scale and a habit give); never over.
    keep_share = rng.uniform(0.9, 1.0, taper.allowance.size)
    factor = np.where(over, habit.over_factor, keep_share)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(day_total[dose_day] > 0, grams / day_total[dose_day], 0.0)
    wanted = taper.allowance[dose_day] * factor[dose_day] * share * 10.0
    tenths = np.where(over[dose_day], np.ceil(wanted - 1e-9), np.floor(wanted + 1e-9)) / 10.0
    new_grams = np.where(in_taper, tenths, grams)
    taken = new_grams > 0
    new_product = np.where(in_taper, powder, product).astype(np.int64)
    per_unit = np.array([pr.grams_per_unit or 1.0 for pr in products])
    new_grams, new_product = new_grams[taken], new_product[taken]
    amount = np.where(
        new_product == powder, new_grams, np.round(new_grams / per_unit[new_product], 1)
    )
    return (
        dose_day[taken],
        dose_hour[taken],
        amount,
        new_grams,
        new_product,
    )


def step_withdrawal(
    rng: np.random.Generator, habit: TaperHabit, taper: TaperCourse, dependence: FloatArray
) -> tuple[FloatArray, tuple[float, ...]]:
    """Points of anxiety each day from the steps' flare-ups, and each step's drawn peak.

    The peak is scaled by the dependence on the step's first day: the same step hurts less
    once sustained lower use has brought dependence down.
    """
    days = dependence.size
    points = np.zeros(days)
    peaks = []
    for number, start in enumerate(taper.step_start, start=1):
        flare = number in habit.forced_flares or (
            number not in habit.quiet_steps and rng.random() < habit.flare_probability
        )
        low, high = habit.flare_points if flare else habit.quiet_points
        peak = float(rng.uniform(low, high)) * float(dependence[start])
        peaks.append(peak)
        for k, share in enumerate(FLARE_SHAPE):
            if start + k < days:
                points[start + k] += peak * share
    return points, tuple(peaks)
