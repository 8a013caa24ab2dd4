"""Alerts: what the safety rules found, with the facts behind each and its sources."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from mitra.journal import alerts as journal_alerts
from mitra.journal.errors import NotFound
from mitra.reads import alerts as alert_reads

from .views import current_person


@require_safe
def alerts(request: HttpRequest) -> HttpResponse:
    history = alert_reads.alerts(current_person(request), include_read=True).alerts
    open_cards = [a for a in history if not a.acknowledged]
    seen = [a for a in history if a.acknowledged]
    return render(request, "web/alerts.html", {"open_cards": open_cards, "seen": seen})


@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        journal_alerts.acknowledge_alert(current_person(request), alert_id)
    except NotFound:
        raise Http404 from None
    return redirect("alerts")
