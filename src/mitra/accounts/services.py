"""Accounts: adding users, passwords, two-factor devices, sessions and API tokens.

One service per action, each one transaction; the faces (web, API, CLI) call these and never
the models. Until the first account exists mitra is a one-person journal on loopback with no
login: `accounts_on()` tells which, from a per-process cache.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mitra.journal import services as journal
from mitra.journal.errors import EntryInvalid, NotFound

from .models import ROLES, TOKEN_SCOPES, Account, ApiToken

__all__ = [
    "ROLES",
    "TOKEN_SCOPES",
    "AccountRow",
    "NewToken",
    "PasskeyRow",
    "TokenRow",
    "account_named",
    "account_of",
    "accounts_on",
    "add_account",
    "add_token",
    "confirm_totp",
    "forget_accounts_state",
    "idle_seconds",
    "list_accounts",
    "list_passkeys",
    "list_tokens",
    "log_out_everywhere",
    "needs_two_factor",
    "remove_passkey",
    "reset_password",
    "revoke_token",
    "start_totp",
    "token_account",
    "totp_on",
    "two_factor_on",
    "verify_totp",
]

# With no account yet, another process (`mitra user add` beside a running server) may add one:
# the server looks again at most this often. Once on, accounts stay on for the process.
RECHECK_SECONDS = 2.0
# A token's last use is written at most this often, so reads through a token do not each write.
LAST_USE_EVERY = timedelta(minutes=1)
TOKEN_PREFIX = "mitra_"  # noqa: S105 - a label that marks mitra tokens, not a secret
NAME_MAX = 150
TOKEN_NAME_MAX = 100

_state: dict[str, Any] = {"on": False, "checked": None}


def accounts_on() -> bool:
    """Whether any account exists (login is on); cached, so a request costs no query."""
    if _state["on"]:
        return True
    now = time.monotonic()
    if _state["checked"] is None or now - _state["checked"] > RECHECK_SECONDS:
        _state["on"] = Account.objects.exists()
        _state["checked"] = now
    return bool(_state["on"])


def forget_accounts_state() -> None:
    """Look again at the next request (for tests, whose database is rolled back between them)."""
    _state.update(on=False, checked=None)


def idle_seconds(account: Account) -> int:
    """Seconds a session of this account lives without a request (ACCOUNT_IDLE_MINUTES)."""
    minutes: dict[str, int] = settings.ACCOUNT_IDLE_MINUTES
    return 60 * minutes[account.role]


def _refuse(field: str, message: str) -> EntryInvalid:
    return EntryInvalid({field: message})


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise _refuse("name", f"must be 1 to {NAME_MAX} characters")
    try:
        UnicodeUsernameValidator()(name)
    except ValidationError:
        raise _refuse("name", "may hold only letters, digits and @ . + - _") from None
    return name


def _check_password(password: str, user: Any) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise _refuse("password", " ".join(exc.messages)) from None


@transaction.atomic
def add_account(name: str, role: str, password: str) -> Account:
    """A new user with `role`; a person's account gets a journal.

    The first person account takes over the journal that exists already (the one-person
    journal of the loopback install), so nothing of it is lost when login is turned on.
    """
    user_model = get_user_model()
    name = _check_name(name)
    if role not in ROLES:
        raise _refuse("role", f"must be one of {', '.join(ROLES)}")
    if user_model.objects.filter(username__iexact=name).exists():
        raise _refuse("name", f"is taken: there is already an account {name}")
    user = user_model(username=name)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    person = None
    if role == "person":
        existing = journal.get_person()
        if existing is not None and not Account.objects.filter(person=existing).exists():
            person = existing
        else:
            zone = existing.time_zone if existing is not None else "UTC"
            person = journal.add_person({"time_zone": zone})
    account = Account.objects.create(user=user, role=role, person=person)
    _state["on"] = True
    return account


def account_named(name: str) -> Account:
    found = Account.objects.select_related("user").filter(user__username__iexact=name).first()
    if found is None:
        raise NotFound(f"there is no account {name}")
    return found


@transaction.atomic
def reset_password(name: str, password: str) -> Account:
    """A new password (an admin's reset): every session of the account ends with the old one."""
    account = account_named(name)
    _check_password(password, account.user)
    account.user.set_password(password)
    account.user.save(update_fields=["password"])
    account.session_generation += 1
    account.save(update_fields=["session_generation"])
    return account


@dataclass(frozen=True)
class AccountRow:
    """One account as `mitra user list` shows it."""

    name: str
    role: str
    has_journal: bool
    two_factor: bool
    last_login: datetime | None


def _passkeys() -> Any:
    """The passkeys' manager, imported on use: a terminal command on the journal alone finds
    its account here with the passkey app left out (mitra.settings_journal)."""
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects


def list_accounts() -> list[AccountRow]:
    """Every account, by name."""
    with_device = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    with_device |= set(_passkeys().filter(confirmed=True).values_list("user_id", flat=True))
    return [
        AccountRow(
            name=a.user.get_username(),
            role=a.role,
            has_journal=a.person_id is not None,
            two_factor=a.user_id in with_device,
            last_login=a.user.last_login,
        )
        for a in Account.objects.select_related("user").order_by("user__username")
    ]


def account_of(user: Any) -> Account | None:
    """The account of a signed-in user (None for a user made outside mitra)."""
    if user is None or not user.is_authenticated:
        return None
    return Account.objects.select_related("person").filter(user=user).first()


# --- two-factor (TOTP or a passkey) ---------------------------------------------------------


def totp_on(user: Any) -> bool:
    """The user has a confirmed authenticator app."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def two_factor_on(user: Any) -> bool:
    """The user has a second factor: a confirmed authenticator app or a passkey."""
    return totp_on(user) or bool(_passkeys().filter(user=user, confirmed=True).exists())


def needs_two_factor(account: Account) -> bool:
    """Clinicians and admins always; a person once they have turned it on."""
    return account.role != "person" or two_factor_on(account.user)


def start_totp(user: Any) -> TOTPDevice:
    """The device being enrolled: the same unconfirmed one until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def drop_unfinished_totp(user: Any) -> None:
    """Forget an authenticator app whose setup was begun and not confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()


def _clean_code(code: str) -> str:
    code = "".join(code.split())
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        raise _refuse("code", "must be the 6 digits your authenticator app shows")
    return code


@transaction.atomic
def confirm_totp(user: Any, code: str) -> TOTPDevice:
    """Confirm the device being enrolled with a code it made; earlier devices are replaced."""
    code = _clean_code(code)
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(code):
        raise _refuse("code", "is not the code your app shows now; try the next one")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def verify_totp(user: Any, code: str) -> TOTPDevice:
    """The confirmed device that made `code` (django-otp throttles repeated failures)."""
    code = _clean_code(code)
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    raise _refuse("code", "is not the code your app shows now; try the next one")


@dataclass(frozen=True)
class PasskeyRow:
    """A passkey as its owner's Security page shows it."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


def list_passkeys(user: Any) -> list[PasskeyRow]:
    """The user's passkeys, oldest first."""
    return [
        PasskeyRow(id=c.pk, name=c.name, created_at=c.created_at, last_used_at=c.last_used_at)
        for c in _passkeys().filter(user=user, confirmed=True).order_by("pk")
    ]


@transaction.atomic
def remove_passkey(account: Account, passkey_id: int) -> None:
    """Remove one of the account's own passkeys; another account's passkey is not found.

    A clinician or admin keeps at least one second factor: their last passkey goes only once
    an authenticator app is on.
    """
    found = _passkeys().select_for_update().filter(user=account.user, pk=passkey_id)
    if not found.exists():
        raise NotFound(f"there is no passkey {passkey_id}")
    others = _passkeys().filter(user=account.user, confirmed=True).exclude(pk=passkey_id)
    if account.role != "person" and not others.exists() and not totp_on(account.user):
        raise _refuse(
            "passkey",
            "is your only second step, which a clinician or admin account needs: "
            "add another passkey first",
        )
    found.delete()


@transaction.atomic
def log_out_everywhere(account: Account) -> None:
    """End every session of the account, on every device, this one included."""
    Account.objects.filter(pk=account.pk).update(session_generation=F("session_generation") + 1)
    account.refresh_from_db(fields=["session_generation"])


# --- API tokens -----------------------------------------------------------------------------


def _digest(raw: str) -> str:
    # A token carries 256 random bits, so a plain SHA-256 is as strong as a slow hash here and
    # lets a request find its token by an indexed lookup.
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` is shown this once and never stored."""

    id: int
    name: str
    scope: str
    secret: str


@dataclass(frozen=True)
class TokenRow:
    """A token as its owner's list shows it."""

    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def add_token(account: Account, name: str, scope: str) -> NewToken:
    """A personal access token for the API."""
    name = " ".join(name.split())
    if not name or len(name) > TOKEN_NAME_MAX:
        raise _refuse("name", f"must be 1 to {TOKEN_NAME_MAX} characters")
    if scope not in TOKEN_SCOPES:
        raise _refuse("scope", f"must be one of {', '.join(TOKEN_SCOPES)}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        account=account,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=_digest(secret),
        scope=scope,
    )
    return NewToken(id=token.pk, name=name, scope=scope, secret=secret)


def list_tokens(account: Account) -> list[TokenRow]:
    """The account's tokens, newest first, revoked ones included (marked)."""
    return [
        TokenRow(
            id=t.pk,
            name=t.name,
            prefix=t.prefix,
            scope=t.scope,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            revoked_at=t.revoked_at,
        )
        for t in ApiToken.objects.filter(account=account).order_by("-created_at", "-pk")
    ]


def revoke_token(account: Account, token_id: int) -> None:
    """Revoke one of the account's own tokens; another account's token is not found."""
    found = ApiToken.objects.filter(account=account, pk=token_id).update(revoked_at=timezone.now())
    if not found:
        raise NotFound(f"there is no token {token_id}")


def token_account(raw: str) -> tuple[Account, str] | None:
    """The account and scope of a live token, or None; its last use is noted."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("account__user", "account__person")
        .filter(digest=_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.account.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.account, token.scope


def delete_journal_and_account(person: Any) -> dict[str, int]:
    """Delete a person's journal, all its data and, with accounts on, their account and user.

    The journal's own deletion empties every table that points at the person (shares, audit
    events and the account row among them); the sign-in user, which points at none of it, goes
    here, so no password is left that opens an empty account.
    """
    from mitra.journal.erase import delete_journal

    account = Account.objects.select_related("user").filter(person=person).first()
    user = account.user if account is not None else None
    counts = delete_journal(person)
    if user is not None:
        user.delete()
        counts["user"] = 1
        forget_accounts_state()
    return counts
