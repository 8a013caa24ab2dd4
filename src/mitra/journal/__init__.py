"""The journal: Django models, one service per user action, and `timeline()` for the engines."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mitra.timeline import DayClock, Timeline

    # Re-exported for annotations: a face names the person's type without importing models.
    from .models import Person as Person


def timeline(person: Person, start: date, end: date) -> Timeline:
    """The person's journal over local days `start`..`end` as plain arrays (no ORM objects)."""
    # Imported here: models cannot be imported before Django's app registry is ready.
    from .timeline_builder import build_timeline

    return build_timeline(person, start, end)


def clock(person: Person) -> DayClock:
    """The person's day clock: their time zone and the hour at which their day starts."""
    from .timeline_builder import clock_of

    return clock_of(person)
