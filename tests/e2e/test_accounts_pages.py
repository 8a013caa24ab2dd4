"""The account pages in a browser: sign-in (with its errors), two-factor enrolment, Security and
Tokens meet WCAG 2.2 AA at 360 and 1280 px and reflow at 320 px, as every other page does."""

from __future__ import annotations

from typing import Any

import pytest

from .navigation import follow
from .test_accessibility import _assert_accessible_at_every_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def accounts(alice: Any, settings: Any) -> None:
    """Alice (a person, her journal kept) and carol (a clinician, no authenticator app yet)."""
    from mitra.accounts import services

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    services.add_account("alice", "person", PASSWORD)
    services.add_account("carol", "clinician", PASSWORD)


def _sign_in(page: Any, name: str, password: str = PASSWORD) -> None:
    page.goto(page.base_url + "/login")
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password").fill(password)
    follow(page, page.get_by_role("button", name="Sign in"))


def test_the_sign_in_page_with_its_error_is_accessible_and_links_to_crisis_help(
    page: Any, accounts: None
) -> None:
    page.goto(page.base_url + "/journal")
    assert page.url.endswith("/login?next=%2Fjournal")
    _assert_accessible_at_every_width(page)
    _sign_in(page, "alice", "not the password")
    error = page.locator("#id_password_error, .errorlist").first
    assert "not right" in error.inner_text()
    assert page.get_by_label("Account name").input_value() == "alice"
    assert page.get_by_role("link", name="Crisis help", exact=True).is_visible()
    _assert_accessible_at_every_width(page)
    _sign_in(page, "alice")
    assert page.url.endswith("/")


@pytest.mark.parametrize("path", ["/account", "/account/tokens"])
def test_the_security_and_tokens_pages_are_accessible(page: Any, accounts: None, path: str) -> None:
    _sign_in(page, "alice")
    if path == "/account/tokens":
        page.goto(page.base_url + path)
        page.get_by_label("Name").fill("phone shortcut")
        follow(page, page.get_by_role("button", name="Make token"))
        assert page.locator("#token-secret").input_value().startswith("mitra_")
    else:
        page.goto(page.base_url + path)
    _assert_accessible_at_every_width(page)


def test_the_two_factor_enrolment_page_is_accessible(page: Any, accounts: None) -> None:
    _sign_in(page, "carol")
    assert "/account/two-factor" in page.url
    assert page.locator(".qr svg").is_visible()
    _assert_accessible_at_every_width(page)


def test_the_sharing_page_and_a_shared_report_are_accessible(
    page: Any, accounts: None, browser: Any
) -> None:
    _sign_in(page, "alice")
    page.goto(page.base_url + "/sharing")
    page.get_by_label("Who it is for").fill("Dr Lee")
    follow(page, page.get_by_role("button", name="Make link"))
    link = page.locator("#share-url").input_value()
    _assert_accessible_at_every_width(page)
    # The clinician opens it in a browser of their own, without an account.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    clinician = context.new_page()
    clinician.goto(link)
    assert clinician.get_by_role("heading", name="A report shared with you").is_visible()
    assert clinician.get_by_role("link", name="Download the report as PDF").is_visible()
    _assert_accessible_at_every_width(clinician)
    page.goto(page.base_url + "/sharing")
    assert "share link “Dr Lee”" in page.locator("#audit-heading + table").inner_text()
    # Revoked, the link says the share ended (a 404 page that fits a phone like any other).
    follow(page, page.get_by_role("button", name="Revoke the link for Dr Lee"))
    clinician.goto(link)
    assert clinician.get_by_role("heading", name="This share has ended").is_visible()
    _assert_accessible_at_every_width(clinician)
    context.close()


def test_a_clinicians_shared_with_me_page_and_report_are_accessible(
    page: Any, accounts: None, alice: Any
) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mitra.accounts import sharing

    grant = sharing.add_grant(alice, "carol", "report-and-data", 30)
    _sign_in(page, "carol")
    device = TOTPDevice.objects.get(user__username="carol")
    page.get_by_label("Code from your app").fill(f"{TOTP(device.bin_key).token():06d}")
    follow(page, page.get_by_role("button", name="Turn on two-factor sign-in"))
    assert page.url.endswith("/account/shared-with-me")
    # Alice's times are on her clock (Berlin): named for a reader elsewhere, not for this
    # browser, which keeps the same zone.
    note = page.locator(".zone-note").first
    assert note.get_attribute("data-zone") == "Europe/Berlin"
    assert note.is_hidden()
    _assert_accessible_at_every_width(page)
    page.goto(page.base_url + f"/account/shared-with-me/{grant.id}")
    assert page.get_by_role("link", name="Download their journal as CSV (zip)").is_visible()
    assert page.get_by_role("link", name="Download the report as PDF").is_visible()
    _assert_accessible_at_every_width(page)


def test_the_research_page_with_its_report_is_accessible(
    page: Any, accounts: None, alice: Any
) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mitra.accounts import services
    from mitra.journal.consent import grant_consent
    from mitra.journal.demo import load_demo

    services.add_account("dana", "admin", PASSWORD)
    load_demo(alice, days=30, seed=2)
    grant_consent(alice, ["doses", "checkins"], actor="person (web)")
    _sign_in(page, "dana")
    device = TOTPDevice.objects.get(user__username="dana")
    page.get_by_label("Code from your app").fill(f"{TOTP(device.bin_key).token():06d}")
    follow(page, page.get_by_role("button", name="Turn on two-factor sign-in"))
    assert page.url.endswith("/account/research")
    follow(page, page.get_by_role("button", name="Export and report"))
    assert page.get_by_role("table", name="Cohort figures (engine: duckdb)").is_visible()
    _assert_accessible_at_every_width(page)
