"""API v1: instruments and questionnaire responses. Thin: each route calls one service or query."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import StrictInt

from mitra.instruments import InstrumentError, fhir_questionnaire, instrument, known_codes, score
from mitra.journal import queries, services
from mitra.journal.crisis import crisis_resources_json
from mitra.journal.errors import DuplicateSubmission, EntryInvalid, NotFound
from mitra.journal.models import Person, Response
from mitra.knowledge import load as load_knowledge

from . import products
from .people import person_of
from .problems import problem

api = NinjaAPI(
    title="mitra API",
    version="1",
    description="A private journal and safety monitor. Errors are application/problem+json.",
    urls_namespace="api-v1",
    docs_url=None,  # no swagger-ui: it would load script from a CDN; /api/v1/openapi.json stays
)
# One router per thing a person looks at; each renders a read from mitra.reads.
api.add_router("/products", products.router)


class ResponseIn(Schema):
    instrument: str
    answers: list[StrictInt | None]  # strict: JSON true is not the answer 1
    at: datetime | None = None
    token: str | None = None


# --- errors -------------------------------------------------------------------------------------


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = {}
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", []) if p not in {"body", "payload"}]
        errors[".".join(loc) or "body"] = str(error.get("msg", "is not valid"))
    return problem(422, "The request body is not valid.", errors=errors)


@api.exception_handler(EntryInvalid)
def _refused(request: HttpRequest, exc: EntryInvalid) -> HttpResponse:
    return problem(422, "; ".join(f"{k}: {v}" for k, v in exc.errors.items()), errors=exc.errors)


@api.exception_handler(NotFound)
@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, str(exc) or "Not found.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, str(exc))


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(401, "Authentication required.")


def _person(request: HttpRequest) -> Person:
    person: Person = person_of(request)
    return person


def _instrument(code: str) -> Any:
    try:
        return instrument(code)
    except InstrumentError as exc:
        raise Http404(str(exc)) from None


# --- instruments --------------------------------------------------------------------------------


def _summary(code: str) -> dict[str, Any]:
    definition = instrument(code)
    return {
        "code": definition.code,
        "name": definition.name,
        "items": len(definition.items),
        "maximum": definition.maximum,
        "recall": definition.recall,
        "loinc_panel": definition.loinc_panel or None,
    }


@api.get("/instruments", summary="List the questionnaires mitra can score")
def list_instruments(request: HttpRequest) -> list[dict[str, Any]]:
    return [_summary(code) for code in known_codes()]


@api.get("/instruments/{code}", summary="One questionnaire: items, answers, bands and sources")
def get_instrument(request: HttpRequest, code: str) -> dict[str, Any]:
    definition = _instrument(code)
    kb = load_knowledge()
    return _summary(definition.code) | {
        "stem": definition.stem,
        "item_texts": [
            {
                "number": n,
                "text": item.text,
                "loinc": item.loinc or None,
                "options": [{"value": o.value, "label": o.label} for o in definition.options(n)],
            }
            for n, item in enumerate(definition.items, start=1)
        ],
        "bands": [
            {"id": b.id, "label": b.label, "min": b.min, "max": b.max, "meaning": b.meaning}
            for b in definition.bands
        ],
        "bands_note": definition.bands_note or None,
        "sources": [s.model_dump() for s in kb.cite(list(definition.sources))],
    }


@api.get("/instruments/{code}/fhir", summary="The questionnaire as a FHIR R4 Questionnaire")
def get_instrument_fhir(request: HttpRequest, code: str) -> dict[str, Any]:
    return fhir_questionnaire(_instrument(code).code)


# --- responses ----------------------------------------------------------------------------------


def _response_json(person: Person, response: Response) -> dict[str, Any]:
    result = score(response.instrument, response.answers)
    body = result.as_dict() | {
        "id": response.pk,
        "at": response.at.isoformat(),
        "crisis": response.crisis,
        "acknowledged": response.acknowledged_at is not None,
    }
    if response.crisis:
        body["crisis_resources"] = crisis_resources_json(person)
    return body


@api.post("/responses", summary="Score and save a questionnaire response")
def submit_response(request: HttpRequest, payload: ResponseIn) -> HttpResponse:
    # Only JSON bodies: a web page elsewhere cannot send one to this loopback server without a
    # CORS preflight, which mitra never grants (a form or text/plain post is refused here).
    if request.content_type != "application/json":
        raise HttpError(415, "Send the response as application/json.")
    person = _person(request)
    data = {
        "instrument": payload.instrument,
        "answers": payload.answers,
        "at": payload.at or timezone.now(),
    }
    status = 201
    try:
        response = services.submit_response(person, data, token=payload.token)
    except DuplicateSubmission as exc:
        response, status = exc.entry, 200
    return HttpResponse(
        json.dumps(_response_json(person, response)), status=status, content_type="application/json"
    )


def unknown_route(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under /api/v1/: a problem, not an HTML page."""
    return problem(404, f"There is no API endpoint /api/v1/{rest}; see /api/v1/openapi.json.")


@api.get("/responses", summary="The person's questionnaire responses, oldest first")
def list_responses(request: HttpRequest, instrument: str | None = None) -> list[dict[str, Any]]:
    person = _person(request)
    code = _instrument(instrument).code if instrument else None
    return [_response_json(person, r) for r in queries.responses(person, code)]
