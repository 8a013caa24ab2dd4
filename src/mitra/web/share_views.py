"""Sharing the report by link: the Sharing page (links, and who looked) and the shared report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mitra.accounts import sharing
from mitra.journal.errors import EntryInvalid, NotFound

from .views import current_person

SHARED_DAYS = 90  # the report a link opens covers the last 90 days, as the Report page's default


class ShareForm(forms.Form):
    label = forms.CharField(
        label="Who it is for",
        max_length=sharing.LABEL_MAX,
        help_text="For your own list, for example: Dr Lee.",
    )
    days = forms.IntegerField(
        label="Works for (days)",
        min_value=1,
        max_value=sharing.MAX_DAYS,
        initial=14,
        help_text=f"1 to {sharing.MAX_DAYS} days; you can revoke it sooner.",
    )


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
    context: dict[str, Any] = {
        "form": form,
        "made": made,
        "links": sharing.list_share_links(person),
        "events": sharing.audit_events(person),
    }
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
        raise Http404("This link has expired, was revoked, or never existed.")
    read = report_reads.report(person, days=SHARED_DAYS)
    link = next(s for s in sharing.list_share_links(person) if token.startswith(s.prefix))
    response = render(
        request,
        "web/shared_report.html",
        {"doc": sections(read), "charts": charts(read), "expires": link.expires_at},
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
