"""The reminders calendar feed: an iCalendar document at a secret URL (the token is the key)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from mitra.reads.reminders import feed_for_token


@require_safe
def reminders_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed, or 404 for a token that opens none (renewed, or never made)."""
    document = feed_for_token(token)
    if document is None:
        raise Http404("no such feed")
    response = HttpResponse(document, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
