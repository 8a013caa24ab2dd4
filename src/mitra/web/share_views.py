"""Sharing the report by link: the Sharing page (links, and who looked) and the shared report."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mitra.accounts import sharing
from mitra.journal.errors import EntryInvalid, NotFound
from mitra.journal.schemas import CONTROL

from .form_words import InMitrasWords
from .views import current_person

SHARED_DAYS = 90  # the report a link opens covers the last 90 days, as the Report page's default


def _days(label: str, initial: int) -> forms.IntegerField:
    """How long a link or grant lasts: any number outside 1 to MAX_DAYS (or none) is refused
    in the services' words, not Django's "Ensure this value is greater than or equal to 1"."""
    said = f"{label} must be 1 to {sharing.MAX_DAYS} days."
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=sharing.MAX_DAYS,
        initial=initial,
        help_text=f"1 to {sharing.MAX_DAYS} days; you can revoke it sooner.",
        error_messages=dict.fromkeys(("required", "invalid", "min_value", "max_value"), said),
    )


class ShareForm(InMitrasWords, forms.Form):
    label = forms.CharField(
        label="Who it is for",
        max_length=sharing.LABEL_MAX,
        help_text="For your own list, for example: Dr Lee.",
        error_messages=dict.fromkeys(
            ("required", "max_length"),
            f"Who it is for must be 1 to {sharing.LABEL_MAX} characters.",
        ),
    )
    days = _days("Works for (days)", 14)


class GrantForm(InMitrasWords, forms.Form):
    clinician = forms.CharField(
        label="Your clinician's account name",
        max_length=150,
        help_text="The name their mitra account signs in with.",
        error_messages={
            "required": "Your clinician's account name is needed: the name their mitra "
            "account signs in with.",
            "max_length": "Your clinician's account name is not the name of a clinician's "
            "account here.",
        },
    )
    scope = forms.ChoiceField(
        label="They may read",
        choices=[("report", "My report"), ("report-and-data", "My report and my journal's data")],
        initial="report",
        widget=forms.RadioSelect,
        error_messages=dict.fromkeys(
            ("required", "invalid_choice"),
            "Choose what they may read: your report, or your report and your journal's data.",
        ),
    )
    days = _days("For (days)", 30)


def _context(person: Any, **extra: Any) -> dict[str, Any]:
    return {
        "form": ShareForm(),
        "grant_form": GrantForm(),
        "links": sharing.list_share_links(person),
        "grants": sharing.grants_given(person),
        "events": sharing.audit_events(person),
        **extra,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def grant_add(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    if request.method != "POST":
        return redirect("sharing")
    form = GrantForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        try:
            sharing.add_grant(person, c["clinician"], c["scope"], c["days"])
        except EntryInvalid as exc:
            for field, message in exc.errors.items():
                form.add_error(field, f"{form.fields[field].label} {message}.")
        else:
            messages.success(request, f"{c['clinician']} may now read what you chose.")
            return redirect("sharing")
    return render(request, "web/sharing.html", _context(person, grant_form=form), status=400)


@require_POST
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    try:
        sharing.revoke_grant(current_person(request), grant_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, "Revoked: your clinician can no longer read your journal.")
    return redirect("sharing")


@require_http_methods(["GET", "HEAD", "POST"])
def sharing_page(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    form = ShareForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            made = sharing.add_share_link(
                person, form.cleaned_data["label"], form.cleaned_data["days"]
            )
        except EntryInvalid as exc:
            for field, message in exc.errors.items():
                form.add_error(field, f"{form.fields[field].label} {message}.")
        else:
            form = ShareForm()
    context = _context(person, form=form, made=made)
    if made is not None:
        context["made_url"] = request.build_absolute_uri(
            reverse("shared_report", args=[made.secret])
        )
    response = render(request, "web/sharing.html", context, status=400 if form.errors else 200)
    if made is not None:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
def share_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    try:
        sharing.revoke_share_link(current_person(request), link_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, "The link is revoked: it no longer opens your report.")
    return redirect("sharing")


@require_safe
def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    """The report a live share link opens, for someone without an account (audited)."""
    from mitra.reads import report as report_reads
    from mitra.reports.clinician import charts, sections

    person = sharing.open_share_link(token, request.META.get("REMOTE_ADDR", ""))
    if person is None:
        return _gone(request, clinician=False)
    read = report_reads.report(person, days=SHARED_DAYS)
    link = next(s for s in sharing.list_share_links(person) if token.startswith(s.prefix))
    response = render(
        request,
        "web/shared_report.html",
        {
            "doc": sections(read),
            "charts": charts(read),
            "expires": link.expires_at,
            "zone": link.time_zone,
            # A link names its person only by a name they chose to show: whoever holds the link
            # need not learn the name their account signs in with.
            "named": bool(read.name),
            "token": token,
        },
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def shared_report_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF of the report a live share link opens: the one its person downloads from their
    Report page, over the period the link shows (audited)."""
    from mitra.reads import report as report_reads

    person = sharing.open_share_link(token, request.META.get("REMOTE_ADDR", ""), "report (PDF)")
    if person is None:
        return _gone(request, clinician=False)
    response = _pdf(report_reads.report(person, days=SHARED_DAYS), person.time_zone)
    response["X-Robots-Tag"] = "noindex"
    return response


def _pdf(read: Any, time_zone: str) -> HttpResponse:
    """The report as its person's Report page downloads it (on the paper of where they live,
    as that page starts with), named after its person when the report shows a name, and kept
    by no cache on the way."""
    from mitra.reports.clinician import paper_for_zone, pdf

    who = f"{_file_part(read.name)}-" if read.name else ""
    filename = f"mitra-report-{who}{read.first}-to-{read.last}.pdf"
    return HttpResponse(
        pdf(read, paper=paper_for_zone(time_zone)),
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _report_only(request: HttpRequest) -> HttpResponse:
    """404 for the data of a live grant of the report alone, said as such to its clinician
    (the grant is hers: nothing is told that she does not know)."""
    response = render(request, "web/share_report_only.html", status=404)
    response["Cache-Control"] = "no-store"
    return response


def _gone(request: HttpRequest, *, clinician: bool) -> HttpResponse:
    """404 for a share that no longer opens, said as such (not "nothing at this address", with
    a way back to a Today the reader does not have).

    One answer, whatever the reason: a link revoked, expired or never made, a grant revoked,
    expired or another clinician's. Told apart, they would let anyone holding an address learn
    that it once opened a report, and a clinician learn which grant numbers exist.
    """
    response = render(request, "web/share_gone.html", {"clinician": clinician}, status=404)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- a clinician's view of what was shared with them ---------------------------------------


def _clinician(request: HttpRequest) -> Any:
    account = getattr(request, "account", None)
    if account is None or account.role != "clinician":
        raise Http404
    return account


@require_safe
def shared_with_me(request: HttpRequest) -> HttpResponse:
    """The persons who shared with this clinician, each with their report."""
    grants = sharing.grants_held(_clinician(request))
    return render(request, "web/shared_with_me.html", {"grants": grants})


@require_safe
def shared_with_me_report(request: HttpRequest, grant_id: int) -> HttpResponse:
    """A person's report, read through their grant (audited)."""
    from mitra.reports.clinician import charts, sections

    clinician = _clinician(request)
    person = sharing.open_grant(clinician, grant_id, "report", request.META.get("REMOTE_ADDR", ""))
    if person is None:
        return _gone(request, clinician=True)
    grant = next(g for g in sharing.grants_held(clinician) if g.id == grant_id)
    read = _granted_report(person, grant)
    response = render(
        request,
        "web/shared_report.html",
        {
            "doc": sections(read),
            "charts": charts(read),
            "expires": grant.expires_at,
            "zone": grant.time_zone,
            "grant": grant,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _granted_report(person: Any, grant: sharing.GrantRow) -> Any:
    """The report a grant shares, named as the clinician's list names its person (their
    account's name, unless the journal has a name of its own)."""
    from mitra.reads import report as report_reads

    # A name stored before control characters were refused is shown without them: the report
    # refuses a typed name that holds one, which would stop this page for the clinician.
    name = re.sub(f"[{CONTROL}]", "", grant.person_name)
    return report_reads.report(person, days=SHARED_DAYS, name=name[: report_reads.NAME_MAX])


@require_safe
def shared_with_me_pdf(request: HttpRequest, grant_id: int) -> HttpResponse:
    """A person's report as a PDF, for a grant of the report or of report and data (audited)."""
    clinician = _clinician(request)
    held = {g.id: g for g in sharing.grants_held(clinician)}
    if grant_id not in held:
        return _gone(request, clinician=True)
    person = sharing.open_grant(
        clinician, grant_id, "report (PDF)", request.META.get("REMOTE_ADDR", "")
    )
    if person is None:
        return _gone(request, clinician=True)
    return _pdf(_granted_report(person, held[grant_id]), person.time_zone)


@require_safe
def shared_with_me_csv(request: HttpRequest, grant_id: int) -> HttpResponse:
    """The whole journal as CSV, for a grant of report and data (audited)."""
    from mitra.interop.csv_export import export_csv_zip

    clinician = _clinician(request)
    held = {g.id: g for g in sharing.grants_held(clinician)}
    if grant_id not in held:
        return _gone(request, clinician=True)
    if held[grant_id].scope != "report-and-data":
        return _report_only(request)  # a live grant of the report alone: no data shared
    person = sharing.open_grant(
        clinician, grant_id, "journal data (CSV)", request.META.get("REMOTE_ADDR", "")
    )
    if person is None:
        return _gone(request, clinician=True)
    grant = held[grant_id]
    today = timezone.localdate(timezone=ZoneInfo(grant.time_zone))
    filename = f"mitra-journal-csv-{_file_part(grant.person_name)}-{today.isoformat()}.zip"
    return HttpResponse(
        export_csv_zip(person),
        content_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _file_part(name: str) -> str:
    """A person's shown name as part of a file's name: so a clinician's downloads from several
    persons do not overwrite each other. ASCII letters, digits and hyphens only (accents
    dropped, anything else a hyphen), never empty, at most 40 characters."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    part = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")[:40].strip("-")
    return part or "person"


#: How the Trends page names each period it offers (complete weeks).
_PERIOD_NAMES = {13: "3 months", 26: "6 months", 52: "12 months"}


@require_safe
def shared_with_me_trends(request: HttpRequest, grant_id: int) -> HttpResponse:
    """A person's trends, for a grant of report and data (audited).

    A report-only grant has no trends page: the report already shows the questionnaire totals
    with their bands and the weekly dose; weekly check-ins, the taper day by day and the plan's
    adherence are the journal's data, which that grant does not share.
    """
    from mitra.reads.trends import TREND_PERIODS, TREND_WEEKS, trends
    from mitra.reports.trends import charts, words

    clinician = _clinician(request)
    held = {g.id: g for g in sharing.grants_held(clinician)}
    if grant_id not in held:
        return _gone(request, clinician=True)
    if held[grant_id].scope != "report-and-data":
        return _report_only(request)  # a live grant of the report alone: no data shared
    # The period by its link (?weeks=13, 26 or 52); any other value is the default half year.
    asked = request.GET.get("weeks", "")
    weeks = int(asked) if asked in {str(w) for w in TREND_PERIODS} else TREND_WEEKS
    # The audit says which period was seen: a year of data is not three months of it.
    person = sharing.open_grant(
        clinician,
        grant_id,
        f"trends, last {_PERIOD_NAMES[weeks]}",
        request.META.get("REMOTE_ADDR", ""),
    )
    if person is None:
        return _gone(request, clinician=True)
    read = trends(person, weeks=weeks)
    periods = [(w, _PERIOD_NAMES[w], w == weeks) for w in TREND_PERIODS]
    response = render(
        request,
        "web/shared_trends.html",
        {
            "read": read,
            "doc": words(read),
            "charts": charts(read),
            "grant": held[grant_id],
            "periods": periods,
        },
    )
    response["Cache-Control"] = "no-store"
    return response
