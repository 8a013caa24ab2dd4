"""Weekly goals: read as people type them, and measured on the person's local Monday weeks."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pytest

from mitra.plan import Goal, GoalInvalid, goal_text, parse_goal, week_start, weekly_progress
from mitra.timeline import DayClock, Timeline


@pytest.mark.parametrize(
    ("kind", "text", "goal"),
    [
        ("mindfulness", "70min/week", Goal("mindfulness", 70, "minutes")),
        ("mindfulness", "70 min", Goal("mindfulness", 70, "minutes")),
        ("walk", "90", Goal("walk", 90, "minutes")),
        ("exercise", "2h/week", Goal("exercise", 120, "minutes")),
        ("exercise", "2.5h", Goal("exercise", 150, "minutes")),
        ("yoga", "3 sessions a week", Goal("yoga", 3, "sessions")),
        ("breathing", "5/week", Goal("breathing", 5, "sessions")),
        ("therapy", "1/week", Goal("therapy", 1, "sessions")),
        ("therapy", "1", Goal("therapy", 1, "sessions")),
        ("journaling", " 2 X per week ", Goal("journaling", 2, "sessions")),
        ("sleep", "7.5h", Goal("sleep", 7.5, "hours")),
        ("sleep", "8", Goal("sleep", 8, "hours")),
        ("sleep", "7.5 h/night", Goal("sleep", 7.5, "hours")),
    ],
)
def test_a_goal_is_read_as_people_type_it(kind: str, text: str, goal: Goal) -> None:
    assert parse_goal(kind, text) == goal


@pytest.mark.parametrize(
    ("kind", "text", "says"),
    [
        ("mindfulness", "", "the goal is empty"),
        ("mindfulness", "lots", "'lots' is not a goal"),
        ("mindfulness", "7,5", "use a point for decimals"),
        ("mindfulness", "70 kg", "'kg' in '70 kg' is not a unit"),
        ("mindfulness", "0", "must be more than 0"),
        ("mindfulness", "20min/day", "a practice goal is per week"),
        ("therapy", "1.5/week", "sessions are a whole number"),
        # Rounded in silence before: 0.5 to 0 (then refused as "amount"), 10.5 min to 10.
        ("exercise", "0.5", "'0.5': a practice goal is whole minutes a week"),
        ("walk", "10.5min", "'10.5min': a practice goal is whole minutes a week"),
        ("walk", "20000 min", "a week has 10,080 minutes"),
        ("sleep", "7/week", "a sleep goal is hours a night"),
        ("sleep", "30h", "at most 24 hours"),
        ("knitting", "1", "'knitting' is not a goal; use one of mindfulness"),
    ],
)
def test_a_goal_mitra_cannot_read_says_how_to_write_it(kind: str, text: str, says: str) -> None:
    with pytest.raises(GoalInvalid, match=None) as caught:
        parse_goal(kind, text)
    assert says in str(caught.value)


def test_goals_are_told_in_words_with_their_unit() -> None:
    assert goal_text(Goal("mindfulness", 70, "minutes")) == "70 min a week"
    assert goal_text(Goal("therapy", 1, "sessions")) == "1 session a week"
    assert goal_text(Goal("yoga", 3, "sessions")) == "3 sessions a week"
    assert goal_text(Goal("sleep", 7.5, "hours")) == "7.5 h a night"


def test_a_week_starts_on_monday() -> None:
    assert week_start(date(2026, 3, 11)) == date(2026, 3, 9)  # a Wednesday
    assert week_start(date(2026, 3, 9)) == date(2026, 3, 9)
    assert week_start(date(2026, 3, 15)) == date(2026, 3, 9)  # Sunday ends the week


def _at(day: date, hour: float, zone: str = "Europe/Berlin") -> float:
    from zoneinfo import ZoneInfo

    local = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone))
    return local.timestamp() + hour * 3600


def test_weekly_progress_counts_minutes_sessions_and_mean_sleep_on_local_weeks() -> None:
    clock = DayClock("Europe/Berlin", 4)
    monday = date(2026, 3, 2)
    sunday = date(2026, 3, 8)
    line = Timeline(
        clock=clock,
        first=monday,
        last=date(2026, 3, 11),
        practice_time=np.array(
            [
                _at(monday, 8),
                _at(date(2026, 3, 4), 20),
                # 02:00 on Monday 9 March is still Sunday's local day (the day starts at 4:00).
                _at(date(2026, 3, 9), 2),
                _at(date(2026, 3, 10), 9),
                _at(date(2026, 3, 5), 17),
            ]
        ),
        practice_kind=("mindfulness", "mindfulness", "mindfulness", "mindfulness", "therapy"),
        practice_minutes=np.array([20.0, 25.0, 10.0, 15.0, 50.0]),
        checkin_time=np.array([_at(monday, 9), _at(sunday, 9), _at(sunday, 21)]),
        anxiety=np.array([4.0, 3.0, 3.0]),
        mood=np.full(3, np.nan),
        sleep_hours=np.array([6.0, 8.0, np.nan]),
        sleep_quality=np.full(3, np.nan),
        symptoms=(frozenset(),) * 3,
    )
    goals = [
        Goal("mindfulness", 70, "minutes"),
        Goal("therapy", 1, "sessions"),
        Goal("sleep", 7.5, "hours"),
    ]
    first, second = weekly_progress(line, goals)
    mindfulness, therapy, sleep = first
    assert mindfulness.week_start == monday
    assert mindfulness.done == 55  # 20 + 25 + the 10 minutes at 02:00 on Monday
    assert mindfulness.fraction == pytest.approx(55 / 70)
    assert not mindfulness.met
    assert therapy.done == 1
    assert therapy.met
    assert therapy.fraction == 1
    assert sleep.done == 7.0
    assert sleep.nights == 2
    assert not sleep.met
    assert second[0].week_start == date(2026, 3, 9)
    assert second[0].done == 15
    assert second[1].done == 0
    assert second[1].fraction == 0
    assert math.isnan(second[2].done)
    assert math.isnan(second[2].fraction)


def _yoga(on_days: tuple[int, ...], last: int) -> Timeline:
    """Half an hour of yoga at 8:00 on these days of March 2026, from Monday the 2nd."""
    return Timeline(
        clock=DayClock("Europe/Berlin", 4),
        first=date(2026, 3, 2),
        last=date(2026, 3, last),
        practice_time=np.array([_at(date(2026, 3, d), 8) for d in on_days]),
        practice_kind=("yoga",) * len(on_days),
        practice_minutes=np.full(len(on_days), 30.0),
    )


def test_a_week_that_ended_before_a_goal_was_set_is_not_a_week_it_was_missed() -> None:
    line = _yoga(on_days=(3, 17), last=18)
    # Set on the Sunday of the second week: that week is measured, the first is not.
    before, set_in, after = weekly_progress(
        line, [Goal("yoga", 1, "sessions", since=date(2026, 3, 15))]
    )
    assert not before[0].active
    assert math.isnan(before[0].fraction)
    assert not before[0].met  # the yoga done that week does not meet a goal not yet set
    assert set_in[0].active
    assert set_in[0].fraction == 0
    assert after[0].active
    assert after[0].met


def test_each_week_is_measured_against_the_target_it_had() -> None:
    line = _yoga(on_days=(3, 10, 17), last=22)
    # Once a week at first; raised to three times a week on Wednesday 11 March.
    goal = Goal("yoga", 3, "sessions", earlier=((date(2026, 3, 11), 1, "sessions"),))
    first, raised_in, after = (week[0] for week in weekly_progress(line, [goal]))
    assert (first.target, first.met, first.fraction) == (1, True, 1)
    # The week it was raised is measured against the new target, as it stood at its end.
    assert (raised_in.target, raised_in.met) == (3, False)
    assert raised_in.fraction == pytest.approx(1 / 3)
    assert (after.target, after.met) == (3, False)


def test_the_day_boundary_clock_is_the_persons_not_utc() -> None:
    # A Sunday-night walk at 23:30 in Los Angeles is Monday in UTC, but Sunday for the person.
    clock = DayClock("America/Los_Angeles", 4)
    sunday = date(2026, 3, 8)
    when = datetime(2026, 3, 9, 6, 30, tzinfo=UTC).timestamp()  # 23:30 on Sunday, PDT
    line = Timeline(
        clock=clock,
        first=date(2026, 3, 2),
        last=date(2026, 3, 10),
        practice_time=np.array([when]),
        practice_kind=("walk",),
        practice_minutes=np.array([40.0]),
    )
    first, second = weekly_progress(line, [Goal("walk", 60, "minutes")])
    assert week_start(sunday) == first[0].week_start
    assert first[0].done == 40
    assert second[0].done == 0
