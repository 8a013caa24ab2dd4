"""API: the questionnaires mitra can score, and the person's responses."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router
from ninja.errors import HttpError
from pydantic import StrictInt

from mitra.instruments import InstrumentError, instrument, known_codes
from mitra.journal import services
from mitra.reads import questionnaires as questionnaire_reads
from mitra.reads.journal import MAX_PAGE, CursorInvalid
from mitra.reads.questionnaires import (
    Comparison,
    InstrumentDetail,
    InstrumentSummary,
    ResponseDetail,
    ResponsePage,
    ResponseView,
    ScoreView,
)

from .documents import respond
from .people import maybe_person, person_of
from .writes import ONE_LINE, PROBLEMS, WRITE_PROBLEMS, Body, Token, When, create

router = Router(tags=["questionnaires"])


class ResponseBody(Body):
    instrument: str = Field(
        ...,
        min_length=1,
        max_length=16,
        pattern=ONE_LINE,
        description="GAD-7, GAD-2, PHQ-9, PHQ-2, PHQ-4, SOWS or SDS (any case, with or "
        "without the hyphen)",
        # The document lists the codes; the server also takes their spellings ("gad7").
        json_schema_extra={"enum": list(known_codes())},
    )
    # Strict: JSON true is not the answer 1. The longest instrument (SOWS) has 16 items.
    answers: list[StrictInt | None] = Field(..., min_length=1, max_length=60)
    at: When = None
    token: Token = None


def _code(code: str) -> str:
    try:
        return instrument(code).code
    except InstrumentError as exc:
        raise Http404(str(exc)) from None


@router.get(
    "/instruments",
    response={200: list[InstrumentSummary]},
    summary="The questionnaires mitra can score",
)
def list_instruments(request: HttpRequest) -> HttpResponse:
    return respond(questionnaire_reads.instruments(), list[InstrumentSummary])


@router.get(
    "/instruments/{code}",
    response={200: InstrumentDetail, 404: PROBLEMS[404]},
    summary="One questionnaire: items, answers, bands and sources",
)
def get_instrument(request: HttpRequest, code: str) -> HttpResponse:
    return respond(questionnaire_reads.instrument_detail(_code(code)))


@router.get(
    "/instruments/{code}/fhir",
    response={200: dict[str, Any], 404: PROBLEMS[404]},
    summary="The questionnaire as a FHIR R4 Questionnaire",
)
def get_instrument_fhir(request: HttpRequest, code: str) -> HttpResponse:
    return respond(questionnaire_reads.instrument_fhir(_code(code)), dict[str, Any])


@router.get(
    "/instruments/{code}/score",
    response={200: ScoreView, 404: PROBLEMS[404], 422: PROBLEMS[422]},
    summary="Score answers without saving them (as `mitra score CODE ANSWER... --json`)",
)
def score_answers(
    request: HttpRequest,
    code: str,
    answer: Annotated[
        list[int],
        Query(max_length=60, description="Each item's answer value, in order, one per item"),
    ],
) -> HttpResponse:
    # An existing journal's person gives the crisis lines of their country and their own
    # contacts; scoring needs no journal, so none is required.
    person = maybe_person(request)
    try:
        return respond(questionnaire_reads.score_view(_code(code), list(answer), person))
    except InstrumentError as exc:
        raise HttpError(422, str(exc)) from None


@router.get(
    "/instruments/{code}/compare",
    response={200: Comparison, 404: PROBLEMS[404], 422: PROBLEMS[422]},
    summary="The change between two totals against the minimal important and reliable change",
)
def compare_totals(
    request: HttpRequest,
    code: str,
    before: Annotated[int, Query(ge=0, le=1000, description="The earlier total")],
    after: Annotated[int, Query(ge=0, le=1000, description="The later total")],
) -> HttpResponse:
    try:
        return respond(questionnaire_reads.comparison(_code(code), before, after))
    except InstrumentError as exc:
        raise HttpError(422, str(exc)) from None


@router.get(
    "/responses",
    response={200: ResponsePage, **PROBLEMS},
    summary="The person's questionnaire responses, oldest first, a page at a time",
)
def list_responses(
    request: HttpRequest,
    instrument: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HttpResponse:
    person = person_of(request)
    code = _code(instrument) if instrument else None
    try:
        page = questionnaire_reads.response_page(person, code, cursor, limit=limit)
    except CursorInvalid as exc:
        raise HttpError(422, f"cursor {exc}") from None
    return respond(page)


@router.get(
    "/responses/{response_id}",
    response={200: ResponseDetail, **PROBLEMS},
    summary="One response as its page gives it: its score, its change since your previous and "
    "your first response against the minimal important and reliable change, and the history",
)
def get_response(request: HttpRequest, response_id: int) -> HttpResponse:
    found = questionnaire_reads.response_detail(person_of(request), response_id)
    if found is None:
        raise Http404(f"no questionnaire response {response_id} in this journal")
    return respond(found)


@router.post(
    "/responses",
    response={200: ResponseView, 201: ResponseView, **WRITE_PROBLEMS},
    summary="Score and save a questionnaire response",
)
def submit_response(request: HttpRequest, payload: ResponseBody) -> HttpResponse:
    data = {
        "instrument": payload.instrument,
        "answers": payload.answers,
        "at": payload.at or timezone.now(),
    }
    return create(
        request,
        services.submit_response,
        data,
        payload.token,
        questionnaire_reads.response_view,
    )
