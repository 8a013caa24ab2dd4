"""The Report page: a period form, a preview of the clinician's report, the PDF and CSV export."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from mitra.reads import report as report_reads
from mitra.reads.report import EARLIEST_DAY, MAX_DAYS, NAME_MAX, ReportPeriodInvalid, ReportRead
from mitra.reports.clinician import PAPERS, charts, paper_for_zone, pdf, sections

from .form_words import InMitrasWords
from .views import current_person


class ReportForm(InMitrasWords, forms.Form):
    """The period (last N days, or from..to), the name to show, and the paper size."""

    days = forms.IntegerField(
        label="Last days",
        min_value=1,
        max_value=MAX_DAYS,
        required=False,
        help_text=f"1 to {MAX_DAYS} days, ending today. Leave empty to choose dates instead.",
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"), f"Last days must be 1 to {MAX_DAYS} days."
        ),
    )
    first = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": EARLIEST_DAY.isoformat()}),
        help_text="First day of the period (with From, Last days is ignored).",
    )
    last = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": EARLIEST_DAY.isoformat()}),
        help_text="Last day of the period; empty means today.",
    )
    name = forms.CharField(
        label="Name on the report",
        max_length=NAME_MAX,
        required=False,
        help_text="As you want your clinician to see it; left empty, the report shows no name.",
        # In the read's own words (as the CLI and the API say it), not Django's "Ensure this
        # value has at most 100 characters (it has 3000)".
        error_messages={
            "max_length": "Name on the report is %(show_value)s characters; "
            "use at most %(limit_value)s."
        },
    )
    paper = forms.ChoiceField(
        label="Paper", choices=[("a4", "A4"), ("us-letter", "US Letter")], required=False,
    )  # fmt: skip


def _read(request: HttpRequest) -> tuple[ReportForm, ReportRead | None]:
    data = request.GET if request.GET else None
    paper = paper_for_zone(current_person(request).time_zone)
    form = ReportForm(data, initial={"days": 90, "paper": paper})
    if data is None:
        return form, report_reads.report(current_person(request), days=90)
    if not form.is_valid():
        return form, None
    c: dict[str, Any] = form.cleaned_data
    first: date | None = c["first"]
    if c["last"] is not None and first is None:
        form.add_error("first", "Choose the first day too (or use Last days).")
        return form, None
    try:
        read = report_reads.report(
            current_person(request),
            days=None if first else (c["days"] or 90),
            first=first,
            last=c["last"] if first else None,
            name=c["name"] or None,
        )
    except ReportPeriodInvalid as exc:
        field = {"days": "days", "from": "first", "to": "last", "name": "name"}[exc.field]
        form.add_error(field, exc.message[0].upper() + exc.message[1:] + ".")
        return form, None
    return form, read


@require_safe
def report_page(request: HttpRequest) -> HttpResponse:
    form, read = _read(request)
    context = {
        "form": form,
        "doc": sections(read) if read else None,
        "charts": charts(read) if read else {},
        "query": request.GET.urlencode() or "days=90",
    }
    return render(request, "web/report.html", context, status=200 if read else 422)


@require_safe
def report_pdf(request: HttpRequest) -> HttpResponse:
    form, read = _read(request)
    if read is None:
        return render(
            request, "web/report.html", {"form": form, "doc": None, "charts": {}}, status=422
        )
    # The form's choice; else (a link without it, as the page's own) the person's paper.
    paper = form.cleaned_data.get("paper") if form.is_bound else None
    if paper not in PAPERS:
        paper = paper_for_zone(current_person(request).time_zone)
    filename = f"mitra-report-{read.first}-to-{read.last}.pdf"
    return HttpResponse(
        pdf(read, paper=paper),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@require_safe
def export_json(request: HttpRequest) -> HttpResponse:
    """The whole journal in mitra's own format (as `mitra export --format json`): the copy that
    mitra imports again, on this machine or another."""
    from mitra.interop.json_export import export_json as journal_json

    document = journal_json(current_person(request))
    return _download(_json_text(document), "application/json", "mitra-journal.json")


@require_safe
def export_fhir(request: HttpRequest) -> HttpResponse:
    """The whole journal as a FHIR R4 Bundle (as `mitra export --format fhir` and
    GET /api/v1/fhir): the standard a clinician's system reads, and mitra imports again."""
    from mitra.interop.fhir_export import export_fhir as journal_fhir

    document = journal_fhir(current_person(request))
    return _download(_json_text(document), "application/fhir+json", "mitra-journal-fhir.json")


def _json_text(document: Any) -> str:
    import json

    return json.dumps(document, indent=2) + "\n"


def _download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    """The whole journal as a file to keep: notes included, so kept by no cache on the way."""
    return HttpResponse(
        content,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    """The whole journal as CSV files in a zip (as `mitra export --format csv`)."""
    from mitra.interop.csv_export import export_csv_zip

    return _download(
        export_csv_zip(current_person(request)), "application/zip", "mitra-journal-csv.zip"
    )
