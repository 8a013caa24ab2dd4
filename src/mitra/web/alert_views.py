"""Alerts: what the safety rules found, with the evidence behind each and its sources."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from mitra.journal import alerts as journal_alerts
from mitra.journal.errors import NotFound
from mitra.journal.models import Alert
from mitra.knowledge import load as load_knowledge

from .views import current_person

_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:\d\d)?$")
_BASIS = {
    "heuristic": "mitra's own rule of thumb",
    "source": "from the literature",
    "convention": "a statistical convention",
}


def _words(key: str) -> str:
    return key.replace("_", " ")


def _scalar(value: Any, zone: ZoneInfo) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and _ISO_TIME.match(value):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.astimezone(zone).strftime("%a %d %b %Y, %H:%M")
    return str(value)


def _line(value: Any, zone: ZoneInfo) -> str:
    """One readable line for a value: a dict as "key: value; ...", a list joined by commas."""
    if isinstance(value, dict):
        if {"name", "value", "basis"} <= set(value):  # a rule parameter
            unit = f" {value['unit']}" if value.get("unit") else ""
            basis = _BASIS.get(str(value["basis"]), str(value["basis"]))
            return f"{_words(str(value['name']))}: {_line(value['value'], zone)}{unit} ({basis})"
        parts = [
            f"{_words(k)}: {_line(v, zone)}" for k, v in value.items() if k not in {"id", "sources"}
        ]
        return "; ".join(parts)
    if isinstance(value, list | tuple):
        return ", ".join(_line(v, zone) for v in value) if value else "none"
    return _scalar(value, zone)


def _evidence_rows(evidence: dict[str, Any], zone: ZoneInfo) -> list[tuple[str, list[str]]]:
    """An alert's evidence as a label and readable lines, for a definition list."""
    rows = []
    for key, value in evidence.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines = [_line(v, zone) for v in value]
        elif isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values()):
            lines = [f"{_scalar(k, zone)}: {_line(v, zone)}" for k, v in value.items()]
        else:
            lines = [_line(value, zone)]
        label = "Rule settings" if key == "parameters" else _words(key).capitalize()
        rows.append((label, lines))
    return rows


def alert_card(alert: Alert, zone: ZoneInfo) -> dict[str, Any]:
    """An alert with its sources resolved to citations and its evidence as readable rows."""
    kb = load_knowledge()
    known = [sid for sid in alert.sources if sid in kb.sources]
    return {
        "alert": alert,
        "sources": kb.cite(known),
        "evidence": _evidence_rows(alert.evidence, zone),
    }


@require_safe
def alerts(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    zone = ZoneInfo(person.time_zone)
    history = [alert_card(a, zone) for a in journal_alerts.alert_history(person)]
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
