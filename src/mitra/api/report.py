"""API: the clinician's report over a period, as the report read (the web serves the PDF)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from mitra.reads import report as report_reads
from mitra.reads.report import NAME_MAX, ReportPeriodInvalid, ReportRead

from .documents import respond
from .people import person_of
from .problems import problem
from .writes import PROBLEMS, Day

router = Router(tags=["report"])


def _read(
    request: HttpRequest, days: int | None, first: date | None, last: date | None, name: str | None
) -> ReportRead | HttpResponse:
    if last is not None and first is None:
        return problem(422, "to: needs from (or use days).", errors={"to": "needs from"})
    try:
        return report_reads.report(person_of(request), days=days, first=first, last=last, name=name)
    except ReportPeriodInvalid as exc:
        return problem(422, f"{exc.field}: {exc.message}", errors={exc.field: exc.message})


@router.get(
    "/report",
    response={200: ReportRead, **PROBLEMS},
    summary="The clinician's report over the last `days` (90) or `from`..`to`",
)
def get_report(
    request: HttpRequest,
    days: int | None = None,
    first: Annotated[Day, Query(alias="from")] = None,
    last: Annotated[Day, Query(alias="to")] = None,
    name: Annotated[str | None, Query(max_length=NAME_MAX)] = None,
) -> HttpResponse:
    found = _read(request, days, first, last, name)
    return found if isinstance(found, HttpResponse) else respond(found, ReportRead)
