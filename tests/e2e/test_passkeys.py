"""Passkeys in a browser (Chromium's virtual authenticator standing in for a phone's or a
security key): a clinician makes one instead of an authenticator app, signs in with it, adds an
app beside it, and without it stays at the second step; the pages it adds meet WCAG 2.2 AA like
every other."""

from __future__ import annotations

from typing import Any

import pytest

from .navigation import policy_violations
from .test_accessibility import _assert_accessible_at_every_width
from .test_accounts_pages import PASSWORD, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(new_tab: Any) -> Any:
    """A tab of its own: Chromium's virtual authenticator stays with the tab it was added to."""
    return new_tab


@pytest.fixture
def carol(alice: Any, settings: Any) -> Any:
    """Carol, a clinician with no second factor yet (alice's journal makes accounts on)."""
    from mitra.accounts import services

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A ceremony with no passkey to answer it ends after this long, not after five minutes.
    settings.OTP_WEBAUTHN_TIMEOUT_SECONDS = 3
    services.add_account("alice", "person", PASSWORD)
    return services.add_account("carol", "clinician", PASSWORD)


def _authenticator(page: Any) -> tuple[Any, str]:
    """A platform authenticator in this tab (fingerprint given): its CDP session and id."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_a_clinician_signs_in_with_a_passkey_instead_of_an_authenticator_app(
    page: Any, carol: Any
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp_webauthn.models import WebAuthnCredential

    violations = policy_violations(page)
    cdp, authenticator = _authenticator(page)
    _sign_in(page, "carol")
    assert "/account/two-factor" in page.url
    page.get_by_role("button", name="Make a passkey").click()
    page.wait_for_url("**/account/shared-with-me")
    assert WebAuthnCredential.objects.filter(user=carol.user, confirmed=True).count() == 1
    # The app whose key her first sign-in showed, never finished, is dropped with it.
    assert not TOTPDevice.objects.filter(user=carol.user).exists()
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1

    page.goto(page.base_url + "/account")
    assert "one of your passkeys after your password" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Remove the passkey").count() == 1
    _assert_accessible_at_every_width(page)
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/login")

    _sign_in(page, "carol")
    assert "/account/two-factor" in page.url
    assert page.get_by_label("Code from your app").count() == 0  # no app: the passkey only
    _assert_accessible_at_every_width(page)
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url("**/account/shared-with-me")
    assert page.get_by_role("heading", name="Shared with you", exact=True).is_visible()

    # For a device without her passkey, she adds an authenticator app beside it.
    page.goto(page.base_url + "/account")
    page.get_by_role("link", name="Add an authenticator app").click()
    page.wait_for_url("**/account/authenticator-app")
    _assert_accessible_at_every_width(page)
    key = page.locator("code.secret").inner_text()
    page.get_by_label("Code from your app").fill(_code_for(key))
    page.get_by_role("button", name="Add the app").click()
    page.wait_for_url("**/account")
    main = page.locator("main").inner_text()
    assert "Authenticator app added" in main
    assert "a code from your authenticator app or one of your passkeys" in main
    assert TOTPDevice.objects.filter(user=carol.user, confirmed=True).count() == 1
    assert violations == []


def _code_for(key: str) -> str:
    """The code an authenticator app given this key (as the page groups it) shows now."""
    from base64 import b32decode

    from django_otp.oath import TOTP

    secret = "".join(key.split())
    raw = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(raw).token():06d}"


def test_without_her_passkey_a_clinician_stays_at_the_second_step(page: Any, carol: Any) -> None:
    cdp, authenticator = _authenticator(page)
    _sign_in(page, "carol")
    page.get_by_role("button", name="Make a passkey").click()
    page.wait_for_url("**/account/shared-with-me")
    page.goto(page.base_url + "/account")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/login")
    # The phone is lost: its passkey is gone.
    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator})

    _sign_in(page, "carol")
    page.get_by_role("button", name="Use a passkey").click()
    status = page.locator("#passkey-verification-status-message")
    status.wait_for(state="visible")
    assert "not allowed" in status.inner_text()
    page.goto(page.base_url + "/account/shared-with-me")
    assert "/account/two-factor" in page.url
