"""Insights: what seems to help and what seems to hurt, with intervals, methods and caveats."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from mitra.reads import insights as insight_reads
from mitra.reads.cache import cached
from mitra.reads.insights import InsightsRead, InsightView
from mitra.reads.serialise import document_text
from mitra.reports.charts import Chart, binned_chart, forest_chart, weekly_dose_chart
from mitra.wording import day, plural

from .views import current_person

FOREST_PREFIXES = ("practice.", "sleep.", "meals.", "caffeine.")


def _factor(card_id: str) -> str:
    """A forest-plot label: "practice.mindfulness.next_day" gives "Mindfulness, next day"."""
    parts = card_id.split(".")
    name = parts[1] if parts[0] == "practice" else parts[0]
    name = "regular meals" if name == "meals" else name
    when = parts[-1].replace("_", " ")
    return f"{name.capitalize()}, {when}"


#: Each unit gets its own forest plot: an hour of sleep, a cup of caffeine and a day with a
#: practice are different scales, never one axis.
_FOREST_TITLES = {
    "points": "Practices and regular meals: days with against days without",
    "points per hour of sleep": "Sleep: for each extra hour",
    "points per cup of caffeine": "Caffeine: for each extra cup",
}
_FOREST_UNITS = {
    "points": "points on 0-10, days with against days without",
    "points per hour of sleep": "points on 0-10 per extra hour of sleep",
    "points per cup of caffeine": "points on 0-10 per extra cup",
}


def _forests(cards: tuple[InsightView, ...]) -> list[Chart]:
    """One forest plot per unit of the shown practice, sleep and diet cards."""
    by_unit: dict[str, list[tuple[str, float, float, float, bool]]] = {}
    for c in cards:
        if (
            c.id.startswith(FOREST_PREFIXES)
            and c.status == "shown"
            and c.estimate is not None
            and c.interval is not None
            and c.interval[0] is not None
            and c.interval[1] is not None
        ):
            row = (_factor(c.id), c.estimate, c.interval[0], c.interval[1], bool(c.detected))
            by_unit.setdefault(c.unit, []).append(row)
    return [
        forest_chart(rows, _FOREST_UNITS.get(unit, unit), _FOREST_TITLES.get(unit, unit))
        for unit, rows in by_unit.items()
    ]


def _short_caption(chart: Chart, what: str) -> Chart:
    """A chart whose caption is one short sentence; each bin's figures are in its table."""
    ratings = sum(int(row[-1]) for row in chart.rows)
    summary = (
        f"Mean anxiety for {plural(len(chart.rows), 'group')} of {what}, from "
        f"{plural(ratings, 'rating')}; the table gives each group's figures."
    )
    return replace(chart, summary=summary)


#: The cards whose chart is drawn on a page of its own (a card's width is too small to read
#: it): the card says its finding in a sentence and links to the chart.
CARD_CHARTS = {
    "kratom.withdrawal_hours": ("bins", "Anxiety by hours since the last dose"),
    "kratom.dose_trend": ("weekly", "Estimated mitragynine per week"),
}


def _has_chart(card: InsightView) -> bool:
    found = CARD_CHARTS.get(card.id)
    return found is not None and card.status == "shown" and bool(card.data.get(found[0]))


def _card_chart(card: InsightView) -> Chart | None:
    """The chart of one card, drawn for its own page."""
    if not _has_chart(card):
        return None
    if card.id == "kratom.withdrawal_hours":
        return _short_caption(
            binned_chart(
                card.data["bins"],
                x_key="hours_since_dose",
                x_title="Hours since the last dose",
                y_key="mean_anxiety",
                y_title="Mean anxiety (0-10)",
                title=CARD_CHARTS[card.id][1],
            ),
            "3 hours since the last dose",
        )
    weekly = weekly_dose_chart(card.data["weekly"], card.data.get("trend"))
    # The table says each week by its first day as people read dates, not in ISO.
    rows = tuple((day(date.fromisoformat(r[0])), *r[1:]) for r in weekly.rows)
    return replace(weekly, rows=rows)


#: The status of a card that waits for more data, and how its sentence starts ("Not enough
#: data yet: 2 of 14 days with an anxiety rating.").
WAITING = "not_enough_data"
_WAITING_WORDS = "Not enough data yet: "


def _waiting(cards: list[InsightView], *, more: bool) -> dict[str, object]:
    """The cards that wait for more data, each with what it has of what it needs ("2 of 14
    days with an anxiety rating."), and the words of the fold that lists them ("26 more
    insights appear as you log more"; without "more" when no card has a finding yet)."""
    count = plural(len(cards), "more insight" if more else "insight")
    verb = "appears" if len(cards) == 1 else "appear"
    return {
        "cards": [(c, c.sentence.removeprefix(_WAITING_WORDS)) for c in cards],
        "summary": f"{count} {verb} as you log more",
    }


def _body(report: InsightsRead) -> str:
    """The page's content: every card with a finding, with its chart and table, then one fold
    listing the cards that wait for more data (a pure function of `report`).

    A new journal's page was a wall of identical "Not enough data yet" cards, each with its
    method, caveat and data link (9,300 px on a phone): a waiting card is one line of the
    fold, saying what it still needs, with its id as its anchor.
    """
    cards = report.cards
    sections = [
        # Not "Anxiety over time": the first card's own title, which would follow it at once.
        ("Your anxiety", [c for c in cards if c.id in ("anxiety.trend", "gad7.history")]),
        ("Practices, sleep and diet", [c for c in cards if c.id.startswith(FOREST_PREFIXES)]),
        ("Kratom", [c for c in cards if c.id.startswith("kratom.")]),
        ("Your taper", [c for c in cards if c.id.startswith("taper.")]),
    ]
    # Every card of the report is on the page, as in `mitra insights` and the API: one that
    # no section above names comes last, under a heading of its own.
    placed = {c.id for _, section in sections for c in section}
    sections.append(("More findings", [c for c in cards if c.id not in placed]))
    waiting = [c for _, section in sections for c in section if c.status == WAITING]
    sections = [
        (heading, shown)
        for heading, section in sections
        if (shown := [c for c in section if c.status != WAITING])
    ]
    charted = {c.id: CARD_CHARTS[c.id][1] for c in cards if _has_chart(c)}
    context = {
        "report": report,
        "sections": sections,
        "waiting": _waiting(waiting, more=bool(sections)) if waiting else None,
        "forests": _forests(cards),
        "charted": charted,
    }
    return render_to_string("web/_insights_body.html", context)


@require_safe
def insights(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    report = insight_reads.insights(person)
    # Drawn once per journal version and day: the same report gives the same page content.
    on = (report.first, report.last, person.time_zone, person.day_boundary_hour)
    body = cached(person, "web.insights", on, lambda: _body(report))
    return render(request, "web/insights.html", {"body": mark_safe(body)})  # noqa: S308


@require_safe
def insight_data(request: HttpRequest, card_id: str) -> HttpResponse:
    """The data behind one insight card, as JSON (the API's document for that card)."""
    card = insight_reads.insight(current_person(request), card_id)
    if card is None:
        raise Http404
    return HttpResponse(
        document_text(card, InsightView),
        content_type="application/json",
        headers={"Content-Disposition": f'inline; filename="{card_id}.json"'},
    )


@require_safe
def insight_chart(request: HttpRequest, card_id: str) -> HttpResponse:
    """One card's chart at the page's width, with its sentence and its table."""
    card = insight_reads.insight(current_person(request), card_id)
    chart = None if card is None else _card_chart(card)
    if chart is None:
        raise Http404
    return render(request, "web/insight_chart.html", {"card": card, "chart": chart})
