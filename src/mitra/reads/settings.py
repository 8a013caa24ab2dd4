"""The journal's settings: the person's time zone and the hour at which their day starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["JournalSettings", "journal_settings"]


@dataclass(frozen=True)
class JournalSettings:
    """The clock the journal keeps: an IANA time zone and the day's boundary hour (0-23)."""

    time_zone: str
    day_boundary_hour: int


def journal_settings(person: Any) -> JournalSettings:
    """The person's time zone and day boundary, as `mitra settings` and the API show them."""
    return JournalSettings(time_zone=person.time_zone, day_boundary_hour=person.day_boundary_hour)
