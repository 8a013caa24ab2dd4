"""API v1: the NinjaAPI, its errors as problem+json, and one router per area."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from mitra.journal.errors import (
    ConfirmationNeeded,
    EntryInvalid,
    NotFound,
    TaperInProgress,
    TokenReused,
    plain_message,
    reads_on,
)

from . import (
    alerts,
    consent,
    erase,
    exposure,
    fhir,
    insights,
    interactions,
    journal,
    plan,
    products,
    questionnaires,
    reminders,
    report,
    settings,
    substances,
    taper,
)
from .bodies import BodyRefused, JsonParser
from .problems import PROBLEM_JSON, as_problem, problem
from .writes import NOT_JSON, TIME_WORDS


class _ProblemAPI(NinjaAPI):
    """The NinjaAPI whose every view answers its errors as problems, 405 included."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """The document, with every error answer typed as the problem+json it is served as.

        Made once per process and path prefix (about half a CPU-second of reading every route's
        schemas); each caller gets its own copy."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        documents: dict[str, Any] = self.__dict__.setdefault("_documents", {})
        if path_prefix not in documents:
            documents[path_prefix] = self._document(path_prefix)
        return copy.deepcopy(documents[path_prefix])

    def _document(self, path_prefix: str) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        for item in schema["paths"].values():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                for status, answer in responses.items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_JSON] = content.pop("application/json")
                # The account middleware answers these before any route runs (so django-ninja
                # cannot see them): every route once an account exists, every write by token.
                responses["401"] = _problem_answer(UNAUTHORISED, www_authenticate=True)
                if method != "get":
                    responses["403"] = _problem_answer(FORBIDDEN)
        schema["components"]["securitySchemes"] = {"token": TOKEN_SCHEME}
        # A token, or nothing: without accounts mitra answers on loopback without one.
        schema["security"] = [{"token": []}, {}]
        return schema

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                view = pattern.callback
                if pattern.name in {"openapi-json", "api-root"}:
                    # Documents: django-ninja serves them to any method, even DELETE.
                    view = require_safe(view)
                pattern.callback = _problems_only(view)
        return patterns, app_name, namespace


# How the API is authenticated, as the account middleware (mitra.web.account_middleware) does it.
TOKEN_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A personal access token (`Authorization: Bearer mitra_...`), made on the "
    "Tokens page under Account or by `mitra token add`. Needed once an account exists; before "
    "that, mitra answers on loopback without one. A read token may only read. A signed-in "
    "browser session also serves, its writes carrying the CSRF token.",
}
UNAUTHORISED = (
    "Once an account exists: no token (nor signed-in session), or a token that is revoked, "
    "mistyped or unknown"
)
FORBIDDEN = (
    "A write with a read token (or from a browser session without its CSRF token); nothing "
    "is changed"
)


def _problem_answer(description: str, *, www_authenticate: bool = False) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if www_authenticate:
        answer["headers"] = {
            "WWW-Authenticate": {
                "description": 'Bearer realm="mitra"',
                "schema": {"type": "string"},
            }
        }
    return answer


def _problems_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)  # keeps csrf_exempt: the API refuses cross-site writes by type
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return as_problem(request, view(request, *args, **kwargs))

    return answer


api = _ProblemAPI(
    title="mitra API",
    version="1",
    description="A private journal and safety monitor. Errors are application/problem+json.",
    urls_namespace="api-v1",
    docs_url=None,  # no swagger-ui: it would load script from a CDN; /api/v1/openapi.json stays
    parser=JsonParser(),  # a repeated key or NaN is refused, not read as json.loads reads it
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
api.add_router("/plan", plan.router)
api.add_router("/interactions", interactions.router)
api.add_router("/settings", settings.router)
api.add_router("/consent", consent.router)
api.add_router("/settings/delete", erase.router)

# --- errors -------------------------------------------------------------------------------------


# pydantic's ways of saying a time could not be read, or came without its offset.
_TIME_ERRORS = {"datetime_parsing", "datetime_from_date_parsing", "datetime_type", "timezone_aware"}

# What each part of a request is called in a problem's detail: a bad ?limit= is not the body's.
_PARTS = {"body": "The request body", "query": "The query", "path": "The path"}


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = {}
    parts = set()
    for error in exc.errors:
        part, *loc = [str(p) for p in error.get("loc", [])] or ["body"]
        parts.add(part)
        if part == "body":
            loc = loc[1:]  # the view's name for the body, which a client never sees
        # The journal's own words for what pydantic found, the same as every face gives; a time
        # is shown as the API takes it, with its offset (the web's example has none).
        errors[".".join(loc) or "body"] = (
            TIME_WORDS
            if error.get("type") in _TIME_ERRORS
            else plain_message(error, empty_is_none=False)
            if "type" in error
            else "is not valid"
        )
    what = _PARTS.get(parts.pop(), "The request") if len(parts) == 1 else "The request"
    return _invalid(what, errors)


def _invalid(what: str, errors: dict[str, str]) -> HttpResponse:
    said = "; ".join(f"{k} {v}" if reads_on(v) else f"{k}: {v}" for k, v in errors.items())
    return problem(422, f"{what} is not valid: {said}", errors=errors)


@api.exception_handler(EntryInvalid)
def _refused(request: HttpRequest, exc: EntryInvalid) -> HttpResponse:
    detail = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
    if isinstance(exc, ConfirmationNeeded):
        # A machine reads `code`; the same body again with "confirm": true saves it.
        return problem(
            422,
            f'{detail}. If it is right, send it again with "confirm": true.',
            errors=exc.errors,
            code=exc.code,
            sources=list(exc.sources),
        )
    if isinstance(exc, TokenReused):
        # The token's first entry stands; these values conflict with it and were not saved.
        return problem(409, detail, errors=exc.errors, code="token_reused")
    if isinstance(exc, TaperInProgress):
        # A conflict with the journal as it stands, which the person resolves by choosing.
        return problem(
            409,
            f'{detail}. To replace it, send this again with "replace": true.',
            errors=exc.errors,
            code="taper_in_progress",
        )
    return problem(422, detail, errors=exc.errors)


@api.exception_handler(NotFound)
@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, str(exc) or "Not found.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and request.content_type != "application/json":
        # django-ninja parses a body before the view runs and answers 400 when it cannot: a body
        # that is not JSON at all is the 415 every write declares, whatever failed first.
        return problem(415, NOT_JSON)
    if isinstance(exc.__cause__, BodyRefused):
        # JSON, but with a key written twice or a number that is not finite (read_json).
        return _invalid("The request body", exc.__cause__.errors)
    return problem(exc.status_code, str(exc))


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(401, "Authentication required.")


def unknown_route(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under /api/v1/: a problem, not an HTML page."""
    return problem(404, f"There is no API endpoint /api/v1/{rest}; see /api/v1/openapi.json.")
