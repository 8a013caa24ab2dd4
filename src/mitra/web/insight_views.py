"""Insights: what seems to help and what seems to hurt, with intervals, methods and caveats."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from mitra.journal.analysis import insights_report
from mitra.reports.charts import binned_chart, forest_chart, weekly_dose_chart

from .views import current_person

FOREST_PREFIXES = ("practice.", "sleep.")


def _factor(card_id: str) -> str:
    """A forest-plot label: "practice.mindfulness.next_day" gives "Mindfulness, next day"."""
    parts = card_id.split(".")
    name = parts[1] if parts[0] == "practice" else parts[0]
    when = parts[-1].replace("_", " ")
    return f"{name.capitalize()}, {when}"


@require_safe
def insights(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    report = insights_report(person).as_dict()
    cards = report["cards"]
    forest_rows = [
        (_factor(c["id"]), c["estimate"], c["interval"][0], c["interval"][1], bool(c["detected"]))
        for c in cards
        if c["id"].startswith(FOREST_PREFIXES) and c["status"] == "shown" and c["interval"]
    ]
    by_id = {c["id"]: c for c in cards}
    charts: dict[str, Any] = {}
    if forest_rows:
        charts["forest"] = forest_chart(forest_rows, "points on 0-10")
    hours = by_id.get("kratom.withdrawal_hours")
    if hours and hours["status"] == "shown" and hours["data"].get("bins"):
        charts["kratom.withdrawal_hours"] = binned_chart(
            hours["data"]["bins"],
            x_key="hours_since_dose",
            x_title="Hours since the last dose",
            y_key="mean_anxiety",
            y_title="Mean anxiety (0-10)",
            title="Anxiety by hours since the last dose",
        )
    trend = by_id.get("kratom.dose_trend")
    if trend and trend["status"] == "shown" and trend["data"].get("weekly"):
        charts["kratom.dose_trend"] = weekly_dose_chart(
            trend["data"]["weekly"], trend["data"].get("trend")
        )
    sections = [
        ("Anxiety over time", [c for c in cards if c["id"] in ("anxiety.trend", "gad7.history")]),
        ("Practices and sleep", [c for c in cards if c["id"].startswith(FOREST_PREFIXES)]),
        ("Kratom", [c for c in cards if c["id"].startswith("kratom.")]),
    ]
    context = {"report": report, "sections": sections, "charts": charts}
    return render(request, "web/insights.html", context)


@require_safe
def insight_data(request: HttpRequest, card_id: str) -> HttpResponse:
    """The data behind one insight card, as JSON."""
    person = current_person(request)
    report = insights_report(person).as_dict()
    card = next((c for c in report["cards"] if c["id"] == card_id), None)
    if card is None:
        raise Http404
    return HttpResponse(
        json.dumps(card, indent=2, default=str),
        content_type="application/json",
        headers={"Content-Disposition": f'inline; filename="{card_id}.json"'},
    )
