"""`/healthz` for a load balancer: is this process up, and does it reach its database?

Answered before anything else looks at the request (no session, no person, no login), so it
says nothing about anyone's journal: {"status": "ok"} with 200, or 503 when the database does
not answer. The reason stays in the server's log, not in the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

log = logging.getLogger(__name__)

PATH = "/healthz"


def database_answers() -> bool:
    """Whether the database answers a trivial query now."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.warning("health check: the database does not answer", exc_info=True)
        connection.close_if_unusable_or_obsolete()
        return False
    return True


class HealthMiddleware:
    """Answer GET and HEAD /healthz at once; every other request goes on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != PATH:
            return self.get_response(request)
        if request.method not in {"GET", "HEAD"}:
            response = JsonResponse({"status": "method not allowed"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        healthy = database_answers()
        response = JsonResponse(
            {"status": "ok" if healthy else "unavailable", "database": "ok" if healthy else "down"},
            status=200 if healthy else 503,
        )
        response["Cache-Control"] = "no-store"
        return response
