"""API v1: the NinjaAPI, its errors as problem+json, and one router per area."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from mitra.journal.errors import EntryInvalid, NotFound

from . import (
    alerts,
    exposure,
    fhir,
    insights,
    journal,
    products,
    questionnaires,
    reminders,
    report,
    substances,
    taper,
)
from .problems import problem

api = NinjaAPI(
    title="mitra API",
    version="1",
    description="A private journal and safety monitor. Errors are application/problem+json.",
    urls_namespace="api-v1",
    docs_url=None,  # no swagger-ui: it would load script from a CDN; /api/v1/openapi.json stays
)
# One router per area; each renders a read from mitra.reads and writes through journal services.
api.add_router("/", journal.router)
api.add_router("/products", products.router)
api.add_router("/substances", substances.router)
api.add_router("/", questionnaires.router)
api.add_router("/exposure", exposure.router)
api.add_router("/insights", insights.router)
api.add_router("/alerts", alerts.router)
api.add_router("/", report.router)
api.add_router("/taper", taper.router)
api.add_router("/reminders", reminders.router)
api.add_router("/fhir", fhir.router)

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


def unknown_route(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under /api/v1/: a problem, not an HTML page."""
    return problem(404, f"There is no API endpoint /api/v1/{rest}; see /api/v1/openapi.json.")
