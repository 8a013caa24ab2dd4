"""The Research page: for an admin, who takes part in research, and the cohort's figures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from mitra.reads.consent import consent_counts_read
from mitra.vocabulary import RESEARCH_DATA_KINDS


def _admin(request: HttpRequest) -> Any:
    account = getattr(request, "account", None)
    if account is None or account.role != "admin":
        raise Http404
    return account


def _report_of_a_new_export() -> Any:
    """Export the consenting persons (de-identified) into the data folder, then report on it."""
    from mitra.cohort.export import export_cohort
    from mitra.cohort.keys import read_secret
    from mitra.cohort.report import cohort_report
    from mitra.settings import private_data_dir

    folder = private_data_dir() / "cohort" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    secret = read_secret(private_data_dir() / "cohort_secret", create=True)
    export_cohort(Path(folder), secret)
    return cohort_report(Path(folder), "duckdb"), folder


@require_http_methods(["GET", "HEAD", "POST"])
def research(request: HttpRequest) -> HttpResponse:
    """Consent counts; on request, a fresh de-identified export and its report (DuckDB)."""
    _admin(request)
    counts = consent_counts_read()
    context: dict[str, Any] = {
        "counts": counts,
        "kinds": [
            (label, counts.per_kind.get(kind, 0)) for kind, label in RESEARCH_DATA_KINDS.items()
        ],
        "report": None,
        "folder": None,
    }
    if request.method == "POST":
        if counts.taking_part == 0:
            context["refusal"] = "Nobody takes part in research yet, so there is nothing to report."
            return render(request, "web/research.html", context, status=422)
        context["report"], context["folder"] = _report_of_a_new_export()
    return render(request, "web/research.html", context)
