"""Insights aware of the taper: anxiety and SOWS step by step, practices during it against before.

A synthetic journal of 60 days: 20 before the taper, then three steps of 10, 15 and 15 days,
with anxiety one point higher in the first step and back to its level after; SOWS answered
every other day from day 10; mindfulness on every other day before and every day during.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from mitra.insights import analyse
from mitra.insights.daily import prepare
from mitra.insights.report import insight
from mitra.insights.taper import TaperPeriods, period_of_days, taper_cards
from mitra.timeline import Timeline
from tests.insights.handmade import FIRST, at, daily_ratings, timeline

CAUSAL = re.compile(
    r"\b(causes?|caused by|because of|leads? to|results? in|makes? you|reduces your|"
    r"improves your|helps you|prevents?)\b",
    re.IGNORECASE,
)
DAYS = 60
STARTS = FIRST + timedelta(days=20)
TAPER = TaperPeriods(
    STARTS,
    ((STARTS, 1), (STARTS + timedelta(days=10), 2), (STARTS + timedelta(days=25), 3)),
    {1: "7 g a day", 2: "6 g a day", 3: "5 g a day"},
)


def _journal(days: int = DAYS, *, sows_from: int = 10, practices: bool = True) -> Timeline:
    rng = np.random.default_rng(7)
    anxiety = [
        float(np.clip(round(4 + (1.0 if 20 <= d < 30 else 0.0) + rng.normal(0, 0.7)), 0, 10))
        for d in range(days)
    ]
    sows_days = list(range(sows_from, days, 2))
    sows = [float(8 + (10 if 20 <= d < 30 else 0) + rng.integers(-2, 3)) for d in sows_days]
    mindful = [d for d in range(days) if d >= 20 or d % 2 == 0] if practices else []
    line = timeline(
        days,
        **daily_ratings(anxiety),
        response_id=list(range(len(sows_days))),
        response_time=[at(d, 13) for d in sows_days],
        response_instrument=["SOWS"] * len(sows_days),
        response_answers=[()] * len(sows_days),
        response_total=sows,
        practice_time=[at(d, 11) for d in mindful],
        practice_kind=["mindfulness"] * len(mindful),
        practice_minutes=[15.0] * len(mindful),
    )
    return replace(
        line, response_band=("",) * len(sows_days), response_flags=((),) * len(sows_days)
    )


def test_the_days_fall_into_before_and_each_step_as_lived() -> None:
    period = period_of_days(_journal(), TAPER)
    assert (period[:20] == -1).all()
    assert (period[20:30] == 1).all()
    assert (period[30:45] == 2).all()
    assert (period[45:] == 3).all()


def test_anxiety_step_by_step_has_a_mean_and_interval_for_before_and_each_step() -> None:
    cards = {c.id: c for c in taper_cards(prepare(_journal()), TAPER)}
    card = cards["taper.anxiety"]
    assert card.status == "shown"
    rows = card.data["periods"]
    assert [r["period"] for r in rows] == ["before", "step 1", "step 2", "step 3"]
    assert [r["n"] for r in rows] == [20, 10, 15, 15]
    before, first = rows[0], rows[1]
    assert before["low"] < before["mean"] < before["high"]
    assert 3.5 < before["mean"] < 4.5
    assert first["mean"] - before["mean"] > 0.5  # the first step was harder in this journal
    assert card.interval is not None
    assert card.interval[0] < card.estimate < card.interval[1]
    assert "associated with" in card.sentence


def test_sows_step_by_step_shows_the_first_step_higher() -> None:
    card = next(c for c in taper_cards(prepare(_journal()), TAPER) if c.id == "taper.sows")
    assert card.status == "shown"
    rows = {r["period"]: r for r in card.data["periods"]}
    assert rows["before"]["n"] == 5
    assert rows["step 1"]["mean"] > rows["step 2"]["mean"] + 5
    assert card.estimate is not None
    assert card.estimate > 0


def test_practices_during_the_taper_against_before() -> None:
    card = next(
        c for c in taper_cards(prepare(_journal()), TAPER) if c.id == "taper.practice.mindfulness"
    )
    assert card.status == "shown"
    assert card.data == {"before": {"days": 20, "with": 10}, "during": {"days": 40, "with": 40}}
    assert card.estimate == pytest.approx(50.0)
    assert card.interval is not None
    assert 0 < card.interval[0] < 50 < card.interval[1] <= 100
    assert card.unit == "percentage points"


def test_too_little_before_the_taper_says_not_enough_data_yet() -> None:
    short = TaperPeriods(FIRST + timedelta(days=2), ((FIRST + timedelta(days=2), 1),), {1: "7 g"})
    cards = taper_cards(prepare(_journal(30, sows_from=0)), short)
    assert [c.status for c in cards] == ["not_enough_data"] * 3
    assert cards[0].sentence.startswith("Not enough data yet: 2 of 5 rated days")
    # Each step's row still says how many days it holds.
    assert cards[0].data["periods"][0]["n"] == 2


def test_no_taper_no_cards_and_the_report_words_never_claim_cause() -> None:
    line = _journal()
    assert not any(c.id.startswith("taper.") for c in analyse(line).cards)
    report = analyse(line, TAPER)
    taper = [c for c in report.cards if c.id.startswith("taper.")]
    assert [c.id for c in taper] == ["taper.anxiety", "taper.sows", "taper.practice.mindfulness"]
    for card in taper:
        assert not CAUSAL.search(card.sentence + " " + card.caveat + " " + card.method)
        assert card.as_dict()["id"] == card.id
    one = insight(line, "taper.sows", TAPER)
    assert one is not None
    assert one.estimate == report.card("taper.sows").estimate
    assert insight(line, "taper.sows") is None


def test_a_step_begun_lately_is_named_with_how_many_days_it_has_not_left_out() -> None:
    # Step 4 began two days before the journal's last day: too few rated days for its mean.
    lately = TaperPeriods(
        TAPER.starts, (*TAPER.changes, (FIRST + timedelta(days=DAYS - 2), 4)),
        {**TAPER.labels, 4: "4 g a day"},
    )  # fmt: skip
    card = next(c for c in taper_cards(prepare(_journal()), lately) if c.id == "taper.anxiety")
    assert card.status == "shown"
    steps = card.sentence.split("Step by step: ")[1]
    assert steps.startswith("step 1 ")
    assert "step 3 " in steps
    assert steps.endswith("; step 4 not enough yet (2 of the 5 rated days a mean needs).")
    sows = next(c for c in taper_cards(prepare(_journal()), lately) if c.id == "taper.sows")
    assert "step 4 not enough yet (1 of the 3 SOWS answers a mean needs)" in sows.sentence
