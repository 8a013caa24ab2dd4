"""Installable and offline: the manifest, its icons, the service worker and the offline page."""

from __future__ import annotations

import json
import re
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

import mitra.web

pytestmark = pytest.mark.django_db

CSS = Path(mitra.web.__file__).parent / "static" / "mitra" / "app.css"


def _css_colour(name: str) -> str:
    match = re.search(rf"--{name}:\s*(#[0-9a-f]{{6}})", CSS.read_text())
    assert match, name
    return match.group(1)


def _static_file(url: str) -> Path:
    """The file a /static/ URL serves (the test client cannot fetch them without closing the
    database connection)."""
    from django.contrib.staticfiles import finders

    found = finders.find(url.removeprefix("/static/"))
    assert isinstance(found, str), url
    return Path(found)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_manifest_installs_mitra_standalone_on_today_in_the_pages_colours(
    client: Client, alice: Any
) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == manifest["short_name"] == "mitra"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == _css_colour("accent")
    assert manifest["background_color"] == _css_colour("bg")
    # Every page names the manifest and the same theme colour.
    page = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert f'<meta name="theme-color" content="{_css_colour("accent")}">' in page


def test_every_icon_of_the_manifest_is_drawn_at_its_size(client: Client, alice: Any) -> None:
    icons = json.loads(client.get("/manifest.webmanifest").content)["icons"]
    assert {i["sizes"] for i in icons} >= {"any", "192x192", "512x512"}
    for icon in icons:
        if icon["type"] == "image/svg+xml":
            assert "<svg" in _static_file(icon["src"]).read_text()
            continue
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        assert response["Content-Type"] == "image/png"
        size = int(icon["sizes"].split("x")[0])
        assert _png_size(response.content) == (size, size)


def test_an_icon_size_the_manifest_does_not_name_is_not_found(client: Client, alice: Any) -> None:
    assert client.get("/icons/mitra-100000.png").status_code == 404


def test_the_service_worker_is_served_from_the_root_uncached_under_the_policy(
    client: Client, alice: Any
) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    assert "manifest-src 'self'" in policy
    script = response.content.decode()
    config = json.loads(re.search(r"const CONFIG = (\{.*?\});\n", script).group(1))  # type: ignore[union-attr]
    assert config["queuedForms"] == {"/checkins": "Check-in", "/doses": "Dose"}
    # The app shell it keeps: Today, the crisis page and the offline page, styles and scripts, and
    # each of them answers.
    assert {"/", "/crisis", "/offline", "/static/mitra/app.css", "/static/mitra/app.js"} <= set(
        config["shell"]
    )
    for url in config["shell"]:
        if url.startswith("/static/"):
            assert _static_file(url).is_file(), url
        else:
            assert client.get(url).status_code == 200, url
    # Every page registers it through app.js, from our own origin.
    assert 'data-service-worker="/sw.js"' in client.get("/").content.decode()


def test_the_worker_manifest_icons_and_offline_page_need_no_journal_yet(client: Client) -> None:
    for path in ["/sw.js", "/manifest.webmanifest", "/icons/mitra-192.png", "/offline"]:
        assert client.get(path).status_code == 200, path


def test_the_offline_page_leads_to_today_and_to_crisis_help(client: Client, alice: Any) -> None:
    page = client.get("/offline").content.decode()
    assert "<h1>No connection</h1>" in page
    assert 'href="/crisis"' in page
    assert "saved on this phone" in page


def test_a_form_sent_twice_with_its_token_is_stored_once(client: Client, alice: Any) -> None:
    """What the worker relies on: a queued form replayed as it was is saved once."""
    from mitra.journal.models import CheckIn

    page = client.get("/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    at = (datetime.now(UTC) - timedelta(minutes=5)).astimezone(ZoneInfo("Europe/Berlin"))
    form = {"token": token, "anxiety": "4", "at": at.strftime("%Y-%m-%dT%H:%M")}
    for _ in range(2):
        assert client.post("/checkins", form).status_code == 302
    assert CheckIn.objects.filter(person=alice).count() == 1
