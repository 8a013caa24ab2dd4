"""The synthetic person: reproducible, honest about being synthetic, never in the future."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from mitra.instruments import score
from mitra.simulation import (
    DEFAULT_PERSON,
    SYNTHETIC,
    Simulation,
    null_person,
    simulate,
    synthetic_journal,
)

END = date(2025, 3, 31)
NOW = datetime(2025, 4, 1, 12, tzinfo=UTC)


def test_the_same_seed_makes_the_same_person() -> None:
    a = synthetic_journal(30, seed=7, time_zone="Europe/Berlin", end=END, now=NOW)
    b = synthetic_journal(30, seed=7, time_zone="Europe/Berlin", end=END, now=NOW)
    assert a.doses == b.doses
    assert a.checkins == b.checkins
    assert a.responses == b.responses


def test_a_journal_has_products_doses_checkins_practices_responses_and_truth() -> None:
    j = synthetic_journal(60, seed=1, end=END, now=NOW)
    assert {p["unit"] for p in j.products} == {"g", "capsule"}
    assert len(j.doses) > 60
    assert {"product", "taken_at", "amount", "unit"} <= set(j.doses[0])
    assert {"at", "anxiety", "mood", "sleep_hours", "practices"} <= set(j.checkins[0])
    assert any(c["practices"] for c in j.checkins)
    assert len(j.responses) == 60 // 14
    assert j.truth["label"] == SYNTHETIC
    json.dumps(j.truth)  # plain data, ready to save beside the journal


def test_gad7_responses_score_and_follow_the_latent_anxiety() -> None:
    calm = simulate(140, replace(DEFAULT_PERSON, baseline_anxiety=2.0), seed=2, end=END, now=NOW)
    tense = simulate(140, replace(DEFAULT_PERSON, baseline_anxiety=7.5), seed=2, end=END, now=NOW)
    for r in calm.responses():
        assert r["instrument"] == "GAD-7"
        assert r["at"].tzinfo is not None
    calm_totals = [score("GAD-7", r["answers"]).total for r in calm.responses()]
    tense_totals = [score("GAD-7", r["answers"]).total for r in tense.responses()]
    assert np.mean(tense_totals) > np.mean(calm_totals) + 5


def test_nothing_is_logged_after_now_and_the_last_day_may_be_today() -> None:
    now = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)
    j = synthetic_journal(20, seed=3, end=now.date(), now=now)
    times = [d["taken_at"] for d in j.doses] + [c["at"] for c in j.checkins]
    times += [r["at"] for r in j.responses]
    assert max(times) <= now
    assert any(t.date() == now.date() for t in times)


def test_by_default_the_journal_ends_today_and_never_in_the_future() -> None:
    j = synthetic_journal(5, seed=4)
    now = datetime.now(UTC)
    assert max(c["at"] for c in j.checkins) <= now
    assert max(c["at"] for c in j.checkins) > now - timedelta(days=2)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_entries_fall_on_the_persons_local_days_across_daylight_saving(zone: str) -> None:
    sim = simulate(400, seed=5, time_zone=zone, end=END, now=NOW)
    tl = sim.timeline()
    days = tl.day_of(tl.checkin_time)
    assert days.min() >= 0
    assert days.max() == tl.n_days - 1
    local_hours = np.array(
        [datetime.fromtimestamp(t, tz=tl.clock.zone).hour for t in tl.checkin_time[:400]]
    )
    assert local_hours.min() >= 4


def test_the_timeline_matches_the_records() -> None:
    sim = simulate(30, seed=6, end=END, now=NOW)
    tl = sim.timeline()
    j = sim.journal()
    assert tl.dose_time.size == len(j.doses)
    assert tl.checkin_time.size == len(j.checkins)
    assert tl.practice_time.size == sum(len(c["practices"]) for c in j.checkins)
    assert np.all(np.diff(tl.dose_time) >= 0)
    assert np.all(tl.dose_mg_mitragynine > 0)


def test_some_doses_go_unlogged_and_some_days_have_no_kratom() -> None:
    sim = simulate(365, seed=8, end=END, now=NOW)
    tl = sim.timeline()
    assert (tl.daily_grams_leaf() == 0).sum() > 3
    taken = simulate(
        365,
        replace(DEFAULT_PERSON, kratom=replace(DEFAULT_PERSON.kratom, unlogged_probability=0.0)),  # type: ignore[type-var]
        seed=8,
        end=END,
        now=NOW,
    )
    assert taken.dose_time.size > tl.dose_time.size


def test_dependence_grows_with_daily_use_and_tolerance_over_months() -> None:
    sim: Simulation = simulate(365, seed=9, end=END, now=NOW)
    assert sim.dependence[60] > DEFAULT_PERSON.initial_dependence
    assert sim.tolerance[300] > sim.tolerance[30] > 0


def test_withdrawal_raises_ratings_as_the_concentration_falls() -> None:
    sim = simulate(200, seed=10, end=END, now=NOW)
    low = sim.rating_concentration_nM < np.percentile(sim.rating_concentration_nM[60:], 10)
    assert sim.rating_withdrawal[low].mean() > sim.rating_withdrawal[~low].mean()


def test_a_null_person_has_no_effects() -> None:
    person = null_person()
    assert all(p.same_day == p.next_day == 0 for p in person.practices)
    sim = simulate(60, person, seed=11, end=END, now=NOW)
    assert np.all(sim.rating_withdrawal == 0)
    assert np.all(sim.rating_acute == 0)


def test_a_person_without_kratom_logs_no_doses() -> None:
    sim = simulate(30, replace(DEFAULT_PERSON, kratom=None), seed=12, end=END, now=NOW)
    assert sim.dose_time.size == 0
    assert sim.products == ()


def test_days_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        simulate(0)
