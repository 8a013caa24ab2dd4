"""Alerts: what the safety rules found, with the evidence behind each and its sources."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from mitra.journal import alerts as journal_alerts
from mitra.journal.errors import NotFound
from mitra.journal.models import Alert
from mitra.knowledge import load as load_knowledge

from .views import current_person


def _evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """An alert's evidence as label and text, for a definition list."""
    rows = []
    for key, value in evidence.items():
        if isinstance(value, list | tuple):
            text = ", ".join(str(v) for v in value) if value else "none"
        elif isinstance(value, dict):
            text = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in value.items())
        else:
            text = str(value)
        rows.append((key.replace("_", " ").capitalize(), text))
    return rows


def alert_card(alert: Alert) -> dict[str, Any]:
    """An alert with its sources resolved to citations and its evidence as rows."""
    kb = load_knowledge()
    known = [sid for sid in alert.sources if sid in kb.sources]
    return {
        "alert": alert,
        "sources": kb.cite(known),
        "evidence": _evidence_rows(alert.evidence),
    }


@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    history = [alert_card(a) for a in journal_alerts.alert_history(person)]
    open_cards = [c for c in history if c["alert"].acknowledged_at is None]
    seen = [c for c in history if c["alert"].acknowledged_at is not None]
    return render(request, "web/alerts.html", {"open_cards": open_cards, "seen": seen})


@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    person = current_person(request)
    try:
        journal_alerts.acknowledge_alert(person, alert_id)
    except NotFound:
        raise Http404 from None
    return redirect("alerts")
