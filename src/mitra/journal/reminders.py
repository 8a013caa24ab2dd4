"""The reminders feed's secret and the daily check-in time, kept in the data folder (0600).

A file rather than a table: the feed's token is a secret like `secret_key` (settings.py), and
renewing it must not need a migration. One JSON file holds every person's entry by id.
"""

from __future__ import annotations

import json
import secrets
from datetime import time
from pathlib import Path
from typing import Any

from django.conf import settings

from mitra.settings import private_file

from .models import Person

__all__ = ["checkin_time", "feed_token", "person_for_token", "renew_token", "set_checkin_time"]

DEFAULT_CHECKIN_TIME = time(20, 0)


def _path() -> Path:
    return Path(settings.DATA_DIR) / "reminders.json"


def _read() -> dict[str, Any]:
    path = _path()
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8") or "{}")
    return data if isinstance(data, dict) else {}


def _write(data: dict[str, Any]) -> None:
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Truncated and rewritten with owner-only permissions, whatever the umask.
    with open(private_file(path), "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.truncate()


def _entry(person: Person) -> dict[str, Any]:
    data = _read()
    entry = data.get(str(person.pk))
    if not isinstance(entry, dict) or not entry.get("token"):
        entry = {"token": secrets.token_urlsafe(32), "checkin_time": "20:00"}
        data[str(person.pk)] = entry
        _write(data)
    return entry


def feed_token(person: Person) -> str:
    """The person's feed token (made on first use)."""
    return str(_entry(person)["token"])


def renew_token(person: Person) -> str:
    """A new token: the old feed URL stops working at once."""
    entry = {**_entry(person), "token": secrets.token_urlsafe(32)}
    data = _read()
    data[str(person.pk)] = entry
    _write(data)
    return str(entry["token"])


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
    entry = {**_entry(person), "checkin_time": at.strftime("%H:%M")}
    data = _read()
    data[str(person.pk)] = entry
    _write(data)
