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


def as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """`response` itself, or the same error as a problem when it is not one yet.

    django-ninja answers a method a path does not have with its own 405 (text/html, "Method not
    allowed") before any exception handler runs; it becomes a problem with the same Allow header.
    """
    if response.status_code != 405 or response.get("Content-Type") == PROBLEM_JSON:
        return response
    allowed = response.get("Allow", "")
    answer = problem(405, f"{request.method} is not allowed here; this path takes {allowed}.")
    answer["Allow"] = allowed
    return answer


def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, str(exc) or "not found")
