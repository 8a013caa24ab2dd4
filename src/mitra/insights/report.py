"""`analyse`: every insight card for a timeline, in display order."""

from __future__ import annotations

from collections.abc import Callable

from mitra.insights.card import Insight, Kept, Report
from mitra.insights.daily import Prepared, prepare
from mitra.insights.factors import factor_cards
from mitra.insights.kratom import (
    dose_response_card,
    dose_trend_card,
    tolerance_card,
    withdrawal_cards,
)
from mitra.insights.taper import TaperPeriods, taper_cards
from mitra.insights.trends import anxiety_trend_card, gad7_card
from mitra.timeline import Timeline

__all__ = ["analyse", "insight"]


def analyse(
    timeline: Timeline, taper: TaperPeriods | None = None, *, kept: Kept | None = None
) -> Report:
    """All insights for `timeline`, the GAD-7 history from its responses; with `taper` (its
    steps as lived), the taper's cards too. With `kept`, a card whose inputs did not change
    since it was made is taken from there (`remembered`)."""
    prep = prepare(timeline)
    cards = [
        anxiety_trend_card(prep),
        gad7_card(timeline, kept),
        *factor_cards(prep),
        dose_trend_card(prep, kept),
        *withdrawal_cards(prep),
        dose_response_card(prep),
        tolerance_card(prep, kept),
        *taper_cards(prep, taper),
    ]
    return Report(
        first=timeline.first.isoformat(), last=timeline.last.isoformat(), cards=tuple(cards)
    )


_KRATOM: dict[str, Callable[[Prepared, Kept | None], Insight]] = {
    "kratom.dose_response": lambda prep, _kept: dose_response_card(prep),
    "kratom.tolerance": tolerance_card,
}


def insight(
    timeline: Timeline,
    card_id: str,
    taper: TaperPeriods | None = None,
    *,
    kept: Kept | None = None,
) -> Insight | None:
    """The one card `card_id` of `analyse(timeline)`, computing only what it needs; None if
    there is no such card. Cards tested together (practices and sleep, under one false
    discovery rate; the two withdrawal cards) are computed together."""
    if card_id == "gad7.history":
        return gad7_card(timeline, kept)
    prep = prepare(timeline)
    if card_id.startswith("taper."):
        return next((c for c in taper_cards(prep, taper) if c.id == card_id), None)
    if card_id == "anxiety.trend":
        return anxiety_trend_card(prep)
    if card_id == "kratom.dose_trend":
        return dose_trend_card(prep, kept)
    if card_id in _KRATOM:
        return _KRATOM[card_id](prep, kept)
    together = withdrawal_cards(prep) if card_id.startswith("kratom.") else factor_cards(prep)
    return next((c for c in together if c.id == card_id), None)
