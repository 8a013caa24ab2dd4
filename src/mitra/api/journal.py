"""API: Today, the journal's entries, and logging doses, check-ins, practices and intakes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from mitra.journal import services
from mitra.journal.schemas import (
    MAX_DOSE_GRAMS,
    Anxiety,
    CaffeineCups,
    DoseAmount,
    IntakeAmount,
    Minutes,
    Rating,
    SleepHours,
)
from mitra.reads import journal as journal_reads
from mitra.reads import today as today_reads
from mitra.reads.journal import DoseValues, EntryView, JournalPage, RecentlyDeleted
from mitra.reads.products import product
from mitra.reads.today import Today
from mitra.vocabulary import DOSE_UNITS, PRACTICE_KINDS

from .documents import respond
from .people import person_of
from .writes import (
    LINES,
    ONE_LINE,
    PROBLEMS,
    WRITE_PROBLEMS,
    At,
    Body,
    NoBody,
    Token,
    When,
    change,
    create,
    require_json,
)

router = Router(tags=["journal"])

Note = Annotated[str, Field("", max_length=2000, pattern=LINES)]
# Numbers take the journal's own types (mitra.journal.schemas), bounds and checks alike, so the
# document states the bounds the server holds to, written once.


class DoseFields(Body):
    product_id: int
    amount: DoseAmount = Field(
        ...,
        description=f"In the unit; at most {MAX_DOSE_GRAMS:g} g of leaf once converted (more is "
        "refused as a slip of the amount or the unit)",
    )
    unit: str | None = Field(
        None,
        min_length=1,
        max_length=16,
        description="g, mg or the product's unit (default)",
        json_schema_extra={"enum": [*DOSE_UNITS, None]},
    )
    note: Note = ""
    confirm: bool = Field(
        False,
        description="Save a leaf dose, or a day's total, at or above the highest dose band, "
        "or a leaf dose far below the lowest (most likely a slip of unit): without it such a "
        "dose is refused, 422 with code implausible_amount, implausible_day_total or "
        "implausibly_small_amount.",
    )


class DoseBody(DoseFields):
    taken_at: When = None
    token: Token = None


class DoseChange(DoseFields):
    """A dose's new content in full: a field left out takes its default, as when logging, but
    a unit left out keeps the dose's own (for the same product)."""

    taken_at: At


class PracticeBody(Body):
    kind: str = Field(
        ...,
        min_length=1,
        max_length=24,
        description=", ".join(PRACTICE_KINDS),
        json_schema_extra={"enum": list(PRACTICE_KINDS)},
    )
    minutes: Minutes


class CheckInFields(Body):
    anxiety: Anxiety
    mood: Rating | None = None
    sleep_hours: SleepHours = None
    sleep_quality: Rating | None = None
    symptoms: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=50
    )
    practices: list[PracticeBody] = Field(default_factory=list, max_length=20)
    note: Note = ""
    regular_meals: bool | None = Field(None, description="Regular meals today (yes or no)")
    caffeine_cups: CaffeineCups = Field(
        None, description="Cups of caffeinated drinks today (kept to one decimal)"
    )


class CheckInBody(CheckInFields):
    at: When = None
    token: Token = None


class CheckInChange(CheckInFields):
    """A check-in's new content in full, its practices included (they replace the old ones)."""

    at: At


class PracticeLogBody(PracticeBody):
    at: When = None
    token: Token = None


class IntakeFields(Body):
    substance_id: int
    amount: IntakeAmount = None
    unit: str = Field("", max_length=24, pattern=ONE_LINE)
    note: Note = ""


class IntakeBody(IntakeFields):
    taken_at: When = None
    token: Token = None


class IntakeChange(IntakeFields):
    """An intake's new content in full."""

    taken_at: At


def _data(body: Schema, *, when: str) -> dict[str, Any]:
    data = body.dict(exclude={"token"})
    data[when] = data[when] or timezone.now()
    return data


def _read(kind: str) -> Callable[[Any, Any], EntryView]:
    return lambda person, row: journal_reads.entry_read(person, kind, row)


@router.get(
    "/today",
    response={200: Today, **PROBLEMS},
    summary="Today: entries, totals, chart, what is due, exposure",
)
def get_today(request: HttpRequest) -> HttpResponse:
    return respond(today_reads.today(person_of(request)))


@router.get(
    "/entries",
    response={200: JournalPage, **PROBLEMS},
    summary="Journal entries of every kind (or of some: ?kind=dose,response), newest first, a page "
    "at a time",
)
def list_entries(
    request: HttpRequest,
    limit: Annotated[int, Query(ge=1, le=journal_reads.MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Kinds to show, comma-separated: " + ", ".join(journal_reads.ENTRY_KINDS),
        ),
    ] = None,
) -> HttpResponse:
    person = person_of(request)
    try:
        kinds = journal_reads.entry_kinds(kind)
    except journal_reads.KindsInvalid as exc:
        raise HttpError(422, f"kind {exc}") from None
    try:
        page = journal_reads.journal_page(person, cursor, limit=limit, kinds=kinds)
    except journal_reads.CursorInvalid as exc:
        raise HttpError(422, f"cursor {exc}") from None
    return respond(page)


@router.get(
    "/entries/deleted",
    response={200: RecentlyDeleted, **PROBLEMS},
    summary="The entries deleted in the last 30 days, the latest first, each to be restored",
)
def list_deleted_entries(request: HttpRequest) -> HttpResponse:
    return respond(journal_reads.recently_deleted(person_of(request)))


@router.post(
    "/doses",
    response={200: EntryView, 201: EntryView, **WRITE_PROBLEMS},
    summary="Log a kratom dose",
)
def log_dose(request: HttpRequest, payload: DoseBody) -> HttpResponse:
    data = _in_its_unit(request, _data(payload, when="taken_at"))
    return create(request, services.log_dose, data, payload.token, _read("dose"))


def _in_its_unit(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """A dose is counted in its product's own unit unless the body says otherwise."""
    if data["unit"] is None:
        found = product(person_of(request), data["product_id"])
        data["unit"] = found.unit if found is not None else "g"
    return data


@router.put(
    "/doses/{dose_id}",
    response={200: EntryView, **WRITE_PROBLEMS},
    summary="Change a dose: the body is its new content in full",
)
def change_dose(request: HttpRequest, dose_id: int, payload: DoseChange) -> HttpResponse:
    data = payload.dict()
    if data["unit"] is None:
        # A unit left out keeps the dose's own (its product may be off the list by now, and a
        # dose logged in g of a capsule product stays in g); a new product's unit otherwise.
        held = journal_reads.entry_values(person_of(request), "dose", dose_id)
        if isinstance(held, DoseValues) and held.product.id == data["product_id"]:
            data["unit"] = held.unit
    data = _in_its_unit(request, data)
    return change(request, services.edit_dose, dose_id, data, _read("dose"))


@router.post(
    "/checkins",
    response={200: EntryView, 201: EntryView, **WRITE_PROBLEMS},
    summary="Log a check-in with its practices",
)
def add_checkin(request: HttpRequest, payload: CheckInBody) -> HttpResponse:
    return create(
        request,
        services.add_checkin,
        _data(payload, when="at"),
        payload.token,
        _read("checkin"),
    )


@router.put(
    "/checkins/{checkin_id}",
    response={200: EntryView, **WRITE_PROBLEMS},
    summary="Change a check-in: the body is its new content in full, practices included",
)
def change_checkin(request: HttpRequest, checkin_id: int, payload: CheckInChange) -> HttpResponse:
    return change(request, services.edit_checkin, checkin_id, payload.dict(), _read("checkin"))


@router.post(
    "/practices",
    response={200: EntryView, 201: EntryView, **WRITE_PROBLEMS},
    summary="Log a practice on its own",
)
def log_practice(request: HttpRequest, payload: PracticeLogBody) -> HttpResponse:
    return create(
        request,
        services.log_practice,
        _data(payload, when="at"),
        payload.token,
        _read("practice"),
    )


@router.post(
    "/intakes",
    response={200: EntryView, 201: EntryView, **WRITE_PROBLEMS},
    summary="Log a use of a substance",
)
def log_intake(request: HttpRequest, payload: IntakeBody) -> HttpResponse:
    return create(
        request,
        services.log_intake,
        _data(payload, when="taken_at"),
        payload.token,
        _read("intake"),
    )


@router.put(
    "/intakes/{intake_id}",
    response={200: EntryView, **WRITE_PROBLEMS},
    summary="Change a use of a substance: the body is its new content in full",
)
def change_intake(request: HttpRequest, intake_id: int, payload: IntakeChange) -> HttpResponse:
    return change(request, services.edit_intake, intake_id, payload.dict(), _read("intake"))


_KINDS = ", ".join(services.DELETABLE_KINDS)


@router.delete(
    "/entries/{kind}/{entry_id}",
    response={200: EntryView, **WRITE_PROBLEMS},
    summary=f"Delete one entry ({_KINDS}); the answer is its journal line, and restore undoes it",
)
def delete_entry(
    request: HttpRequest, kind: str, entry_id: int, nothing: NoBody | None = None
) -> HttpResponse:
    person = person_of(request)
    row = services.delete_entry(person, kind, entry_id)  # NotFound: a 404 problem
    return respond(journal_reads.entry_read(person, kind, row), EntryView)


@router.post(
    "/entries/{kind}/{entry_id}/delete",
    response={200: EntryView, **WRITE_PROBLEMS},
    summary="Delete one entry (for clients that cannot send DELETE)",
)
def post_delete_entry(
    request: HttpRequest, kind: str, entry_id: int, nothing: NoBody | None = None
) -> HttpResponse:
    # JSON only, like every write: a form on another web page must not change the journal.
    require_json(request)
    return delete_entry(request, kind, entry_id)


@router.post(
    "/entries/{kind}/{entry_id}/restore",
    response={200: EntryView, **WRITE_PROBLEMS},
    summary="Undo the deletion of one entry",
)
def restore_entry(
    request: HttpRequest, kind: str, entry_id: int, nothing: NoBody | None = None
) -> HttpResponse:
    require_json(request)
    person = person_of(request)
    row = services.restore_entry(person, kind, entry_id)  # NotFound: a 404 problem
    return respond(journal_reads.entry_read(person, kind, row), EntryView)
