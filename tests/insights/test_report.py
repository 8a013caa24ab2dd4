"""The report: every card, JSON-ready, never causal, on the demo person and an empty journal."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest

from mitra.insights import DISCLAIMER, Report, analyse
from mitra.simulation import simulate
from tests.insights.handmade import timeline

KEYS = {
    "id", "title", "sentence", "status", "estimate", "interval", "unit", "level", "n", "minimum",
    "detected", "p_value", "q_value", "method", "caveat", "data",
}  # fmt: skip
CAUSAL = re.compile(
    r"\b(causes?|caused by|because of|leads? to|results? in|makes? you|reduces your|"
    r"improves your|helps you|prevents?)\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def demo_report() -> Report:
    sim = simulate(365, seed=0, end=date(2025, 6, 30), now=datetime(2025, 7, 1, tzinfo=UTC))
    return analyse(sim.timeline())


def test_the_report_has_every_kind_of_card(demo_report: Report) -> None:
    ids = set(demo_report.ids())
    assert {
        "anxiety.trend",
        "gad7.history",
        "practice.mindfulness.same_day",
        "practice.mindfulness.next_day",
        "practice.exercise.same_day",
        "sleep.same_day",
        "sleep.next_day",
        "kratom.dose_trend",
        "kratom.withdrawal_hours",
        "kratom.withdrawal_concentration",
        "kratom.dose_response",
        "kratom.tolerance",
    } <= ids


def test_the_demo_person_shows_a_helpful_practice_a_neutral_one_and_mild_withdrawal(
    demo_report: Report,
) -> None:
    assert demo_report.card("practice.mindfulness.same_day").detected
    assert not demo_report.card("practice.exercise.same_day").detected
    withdrawal = demo_report.card("kratom.withdrawal_hours")
    assert withdrawal.detected
    assert withdrawal.estimate is not None
    assert 0 < withdrawal.estimate < 1.0


def test_every_card_is_json_ready_with_the_same_keys(demo_report: Report) -> None:
    data = json.loads(json.dumps(demo_report.as_dict()))
    assert data["disclaimer"] == DISCLAIMER
    for card in data["cards"]:
        assert set(card) == KEYS
        assert card["status"] in {"shown", "not_enough_data"}


def test_shown_cards_carry_an_estimate_a_sample_size_a_method_and_a_caveat(
    demo_report: Report,
) -> None:
    for card in demo_report.cards:
        assert card.method
        assert card.caveat
        if card.status == "shown":
            assert card.estimate is not None
            assert card.n > 0
            if card.id != "gad7.history":
                assert card.interval is not None
                assert card.interval[0] <= card.interval[1]


def test_no_card_claims_a_cause(demo_report: Report) -> None:
    empty = analyse(timeline(3))
    for card in (*demo_report.cards, *empty.cards):
        assert not CAUSAL.search(card.sentence), card.sentence
        assert not CAUSAL.search(card.title), card.title


def test_association_cards_say_so_and_name_confounders(demo_report: Report) -> None:
    for card_id in ("practice.mindfulness.same_day", "kratom.withdrawal_hours", "kratom.tolerance"):
        card = demo_report.card(card_id)
        assert "association" in (card.sentence + card.caveat).lower()
        assert "not proof" in card.caveat
    assert "time of day" in demo_report.card("kratom.withdrawal_hours").caveat


def test_an_empty_journal_gives_only_not_enough_data() -> None:
    report = analyse(timeline(3))
    assert report.cards
    assert all(c.status == "not_enough_data" for c in report.cards)
    assert all(c.sentence.startswith("Not enough data yet: ") for c in report.cards)
