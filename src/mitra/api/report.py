"""API: the clinician's report over a period, as the report read (JSON) or as its PDF."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.errors import HttpError

from mitra.reads import report as report_reads
from mitra.reads.report import ReportPeriodInvalid, ReportRead

from .documents import respond
from .people import person_of
from .problems import problem

router = Router(tags=["report"])

PAPERS = ("a4", "us-letter")


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
    response={200: ReportRead},
    summary="The clinician's report over the last `days` (90) or `from`..`to`",
)
def get_report(
    request: HttpRequest,
    days: int | None = None,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    name: Annotated[str | None, Query(max_length=100)] = None,
) -> HttpResponse:
    found = _read(request, days, first, last, name)
    return found if isinstance(found, HttpResponse) else respond(found, ReportRead)


@router.get("/report.pdf", summary="The clinician's report as a tagged PDF")
def get_report_pdf(
    request: HttpRequest,
    *,
    days: int | None = None,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    name: Annotated[str | None, Query(max_length=100)] = None,
    paper: str = "a4",
) -> HttpResponse:
    if paper not in PAPERS:
        raise HttpError(422, f"paper: use {' or '.join(PAPERS)}")
    found = _read(request, days, first, last, name)
    if isinstance(found, HttpResponse):
        return found
    from mitra.reports.clinician import pdf

    filename = f"mitra-report-{found.first}-to-{found.last}.pdf"
    return HttpResponse(
        pdf(found, paper=paper),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
