"""A taper as lived: holds push later steps back, a step back is the person's choice, adherence."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from mitra.taper import TaperEvent, adherence, course, mean_daily_use, measure_for, plan_schedule
from mitra.timeline import DayClock, Timeline

MONDAY = date(2026, 1, 5)
GRAMS = measure_for("g")
SCHEDULE = plan_schedule(10.0, 0, "10-per-week", GRAMS, starts=MONDAY)  # 9, 8, 7 ... a week each


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def test_without_choices_the_course_follows_the_schedule() -> None:
    days = course(SCHEDULE, [], day(15))
    assert [d.allowance for d in days[:8]] == [9.0] * 7 + [8.0]
    assert days[0].next_step == day(7)
    assert days[14].step == 3
    assert days[14].allowance == 7.0


def test_a_hold_keeps_the_step_until_resumed_and_moves_later_steps_later() -> None:
    days = course(SCHEDULE, [TaperEvent(day(3), "hold"), TaperEvent(day(10), "resume")], day(20))
    assert all(d.allowance == 9.0 for d in days[:14])
    assert days[5].held
    assert days[5].next_step is None
    assert days[10].next_step == day(14)  # 4 days of the step were left when it was held
    assert days[14].allowance == 8.0


def test_going_back_returns_to_the_previous_step_and_holds_there() -> None:
    days = course(SCHEDULE, [TaperEvent(day(9), "back")], day(30))
    assert days[8].allowance == 8.0
    assert days[9].allowance == 9.0
    assert days[9].held
    assert days[9].step == 1
    assert days[30].allowance == 9.0


def test_going_back_never_passes_the_starting_amount() -> None:
    events = [TaperEvent(day(1), "back"), TaperEvent(day(2), "back"), TaperEvent(day(3), "back")]
    days = course(SCHEDULE, events, day(10))
    assert max(d.allowance for d in days) == SCHEDULE.start_amount == 10.0
    assert days[3].step == 0


def test_after_the_target_the_allowance_stays_at_the_target() -> None:
    days = course(SCHEDULE, [], day(200))
    assert days[-1].allowance == 0.0
    assert days[-1].next_step is None


def timeline_of(grams_per_day: list[float]) -> Timeline:
    clock = DayClock("UTC")
    times = [clock.day_start(day(i)).timestamp() + 10 * 3600 for i in range(len(grams_per_day))]
    return Timeline(
        clock=clock,
        first=MONDAY,
        last=day(len(grams_per_day) - 1),
        dose_time=np.array(times),
        dose_grams=np.array(grams_per_day, dtype=float),
    )


def test_adherence_compares_each_days_use_with_its_allowance() -> None:
    timeline = timeline_of([9.0, 9.04, 10.0, 5.0])
    rows = adherence(course(SCHEDULE, [], day(3)), timeline, GRAMS)
    assert [r.over for r in rows] == [False, False, True, False]
    assert rows[3].left == 4.0
    assert rows[2].left == 0.0


def test_current_use_is_the_mean_daily_amount() -> None:
    assert mean_daily_use(timeline_of([8.0, 10.0]), GRAMS) == 9.0
    capsules = measure_for("capsule", 0.5)
    assert mean_daily_use(timeline_of([2.0, 2.0]), capsules) == 4.0
