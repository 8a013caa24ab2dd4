"""Errors as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int, detail: str, *, errors: dict[str, str] | None = None, **extra: Any
) -> HttpResponse:
    """A problem-details response: `detail` for people, `errors` by field."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_JSON)


def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, str(exc) or "not found")
