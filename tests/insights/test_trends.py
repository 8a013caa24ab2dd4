"""Trends: rolling means of anxiety, and the GAD-7's history with bands and reliable change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from mitra.insights import analyse
from mitra.insights.trends import rolling_mean
from mitra.instruments import score
from tests.insights.handmade import daily_ratings, timeline


def test_the_trend_reports_the_last_28_days_mean_with_an_interval() -> None:
    anxiety = [6.0] * 28 + [4.0, 5.0] * 14
    card = analyse(timeline(56, **daily_ratings(anxiety))).card("anxiety.trend")
    assert card.estimate == 4.5
    assert card.interval is not None
    assert card.interval[0] < 4.5 < card.interval[1]
    assert card.n == 28
    assert "against 6.0 in the 28 days before" in card.sentence
    assert len(card.data["mean_7"]) == 56


def test_a_journal_younger_than_28_days_is_averaged_over_the_days_it_has() -> None:
    card = analyse(timeline(20, **daily_ratings([3.0] * 20))).card("anxiety.trend")
    assert card.n == 20
    assert card.sentence.startswith("Over the last 20 days your anxiety averaged 3.0 out of 10")


def test_a_journal_of_six_weeks_compares_with_the_two_weeks_it_has_before() -> None:
    card = analyse(timeline(42, **daily_ratings([4.0] * 14 + [3.0] * 28))).card("anxiety.trend")
    assert card.sentence.endswith("against 4.0 in the 14 days before.")


def test_the_trend_needs_fourteen_rated_days() -> None:
    card = analyse(timeline(9, **daily_ratings([5.0] * 9))).card("anxiety.trend")
    assert card.status == "not_enough_data"
    assert card.sentence == "Not enough data yet: 9 of 14 days with an anxiety rating."


def test_rolling_means_skip_missing_days() -> None:
    values = np.array([1.0, np.nan, 3.0, 5.0])
    assert np.allclose(rolling_mean(values, 2), [1.0, 1.0, 3.0, 4.0])
    assert np.isnan(rolling_mean(values, 2, min_count=2)[1])


def gad7(totals: list[int]) -> dict[str, object]:
    """GAD-7 responses with these totals, two weeks apart, as a timeline's response arrays
    (scored as the journal scores them when they are given)."""
    start = datetime(2025, 1, 1, 20, tzinfo=UTC)
    answers = []
    for total in totals:
        items = [3] * (total // 3) + ([total % 3] if total % 3 else [])
        answers.append(tuple(items + [0] * (7 - len(items))))
    return {
        "response_time": [(start + timedelta(days=14 * i)).timestamp() for i in range(len(totals))],
        "response_instrument": ["GAD-7"] * len(totals),
        "response_answers": answers,
        "response_total": np.array([score("GAD-7", a).total for a in answers], dtype=float),
        "response_band": [score("GAD-7", a).band.id for a in answers],  # type: ignore[union-attr]
    }


def test_a_fall_of_seven_gad7_points_is_a_reliable_improvement() -> None:
    gad7_totals = [15, 12, 8]
    card = analyse(timeline(20, **daily_ratings([5.0] * 20), **gad7(gad7_totals))).card(
        "gad7.history"
    )
    assert gad7_totals[-1] - gad7_totals[0] == -7
    assert card.detected is True
    assert card.estimate == -7
    assert "a reliable improvement of 7 points." in card.sentence
    assert [h["total"] for h in card.data["history"]] == [15, 12, 8]
    assert card.data["history"][0]["band"]
    assert card.data["change"]["meets_reliable_change"] is True


def test_a_small_gad7_change_is_not_called_reliable() -> None:
    card = analyse(timeline(20, **daily_ratings([5.0] * 20), **gad7([10, 8]))).card("gad7.history")
    assert card.detected is False
    # The change and the threshold, each with its own number: "(-2 points)" after the
    # threshold read as if it were the threshold.
    threshold = card.data["change"]["reliable_change"]
    assert threshold > 2
    assert card.sentence.endswith(
        "a change of 2 points (improvement), smaller than the reliable-change threshold of "
        f"{threshold} points."
    )


def test_one_gad7_is_not_enough_for_a_change() -> None:
    card = analyse(timeline(20, **daily_ratings([5.0] * 20), **gad7([10]))).card("gad7.history")
    assert card.status == "not_enough_data"
    assert card.sentence == "Not enough data yet: 1 of 2 GAD-7 questionnaires."
    assert len(card.data["history"]) == 1


def test_the_charts_figures_are_rounded_as_round_rounds_them_even_next_to_a_tie() -> None:
    """A 28-day mean of 99.75 / 20 lies just below 4.9875: it reads 4.987, as the figure
    rounded on its own reads, not 4.988 (rounding it times 1000 lands it on the tie)."""
    anxiety = [np.nan] * 8 + [5.0] * 19 + [4.75]
    card = analyse(timeline(28, **daily_ratings(anxiety))).card("anxiety.trend")
    assert card.data["mean_28"][-1] == round(99.75 / 20, 3) == 4.987
    assert card.data["daily"][:8] == [None] * 8
    assert card.data["daily"][-1] == 4.75
