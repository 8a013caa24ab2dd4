"""Send every page to the first-run page until the person has chosen their time zone."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from mitra.journal import services

EXEMPT_PREFIXES = ("/welcome", "/static/", "/crisis", "/api/")


class FirstRunMiddleware:
    """Attach the person to the request; until they exist, every page leads to /welcome."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        person = services.get_person()
        request.person = person  # type: ignore[attr-defined]
        if person is None:
            if not request.path.startswith(EXEMPT_PREFIXES):
                return redirect("welcome")
            return self.get_response(request)
        # Templates then show every time on the person's own clock.
        with timezone.override(ZoneInfo(person.time_zone)):
            return self.get_response(request)
