"""Build a plain-data `Timeline` from the database for the engines."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np

from mitra.timeline import DayClock, Timeline

from .models import CheckIn, Dose, Intake, Person, Practice


def clock_of(person: Person) -> DayClock:
    """The person's day clock (time zone and day boundary)."""
    return DayClock(person.time_zone, person.day_boundary_hour)


def _seconds(values: list[Any]) -> np.ndarray:
    return np.array([v.timestamp() for v in values], dtype=np.float64)


def _floats(values: list[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows of a values_list() query as `width` columns (empty columns for no rows)."""
    return [list(column) for column in zip(*rows, strict=True)] or [[] for _ in range(width)]


def build_timeline(person: Person, first: date, last: date) -> Timeline:
    """The person's journal over local days `first`..`last` (inclusive) as arrays."""
    clock = clock_of(person)
    start = clock.day_start(first)
    end = clock.day_start(last + timedelta(days=1))
    live = {"person": person, "deleted_at__isnull": True}
    doses = list(
        Dose.objects.filter(**live, taken_at__gte=start, taken_at__lt=end)
        .order_by("taken_at")
        .values_list("taken_at", "grams", "mg_mitragynine", "product_id")
    )
    checkins = list(
        CheckIn.objects.filter(**live, at__gte=start, at__lt=end)
        .order_by("at")
        .values_list("at", "anxiety", "mood", "sleep_hours", "sleep_quality", "symptoms")
    )
    practices = list(
        Practice.objects.filter(**live, at__gte=start, at__lt=end, checkin__deleted_at__isnull=True)
        .order_by("at")
        .values_list("at", "kind", "minutes")
    )
    intakes = list(
        Intake.objects.filter(**live, taken_at__gte=start, taken_at__lt=end)
        .order_by("taken_at")
        .values_list("taken_at", "substance_id")
    )
    d = _columns(doses, 4)
    c = _columns(checkins, 6)
    p = _columns(practices, 3)
    i = _columns(intakes, 2)
    return Timeline(
        clock=clock,
        first=first,
        last=last,
        dose_time=_seconds(d[0]),
        dose_grams=_floats(d[1]),
        dose_mg_mitragynine=_floats(d[2]),
        dose_product=np.array(d[3], dtype=np.int64),
        checkin_time=_seconds(c[0]),
        anxiety=_floats(c[1]),
        mood=_floats(c[2]),
        sleep_hours=_floats(c[3]),
        sleep_quality=_floats(c[4]),
        symptoms=tuple(frozenset(s or ()) for s in c[5]),
        practice_time=_seconds(p[0]),
        practice_kind=tuple(p[1]),
        practice_minutes=_floats(p[2]),
        intake_time=_seconds(i[0]),
        intake_substance=np.array(i[1], dtype=np.int64),
    )
