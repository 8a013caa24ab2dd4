"""A dated reduction schedule from a starting daily amount to a lower target or to zero.

The planner only ever reduces: every step's allowance is below the one before it, the first
below the starting amount, and none below the target. Steps are whole multiples of what the
person can measure, and get smaller once the allowance is low (the guidelines slow tapers at
lower doses).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from mitra.knowledge.taper import Pace, TaperKnowledge, load_taper
from mitra.taper.amounts import Measure, TaperError
from mitra.wording import day as said_day

__all__ = ["Schedule", "Step", "plan_schedule"]


@dataclass(frozen=True)
class Step:
    """One step: from `starts`, for `days` days, the daily allowance is `allowance` (in `unit`).

    `reduction` is how much less than the step before (or the starting amount) it allows.
    """

    number: int
    starts: date
    days: int
    allowance: float
    unit: str
    reduction: float
    percent_of_start: float
    text: str


@dataclass(frozen=True)
class Schedule:
    """A taper's plan: the starting amount, the target, the pace and the dated steps."""

    pace: str
    pace_label: str
    pace_basis: str
    pace_note: str
    unit: str
    resolution: float
    grams_per_unit: float | None
    start_amount: float
    target_amount: float
    starts: date
    reaches_target: date
    steps: tuple[Step, ...]
    sources: tuple[str, ...]
    note: str
    # Said when whole units make steps larger than the pace asks ("" when they do not).
    steps_note: str = ""

    def step_on(self, day: date) -> Step | None:
        """The step in effect on `day` if the schedule is followed without holds (None before)."""
        current = None
        for step in self.steps:
            if step.starts <= day:
                current = step
        return current


def _step_ticks(pace: Pace, start: int, current: int, knowledge: TaperKnowledge) -> float:
    """The size of the next step, in ticks, before rounding."""
    if pace.of == "current":
        # Proportional to what is left: steps shrink on their own as the allowance falls.
        return pace.fraction * current
    size = pace.fraction * start
    if current <= knowledge.number("slow_below_fraction") * start:
        size *= knowledge.number("slow_step_factor")
    return size


def plan_schedule(
    start_amount: float,
    target_amount: float,
    pace_id: str,
    measure: Measure,
    *,
    starts: date,
    knowledge: TaperKnowledge | None = None,
) -> Schedule:
    """Plan the steps from `start_amount` down to `target_amount` (both in `measure.unit`).

    Raises TaperError when the pace is unknown, the target is not below the start, or the
    schedule would be longer than the knowledge base's `most_steps`.
    """
    knowledge = knowledge or load_taper()
    try:
        pace = knowledge.pace(pace_id)
    except KeyError:
        names = ", ".join(p.id for p in knowledge.paces)
        raise TaperError(f"pace '{pace_id}' is not known; choose one of {names}") from None
    if not (math.isfinite(start_amount) and math.isfinite(target_amount)):
        raise TaperError("the starting amount and the target must be numbers")
    if target_amount < 0:
        raise TaperError("the target cannot be below zero")
    start = measure.ticks_down(start_amount)
    target = measure.ticks_up(target_amount)
    if start <= 0:
        raise TaperError(
            f"the starting amount ({measure.text(start_amount)}) is below what can be measured "
            f"({measure.text(measure.resolution)}); there is nothing to taper",
            field="start_amount",
        )
    if target >= start:
        raise TaperError(
            f"the target ({measure.text(target_amount)}) must be below the starting amount "
            f"({measure.text(measure.amount(start))}); mitra plans reductions only"
        )
    most = knowledge.count("most_steps")
    steps: list[Step] = []
    current = start
    day = starts
    rounded_up = False
    while current > target:
        # At least one tick, so every step is a reduction the person can measure.
        asked = _step_ticks(pace, start, current, knowledge)
        size = max(1, math.floor(asked + 0.5))
        rounded_up = rounded_up or size > 1.2 * asked
        following = max(target, current - size)
        allowance = measure.amount(following)
        steps.append(
            Step(
                number=len(steps) + 1,
                starts=day,
                days=pace.interval_days,
                allowance=allowance,
                unit=measure.unit,
                reduction=measure.amount(current - following),
                percent_of_start=round(100.0 * following / start, 1),
                text=f"{said_day(day)}: {measure.text(allowance)} a day",
            )
        )
        if len(steps) > most:
            raise TaperError(
                f"this taper would take more than {most} steps; choose a faster pace or a "
                "higher target, and plan it with your clinician"
            )
        current = following
        day += timedelta(days=pace.interval_days)
    return Schedule(
        pace=pace.id,
        pace_label=pace.label,
        pace_basis=pace.basis,
        pace_note=pace.note,
        unit=measure.unit,
        resolution=measure.resolution,
        grams_per_unit=measure.grams_per_unit,
        start_amount=measure.amount(start),
        target_amount=measure.amount(target),
        starts=starts,
        reaches_target=steps[-1].starts,
        steps=tuple(steps),
        sources=pace.sources,
        note=knowledge.borrowed_note,
        steps_note=_rounded_note(measure, start) if rounded_up else "",
    )


def _rounded_note(measure: Measure, start: int) -> str:
    """Why some steps are larger than the pace asks: the smallest step that can be measured."""
    smallest = measure.text(measure.resolution)
    share = f"{100.0 / start:.3g}%"
    text = (
        f"Some steps are larger than this pace asks: the smallest step that can be measured is "
        f"{smallest}, {share} of the starting amount."
    )
    if measure.unit == "capsule":
        text += " A taper counted in grams can take smaller steps."
    return text


def step_words(step: int, steps: int) -> str:
    """Where a taper stands, in words: "step 3 of 13", or before its first step (not begun,
    or gone back to the start) "at the starting amount, before step 1 of 13"."""
    if step <= 0:
        return f"at the starting amount, before step 1 of {steps}"
    return f"step {step} of {steps}"
