"""Named people with accounts: alice and bob (persons), carol (a clinician with two-factor)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest

PASSWORD = "correct horse battery staple"


@dataclass
class People:
    alice: Any
    bob: Any
    carol: Any


def totp_code(device: Any) -> str:
    """The code an authenticator app shows now for `device`."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.fixture
def people(alice: Any, settings: Any) -> People:
    """Alice's journal (the one that existed before login) is hers; bob has his own; carol none.

    Their passwords are hashed with a fast hasher: Argon2's cost (about 100 MiB and a tenth of
    a second a hash, by design) is for attackers, not for every test; test_login checks that
    mitra's settings hash with Argon2.
    """
    from mitra.accounts import services as accounts

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return People(
        alice=accounts.add_account("alice", "person", PASSWORD),
        bob=accounts.add_account("bob", "person", PASSWORD),
        carol=accounts.add_account("carol", "clinician", PASSWORD),
    )


def sign_in(client: Any, account: Any) -> Any:
    """`client` signed in as `account` as the login page leaves it (second factor given)."""
    from django_otp import devices_for_user
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mitra.accounts.services import needs_two_factor
    from mitra.web.account_middleware import SESSION_GENERATION, SESSION_SEEN

    client.force_login(account.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_GENERATION] = account.session_generation
    session[SESSION_SEEN] = int(time.time())
    if needs_two_factor(account):
        # The device it has (a person's passkey, say), else an authenticator app.
        device = next(devices_for_user(account.user, confirmed=True), None)
        if device is None:
            device = TOTPDevice.objects.create(user=account.user, name="app", confirmed=True)
        session["otp_device_id"] = device.persistent_id
    session.save()
    return client
