"""The plan: its words, the crisis contacts, this week's progress against each goal, and how
each past week went (adherence), on the person's local weeks (Monday to Sunday, ISO 8601)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from mitra.journal import clock, plans, timeline
from mitra.plan import GOAL_KINDS, Goal, WeekProgress, goal_text, week_start, weekly_progress

__all__ = [
    "ADHERENCE_WEEKS",
    "WEEK_STARTS",
    "ContactView",
    "GoalProgress",
    "PlanProgress",
    "PlanRead",
    "WeekAdherence",
    "plan_progress",
    "plan_read",
    "weekly_adherence",
]

#: Weeks the adherence chart shows, this week included.
ADHERENCE_WEEKS = 8
WEEK_STARTS = "Monday"


@dataclass(frozen=True)
class GoalProgress:
    """One goal this week: the target, what was done, and a sentence with its unit."""

    kind: str
    label: str
    amount: float
    unit: str  # minutes, sessions (a week) or hours (a night)
    target_text: str  # "70 min a week"
    done: float | None  # minutes or sessions this week; mean hours a night for sleep
    percent: int  # share of the goal met, 0 to 100
    met: bool
    text: str  # "45 of 70 min this week"


@dataclass(frozen=True)
class PlanProgress:
    """This week's progress against every goal (the Today card and the Plan page show it)."""

    week_start: date
    week_end: date
    week_starts_on: str
    goals: tuple[GoalProgress, ...]


@dataclass(frozen=True)
class WeekAdherence:
    """One week: the mean share of the goals met (None when nothing could be measured), and
    how many of the goals set by the end of that week were met in full."""

    week_start: date
    percent: int | None
    goals_met: int
    goals: int


@dataclass(frozen=True)
class ContactView:
    """A person to call in a crisis."""

    name: str
    phone: str


@dataclass(frozen=True)
class PlanRead:
    """The Plan page and `mitra plan`."""

    clinician_name: str
    clinician_contact: str
    reasons: str
    warning_signs: str
    crisis_contacts: tuple[ContactView, ...]
    this_week: PlanProgress
    weeks: tuple[WeekAdherence, ...]


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _sentence(goal: Goal, week: WeekProgress) -> str:
    if goal.unit == "hours":
        if week.nights == 0:
            return f"no sleep logged this week (target {_number(goal.amount)} h a night)"
        nights = f"{week.nights} night{'s' if week.nights != 1 else ''}"
        return (
            f"{_number(week.done)} h a night on average, of {_number(goal.amount)} h "
            f"({nights} logged this week)"
        )
    if goal.unit == "sessions":
        return (
            f"{week.done:g} of {goal.amount:g} session{'s' if goal.amount != 1 else ''} this week"
        )
    return f"{week.done:g} of {goal.amount:g} min this week"


def _progress(goal: Goal, week: WeekProgress) -> GoalProgress:
    fraction = 0.0 if math.isnan(week.fraction) else week.fraction
    return GoalProgress(
        kind=goal.kind,
        label=GOAL_KINDS.get(goal.kind, goal.kind),
        amount=goal.amount,
        unit=goal.unit,
        target_text=goal_text(goal),
        done=None if math.isnan(week.done) else week.done,
        percent=round(fraction * 100),
        met=week.met,
        text=_sentence(goal, week),
    )


def _weeks(person: Any, now: datetime | None, count: int) -> tuple[date, list[Goal], list[Any]]:
    today = clock(person).today(now or timezone.now())
    goals = plans.goals_of(person)
    first = week_start(today) - timedelta(weeks=count - 1)
    rows = weekly_progress(timeline(person, first, today), goals) if goals else []
    return today, goals, rows


def _this_week(today: date, goals: list[Goal], rows: list[Any]) -> PlanProgress:
    monday = week_start(today)
    current = rows[-1] if rows else []
    return PlanProgress(
        week_start=monday,
        week_end=monday + timedelta(days=6),
        week_starts_on=WEEK_STARTS,
        goals=tuple(_progress(g, w) for g, w in zip(goals, current, strict=True)),
    )


def plan_progress(person: Any, now: datetime | None = None) -> PlanProgress:
    """This week's progress against each goal (Today's card)."""
    today, goals, rows = _weeks(person, now, 1)
    return _this_week(today, goals, rows)


def plan_read(person: Any, now: datetime | None = None) -> PlanRead:
    """The plan with this week's progress and the last `ADHERENCE_WEEKS` weeks' adherence."""
    today, goals, rows = _weeks(person, now, ADHERENCE_WEEKS)
    plan = plans.plan_of(person)
    return PlanRead(
        clinician_name=plan.clinician_name,
        clinician_contact=plan.clinician_contact,
        reasons=plan.reasons,
        warning_signs=plan.warning_signs,
        crisis_contacts=tuple(ContactView(c["name"], c["phone"]) for c in person.crisis_contacts),
        this_week=_this_week(today, goals, rows),
        weeks=_adherence(rows),
    )


def _adherence(rows: list[Any]) -> tuple[WeekAdherence, ...]:
    weeks = []
    for row in rows:
        measured = [w.fraction for w in row if not math.isnan(w.fraction)]
        weeks.append(
            WeekAdherence(
                week_start=row[0].week_start,
                percent=round(100 * sum(measured) / len(measured)) if measured else None,
                goals_met=sum(w.met for w in row),
                goals=sum(w.active for w in row),
            )
        )
    return tuple(weeks)


def weekly_adherence(
    person: Any, now: datetime | None = None, weeks: int = ADHERENCE_WEEKS
) -> tuple[WeekAdherence, ...]:
    """How each of the last `weeks` weeks went against the plan's goals (this week included),
    without the plan's words or contacts (a clinician's Trends page shows only this)."""
    _, _, rows = _weeks(person, now, weeks)
    return _adherence(rows)
