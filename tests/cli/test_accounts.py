"""`mitra user` and `mitra token`: accounts and API tokens from the terminal; `mitra serve`
beyond loopback once accounts exist."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

import pytest

from .test_commands import refused, run

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    """Passwords are hashed with a fast hasher here, as in tests/accounts: Argon2's cost (about
    100 MiB and a third of a CPU-second a hash, by design) is for attackers, not for every test;
    test_login checks that mitra's settings hash with Argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add(capsys: Any, monkeypatch: Any, *argv: str, password: str = PASSWORD) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    code, out, err = run(capsys, "user", "add", *argv, "--password-stdin")
    return code, out + err


def test_the_first_user_turns_login_on_and_keeps_the_journal(
    capsys: Any, monkeypatch: Any, alice: Any
) -> None:
    code, said = add(capsys, monkeypatch, "alice")
    assert code == 0
    assert "login is now on" in said
    add(capsys, monkeypatch, "carol", "--role", "clinician")
    code, out, _ = run(capsys, "user", "list", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["alice"]["role"] == "person"
    assert rows["alice"]["has_journal"] is True
    assert rows["carol"]["has_journal"] is False


@pytest.mark.parametrize(
    ("argv", "password", "expected"),
    [
        (("bob", "--role", "doctor"), PASSWORD, "--role must be one of"),
        (("bob",), "short", "too short"),
        (("bob smith",), PASSWORD, "may hold only letters"),
        (("bob",), "", "the password is empty"),
    ],
)
def test_a_bad_account_is_refused_in_one_line(
    capsys: Any, monkeypatch: Any, argv: tuple[str, ...], password: str, expected: str
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    message = refused(capsys, "user", "add", *argv, "--password-stdin")
    assert expected in message


def test_a_taken_name_and_an_unknown_account_are_refused(capsys: Any, monkeypatch: Any) -> None:
    add(capsys, monkeypatch, "bob")
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert "is taken" in refused(capsys, "user", "add", "BOB", "--password-stdin")
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert "no account nobody" in refused(capsys, "user", "reset", "nobody", "--password-stdin")


def test_without_a_terminal_the_password_must_come_from_stdin(
    capsys: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert "--password-stdin" in refused(capsys, "user", "add", "bob")


def test_reset_sets_a_password_that_signs_in(capsys: Any, monkeypatch: Any, client: Any) -> None:
    add(capsys, monkeypatch, "bob")
    monkeypatch.setattr(sys, "stdin", io.StringIO("a new long passphrase here\n"))
    code, _, _ = run(capsys, "user", "reset", "bob", "--password-stdin")
    assert code == 0
    signed_in = client.post("/login", {"username": "bob", "password": "a new long passphrase here"})
    assert signed_in.status_code == 302


def test_a_token_is_printed_once_then_listed_without_it_and_revoked(
    capsys: Any, monkeypatch: Any, client: Any
) -> None:
    add(capsys, monkeypatch, "bob")
    code, out, err = run(capsys, "token", "add", "bob", "--name", "shortcut")
    assert code == 0
    secret = out.strip()
    assert secret.startswith("mitra_")
    assert "cannot be shown again" in err
    assert client.get("/api/v1/today", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    _, listed, _ = run(capsys, "token", "list", "bob", "--json")
    (row,) = json.loads(listed)
    assert secret not in listed
    assert row["last_used_at"] is not None
    run(capsys, "token", "revoke", "bob", str(row["id"]))
    assert client.get("/api/v1/today", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    capsys.readouterr()  # Django's log line for the 401
    assert "no token 999" in refused(capsys, "token", "revoke", "bob", "999")
    assert "scope must be one of" in refused(
        capsys, "token", "add", "bob", "--name", "x", "--scope", "admin"
    )


def test_serve_listens_beyond_loopback_once_accounts_exist_with_an_https_reminder(
    capsys: Any, monkeypatch: Any
) -> None:
    import waitress

    from mitra.web import warm

    add(capsys, monkeypatch, "alice")

    class Server:
        def run(self) -> None:
            return None

    bound = {}

    def create_server(app: Any, **kwargs: Any) -> Server:
        bound.update(kwargs)
        return Server()

    monkeypatch.setattr(waitress, "create_server", create_server)
    monkeypatch.setattr(warm, "warm_today", lambda: None)
    monkeypatch.setattr(warm, "warm_after_first_page", lambda: None)
    monkeypatch.setenv("MITRA_ALLOWED_HOSTS", "journal.example")
    code, _, err = run(capsys, "serve", "--host", "0.0.0.0", "--port", "8123")
    assert code == 0
    assert bound["host"] == "0.0.0.0"
    assert "put an HTTPS proxy in front" in err


def test_behind_a_proxy_https_is_read_from_x_forwarded_proto() -> None:
    script = (
        "import os; os.environ['MITRA_BEHIND_PROXY'] = '1'; from mitra import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') True True"


def test_with_several_journals_a_command_writes_only_where_mitra_user_says(
    capsys: Any, monkeypatch: Any, alice: Any
) -> None:
    from mitra.journal.models import CheckIn

    add(capsys, monkeypatch, "alice")
    add(capsys, monkeypatch, "bob")
    add(capsys, monkeypatch, "carol", "--role", "clinician")
    monkeypatch.delenv("MITRA_USER", raising=False)
    assert "say whose with MITRA_USER" in refused(capsys, "checkin", "4")
    monkeypatch.setenv("MITRA_USER", "carol")
    assert "carol has no journal" in refused(capsys, "checkin", "4")
    monkeypatch.setenv("MITRA_USER", "nobody")
    assert "there is no account nobody" in refused(capsys, "checkin", "4")
    assert not CheckIn.objects.exists()  # nothing written by a refused command
    monkeypatch.setenv("MITRA_USER", "bob")
    code, _, _ = run(capsys, "checkin", "6", "--note", "bob's evening")
    assert code == 0
    (entry,) = CheckIn.objects.all()
    assert entry.person.account.user.username == "bob"
    assert entry.person != alice


def test_with_several_journals_settings_change_only_the_journal_mitra_user_names(
    capsys: Any, monkeypatch: Any, alice: Any
) -> None:
    from mitra.journal.models import Person

    add(capsys, monkeypatch, "alice")
    add(capsys, monkeypatch, "bob")
    before = {p.pk: (p.time_zone, p.day_boundary_hour) for p in Person.objects.all()}
    monkeypatch.setenv("MITRA_USER", "bob")
    code, out, _ = run(
        capsys, "settings", "--timezone", "Asia/Tokyo", "--day-starts", "7", "--json"
    )
    assert code == 0
    shown = json.loads(out)
    assert (shown["time_zone"], shown["day_boundary_hour"]) == ("Asia/Tokyo", 7)
    bob = Person.objects.get(account__user__username="bob")
    assert (bob.time_zone, bob.day_boundary_hour) == ("Asia/Tokyo", 7)
    # Every other journal, alice's among them, as it was.
    others = {p.pk: (p.time_zone, p.day_boundary_hour) for p in Person.objects.exclude(pk=bob.pk)}
    assert others == {pk: settings for pk, settings in before.items() if pk != bob.pk}
    assert others
