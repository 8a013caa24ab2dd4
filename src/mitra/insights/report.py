"""`analyse`: every insight card for a timeline, in display order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mitra.insights.card import Report
from mitra.insights.daily import prepare
from mitra.insights.factors import factor_cards
from mitra.insights.kratom import (
    dose_response_card,
    dose_trend_card,
    tolerance_card,
    withdrawal_cards,
)
from mitra.insights.trends import anxiety_trend_card, gad7_card
from mitra.timeline import Timeline

__all__ = ["analyse"]


def analyse(timeline: Timeline, responses: Sequence[Mapping[str, Any]] = ()) -> Report:
    """All insights for `timeline`; `responses` are questionnaire responses, each a mapping
    with "instrument" (e.g. "GAD-7"), "at" (an aware datetime) and "answers" (item scores).
    """
    prep = prepare(timeline)
    cards = [
        anxiety_trend_card(prep),
        gad7_card(responses),
        *factor_cards(prep),
        dose_trend_card(prep),
        *withdrawal_cards(prep),
        dose_response_card(prep),
        tolerance_card(prep),
    ]
    return Report(
        first=timeline.first.isoformat(), last=timeline.last.isoformat(), cards=tuple(cards)
    )
