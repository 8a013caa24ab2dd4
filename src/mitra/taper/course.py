"""A taper as it is lived: the schedule with the person's holds and steps back, and adherence.

The person may hold a step (it lasts until they resume), resume, or go back to the previous
step (an explicit, logged choice; the step before the first is the starting amount, never more).
Later steps move later by as many days as were held, so no step is ever shortened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np

from mitra.taper.amounts import Measure, Unit
from mitra.taper.schedule import Schedule
from mitra.timeline import FloatArray, Timeline

__all__ = [
    "Action",
    "AdherenceDay",
    "CourseDay",
    "TaperEvent",
    "adherence",
    "course",
    "daily_use",
    "mean_daily_use",
]

Action = Literal["hold", "resume", "back"]


@dataclass(frozen=True)
class TaperEvent:
    """A choice the person made on a day: hold the step, resume, or go back one step."""

    day: date
    action: Action


@dataclass(frozen=True)
class CourseDay:
    """One day of the taper as lived: the step in effect (0: the starting amount), its allowance.

    `step_day` counts the days spent in this step, from 0; `next_step` is the day the next step
    begins if nothing else is held (None while held or at the target).
    """

    day: date
    step: int
    allowance: float
    held: bool
    step_began: date
    next_step: date | None


def course(
    schedule: Schedule, events: Iterable[TaperEvent], through: date
) -> tuple[CourseDay, ...]:
    """Each day from the schedule's start through `through`, with holds and steps back applied."""
    by_day: dict[date, list[Action]] = {}
    for event in events:
        by_day.setdefault(event.day, []).append(event.action)
    steps = schedule.steps
    allowances = (schedule.start_amount, *(s.allowance for s in steps))
    lengths = (steps[0].days, *(s.days for s in steps))
    last = len(steps)
    step, spent, held = 1, 0, False
    began = schedule.starts
    out: list[CourseDay] = []
    day = schedule.starts
    while day <= through:
        for action in by_day.get(day, ()):
            if action == "hold":
                held = True
            elif action == "resume":
                held = False
            elif step > 0:  # back: one step, and stay there until the person resumes
                step, spent, held, began = step - 1, 0, True, day
        remaining = lengths[step] - spent
        following = None if held or step == last else day + timedelta(days=remaining)
        out.append(CourseDay(day, step, allowances[step], held, began, following))
        if not held and step < last:
            spent += 1
            if spent >= lengths[step]:
                step, spent, began = step + 1, 0, day + timedelta(days=1)
        day += timedelta(days=1)
    return tuple(out)


def daily_use(timeline: Timeline, unit: Unit, grams_per_unit: float | None = None) -> FloatArray:
    """Use per local day of the timeline in a taper's unit (grams of leaf, capsules, or mg)."""
    if unit == "mg":
        return timeline.daily_mg_mitragynine()[0]
    grams = timeline.daily_grams_leaf()
    if unit == "capsule":
        if not grams_per_unit:
            raise ValueError("capsules need the product's grams per capsule")
        return grams / grams_per_unit
    return grams


def mean_daily_use(timeline: Timeline, measure: Measure) -> float:
    """Mean daily use over the timeline's days (days without a dose count as zero)."""
    use = daily_use(timeline, measure.unit, measure.grams_per_unit)
    return float(use.mean()) if use.size else 0.0


@dataclass(frozen=True)
class AdherenceDay:
    """A day's use against its allowance, in the taper's unit."""

    day: date
    allowance: float
    used: float
    left: float
    over: bool


def adherence(
    days: tuple[CourseDay, ...], timeline: Timeline, measure: Measure
) -> tuple[AdherenceDay, ...]:
    """Each course day's use against its allowance (days outside the timeline are left out)."""
    use = daily_use(timeline, measure.unit, measure.grams_per_unit)
    out = []
    # Half a resolution of slack: a dose weighed as 2.0 g against 2.0 g is not over.
    slack = measure.resolution / 2
    for entry in days:
        index = (entry.day - timeline.first).days
        if not 0 <= index < timeline.n_days:
            continue
        used = float(np.round(use[index], 3))
        out.append(
            AdherenceDay(
                day=entry.day,
                allowance=entry.allowance,
                used=used,
                left=round(max(0.0, entry.allowance - used), 3),
                over=used > entry.allowance + slack,
            )
        )
    return tuple(out)
