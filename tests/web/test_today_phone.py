"""Today, phone first: the check-in before the dose form, the alert banner folded to one line."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.alerts import refresh_alerts

pytestmark = pytest.mark.django_db


def _banner(html: str) -> str:
    return html[html.index('class="alert-banner"') : html.index("</aside>")]


def test_the_check_in_comes_before_the_dose_form_with_eleven_anxiety_ratings(
    client: Client, alice: Any, powder: Any
) -> None:
    html = client.get("/").content.decode()
    assert html.index('action="/checkins"') < html.index('action="/doses"')
    ratings = re.findall(r'name="anxiety" value="(\d+)"', html)
    assert ratings == [str(i) for i in range(11)]
    # The time starts at now, so it waits at the end of the form, after what changes each time.
    form = html[html.index('action="/checkins"') : html.index("</form>", html.index("/checkins"))]
    assert form.index('name="anxiety"') < form.index('name="mood"') < form.index('name="at"')


def test_the_alert_banner_is_one_line_that_opens_to_the_list(client: Client, alice: Any) -> None:
    for n in range(4):
        services.add_substance(alice, {"name": f"Mystery drops {n}"})
    refresh_alerts(alice)
    banner = _banner(client.get("/").content.decode())
    summary = re.search(r"<summary>(.*?)</summary>", banner, re.S)
    assert summary
    words = re.sub(r"<[^>]+>", "", summary.group(1)).split()
    assert words[1:] == ["4", "safety", "alerts"]
    # It leads with the most severe alert's severity, the first of the list.
    first = re.search(r'<li class="severity-\w+"><span class="badge[^"]*">([^<]+)<', banner)
    assert first
    assert words[0] == first.group(1)
    # Folded at every width: no danger among them.
    assert re.findall(r"<details[^>]*>", banner) == ['<details class="alert-fold">']
    assert banner.count("<li") == 3


def test_a_danger_alert_unfolds_the_banner_on_a_wide_screen_only(
    client: Client, alice: Any
) -> None:
    """On a phone the banner stays one line (the list would push the check-in down); a wider
    screen shows a danger alert's list open. app.css displays one of the two folds."""
    services.add_checkin(alice, {"at": datetime.now(UTC), "anxiety": 3, "symptoms": ["jaundice"]})
    refresh_alerts(alice)
    banner = _banner(client.get("/").content.decode())
    assert re.findall(r"<details[^>]*>", banner) == [
        '<details class="alert-fold phone">',
        '<details class="alert-fold wide" open>',
    ]
    assert "badge-danger" in banner[: banner.index("</summary>")]
