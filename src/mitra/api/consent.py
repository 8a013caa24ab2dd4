"""API: research consent, as `mitra consent --json` prints it; give, change or withdraw it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router

from mitra.journal.consent import grant_consent, withdraw_consent
from mitra.reads.consent import ConsentRead, consent_read
from mitra.vocabulary import RESEARCH_DATA_KINDS

from .documents import respond
from .people import person_of
from .writes import PROBLEMS, WRITE_PROBLEMS, Body, NoBody, require_json

router = Router(tags=["consent"])
_ACTOR = "person (api)"


class ConsentBody(Body):
    kinds: list[str] = Field(
        ...,
        min_length=1,
        max_length=len(RESEARCH_DATA_KINDS),
        description="Kinds of data to share: " + ", ".join(RESEARCH_DATA_KINDS),
    )


@router.get(
    "", response={200: ConsentRead, **PROBLEMS}, summary="Your research consent and its history"
)
def get_consent(request: HttpRequest) -> HttpResponse:
    return respond(consent_read(person_of(request)), ConsentRead)


@router.put(
    "",
    response={200: ConsentRead, **WRITE_PROBLEMS},
    summary="Take part in research with exactly these kinds of data (replaces an earlier choice)",
)
def put_consent(request: HttpRequest, body: ConsentBody) -> HttpResponse:
    require_json(request)
    person = person_of(request)
    grant_consent(person, body.kinds, actor=_ACTOR)  # EntryInvalid (422) for an unknown kind
    return respond(consent_read(person), ConsentRead)


@router.delete(
    "",
    response={200: ConsentRead, **WRITE_PROBLEMS},
    summary="Withdraw: exports made from now on leave your journal out",
)
def delete_consent(request: HttpRequest, nothing: NoBody | None = None) -> HttpResponse:
    person = person_of(request)
    withdraw_consent(person, actor=_ACTOR)
    return respond(consent_read(person), ConsentRead)
