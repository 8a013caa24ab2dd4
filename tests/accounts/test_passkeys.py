"""Passkeys as a second factor: one counts exactly like an authenticator app, only the account's
own passkey answers its second step, and a stolen password cannot add one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, RequestFactory

from .conftest import PASSWORD, People, sign_in, totp_code


def _passkey(account: Any, raw_id: bytes = b"a-passkey", confirmed: bool = True) -> Any:
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.create(
        user=account.user, credential_id=raw_id, public_key=b"key", confirmed=confirmed
    )


def _password_only(account: Any) -> Client:
    client = Client()
    client.post("/login", {"username": account.user.get_username(), "password": PASSWORD})
    return client


# --- the two-factor rule ------------------------------------------------------------------------


def test_a_clinician_with_a_passkey_and_no_app_meets_the_two_factor_rule(people: People) -> None:
    from mitra.accounts import services as accounts

    assert not accounts.two_factor_on(people.carol.user)
    _passkey(people.carol)
    assert accounts.two_factor_on(people.carol.user)
    assert not accounts.totp_on(people.carol.user)
    client = _password_only(people.carol)
    page = client.get("/account/two-factor").content.decode()
    # Her second step asks for the passkey; no authenticator app is enrolled or asked for.
    assert "Your second step" in page
    assert "Use a passkey" in page
    assert "<svg" not in page
    assert 'name="code"' not in page
    assert client.get("/account")["Location"] == "/account/two-factor"
    row = next(r for r in accounts.list_accounts() if r.name == "carol")
    assert row.two_factor


def test_a_passkey_not_yet_confirmed_is_not_a_second_factor(people: People) -> None:
    from mitra.accounts import services as accounts

    _passkey(people.carol, confirmed=False)
    assert not accounts.two_factor_on(people.carol.user)
    page = _password_only(people.carol).get("/account/two-factor").content.decode()
    assert "Set up two-factor sign-in" in page


def test_a_person_with_a_passkey_gives_it_after_her_password(people: People) -> None:
    from mitra.accounts import services as accounts

    assert not accounts.needs_two_factor(people.alice)
    _passkey(people.alice)
    assert accounts.needs_two_factor(people.alice)
    assert _password_only(people.alice).get("/")["Location"] == "/account/two-factor"


def test_with_an_app_and_a_passkey_the_second_step_offers_both(people: People) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = _password_only(people.carol)
    client.get("/account/two-factor")  # enrolment starts an app
    device = TOTPDevice.objects.get(user=people.carol.user)
    client.post("/account/two-factor", {"code": totp_code(device)})
    _passkey(people.carol)
    page = _password_only(people.carol).get("/account/two-factor").content.decode()
    assert "Use a passkey" in page
    assert 'name="code"' in page


# --- the ceremonies -----------------------------------------------------------------------------


def _assertion(raw_id: bytes) -> str:
    """A sign-in answer naming the passkey `raw_id` (its signature is never reached)."""
    from webauthn.helpers import bytes_to_base64url

    encoded = bytes_to_base64url(raw_id)
    blank = bytes_to_base64url(b"\0" * 37)
    return json.dumps(
        {
            "id": encoded,
            "rawId": encoded,
            "type": "public-key",
            "response": {
                "authenticatorData": blank,
                "clientDataJSON": bytes_to_base64url(b"{}"),
                "signature": blank,
            },
        }
    )


def test_another_accounts_passkey_does_not_give_carol_her_second_step(people: People) -> None:
    from webauthn.helpers import bytes_to_base64url

    _passkey(people.carol, b"carols-passkey")
    _passkey(people.alice, b"alices-passkey")
    client = _password_only(people.carol)
    begun = client.post("/account/two-factor/passkey/verify/begin")
    assert begun.status_code == 200
    # Only her own passkey is asked for.
    allowed = [c["id"] for c in begun.json()["allowCredentials"]]
    assert allowed == [bytes_to_base64url(b"carols-passkey")]
    refused = client.post(
        "/account/two-factor/passkey/verify/complete",
        _assertion(b"alices-passkey"),
        content_type="application/json",
    )
    assert refused.status_code >= 400
    assert client.get("/account")["Location"] == "/account/two-factor"


def test_a_forged_answer_for_her_own_passkey_is_refused(people: People) -> None:
    _passkey(people.carol, b"carols-passkey")
    client = _password_only(people.carol)
    client.post("/account/two-factor/passkey/verify/begin")
    refused = client.post(
        "/account/two-factor/passkey/verify/complete",
        _assertion(b"carols-passkey"),
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert client.get("/account")["Location"] == "/account/two-factor"


def test_no_passkey_signs_anyone_in_without_a_password(people: People) -> None:
    _passkey(people.alice, b"alices-passkey")
    client = Client()
    assert client.post("/account/two-factor/passkey/verify/begin").status_code == 302
    answer = client.post(
        "/account/two-factor/passkey/verify/complete",
        _assertion(b"alices-passkey"),
        content_type="application/json",
    )
    assert answer.status_code == 302
    assert answer["Location"].startswith("/login")


def test_a_password_alone_cannot_add_a_passkey_to_an_account_with_a_second_factor(
    people: People,
) -> None:
    _passkey(people.carol, b"carols-passkey")
    client = _password_only(people.carol)
    refused = client.post("/account/two-factor/passkey/register/begin")
    assert refused.status_code == 403
    assert "verify your identity first" in refused.json()["detail"]


def test_registration_names_the_host_mitra_was_opened_by_as_relying_party(
    people: People,
) -> None:
    client = _password_only(people.carol)
    begun = client.post("/account/two-factor/passkey/register/begin", HTTP_HOST="localhost:8000")
    options = begun.json()
    assert options["rp"] == {"id": "localhost", "name": "mitra"}
    assert options["user"]["name"] == "carol"


# --- the relying party --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "secure", "rp_id", "origin"),
    [
        ("localhost:8000", False, "localhost", "http://localhost:8000"),
        ("mitra.example.org", True, "mitra.example.org", "https://mitra.example.org"),
        ("[::1]:8000", False, "::1", "http://[::1]:8000"),
    ],
)
def test_the_relying_party_and_origin_are_those_of_the_request(
    settings: Any, host: str, secure: bool, rp_id: str, origin: str
) -> None:
    from mitra.accounts.passkeys import RequestRelyingParty, relying_party_id

    settings.ALLOWED_HOSTS = ["localhost", "mitra.example.org", "[::1]"]
    # Behind --behind-proxy the proxy says https; mitra then expects the https origin.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    headers = {"HTTP_X_FORWARDED_PROTO": "https"} if secure else {}
    request = RequestFactory().get("/account", HTTP_HOST=host, **headers)
    assert relying_party_id(request) == rp_id
    assert RequestRelyingParty(request).get_allowed_origins() == [origin]


def test_at_an_ip_address_the_pages_say_to_open_mitra_by_its_name(people: People) -> None:
    client = sign_in(Client(), people.alice)
    by_address = client.get("/account", HTTP_HOST="127.0.0.1:8000").content.decode()
    assert "opened by its name" in by_address
    assert "passkey-register-button" not in by_address
    by_name = client.get("/account", HTTP_HOST="localhost:8000").content.decode()
    assert "opened by its name" not in by_name
    assert "passkey-register-button" in by_name


# --- removing -----------------------------------------------------------------------------------


def test_a_person_removes_her_passkey_and_two_factor_is_off_again(people: People) -> None:
    from mitra.accounts import services as accounts

    passkey = _passkey(people.alice)
    client = sign_in(Client(), people.alice)
    assert "Passkey made" in client.get("/account").content.decode()
    gone = client.post(f"/account/passkeys/{passkey.pk}/remove", follow=True)
    assert "The passkey is removed" in gone.content.decode()
    assert not accounts.two_factor_on(people.alice.user)


def test_a_clinicians_only_second_factor_stays(people: People) -> None:
    from mitra.accounts import services as accounts

    first = _passkey(people.carol, b"first")
    client = sign_in(Client(), people.carol)
    kept = client.post(f"/account/passkeys/{first.pk}/remove", follow=True)
    assert "This passkey stays" in kept.content.decode()
    assert accounts.two_factor_on(people.carol.user)
    second = _passkey(people.carol, b"second")
    client.post(f"/account/passkeys/{first.pk}/remove")
    assert [p.id for p in accounts.list_passkeys(people.carol.user)] == [second.pk]


def test_bob_cannot_remove_alices_passkey(people: People) -> None:
    from mitra.accounts import services as accounts

    passkey = _passkey(people.alice)
    bob = sign_in(Client(), people.bob)
    assert bob.post(f"/account/passkeys/{passkey.pk}/remove").status_code == 404
    assert accounts.two_factor_on(people.alice.user)


# --- an authenticator app added beside passkeys -------------------------------------------------


def test_a_person_whose_second_factor_is_a_passkey_adds_an_authenticator_app(
    people: People,
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mitra.accounts import services as accounts

    _passkey(people.alice)
    client = sign_in(Client(), people.alice)
    security = client.get("/account").content.decode()
    assert 'href="/account/authenticator-app"' in security
    page = client.get("/account/authenticator-app")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()  # the QR code to scan
    device = TOTPDevice.objects.get(user=people.alice.user, confirmed=False)
    # A wrong code is said beside the field, and nothing is turned on.
    wrong = client.post("/account/authenticator-app", {"code": "12345"})
    assert wrong.status_code == 400
    assert "must be the 6 digits your authenticator app shows" in wrong.content.decode()
    assert not accounts.totp_on(people.alice.user)
    done = client.post("/account/authenticator-app", {"code": totp_code(device)})
    assert done["Location"] == "/account"
    assert accounts.totp_on(people.alice.user)
    security = client.get("/account").content.decode()
    assert "a code from your authenticator app or one of your passkeys" in security
    assert 'href="/account/authenticator-app"' not in security
    # Her next sign-in offers both.
    second = _password_only(people.alice).get("/account/two-factor").content.decode()
    assert "Use a passkey" in second
    assert 'name="code"' in second


def test_adding_an_app_needs_the_second_factor_given_in_this_session(people: People) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mitra.accounts import services as accounts

    _passkey(people.alice)
    # A password alone neither shows an app's key nor adds one, whatever code it sends.
    thief = _password_only(people.alice)
    assert thief.get("/account/authenticator-app")["Location"] == "/account/two-factor"
    device = accounts.start_totp(people.alice.user)
    answer = thief.post("/account/authenticator-app", {"code": totp_code(device)})
    assert answer["Location"] == "/account/two-factor"
    assert not accounts.totp_on(people.alice.user)
    assert TOTPDevice.objects.filter(user=people.alice.user, confirmed=True).count() == 0
    # Without any second factor, setting one up is the two-factor page's.
    assert sign_in(Client(), people.bob).get("/account/authenticator-app")["Location"] == (
        "/account/two-factor"
    )


def test_making_a_passkey_drops_an_app_whose_setup_was_not_finished(people: People) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mitra.accounts import services as accounts

    shown = accounts.start_totp(people.carol.user)  # her first sign-in showed an app's key
    _passkey(people.carol)  # and she made a passkey instead
    accounts.drop_unfinished_totp(people.carol.user)  # as the passkey's last step does
    assert not TOTPDevice.objects.filter(pk=shown.pk).exists()
    again = accounts.start_totp(people.carol.user)
    assert again.key != shown.key  # adding an app later starts with a new key
