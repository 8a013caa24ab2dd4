"""The insights read over a mixed journal: dose figures in mg of mitragynine, grams of leaf for
leaf products only, doses without content counted and said; the web, CLI and API agree."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from mitra.pharmacology import content_per_gram
from tests.cli.test_commands import refused, run
from tests.reads.conftest import MixedJournal

pytestmark = pytest.mark.django_db


def dose_trend(journal: MixedJournal) -> Any:
    from mitra.reads.insights import insights

    report = insights(journal.person)
    return report, next(c for c in report.cards if c.id == "kratom.dose_trend")


def in_weeks(journal: MixedJournal, weekly: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The doses of the card's weeks (Monday to Sunday, local days), by product form."""
    from mitra.journal import clock

    first = date.fromisoformat(weekly[0]["week_start"])
    end = date.fromisoformat(weekly[-1]["week_start"]) + timedelta(days=7)
    the_clock = clock(journal.person)
    found: dict[str, list[Any]] = {"powder": [], "capsules": [], "extract": [], "7oh": []}
    for dose in journal.person.dose_set.select_related("product"):
        if first <= the_clock.local_day(dose.taken_at) < end:
            found[dose.product.form].append(dose)
    return found


def test_grams_of_leaf_hold_only_the_powder_and_the_capsules(mixed_journal: MixedJournal) -> None:
    _, card = dose_trend(mixed_journal)
    assert card.status == "shown"
    weekly = card.data["weekly"]
    # Nine weeks from a Tuesday: eight whole Monday-to-Sunday weeks.
    assert len(weekly) == 8
    assert all(date.fromisoformat(w["week_start"]).weekday() == 0 for w in weekly)
    # The weeks' leaf grams are their powder's and capsules' grams: the extract's 1 g doses
    # and the 7-OH tablets add nothing.
    doses = in_weeks(mixed_journal, weekly)
    leaf = sum(d.grams for d in doses["powder"] + doses["capsules"])
    assert sum(w["grams_leaf"] for w in weekly) == pytest.approx(leaf)
    assert sum(w["doses"] for w in weekly) == sum(len(d) for d in doses.values())


def test_the_weekly_mg_counts_lab_figures_exactly_and_capsules_as_estimates(
    mixed_journal: MixedJournal,
) -> None:
    _, card = dose_trend(mixed_journal)
    capsule = content_per_gram("capsules", "mitragynine")
    assert capsule is not None
    weekly = card.data["weekly"]
    counts = {form: len(d) for form, d in in_weeks(mixed_journal, weekly).items()}
    expected = counts["powder"] * 3.0 * 15.0 + counts["capsules"] * 2.0 * capsule.mg
    assert sum(w["mg_mitragynine"] for w in weekly) == pytest.approx(expected)
    low = counts["powder"] * 45.0 + counts["capsules"] * 2.0 * capsule.low_mg
    assert sum(w["mg_low"] for w in weekly) == pytest.approx(low)
    assert card.unit == "mg of mitragynine per week, per month"
    assert " mg " in card.sentence
    assert "g of leaf a week" in card.sentence


def test_doses_without_a_content_estimate_are_counted_and_said(
    mixed_journal: MixedJournal,
) -> None:
    report, card = dose_trend(mixed_journal)
    without = mixed_journal.doses["extract"] + mixed_journal.doses["7oh"]
    assert report.doses_without_content == without
    assert report.doses == sum(mixed_journal.doses.values())
    # The card's sentence speaks of its weeks' doses, as its totals do.
    doses = in_weeks(mixed_journal, card.data["weekly"])
    in_its_weeks = len(doses["extract"]) + len(doses["7oh"])
    assert card.data["doses_without_content"] == in_its_weeks
    assert (
        f"{in_its_weeks} doses (an extract, a shot or a 7-OH product without a lab figure)"
        in card.sentence
    )


def test_one_card_by_id_is_the_same_card_as_in_the_report(mixed_journal: MixedJournal) -> None:
    from mitra.reads.insights import insight

    report, card = dose_trend(mixed_journal)
    assert insight(mixed_journal.person, "kratom.dose_trend") == card
    for other in ("gad7.history", "kratom.withdrawal_hours", "practice.yoga.same_day"):
        found = insight(mixed_journal.person, other)
        listed = [c for c in report.cards if c.id == other]
        assert (found is None) == (not listed)
        if listed:
            assert found == listed[0]
    gad7 = insight(mixed_journal.person, "gad7.history")
    assert gad7 is not None
    assert gad7.n == 5  # a GAD-7 every two weeks, from the Timeline's responses
    assert insight(mixed_journal.person, "kratom.nothing") is None


def test_the_cli_and_the_api_print_the_same_insights(
    mixed_journal: MixedJournal, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "insights", "--json")
    assert code == 0, err
    response = client.get("/api/v1/insights")
    assert response.status_code == 200
    assert json.loads(out) == response.json()
    code, out, err = run(capsys, "insights", "--card", "kratom.dose_trend", "--json")
    assert code == 0, err
    assert json.loads(out) == client.get("/api/v1/insights/kratom.dose_trend").json()


def test_an_unknown_card_is_a_404_problem(alice: Any, client: Client) -> None:
    response = client.get("/api/v1/insights/kratom.nothing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "kratom.nothing" in response.json()["detail"]


def test_an_unknown_card_is_a_one_line_refusal_that_lists_the_cards_ids(
    alice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """It once sent people to 'mitra insights', whose text shows titles, not the ids --card
    takes. The refusal lists the ids, the list shows each card's, and a title works too."""
    said = refused(capsys, "insights", "--card", "kratom.nothing")
    assert "no such insight card; the cards: anxiety.trend, " in said
    assert "kratom.dose_trend" in said
    code, out, _ = run(capsys, "insights")
    assert code == 0
    assert "Kratom dose trend (--card kratom.dose_trend)" in out
    code, out, err = run(capsys, "insights", "--card", "kratom DOSE trend")
    assert code == 0, err
    assert out.lstrip().startswith("Kratom dose trend (--card kratom.dose_trend)")


def test_the_insights_page_shows_mg_and_says_what_it_could_not_count(
    mixed_journal: MixedJournal, client: Client
) -> None:
    page = client.get("/insights").content.decode()
    without = mixed_journal.doses["extract"] + mixed_journal.doses["7oh"]
    assert f"{without} of {sum(mixed_journal.doses.values())} doses" in page
    assert "Estimated mitragynine per week" in page
    # The card's chart, on its own page, keeps grams of leaf in its table.
    chart_page = client.get("/insights/kratom.dose_trend/chart").content.decode()
    assert "Grams of leaf (leaf products only)" in chart_page
    data = client.get("/insights/kratom.dose_trend.json").json()
    assert data == client.get("/api/v1/insights/kratom.dose_trend").json()


def test_the_gad7_card_shows_the_totals_and_bands_of_the_questionnaires_page(
    mixed_journal: MixedJournal,
) -> None:
    from mitra.instruments import instrument
    from mitra.reads.insights import insights
    from mitra.reads.questionnaires import questionnaires

    card = next(c for c in insights(mixed_journal.person).cards if c.id == "gad7.history")
    gad7 = next(h for h in questionnaires(mixed_journal.person).instruments if h.code == "GAD-7")
    labels = {band.id: band.label for band in instrument("GAD-7").bands}
    assert len(gad7.history) >= 2
    assert [(p["total"], p["band"]) for p in card.data["history"]] == [
        (point.total, labels[point.band or ""]) for point in gad7.history
    ]
    # What was stored when a response was scored is what the card shows (scoring the answers
    # again would give back the first total).
    from mitra.journal.models import Response
    from mitra.journal.version import journal_changed

    first = Response.objects.filter(person=mixed_journal.person, instrument="GAD-7").earliest("at")
    Response.objects.filter(pk=first.pk).update(total=21, band="severe")
    journal_changed(mixed_journal.person)
    card = next(c for c in insights(mixed_journal.person).cards if c.id == "gad7.history")
    assert (card.data["history"][0]["total"], card.data["history"][0]["band"]) == (
        21,
        labels["severe"],
    )
