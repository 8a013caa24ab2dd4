"""API: insights over the person's whole journal, all cards or one by its id."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router

from mitra.reads import insights as insight_reads
from mitra.reads.insights import InsightsRead, InsightView

from .documents import respond
from .people import person_of
from .writes import PROBLEMS

router = Router(tags=["insights"])


@router.get(
    "",
    response={200: InsightsRead, 409: PROBLEMS[409]},
    summary="Every insight card, in display order",
)
def get_insights(request: HttpRequest) -> HttpResponse:
    return respond(insight_reads.insights(person_of(request)), InsightsRead)


@router.get(
    "/{card_id}",
    response={200: InsightView, 404: PROBLEMS[404], 409: PROBLEMS[409]},
    summary="One insight card by its id",
)
def get_insight(request: HttpRequest, card_id: str) -> HttpResponse:
    card = insight_reads.insight(person_of(request), card_id)
    if card is None:
        raise Http404(f"There is no insight card {card_id!r}; GET /api/v1/insights lists them.")
    return respond(card, InsightView)
