"""Installable and offline: the web app manifest, its icons, the service worker, the offline page.

The service worker keeps the app shell (styles, scripts, Today, the crisis page and the offline
page) for use without a connection, and queues check-ins and doses made offline on the phone until
the connection returns; each is then sent as the form it was, with the form's replay token, so
the journal stores it once however often it is sent (see sw.js).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from mitra import __version__

#: Colours of the installed app: the header's blue (app.css --accent) and the page's background.
THEME_COLOUR = "#2f6d8f"
BACKGROUND_COLOUR = "#f6f7f9"
ICON = "mitra/icon.svg"
#: PNG sizes of the icon (px): Android's launcher and splash screen, and iOS's home screen.
ICON_SIZES = (180, 192, 512)
#: The static files the service worker keeps, besides the pages of `_shell_pages`.
SHELL_STATIC = (
    "mitra/app.css",
    "mitra/app.js",
    "mitra/favicon.svg",
    ICON,
    "django_htmx/htmx-2.min.js",
)


def _shell_pages() -> list[str]:
    return [reverse("today"), reverse("crisis"), reverse("offline")]


@cache
def _shell_version() -> str:
    """A digest of the kept files and of mitra's version: a new one replaces the old cache."""
    digest = hashlib.sha256(__version__.encode())
    for name in SHELL_STATIC:
        found = finders.find(name)
        if isinstance(found, str):
            with open(found, "rb") as file:
                digest.update(file.read())
    digest.update((Path(__file__).parent / "templates" / "web" / "sw.js").read_bytes())
    return digest.hexdigest()[:16]


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: installs mitra as an app of its own, opening on Today."""
    icons = [{"src": static(ICON), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}]
    icons += [
        {
            "src": reverse("app_icon", args=[size]),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any maskable",
        }
        for size in ICON_SIZES
    ]
    document = {
        "name": "mitra",
        "short_name": "mitra",
        "description": "A private journal of anxiety, practices and kratom, with safety checks.",
        "lang": "en",
        "start_url": reverse("today"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
    response = JsonResponse(document, json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/manifest+json"
    return response


@cache
def _icon_png(size: int) -> bytes:
    import vl_convert  # resvg inside the chart renderer draws the SVG; imported on first use

    path = finders.find(ICON)
    assert isinstance(path, str)
    with open(path, encoding="utf-8") as file:
        return bytes(vl_convert.svg_to_png(file.read(), scale=size / 512))


@require_safe
def app_icon(request: HttpRequest, size: int) -> HttpResponse:
    """The app icon as a PNG of `size` px, drawn from icon.svg (launchers want PNGs)."""
    if size not in ICON_SIZES:
        return HttpResponse(status=404)
    response = HttpResponse(_icon_png(size), content_type="image/png")
    response["Cache-Control"] = "max-age=86400"
    return response


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that its scope is every page."""
    config = {
        "cache": f"mitra-shell-{_shell_version()}",
        "shell": [*_shell_pages(), *(static(name) for name in SHELL_STATIC)],
        "queuedForms": {reverse("checkin_add"): "Check-in", reverse("dose_add"): "Dose"},
        "fallback": reverse("offline"),
        "today": reverse("today"),
    }
    # JSON is JavaScript; the worker reads its settings from this one constant.
    context = {"config": mark_safe(json.dumps(config))}  # noqa: S308  our own URLs, as JSON
    # Without the request: the pages' context (alerts, crisis card) has no place in a script.
    response = HttpResponse(
        render_to_string("web/sw.js", context), content_type="text/javascript; charset=utf-8"
    )
    # A browser checks for a new worker on each visit; never a stale one from its HTTP cache.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """What a page not kept on the phone shows while there is no connection."""
    return render(request, "web/offline.html")
