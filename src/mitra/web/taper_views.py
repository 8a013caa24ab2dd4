"""The Taper page: plan and save a reduction, live it (hold, resume, back), and see adherence."""

from __future__ import annotations

from typing import Any, Literal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from mitra.journal import tapers
from mitra.journal.errors import DuplicateSubmission, EntryInvalid, TaperInProgress
from mitra.reads import taper as taper_reads
from mitra.reports.taper_chart import taper_chart
from mitra.taper import TaperError

from .forms import JournalForm
from .views import current_person

CHOICES: dict[str, str] = {
    "hold": "Step held: you stay at this allowance until you resume.",
    "resume": "Taper resumed: the next step comes after this one's remaining days.",
    "back": "Back one step: you stay there, held, until you resume.",
}


class TaperPlanForm(JournalForm):
    """What a taper asks for, typed as a person would ("8g", "120mg", "0"), with the form's
    replay token and, when a taper is in progress, the choice to replace it."""

    to = forms.CharField(
        label="Target amount per day",
        max_length=40,
        help_text='For example "0" to stop, or "2g".',
    )
    pace = forms.ChoiceField(label="Pace", widget=forms.RadioSelect)
    start_amount = forms.CharField(
        label="Starting amount per day (optional)",
        max_length=40,
        required=False,
        help_text=(
            "Leave empty to use your mean daily use over the last 14 days (at least 10 of "
            "them with an entry of any kind)."
        ),
    )
    starts = forms.DateField(
        label="First day (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to start today.",
    )
    replace = forms.BooleanField(
        label="Replace the taper in progress with this one",
        required=False,
        help_text="It ends today and is kept, with its holds and steps back, in your journal's "
        "history (every export lists it).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["pace"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(p.id, f"{p.label} (suits {p.suits})") for p in taper_reads.paces()]


def _render(
    request: HttpRequest,
    person: Any,
    form: TaperPlanForm | None = None,
    preview: taper_reads.TaperPreview | None = None,
    status: int = 200,
) -> HttpResponse:
    page = taper_reads.taper_page(person)
    chart = None
    if page.days:
        chart = taper_chart(
            [d.day for d in page.days],
            [d.allowance for d in page.days],
            [d.used for d in page.days],
            [d.sows for d in page.days],
            [d.anxiety for d in page.days],
            unit=page.status.unit or "g",
            days_over=page.days_over,
        )
    context = {
        "page": page,
        "taper": page.status,
        "chart": chart,
        "form": form or TaperPlanForm(initial={"pace": "10-per-month"}),
        "preview": preview,
    }
    return render(request, "web/taper.html", context, status=status)


@require_safe
def taper(request: HttpRequest) -> HttpResponse:
    return _render(request, current_person(request))


@require_POST
def taper_plan(request: HttpRequest) -> HttpResponse:
    """Preview a schedule, or save it ("save" button); errors stay beside their fields."""
    person = current_person(request)
    form = TaperPlanForm(request.POST)
    if not form.is_valid():
        return _render(request, person, form, status=422)
    data = form.cleaned_data
    try:
        preview = taper_reads.taper_preview(
            person,
            to=data["to"],
            pace=data["pace"],
            start_amount=data["start_amount"] or None,
            starts=data["starts"],
        )
    except TaperError as exc:
        text = str(exc)
        name = exc.field if exc.field in form.fields else None
        form.add_error(name, text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))
        return _render(request, person, form, status=422)
    if request.POST.get("action") != "save":
        return _render(request, person, form, preview=preview)
    return _save(request, person, form, preview)


def _save(
    request: HttpRequest, person: Any, form: TaperPlanForm, preview: taper_reads.TaperPreview
) -> HttpResponse:
    """Save a previewed taper; one in progress only when the person ticked to replace it."""
    data = form.cleaned_data
    in_progress = taper_reads.taper_status(person).active
    try:
        taper_reads.save_preview(
            person, preview, token=data["token"] or None, replace=data["replace"]
        )
    except DuplicateSubmission:  # sent twice (a double click): saved once
        messages.success(request, "That taper was already saved.")
        return redirect("taper")
    except TaperInProgress as exc:
        said = exc.errors["taper"]
        form.add_error("replace", f"{said[:1].upper()}{said[1:]}. Tick this box to replace it.")
        return _render(request, person, form, preview=preview, status=422)
    except EntryInvalid as exc:
        form.show_errors(exc)
        return _render(request, person, form, preview=preview, status=422)
    ended = (
        " The one in progress has ended, and is kept with its holds and steps back."
        if in_progress
        else ""
    )
    messages.success(request, f"Taper saved.{ended} Today's allowance is on the Today page.")
    return redirect("taper")


@require_POST
def taper_choose(request: HttpRequest, action: str) -> HttpResponse:
    if action not in CHOICES:
        raise Http404
    choice: Literal["hold", "resume", "back"] = action  # type: ignore[assignment]
    try:
        tapers.choose(current_person(request), choice)
    except EntryInvalid as exc:
        for message in exc.errors.values():
            messages.error(request, message[:1].upper() + message[1:] + ".")
    else:
        messages.success(request, CHOICES[action])
    return redirect("today" if request.POST.get("next") == "today" else "taper")
