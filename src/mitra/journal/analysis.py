"""The insights engine over a person's whole journal (Insights page, `mitra insights`)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Min

from mitra.insights import Report, analyse

from .models import CheckIn, Dose, Person, Response
from .timeline_builder import build_timeline, clock_of


def insights_report(person: Person) -> Report:
    """Insights from the first entry to today, with the GAD-7 history."""
    clock = clock_of(person)
    today = clock.today()
    starts = [
        model.objects.filter(person=person, deleted_at__isnull=True).aggregate(first=Min(field))[
            "first"
        ]
        for model, field in ((Dose, "taken_at"), (CheckIn, "at"))
    ]
    known = [s for s in starts if s is not None]
    first = clock.local_day(min(known)) if known else today - timedelta(days=1)
    responses = [
        {"instrument": r.instrument, "at": r.at, "answers": list(r.answers)}
        for r in Response.objects.filter(person=person, deleted_at__isnull=True).order_by("at")
    ]
    return analyse(build_timeline(person, first, today), responses=responses)
