"""API: a person deletes their journal and all their data (as Settings and `mitra delete` do)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Router, Schema

from mitra.accounts.services import delete_journal_and_account
from mitra.journal.erase import CONFIRMATION
from mitra.journal.errors import EntryInvalid
from mitra.reads import cache as read_cache

from .people import person_of
from .writes import WRITE_PROBLEMS, Body, require_json

router = Router(tags=["settings"])


class DeleteBody(Body):
    confirm: str = Field(..., max_length=20, description=f'Must be "{CONFIRMATION}"')


class Deleted(Schema):
    deleted: dict[str, int] = Field(..., description="Rows deleted, by table")


@router.post(
    "",
    response={200: Deleted, **WRITE_PROBLEMS},
    summary="Delete your journal and all its data (cannot be undone)",
)
def delete_everything(request: HttpRequest, body: DeleteBody) -> HttpResponse:
    require_json(request)
    person = person_of(request)
    if body.confirm.strip() != CONFIRMATION:
        raise EntryInvalid({"confirm": f'must be "{CONFIRMATION}" to delete the journal'})
    counts = delete_journal_and_account(person)
    read_cache.clear()
    return JsonResponse({"deleted": counts})
