"""API: preview a taper schedule (reduction only), as `mitra taper plan --json` prints it."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from mitra.reads.taper import PaceView, TaperPreview, paces, taper_preview
from mitra.taper import TaperError

from .documents import respond
from .people import person_of

router = Router(tags=["taper"])


class PlanQuery(Schema):
    """What a preview asks for: the amounts as a person types them ("8g", "120mg", "0")."""

    to: str = Field(max_length=40)
    pace: str = Field(max_length=40)
    from_: str | None = Field(default=None, alias="from", max_length=40)
    start: date | None = None


@router.get(
    "/plan",
    response={200: TaperPreview},
    summary="Preview a dated reduction schedule with its daily allowance (nothing is saved)",
)
def get_plan(request: HttpRequest, query: Query[PlanQuery]) -> HttpResponse:
    try:
        preview = taper_preview(
            person_of(request),
            to=query.to,
            pace=query.pace,
            start_amount=query.from_,
            starts=query.start,
        )
    except TaperError as exc:
        raise HttpError(422, str(exc)) from None
    return respond(preview, TaperPreview)


@router.get("/paces", response={200: list[PaceView]}, summary="The paces a taper may take")
def get_paces(request: HttpRequest) -> HttpResponse:
    return respond(list(paces()), list[PaceView])
