"""The reminders feed's secret and the daily check-in time, kept in the data folder (0600).

A file rather than a table: the feed's token is a secret like `secret_key` (settings.py), and
renewing it must not need a migration. One JSON file holds every person's entry by id.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import time
from pathlib import Path
from typing import Any

from django.conf import settings

from mitra.settings import PRIVATE_FILE_MODE, private_file

from .models import Person

try:  # POSIX; elsewhere the writes are still atomic, only not serialised between processes
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

__all__ = [
    "checkin_time",
    "feed_token",
    "forget_person",
    "person_for_token",
    "renew_token",
    "set_checkin_time",
]

DEFAULT_CHECKIN_TIME = time(20, 0)


def _path() -> Path:
    return Path(settings.DATA_DIR) / "reminders.json"


def _read() -> dict[str, Any]:
    path = _path()
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError):
        # Never a broken page for a damaged file: the feed gets a new address, the time its default.
        log.warning("%s is not readable JSON; reminders start afresh", path)
        return {}
    return data if isinstance(data, dict) else {}


@contextmanager
def _locked() -> Iterator[None]:
    """One writer at a time across threads and processes (a lock file beside the data)."""
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = private_file(path.with_name(path.name + ".lock"))
    with open(lock, "w", encoding="utf-8") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _write(data: dict[str, Any]) -> None:
    """Replace the file at once: a reader sees the old content or the new, never half of it."""
    path = _path()
    fd, temp = tempfile.mkstemp(prefix=".reminders-", dir=path.parent)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)  # owner-only, whatever the umask
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _update(person: Person, change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """Read, change and write the person's entry under the lock; returns the new entry."""
    with _locked():
        data = _read()
        entry = data.get(str(person.pk))
        if not isinstance(entry, dict) or not entry.get("token"):
            entry = {"token": secrets.token_urlsafe(32), "checkin_time": "20:00"}
        new = change(dict(entry))
        if new != data.get(str(person.pk)):
            data[str(person.pk)] = new
            _write(data)
        return new


def _entry(person: Person) -> dict[str, Any]:
    entry = _read().get(str(person.pk))
    if isinstance(entry, dict) and entry.get("token"):
        return entry
    return _update(person, lambda e: e)


def feed_token(person: Person) -> str:
    """The person's feed token (made on first use)."""
    return str(_entry(person)["token"])


def renew_token(person: Person) -> str:
    """A new token: the old feed URL stops working at once."""
    return str(_update(person, lambda e: {**e, "token": secrets.token_urlsafe(32)})["token"])


def forget_person(person_id: int) -> None:
    """Remove a deleted person's entry (their feed token and time): their feed stops at once."""
    if not _path().exists():
        return
    with _locked():
        data = _read()
        if data.pop(str(person_id), None) is not None:
            _write(data)


def person_for_token(token: str) -> Person | None:
    """The person whose feed this token opens, or None (compared in constant time)."""
    found = None
    for key, entry in _read().items():
        if isinstance(entry, dict) and secrets.compare_digest(str(entry.get("token", "")), token):
            found = key
    return None if found is None else Person.objects.filter(pk=int(found)).first()


def checkin_time(person: Person) -> time:
    """The local time the daily check-in is reminded at (reading makes no file)."""
    entry = _read().get(str(person.pk))
    stored = entry.get("checkin_time") if isinstance(entry, dict) else None
    try:
        return time.fromisoformat(str(stored or "20:00"))
    except ValueError:
        return DEFAULT_CHECKIN_TIME


def set_checkin_time(person: Person, at: time) -> None:
    """Remind the daily check-in at `at` (local time)."""
    _update(person, lambda e: {**e, "checkin_time": at.strftime("%H:%M")})
