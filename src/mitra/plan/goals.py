"""Weekly goals per practice (minutes or sessions a week) and a nightly sleep target.

A week is the person's local week, Monday to Sunday (ISO 8601), made of their local days (which
start at their day boundary hour), so a late-night practice counts in the week of its day.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np

from mitra.timeline import Timeline
from mitra.vocabulary import GOAL_KINDS, ascii_digits

__all__ = [
    "GOAL_KINDS",
    "GOAL_UNITS",
    "Goal",
    "GoalInvalid",
    "GoalKind",
    "GoalUnit",
    "WeekProgress",
    "goal_example",
    "goal_text",
    "parse_goal",
    "week_start",
    "weekly_progress",
]

GoalKind = str  # a practice kind, or "sleep"
GoalUnit = Literal["minutes", "sessions", "hours"]

GOAL_UNITS: tuple[GoalUnit, ...] = ("minutes", "sessions", "hours")

# Upper bounds of a plausible goal: every minute of a week, a session each waking hour of a
# week, and a whole day of sleep. Above these the number is a typo.
MAX_MINUTES = 7 * 24 * 60
MAX_SESSIONS = 100
MAX_SLEEP_HOURS = 24.0

_GOAL = re.compile(
    r"(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>[a-z]*)\s*"
    r"(?:(?:/|a |per |each |every )\s*(?P<per>week|wk|w|night|day|d))?",
)
_UNIT_WORDS: dict[str, GoalUnit] = {
    "m": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "x": "sessions",
    "time": "sessions",
    "times": "sessions",
    "session": "sessions",
    "sessions": "sessions",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
}


class GoalInvalid(ValueError):
    """A goal typed by a person that mitra cannot read; the message says how to write it."""


@dataclass(frozen=True)
class Goal:
    """A weekly goal: `amount` minutes or sessions a week, or hours of sleep a night.

    `since`: the person's local day the goal was set; the weeks that ended before it had no
    such goal (None: a goal measured in every week). `earlier`: the targets it had before this
    one, oldest first, each with the local day it was replaced (`until`); a week is measured
    against the target it had at its end.
    """

    kind: str
    amount: float
    unit: GoalUnit
    since: date | None = None
    earlier: tuple[tuple[date, float, GoalUnit], ...] = ()

    def target_on(self, day: date) -> tuple[float, GoalUnit]:
        """The target (amount, unit) in effect at the end of `day`."""
        for until, amount, unit in self.earlier:
            if day < until:
                return amount, unit
        return self.amount, self.unit


def goal_example(kind: str) -> str:
    """How a goal of `kind` is written: the Plan form's hint and each refusal give the same
    forms, each of which `parse_goal` reads."""
    if kind == "sleep":
        return "7.5h (hours a night)"
    if kind == "therapy":
        return "1 session or 50 min (a week)"
    return "70 min or 2 sessions (a week)"


def _example(kind: str) -> str:
    return f"write it like {goal_example(kind)}"


def parse_goal(kind: str, text: str) -> Goal:
    """A goal as people type it: "70min/week", "70 min", "1/week", "2 sessions", "7.5h".

    A bare number is minutes a week for a practice (sessions for therapy) and hours a night
    for sleep. Raises `GoalInvalid` with a message for a person.
    """
    if kind not in GOAL_KINDS:
        raise GoalInvalid(f"'{kind}' is not a goal; use one of {', '.join(GOAL_KINDS)}")
    cleaned = " ".join(ascii_digits(text).strip().lower().split())
    shown = cleaned if len(cleaned) <= 40 else cleaned[:40] + "..."
    if not cleaned:
        raise GoalInvalid(f"the goal is empty; {_example(kind)}")
    found = _GOAL.fullmatch(cleaned)
    if found is None:
        hint = " (use a point for decimals: 7.5h)" if "," in cleaned else ""
        raise GoalInvalid(f"'{shown}' is not a goal{hint}; {_example(kind)}")
    amount = float(found["number"])
    unit = _unit_of(kind, found["unit"], found["per"], shown)
    if kind == "sleep":
        return _sleep_goal(amount, unit, found["per"], shown)
    if unit == "hours":
        unit, amount = "minutes", amount * 60  # "2h/week" of exercise is 120 minutes
    if found["per"] in {"night", "day", "d"}:
        raise GoalInvalid(f"a practice goal is per week; {_example(kind)}")
    if amount <= 0 or not math.isfinite(amount):
        raise GoalInvalid(f"'{shown}': the goal must be more than 0")
    if unit == "sessions":
        if amount != int(amount) or amount > MAX_SESSIONS:
            raise GoalInvalid(f"'{shown}': sessions are a whole number, at most {MAX_SESSIONS}")
        return Goal(kind, amount, "sessions")
    if amount > MAX_MINUTES:
        raise GoalInvalid(f"'{shown}': a week has {MAX_MINUTES:,} minutes")
    if abs(amount - round(amount)) > 1e-9:
        # Once rounded in silence: "0.5" was 0 minutes, refused as "amount must be more than
        # 0" (a field the person never typed), and "10.5min" was saved as 10.
        raise GoalInvalid(f"'{shown}': a practice goal is whole minutes a week; {_example(kind)}")
    return Goal(kind, float(round(amount)), "minutes")


def _unit_of(kind: str, word: str, per: str | None, shown: str) -> GoalUnit:
    """The unit a goal's word names; without a word, what a bare number means for `kind`."""
    if word:
        unit = _UNIT_WORDS.get(word)
        if unit is None:
            raise GoalInvalid(f"'{word}' in '{shown}' is not a unit; {_example(kind)}")
        return unit
    if kind == "sleep":
        return "hours"
    # "1/week" counts sessions; a bare number is minutes, except for therapy (sessions).
    return "sessions" if kind == "therapy" or per is not None else "minutes"


def _sleep_goal(amount: float, unit: GoalUnit, per: str | None, shown: str) -> Goal:
    if unit != "hours" or per in {"week", "wk", "w"}:
        raise GoalInvalid(f"a sleep goal is hours a night; {_example('sleep')}")
    if not 0 < amount <= MAX_SLEEP_HOURS:
        raise GoalInvalid(f"'{shown}': sleep must be more than 0 and at most 24 hours")
    return Goal("sleep", round(amount, 2), "hours")


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def goal_text(goal: Goal) -> str:
    """A goal in words: "70 min a week", "1 session a week", "7.5 h a night"."""
    if goal.unit == "hours":
        return f"{_number(goal.amount)} h a night"
    if goal.unit == "sessions":
        return f"{_number(goal.amount)} session{'' if goal.amount == 1 else 's'} a week"
    return f"{_number(goal.amount)} min a week"


def week_start(day: date) -> date:
    """The Monday of the ISO week holding the local day `day`."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekProgress:
    """One goal over one week: what was done, and the share of the goal met (0 to 1).

    For sleep, `done` is the mean hours of the nights logged (`nights`); NaN without any.
    `active` is False for a week that ended before the goal was set: nothing is measured
    against it (NaN), and it is not a goal missed.
    """

    kind: str
    week_start: date
    done: float
    target: float
    unit: GoalUnit
    fraction: float  # done / target, capped at 1; NaN when nothing was logged to compare
    met: bool
    nights: int = 0
    active: bool = True


def weekly_progress(timeline: Timeline, goals: list[Goal]) -> list[list[WeekProgress]]:
    """Each goal's progress in each week of the timeline (weeks start on Mondays).

    The timeline should start on a Monday; a first partial week counts only its own days.
    Returns one list per week, in time order, with one entry per goal in the given order.
    """
    n_days = timeline.n_days
    p_day = timeline.day_of(timeline.practice_time)
    in_span = (p_day >= 0) & (p_day < n_days)
    kinds = np.asarray(timeline.practice_kind, dtype=object)
    c_day = timeline.day_of(timeline.checkin_time)
    sleep_ok = (c_day >= 0) & (c_day < n_days) & np.isfinite(timeline.sleep_hours)
    first = week_start(timeline.first)
    n_weeks = (timeline.last - first).days // 7 + 1
    offset = (timeline.first - first).days
    p_week = (p_day + offset) // 7
    c_week = (c_day + offset) // 7
    weeks: list[list[WeekProgress]] = []
    for w in range(n_weeks):
        row: list[WeekProgress] = []
        monday = first + timedelta(weeks=w)
        for goal in goals:
            nights = 0
            sunday = monday + timedelta(days=6)
            active = goal.since is None or goal.since <= sunday
            amount, unit = goal.target_on(sunday)
            if not active:
                done = math.nan
            elif unit == "hours":
                sel = sleep_ok & (c_week == w)
                # One figure per night: the first of each local day, as the insights read it.
                _, firsts = np.unique(c_day[sel], return_index=True)
                hours = timeline.sleep_hours[sel][firsts]
                nights = int(hours.size)
                done = float(hours.mean()) if nights else math.nan
            else:
                sel = in_span & (p_week == w) & (kinds == goal.kind)
                done = (
                    float(timeline.practice_minutes[sel].sum())
                    if unit == "minutes"
                    else float(sel.sum())
                )
            fraction = math.nan if math.isnan(done) else min(done / amount, 1.0)
            row.append(
                WeekProgress(
                    kind=goal.kind,
                    week_start=monday,
                    done=done,
                    target=amount,
                    unit=unit,
                    fraction=fraction,
                    met=not math.isnan(done) and done >= amount,
                    nights=nights,
                    active=active,
                )
            )
        weeks.append(row)
    return weeks
