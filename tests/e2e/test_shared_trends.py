"""A clinician's Trends page for a person who shared their report and data, in Chromium: WCAG 2.2
AA at 360 and 1280 px, reflow at 320 px, and every chart readable (text of at least 11 px, none
cut off at a drawing's edge) with its table, over half a year and over a year."""

from __future__ import annotations

from typing import Any

import pytest

from .navigation import follow
from .test_accessibility import _assert_accessible_at_every_width
from .test_charts import _assert_readable_charts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_a_clinicians_trends_page_is_accessible_and_its_charts_readable(
    page: Any, alice: Any, settings: Any
) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mitra.accounts import services, sharing
    from mitra.journal import plans
    from mitra.journal.demo import load_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo(alice, days=60, seed=1, taper=True)
    plans.set_goal(alice, {"kind": "exercise", "amount": 90, "unit": "minutes"})
    services.add_account("alice", "person", PASSWORD)
    services.add_account("carol", "clinician", PASSWORD)
    grant = sharing.add_grant(alice, "carol", "report-and-data", 30)

    page.goto(page.base_url + "/login")
    page.get_by_label("Account name").fill("carol")
    page.get_by_label("Password").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="Sign in"))
    device = TOTPDevice.objects.get(user__username="carol")
    page.get_by_label("Code from your app").fill(f"{TOTP(device.bin_key).token():06d}")
    follow(page, page.get_by_role("button", name="Turn on two-factor sign-in"))
    follow(page, page.get_by_role("link", name="trends", exact=False).first)
    path = f"/account/shared-with-me/{grant.id}/trends"
    assert page.url.endswith(path)
    for heading in (
        "Anxiety and depression questionnaires",
        "Anxiety from check-ins",
        "Kratom",
        "Taper",
        "Practice goals, week by week",
    ):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), heading
    # Every chart the page can show is drawn from this journal.
    captions = page.locator("figure.chart figcaption").all_inner_texts()
    for title in (
        "GAD-7 totals over time",
        "Anxiety per week, from check-ins",
        "Estimated mitragynine per week",
        "Planned against actual use",
        "Weekly goals met",
    ):
        assert any(c.startswith(title) for c in captions), (title, captions)
    _assert_accessible_at_every_width(page)
    _assert_readable_charts(page, path)
    # A year instead of half a year, by its link: the weekly charts stay readable on a phone.
    follow(page, page.get_by_role("link", name="12 months"))
    assert page.url.endswith(f"{path}?weeks=52")
    assert page.get_by_role("link", name="12 months").get_attribute("aria-current") == "true"
    _assert_readable_charts(page, f"{path}?weeks=52")
