"""Practices and sleep: known effects recovered, intervals, multiplicity, too little data."""

from __future__ import annotations

import numpy as np

from mitra.insights import analyse
from tests.insights.handmade import at, daily_ratings, timeline


def practice_journal(days: int, effect: float, *, seed: int = 0, next_day: float = 0.0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    done = rng.random(days) < 0.5
    sleep = np.round(rng.normal(7, 1, days) * 2) / 2
    anxiety = 5.0 + effect * done + rng.normal(0, 0.3, days) - 0.3 * (sleep - 7)
    anxiety[1:] += next_day * done[:-1]
    kinds = ["yoga"] * int(done.sum())
    return timeline(
        days,
        **daily_ratings(list(anxiety), sleep=list(sleep)),
        practice_time=[at(d, 12.0) for d in np.flatnonzero(done)],
        practice_kind=kinds,
        practice_minutes=[20.0] * len(kinds),
    )


def test_a_known_practice_effect_is_recovered_with_an_interval_that_covers_it() -> None:
    card = analyse(practice_journal(120, -1.0)).card("practice.yoga.same_day")
    assert card.status == "shown"
    assert card.estimate is not None
    assert abs(card.estimate + 1.0) < 0.15
    assert card.interval is not None
    assert card.interval[0] < -1.0 < card.interval[1]
    assert card.detected
    assert card.n >= 115
    assert "lower" in card.sentence


def test_a_next_day_effect_is_told_apart_from_the_same_day() -> None:
    report = analyse(practice_journal(200, 0.0, next_day=-0.8, seed=3))
    assert report.card("practice.yoga.next_day").detected
    assert not report.card("practice.yoga.same_day").detected


def test_sleep_is_estimated_per_hour() -> None:
    card = analyse(practice_journal(150, -0.5, seed=4)).card("sleep.same_day")
    assert card.estimate is not None
    assert abs(card.estimate + 0.3) < 0.1
    assert card.unit == "points per hour of sleep"


def test_a_neutral_practice_is_not_reported_as_a_discovery() -> None:
    card = analyse(practice_journal(120, 0.0, seed=5)).card("practice.yoga.same_day")
    assert card.status == "shown"
    assert not card.detected
    assert "not clearly different" in card.sentence


def test_q_values_are_never_below_p_values() -> None:
    report = analyse(practice_journal(120, -0.4, seed=6))
    for card in report.cards:
        if card.q_value is not None:
            assert card.p_value is not None
            assert card.q_value >= card.p_value


def test_below_fourteen_days_it_says_not_enough_data_yet() -> None:
    card = analyse(practice_journal(9, -1.0)).card("practice.yoga.same_day")
    assert card.status == "not_enough_data"
    assert card.sentence == "Not enough data yet: 9 of 14 days with an anxiety rating."
    assert card.estimate is None
    assert card.interval is None


def test_a_practice_done_on_too_few_days_says_how_many_it_has() -> None:
    tl = timeline(
        30,
        **daily_ratings([5.0] * 30),
        practice_time=[at(1, 12.0), at(5, 12.0)],
        practice_kind=["therapy", "therapy"],
        practice_minutes=[50.0, 50.0],
    )
    card = analyse(tl).card("practice.therapy.same_day")
    assert card.status == "not_enough_data"
    assert "2 of 5 days with and without therapy" in card.sentence
