"""Signing in: nothing changes until the first account; then Argon2, lockout, two-factor,
idle expiry and signing out everywhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from .conftest import PASSWORD, People, sign_in, totp_code


def test_without_accounts_the_journal_opens_without_login(alice: Any, client: Client) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/today").status_code == 200
    # Nothing to sign in to: the sign-in page leads to Today, the account pages do not exist.
    assert client.get("/login")["Location"] == "/"
    assert client.get("/account").status_code == 404


def test_without_accounts_a_request_looks_for_accounts_at_most_once_per_interval(
    alice: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    from mitra.accounts.services import accounts_on

    accounts_on()  # the process has looked once
    with django_assert_max_num_queries(0):
        for _ in range(20):
            assert accounts_on() is False


def test_the_first_account_keeps_the_existing_journal_and_turns_login_on(
    alice: Any, client: Client
) -> None:
    from mitra.accounts import services as accounts
    from mitra.journal import services

    services.add_product(alice, {"name": "Green powder", "unit": "g"})
    account = accounts.add_account("alice", "person", PASSWORD)
    assert account.person == alice
    response = client.get("/products")
    assert response.status_code == 302
    assert response["Location"] == "/login?next=%2Fproducts"
    api = client.get("/api/v1/products")
    assert api.status_code == 401
    assert api["Content-Type"] == "application/problem+json"
    assert api["WWW-Authenticate"].startswith("Bearer")
    # Crisis help stays one click away without signing in.
    assert client.get("/crisis").status_code == 200
    signed_in = client.post(
        "/login", {"username": "alice", "password": PASSWORD, "next": "/products"}
    )
    assert signed_in["Location"] == "/products"
    assert "Green powder" in client.get("/products").content.decode()


def test_passwords_are_hashed_with_argon2_under_djangos_validators(db: Any) -> None:
    from django.contrib.auth import get_user_model

    from mitra.accounts import services as accounts
    from mitra.journal.errors import EntryInvalid

    with pytest.raises(EntryInvalid, match="too short"):
        accounts.add_account("dave", "person", "short1")
    with pytest.raises(EntryInvalid, match="too common"):
        accounts.add_account("dave", "person", "password1234")
    accounts.add_account("dave", "person", PASSWORD)
    stored = get_user_model().objects.get(username="dave").password
    assert stored.startswith("argon2$argon2id$")
    assert PASSWORD not in stored


def test_a_wrong_password_is_refused_beside_the_field_and_the_name_is_kept(
    people: People, client: Client
) -> None:
    response = client.post("/login", {"username": "alice", "password": "not her password"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The account name or password is not right" in page
    assert 'value="alice"' in page
    assert 'aria-invalid="true"' in page
    assert 'href="/crisis"' in page


def test_five_failures_lock_the_name_from_that_address_even_for_the_right_password(
    people: People, client: Client
) -> None:
    from axes.models import AccessAttempt

    for _ in range(5):
        client.post("/login", {"username": "bob", "password": "wrong"})
    locked = client.post("/login", {"username": "bob", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert client.get("/").status_code == 302  # still signed out
    # Counted in the database: every worker and a restarted server see the same lockout.
    assert AccessAttempt.objects.get(username="bob").failures_since_start >= 5
    # Another name from the same address is not locked out.
    other = client.post("/login", {"username": "alice", "password": PASSWORD})
    assert other.status_code == 302


def test_a_clinician_enrols_an_authenticator_app_at_the_first_sign_in(
    people: People, client: Client
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    response = client.post("/login", {"username": "carol", "password": PASSWORD})
    assert response["Location"].startswith("/account/two-factor")
    # Until the second factor is given, every other page leads to it.
    assert client.get("/account")["Location"] == "/account/two-factor"
    assert client.get("/api/v1/today").status_code == 401
    page = client.get("/account/two-factor").content.decode()
    assert "<svg" in page  # the QR code, drawn on the server
    # No inline script: the passkey button's scripts come from mitra's origin, their settings
    # in a JSON block.
    for script in re.findall(r"<script[^>]*>", page.split("<main", 1)[1]):
        assert " src=" in script or 'type="application/json"' in script, script
    wrong = client.post("/account/two-factor", {"code": "000000"})
    assert wrong.status_code == 400
    assert "is not the code your app shows" in wrong.content.decode()
    device = TOTPDevice.objects.get(user=people.carol.user)
    done = client.post("/account/two-factor", {"code": totp_code(device)})
    assert done.status_code == 302
    assert client.get("/account").status_code == 200
    # The next sign-in asks for a code, not a new enrolment.
    client.post("/logout")
    client.post("/login", {"username": "carol", "password": PASSWORD})
    assert "Your second step" in client.get("/account/two-factor").content.decode()


def test_a_person_may_turn_on_two_factor_from_the_security_page(
    people: People, client: Client
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sign_in(client, people.alice)
    page = client.get("/account").content.decode()
    assert "Set up an authenticator app" in page
    client.get("/account/two-factor")
    device = TOTPDevice.objects.get(user=people.alice.user)
    client.post("/account/two-factor", {"code": totp_code(device)})
    assert "On: each sign-in asks for a code" in client.get("/account").content.decode()
    other = Client()
    other.post("/login", {"username": "alice", "password": PASSWORD})
    assert other.get("/")["Location"] == "/account/two-factor"


def test_sessions_expire_when_idle_after_30_minutes_for_clinicians_longer_for_persons(
    people: People,
) -> None:
    person, clinician = Client(), Client()
    person.post("/login", {"username": "alice", "password": PASSWORD})
    clinician.post("/login", {"username": "carol", "password": PASSWORD})
    assert clinician.session.get_expiry_age() == 30 * 60
    assert person.session.get_expiry_age() == 7 * 24 * 60 * 60
    # The Security page says so in words a person reads at a glance.
    assert "After 7 days without using mitra" in person.get("/account").content.decode()


def test_signing_out_everywhere_ends_every_session_of_the_account(
    people: People,
) -> None:
    phone, laptop, bobs = Client(), Client(), Client()
    for client in (phone, laptop):
        client.post("/login", {"username": "alice", "password": PASSWORD})
    bobs.post("/login", {"username": "bob", "password": PASSWORD})
    assert bobs.post("/logout")["Clear-Site-Data"] == '"cache", "storage"'
    bobs.post("/login", {"username": "bob", "password": PASSWORD})
    assert laptop.get("/").status_code == 200
    signed_out = phone.post("/account/log-out-everywhere")
    # What this browser kept for offline use goes too: nothing stays on a shared phone.
    assert signed_out["Clear-Site-Data"] == '"cache", "storage"'
    assert laptop.get("/")["Location"] == "/login"
    assert phone.get("/")["Location"] == "/login"
    assert bobs.get("/").status_code == 200  # another account's sessions go on


def test_a_password_reset_ends_the_accounts_sessions(people: People) -> None:
    from mitra.accounts import services as accounts

    client = Client()
    client.post("/login", {"username": "bob", "password": PASSWORD})
    accounts.reset_password("bob", "a different long passphrase")
    assert client.get("/")["Location"] == "/login"


def test_the_login_page_sends_only_to_this_site_after_signing_in(
    people: People, client: Client
) -> None:
    answer = client.post(
        "/login", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert answer["Location"] == "/"


def test_a_clinician_has_no_journal_pages(people: People, client: Client) -> None:
    sign_in(client, people.carol)
    assert client.get("/")["Location"] == "/account/shared-with-me"
    assert client.get("/journal").status_code == 404
    assert client.get("/api/v1/today").status_code == 404
