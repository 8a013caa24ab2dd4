"""API: the journal's settings (time zone, day boundary), as `mitra settings --json` prints them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router

from mitra.journal import services
from mitra.journal.schemas import BoundaryHour
from mitra.reads.settings import JournalSettings, journal_settings

from .documents import respond
from .people import maybe_person, person_of, signed_in
from .writes import ONE_LINE, PROBLEMS, WRITE_PROBLEMS, Body, require_json

router = Router(tags=["settings"])


class SettingsBody(Body):
    time_zone: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=ONE_LINE,
        description="IANA time zone, e.g. Europe/Berlin",
    )
    day_boundary_hour: BoundaryHour | None = Field(
        None, description="The hour (0-23) at which your day starts"
    )


@router.get(
    "", response={200: JournalSettings, **PROBLEMS}, summary="Your time zone and day boundary"
)
def get_settings(request: HttpRequest) -> HttpResponse:
    return respond(journal_settings(person_of(request)))


@router.put(
    "",
    response={200: JournalSettings, 201: JournalSettings, **WRITE_PROBLEMS},
    summary="Change your time zone or day boundary (a setting left out keeps its value)",
)
def put_settings(request: HttpRequest, body: SettingsBody) -> HttpResponse:
    """Change the settings; the first time zone given sets the journal up (201)."""
    require_json(request)
    given = body.model_dump(exclude_none=True)
    current = maybe_person(request)
    first = current is None
    if first and ("time_zone" not in given or signed_in(request)):
        # 409: a journal starts with its time zone; 404: an account without a journal.
        person_of(request)
    if not given:  # nothing to change: no new journal version, so no cache is dropped
        return respond(journal_settings(person_of(request)))
    # EntryInvalid (422) for a zone mitra does not know
    person = services.set_up_person(given, current)
    return respond(journal_settings(person), status=201 if first else 200)
