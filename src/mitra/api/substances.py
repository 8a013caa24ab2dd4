"""API: the person's substances with their interactions with kratom, and adding one."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router

from mitra.journal import services
from mitra.reads import substances as substance_reads
from mitra.reads.substances import Substances, SubstanceView

from .documents import respond
from .pages import Cursor, Limit, paged
from .people import person_of
from .writes import ONE_LINE, PROBLEMS, WRITE_PROBLEMS, Body, Token, change, create

router = Router(tags=["substances"])


class SubstanceFields(Body):
    name: str = Field(
        ...,
        min_length=1,
        max_length=120,
        pattern=ONE_LINE,
        description="A generic or brand name, e.g. sertraline",
    )
    dose_text: str = Field("", max_length=120, pattern=ONE_LINE)
    active: bool = True
    confirm: bool = Field(
        False,
        description="List a name mitra does not know but that is close to one it does "
        '("xanx" for Xanax) as it is, its interactions unchecked: without it such a name is '
        "refused, 422 with code unrecognised_substance, naming what it is close to.",
    )


class SubstanceBody(SubstanceFields):
    token: Token = None


class SubstanceChange(SubstanceFields):
    """A substance's new content in full: a field left out takes its default."""


@router.get(
    "",
    response={200: Substances, **PROBLEMS},
    summary="The person's substances (a page at a time), interactions with kratom, recent uses",
)
def list_substances(request: HttpRequest, limit: Limit = 50, cursor: Cursor = None) -> HttpResponse:
    person = person_of(request)
    return respond(paged(lambda: substance_reads.substances(person, cursor, limit=limit)))


@router.post(
    "",
    response={200: SubstanceView, 201: SubstanceView, **WRITE_PROBLEMS},
    summary="Add a medication or other substance",
)
def add_substance(request: HttpRequest, payload: SubstanceBody) -> HttpResponse:
    return create(
        request,
        services.add_substance,
        payload.dict(exclude={"token"}),
        payload.token,
        lambda person, row: substance_reads.substance(person, row.pk),
    )


@router.put(
    "/{substance_id}",
    response={200: SubstanceView, **WRITE_PROBLEMS},
    summary="Change a medication or other substance: the body is its new content in full",
)
def change_substance(
    request: HttpRequest, substance_id: int, payload: SubstanceChange
) -> HttpResponse:
    return change(
        request,
        services.edit_substance,
        substance_id,
        payload.dict(),
        lambda person, row: substance_reads.substance(person, row.pk),
    )
