"""API: the coming reminders, as `mitra reminders --json` prints them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from mitra.reads.reminders import Reminders, upcoming_reminders

from .documents import respond
from .people import person_of
from .writes import PROBLEMS

router = Router(tags=["reminders"])


@router.get(
    "",
    response={200: Reminders, **PROBLEMS},
    summary="The daily check-in, GAD-7 due and taper step",
)
def get_reminders(request: HttpRequest, days: int = 14) -> HttpResponse:
    return respond(upcoming_reminders(person_of(request), days=min(max(days, 1), 366)), Reminders)
