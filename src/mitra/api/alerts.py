"""API: the journal's safety alerts, and reading one."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from mitra.journal import alerts as journal_alerts
from mitra.journal.errors import NotFound
from mitra.reads import alerts as alert_reads
from mitra.reads.alerts import AlertList, AlertView

from .documents import respond
from .pages import Cursor, Limit, paged
from .people import person_of
from .writes import PROBLEMS, WRITE_PROBLEMS, NoBody, require_json

router = Router(tags=["alerts"])


@router.get(
    "",
    response={200: AlertList, **PROBLEMS},
    summary="Open safety alerts (all=true: the whole history), most severe first, a page at a time",
)
def list_alerts(
    request: HttpRequest,
    include_read: Annotated[bool, Query(alias="all")] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> HttpResponse:
    person = person_of(request)
    return respond(
        paged(
            lambda: alert_reads.alerts(
                person, include_read=include_read, cursor=cursor, limit=limit
            )
        )
    )


@router.post(
    "/{alert_id}/acknowledge",
    response={200: AlertView, **WRITE_PROBLEMS},
    summary="Mark an alert as read: it leaves the banner and stays in the history",
)
def acknowledge_alert(
    request: HttpRequest, alert_id: int, nothing: NoBody | None = None
) -> HttpResponse:
    # JSON only, like every write: a form on another web page must not clear a danger alert.
    require_json(request)
    person = person_of(request)
    journal_alerts.acknowledge_alert(person, alert_id)
    found = alert_reads.alert(person, alert_id)
    if found is None:  # deleted between the two calls
        raise NotFound(f"no alert {alert_id} in this journal")
    return respond(found)
