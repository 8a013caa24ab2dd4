"""Diet: regular meals and caffeine are tested like the practices and sleep, on days said."""

from __future__ import annotations

import numpy as np

from mitra.insights import analyse
from tests.insights.handmade import daily_ratings, timeline


def diet_journal(days: int, *, meals_effect: float, cup_effect: float, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    meals = (rng.random(days) < 0.6).astype(float)
    cups = rng.integers(0, 5, days).astype(float)
    anxiety = 5.0 + meals_effect * meals + cup_effect * (cups - 2) + rng.normal(0, 0.3, days)
    return timeline(
        days, **daily_ratings(list(anxiety)), regular_meals=list(meals), caffeine_cups=list(cups)
    )


def test_regular_meals_and_caffeine_effects_are_recovered_with_intervals() -> None:
    report = analyse(diet_journal(150, meals_effect=-0.8, cup_effect=0.4, seed=2))
    meals = report.card("meals.same_day")
    assert meals.status == "shown"
    assert meals.estimate is not None
    assert abs(meals.estimate + 0.8) < 0.2
    assert meals.interval is not None
    assert meals.interval[0] < -0.8 < meals.interval[1]
    assert "regular meals" in meals.sentence
    caffeine = report.card("caffeine.same_day")
    assert caffeine.estimate is not None
    assert abs(caffeine.estimate - 0.4) < 0.1
    assert caffeine.unit == "points per cup of caffeine"
    assert "cup of caffeine" in caffeine.sentence
    assert report.card("caffeine.next_day").status == "shown"


def test_too_few_days_of_diet_say_not_enough_data_yet_with_the_count() -> None:
    days = 30
    meals = [np.nan] * days
    meals[:3] = [1.0, 0.0, 1.0]
    cups = [np.nan] * days
    cups[:5] = [1.0, 2.0, 0.0, 3.0, 1.0]
    rng = np.random.default_rng(0)
    report = analyse(
        timeline(
            days,
            **daily_ratings(list(5 + rng.normal(0, 0.5, days))),
            regular_meals=meals,
            caffeine_cups=cups,
        )
    )
    meals_card = report.card("meals.same_day")
    assert meals_card.status == "not_enough_data"
    assert "1 of 5 days with and without regular meals" in meals_card.sentence
    caffeine_card = report.card("caffeine.next_day")
    assert caffeine_card.status == "not_enough_data"
    assert "5 of 14 days of caffeine logged" in caffeine_card.sentence


def test_a_journal_without_diet_has_no_diet_cards() -> None:
    rng = np.random.default_rng(1)
    report = analyse(timeline(30, **daily_ratings(list(5 + rng.normal(0, 0.5, 30)))))
    ids = {c.id for c in report.cards}
    assert not any(i.startswith(("meals.", "caffeine.")) for i in ids)
