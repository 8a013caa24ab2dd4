"""API: preview a taper schedule (reduction only), as `mitra taper plan --json` prints it."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from mitra.journal import tapers
from mitra.reads.taper import (
    PaceView,
    TaperPreview,
    TaperSavedBefore,
    TaperStatus,
    paces,
    save_preview,
    taper_preview,
    taper_status,
)
from mitra.taper import TaperError

from .documents import respond
from .people import person_of
from .writes import PROBLEMS, WRITE_PROBLEMS, Body, Day, NoBody, Token, require_json

router = Router(tags=["taper"])


class PlanQuery(Schema):
    """What a preview asks for: the amounts as a person types them ("8g", "120mg", "0")."""

    to: str = Field(max_length=40)
    pace: str = Field(max_length=40)
    from_: str | None = Field(default=None, alias="from", max_length=40)
    start: Day = None


class PlanBody(Body):
    """A taper to plan and save, as the preview asks for it."""

    to: str = Field(max_length=40)
    pace: str = Field(max_length=40)
    from_: str | None = Field(default=None, alias="from", max_length=40)
    start: Day = None
    replace: bool = Field(
        default=False,
        description="End the taper in progress and save this one instead (the one in "
        "progress is kept, with its holds and steps back). Without it, a taper in progress "
        "is a 409 problem and nothing is saved.",
    )
    token: Token = None


@router.get(
    "/plan",
    response={200: TaperPreview, **PROBLEMS},
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
        raise HttpError(422, _said(exc)) from None
    return respond(preview, TaperPreview)


@router.get("/paces", response={200: list[PaceView]}, summary="The paces a taper may take")
def get_paces(request: HttpRequest) -> HttpResponse:
    return respond(list(paces()), list[PaceView])


@router.post(
    "/plan",
    response={200: TaperPreview, 201: TaperPreview, **WRITE_PROBLEMS},
    summary="Plan and save a taper (one in progress is replaced only with `replace`)",
)
def post_plan(request: HttpRequest, body: PlanBody) -> HttpResponse:
    require_json(request)  # a form or text/plain post from another page must not end a taper
    person = person_of(request)
    try:
        preview = taper_preview(
            person, to=body.to, pace=body.pace, start_amount=body.from_, starts=body.start
        )
    except TaperError as exc:
        raise HttpError(422, _said(exc)) from None
    try:
        # TaperInProgress (no `replace`) and TokenReused: 409 problems (see v1._refused).
        saved = save_preview(person, preview, token=body.token, replace=body.replace)
    except TaperSavedBefore as exc:  # the same body with its token again: saved once
        if exc.entry.ended_at is not None:
            # Replaced since: not answered as if it were the taper in progress.
            raise HttpError(
                409,
                f"This taper was sent before and has ended since (taper {exc.entry.pk}); send "
                "it with a new token to plan it again",
            ) from None
        return respond(exc.preview, TaperPreview, status=200)
    return respond(saved, TaperPreview, status=201)


def _said(exc: TaperError) -> str:
    """The problem's detail, naming the parameter that is wrong as the API spells it."""
    name = {"to": "to", "start_amount": "from", "starts": "start"}.get(exc.field or "")
    return f"{name}: {exc}" if name else str(exc)


@router.get(
    "/status",
    response={200: TaperStatus, **PROBLEMS},
    summary="Today's step, allowance and use, and whether a hold is proposed and why",
)
def get_status(request: HttpRequest) -> HttpResponse:
    return respond(taper_status(person_of(request)), TaperStatus)


@router.post(
    "/{action}",
    response={200: TaperStatus, **WRITE_PROBLEMS},
    summary="Hold the current step, resume, or go back one step (never above the start)",
)
def post_choice(
    request: HttpRequest, action: Literal["hold", "resume", "back"], nothing: NoBody | None = None
) -> HttpResponse:
    require_json(request)
    person = person_of(request)
    tapers.choose(person, action)  # EntryInvalid: a 422 problem naming what does not apply
    return respond(taper_status(person), TaperStatus)
