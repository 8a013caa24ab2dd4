"""Request plumbing: HEAD without a body everywhere GET works; the first-run page until set up."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from mitra.journal import services

# The service worker, manifest and icons need no journal: a browser may ask before the first run.
EXEMPT_PREFIXES = (
    "/welcome",
    "/static/",
    "/crisis",
    "/api/",
    "/sw.js",
    "/manifest.webmanifest",
    "/icons/",
    "/offline",
    "/shared/",
)


class HeadMiddleware:
    """Answer HEAD as GET would, headers only: on pages, static files and API routes alike."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return self.get_response(request)
        if request.path.startswith("/api/"):
            # django-ninja routes GET only; HEAD is the same answer without its content.
            request.method = "GET"
        response = self.get_response(request)
        # waitress sends whatever body the application returns, even to HEAD, and a keep-alive
        # client then reads those bytes as the next answer. Content-Length stays GET's.
        if isinstance(response, StreamingHttpResponse | FileResponse):
            response.streaming_content = []  # the file it was reading is still closed by close()
        else:
            response.content = b""
        return response


class FirstRunMiddleware:
    """Attach the person to the request; until they exist, every page leads to /welcome."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(request, "accounts_on", False):
            # The account middleware chose the person (the signed-in account's, or none).
            person = request.person  # type: ignore[attr-defined]
            if person is None:
                return self.get_response(request)
            with timezone.override(ZoneInfo(person.time_zone)):
                return self.get_response(request)
        person = services.get_person()
        request.person = person  # type: ignore[attr-defined]
        if person is None:
            if not request.path.startswith(EXEMPT_PREFIXES):
                return redirect("welcome")
            return self.get_response(request)
        # Templates then show every time on the person's own clock.
        with timezone.override(ZoneInfo(person.time_zone)):
            return self.get_response(request)
