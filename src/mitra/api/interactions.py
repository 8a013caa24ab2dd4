"""API: interactions of kratom with named substances (no journal needed)."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.errors import HttpError

from mitra.reads import interactions as interaction_reads
from mitra.reads.interactions import MAX_NAME_LENGTH, MAX_NAMES, InteractionCheck

from .documents import respond
from .people import person_of
from .writes import PROBLEMS

router = Router(tags=["interactions"])


@router.get(
    "",
    response={200: InteractionCheck, **PROBLEMS},
    summary="Interactions of kratom with each named substance, with severity, evidence, sources",
)
def check_interactions(
    request: HttpRequest,
    name: Annotated[list[str], Query(min_length=1, max_length=MAX_NAMES)],
) -> HttpResponse:
    person_of(request)  # the same access as every read
    if any(not n.strip() for n in name):
        raise HttpError(422, "a substance name is empty; give a name such as sertraline or Xanax")
    if any(len(n) > MAX_NAME_LENGTH for n in name):
        raise HttpError(422, f"a substance name is at most {MAX_NAME_LENGTH} characters")
    return respond(interaction_reads.interactions(name))
