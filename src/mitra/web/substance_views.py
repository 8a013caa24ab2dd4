"""Substances: the person's medications and other substances, with kratom interactions."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mitra.journal import clock, services
from mitra.journal.errors import DuplicateSubmission, EntryInvalid, NotFound
from mitra.reads import substances as substance_reads
from mitra.reads.interactions import MAX_NAME_LENGTH, interactions
from mitra.reads.journal import entry_read

from .forms import DATETIME_FORMAT, IntakeForm, SubstanceForm
from .views import current_person, saved_redirect


def _intake_form(person: Any, data: Any = None) -> IntakeForm:
    now = timezone.now().astimezone(clock(person).zone).strftime(DATETIME_FORMAT)
    choices = substance_reads.substance_choices(person)
    return IntakeForm(data, substances=choices, initial={"taken_at": now})


@require_http_methods(["GET", "HEAD", "POST"])
def substances(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    form = SubstanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_substance(person, form.payload(), token=form.cleaned_data["token"])
        except DuplicateSubmission:
            return saved_redirect(request, "That substance was already added.", "substances")
        except EntryInvalid as exc:
            form.show_errors(exc)
        else:
            note = (
                ""
                if added.knowledge_id
                else " mitra does not recognise this name, so it cannot check it."
            )
            twice = substance_reads.also_listed(person, added.pk)
            note += f" {twice}" if twice else ""
            return saved_redirect(request, f"Added {added.name}.{note}", "substances")
    return _page(request, person, form=form)


def _page(
    request: HttpRequest,
    person: Any,
    *,
    form: SubstanceForm | None = None,
    intake_form: IntakeForm | None = None,
) -> HttpResponse:
    read = substance_reads.substances(person)
    context = {
        "form": form or SubstanceForm(),
        "intake_form": intake_form or _intake_form(person),
        "rows": read.substances,
        "findings": read.interactions,
        "intakes": read.recent_intakes,
    }
    bound = [f for f in (form, intake_form) if f is not None and f.errors]
    return render(request, "web/substances.html", context, status=422 if bound else 200)


@require_safe
def substance_check(request: HttpRequest) -> HttpResponse:
    """Live interaction check as the person types a name (htmx swaps the result in)."""
    current_person(request)
    name = request.GET.get("name", "").strip()
    if len(name) > MAX_NAME_LENGTH:
        # Refused before any matching: no known name is this long, and the page stays light.
        context = {"report": None, "too_long": MAX_NAME_LENGTH, "name": ""}
        return render(request, "web/_substance_check.html", context)
    report = interactions([name]).reports[0] if len(name) >= 2 else None
    return render(request, "web/_substance_check.html", {"report": report, "name": name})


@require_POST
def substance_delete(request: HttpRequest, substance_id: int) -> HttpResponse:
    person = current_person(request)
    try:
        removed = services.delete_substance(person, substance_id)
    except NotFound:
        raise Http404 from None
    return saved_redirect(request, f"Removed {removed.name} from your list.", "substances")


@require_POST
def intake_add(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    form = _intake_form(person, request.POST)
    if form.is_valid():
        try:
            saved = services.log_intake(
                person, form.payload(clock(person).zone), token=form.cleaned_data["token"]
            )
        except DuplicateSubmission:
            return saved_redirect(request, "That was already logged.", "substances")
        except EntryInvalid as exc:
            form.show_errors(exc)
        else:
            # What was stored, as the journal names it ("wine: 2 glasses"), as a dose says.
            title = entry_read(person, "intake", saved).title
            return saved_redirect(request, f"Logged {title}." + form.time_note, "substances")
    return _page(request, person, intake_form=form)
