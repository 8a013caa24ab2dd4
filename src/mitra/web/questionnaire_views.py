"""Questionnaires: take one, see the result with its change and history, the crisis card."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mitra.instruments import InstrumentError, instrument
from mitra.journal import services
from mitra.journal.errors import DuplicateSubmission, EntryInvalid, NotFound
from mitra.knowledge import load as load_knowledge
from mitra.reads import questionnaires as questionnaire_reads
from mitra.reports.charts import questionnaire_history_chart

from .forms import QuestionnaireForm
from .views import current_person


def _instrument_or_404(code: str) -> Any:
    try:
        return instrument(code)
    except InstrumentError:
        raise Http404 from None


@require_safe
def questionnaires(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    read = questionnaire_reads.questionnaires(person)
    return render(request, "web/questionnaires.html", {"rows": read.instruments, "gad7": read.gad7})


@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire_take(request: HttpRequest, code: str) -> HttpResponse:
    person = current_person(request)
    definition = _instrument_or_404(code)
    form = QuestionnaireForm(request.POST or None, instrument=definition)
    if request.method == "POST" and form.is_valid():
        data = {"instrument": definition.code, "at": timezone.now(), "answers": form.answers()}
        try:
            response = services.submit_response(person, data, token=form.cleaned_data["token"])
        except DuplicateSubmission as exc:
            return redirect("response_detail", response_id=exc.entry.pk)
        except EntryInvalid as exc:
            form.show_errors(exc)
        else:
            return redirect("response_detail", response_id=response.pk)
    status = 422 if form.errors else 200
    sources = load_knowledge().cite(list(definition.sources))
    context = {"form": form, "instrument": definition, "sources": sources}
    return render(request, "web/questionnaire_take.html", context, status=status)


@require_safe
def response_detail(request: HttpRequest, response_id: int) -> HttpResponse:
    person = current_person(request)
    detail = questionnaire_reads.response_detail(person, response_id)
    if detail is None:
        raise Http404
    definition = detail.instrument
    chart = None
    if len(detail.history) > 1:
        chart = questionnaire_history_chart(
            definition.code,
            [p.at.date() for p in detail.history],
            [p.total for p in detail.history],
            [(b.label, b.min, b.max) for b in definition.bands],
            definition.maximum,
        )
    changes = [
        (c.label, {"total": c.change.before, "at": c.before_at}, c.change) for c in detail.changes
    ]
    context = {
        "response": detail.response,
        "instrument": definition,
        "result": detail.response,
        "changes": changes,
        "chart": chart,
        # Answered before the others (a paper form, say): its change is on the later ones.
        "earliest_of": len(detail.history) if len(detail.history) > 1 else 0,
        "flags": [(f, f.sources) for f in detail.response.flags],
        "change_sources": detail.change_sources,
        "sources": definition.sources,
    }
    return render(request, "web/response_detail.html", context)


@require_POST
def crisis_acknowledge(request: HttpRequest, response_id: int) -> HttpResponse:
    person = current_person(request)
    try:
        services.acknowledge_crisis(person, response_id)
    except NotFound:
        raise Http404 from None
    messages.success(
        request, "Thank you. Crisis help stays one click away, at the top of every page."
    )
    back = request.POST.get("next", "")
    # Only a path on this site: never an open redirect.
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("today")
