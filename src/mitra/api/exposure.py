"""API: the person's estimated mitragynine curve (the Today page's, over a chosen span)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError

from mitra.reads.exposure import ExposureRead, ExposureRefused, recent_exposure

from .documents import respond
from .people import person_of
from .writes import PROBLEMS

router = Router(tags=["exposure"])


@router.get(
    "",
    response={200: ExposureRead, 409: PROBLEMS[409], 422: PROBLEMS[422]},
    summary="Estimated mitragynine over the last `hours` hours (at most a year) and, projected "
    "if no dose is added, the next `ahead_hours` (0-72), in nmol/L and against the 7-day average",
)
def get_exposure(request: HttpRequest, hours: float = 72, ahead_hours: float = 24) -> HttpResponse:
    try:
        read = recent_exposure(person_of(request), hours=hours, ahead_hours=ahead_hours)
    except ExposureRefused as exc:
        field = "ahead_hours" if "ahead" in str(exc) else "hours"
        raise HttpError(422, f"{field}: {exc}") from None
    return respond(read, ExposureRead)
