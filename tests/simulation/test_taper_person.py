"""The simulated person in a taper: use follows the allowance, dependence falls, steps flare."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from mitra.simulation import DEFAULT_PERSON
from mitra.simulation.model import simulate
from mitra.simulation.person import DEMO_TAPER, TaperHabit
from mitra.simulation.taper import TRUE_FLARE_POINTS
from mitra.taper import adherence, assess_hold, course, measure_for

END = date(2025, 6, 30)
NOW = datetime(2025, 7, 1, 12, tzinfo=UTC)
LONG = TaperHabit(starts_days_before_end=62, over_days=(9,), flare_probability=0.5)


def tapering(habit: TaperHabit = DEMO_TAPER, seed: int = 1, days: int = 120):
    return simulate(days, replace(DEFAULT_PERSON, taper=habit), seed=seed, end=END, now=NOW)


def test_a_person_without_a_taper_has_no_taper_and_only_gad7s() -> None:
    sim = simulate(60, seed=1, end=END, now=NOW)
    assert sim.taper is None
    assert set(sim.instruments) == {"GAD-7"}
    assert sim.truth["taper"] is None


def test_use_follows_the_allowance_except_on_the_day_over() -> None:
    sim = tapering(LONG)
    assert sim.taper is not None
    schedule = sim.taper.schedule
    lived = course(schedule, (), sim.last)
    days = adherence(lived, sim.timeline(), measure_for("g"))
    over = [d.day for d in days if d.over]
    assert over == [schedule.starts + timedelta(days=9)]
    # Mostly close under it (a day skipped, or a dose unlogged, is lower still).
    shares = [d.used / d.allowance for d in days if d.allowance >= 1.0]
    assert np.median(shares) > 0.85


def test_dependence_falls_with_sustained_lower_use() -> None:
    sim = tapering(LONG)
    assert sim.taper is not None
    start = sim.taper.start
    assert sim.dependence[-1] < sim.dependence[start] - 0.3


def test_a_flare_up_follows_a_forced_step_and_is_saved_as_truth() -> None:
    sim = tapering()
    assert sim.taper is not None
    fourth = sim.taper.step_start[3]
    assert sim.step_withdrawal[fourth + 1] >= TRUE_FLARE_POINTS
    assert all(sim.step_withdrawal[s : s + 7].max() < 0.5 for s in sim.taper.step_start[:3])
    truth = sim.truth["taper"]
    assert truth["flare_days"] == [d.isoformat() for d in sim.flare_days]
    assert [s["flare_up"] for s in truth["steps_lived"]] == [False, False, False, True]


def test_a_sows_is_answered_each_evening_of_the_taper_and_scored() -> None:
    sim = tapering()
    line = sim.timeline()
    sows = [i for i, code in enumerate(line.response_instrument) if code == "SOWS"]
    assert len(sows) == DEMO_TAPER.starts_days_before_end + 1 + DEMO_TAPER.sows_lead_days
    assert np.all(np.diff(line.response_time) > 0)
    assert all(line.response_total[i] == sum(line.response_answers[i]) for i in sows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_demo_taper_proposes_a_hold_today_after_quiet_steps(seed: int) -> None:
    sim = tapering(seed=seed)
    assert sim.taper is not None
    line = sim.timeline()
    starts = [sim.first + timedelta(days=s) for s in sim.taper.step_start]
    assert assess_hold(line, starts[3], sim.last).hold_proposed
    assert not assess_hold(line, starts[2], starts[3] - timedelta(days=1)).hold_proposed
