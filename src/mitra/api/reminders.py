"""API: the coming reminders, as `mitra reminders --json` prints them."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

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
def get_reminders(
    request: HttpRequest,
    days: Annotated[int, Query(ge=1, le=366, description="Days ahead to list (1-366)")] = 14,
) -> HttpResponse:
    # Out of bounds is a 422 problem, as `mitra reminders --days` refuses it: never clamped.
    return respond(upcoming_reminders(person_of(request), days=days), Reminders)
