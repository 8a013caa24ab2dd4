"""A journal mixing leaf powder, capsules, an extract and a 7-OH product gives one set of figures
on Today, Insights, the CLI and the API: grams of leaf from leaf products only, mg of
mitragynine from lab figures or estimates, never an extract's grams counted as leaf."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from mitra.pharmacology import content_per_gram
from tests.reads.conftest import WEEKS, MixedJournal
from tests.reads.test_parity import api_json, cli_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixed_now(mixed_journal: MixedJournal, monkeypatch: pytest.MonkeyPatch) -> MixedJournal:
    """Every read, on every face, reads the mixed journal at the same moment."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: mixed_journal.now)
    return mixed_journal


def leaf_grams_on(day_number: int) -> float:
    """The fixture's schedule: 3 g of powder at 07:00, 4 capsules of 0.5 g at 13:00 every other
    day; on the last day the journal is read at 11:00, before the capsules."""
    capsules = day_number % 2 == 0 and day_number < WEEKS * 7 - 1
    return 3.0 + (2.0 if capsules else 0.0)


def day_number(journal: MixedJournal, day: date) -> int:
    first = (journal.now - timedelta(days=WEEKS * 7 - 1)).date()
    return (day - first).days


def test_today_counts_grams_of_leaf_from_leaf_products_only(fixed_now: MixedJournal) -> None:
    from mitra.reads.today import today

    read = today(fixed_now.person)
    for chart_day in read.chart:
        assert chart_day.grams_leaf == pytest.approx(
            leaf_grams_on(day_number(fixed_now, chart_day.day))
        ), chart_day.day
    capsule = content_per_gram("capsules", "mitragynine")
    assert capsule is not None
    n = day_number(fixed_now, read.day)
    # Only the morning powder (45 mg by its lab figure) is logged by 11:00 on the last day.
    assert n == WEEKS * 7 - 1
    assert read.totals.grams_leaf == pytest.approx(3.0)
    assert read.totals.mg_mitragynine == pytest.approx(45.0)


def test_today_and_insights_agree_on_the_last_weeks_grams_of_leaf(
    fixed_now: MixedJournal,
) -> None:
    from mitra.reads.insights import insight
    from mitra.reads.today import today

    chart = today(fixed_now.person).chart
    card = insight(fixed_now.person, "kratom.dose_trend")
    assert card is not None
    weeks = {w["week_start"]: w for w in card.data["weekly"]}
    compared = 0
    for week_start, week in weeks.items():
        start = date.fromisoformat(week_start)
        days = [c for c in chart if start <= c.day < start + timedelta(days=7)]
        if len(days) == 7:  # a week wholly inside Today's 30 days
            assert sum(c.grams_leaf for c in days) == pytest.approx(week["grams_leaf"])
            compared += 1
    assert compared >= 3


def test_the_cli_and_the_api_print_the_same_today_for_the_mixed_journal(
    fixed_now: MixedJournal, capsys: pytest.CaptureFixture[str], client: Client
) -> None:
    from_api: Any = api_json(client, "/api/v1/today")
    assert cli_json(capsys, "today") == from_api
    assert from_api["totals"]["grams_leaf"] == pytest.approx(3.0)
    names = " ".join(from_api["totals"]["other_doses"])
    assert "Extract" not in names  # the extract is taken in the evening, after 11:00


def test_a_report_longer_than_the_journal_gives_the_weeks_insights_gives(
    fixed_now: MixedJournal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 90-day report of a 9-week journal: the days before the first entry are not days
    without kratom, so the first week is not diluted by them and the weeks are the Insights
    card's, week for week."""
    from mitra.reads import report as reports
    from mitra.reads.insights import insight

    monkeypatch.setattr(reports, "_now", lambda: fixed_now.now)
    card = insight(fixed_now.person, "kratom.dose_trend")
    assert card is not None
    read = reports.report(fixed_now.person, days=90)
    assert read.first < fixed_now.now.date() - timedelta(days=WEEKS * 7)  # longer than the journal
    weeks = [
        (w.week_start.isoformat(), round(w.mg_per_day * 7, 6), round(w.grams_leaf_per_day * 7, 6))
        for w in read.kratom.weeks
    ]
    expected = [
        (w["week_start"], round(w["mg_mitragynine"], 6), round(w["grams_leaf"], 6))
        for w in card.data["weekly"]
    ]
    assert weeks == expected
    # The journal begins on a Tuesday: its first six days are a part of a week (Monday to
    # Sunday), left out as the week in progress is; the weeks are whole Monday weeks.
    assert len(weeks) == WEEKS - 1
    assert all(date.fromisoformat(w[0]).weekday() == 0 for w in weeks)
    first_week_days = range(6, 13)
    assert weeks[0][2] == pytest.approx(sum(leaf_grams_on(d) for d in first_week_days))
    assert read.kratom.trend.sentence == card.sentence


def test_the_web_and_the_cli_say_todays_kratom_in_the_same_words(
    fixed_now: MixedJournal, capsys: pytest.CaptureFixture[str], client: Client
) -> None:
    """3 g of the lab-tested powder by 11:00: its mg is one figure, so no range is given."""
    from mitra.cli import main

    said = "3 g of leaf, about 45 mg of mitragynine"
    main(["today"])
    printed = capsys.readouterr().out
    assert f": {said}." in printed
    page = " ".join(client.get("/").content.decode().split())
    assert f"Today so far: {said}." in page


def test_a_leaf_dose_without_a_lab_figure_shows_the_estimate_today_counts(
    fixed_now: MixedJournal, client: Client
) -> None:
    """4 capsules of 0.5 g: the journal line says the leaf estimate Today sums; the extract
    and the 7-OH product, which have no mitragynine estimate, say none."""
    from mitra.wording import mg, mg_range

    per_gram = content_per_gram("capsules", "mitragynine")
    assert per_gram is not None
    assert per_gram.is_estimate
    expected = (
        f"about {mg(per_gram.mg * 2.0)} mitragynine "
        f"(estimate, {mg_range(per_gram.low_mg * 2.0, per_gram.high_mg * 2.0)})"
    )
    page: Any = api_json(client, "/api/v1/entries?kind=dose&limit=200")
    doses = [e for d in page["days"] for e in d["entries"] if e["kind"] == "dose"]
    capsules = [e for e in doses if "Caps" in e["title"]]
    others = [e for e in doses if "Extract" in e["title"] or "7-OH" in e["title"]]
    assert capsules
    assert others
    assert all(e["details"][0] == expected for e in capsules)
    assert not any("mitragynine" in " ".join(e["details"]) for e in others)
    html = " ".join(client.get("/journal").content.decode().split())
    assert expected in html


def test_doses_left_out_of_the_mg_are_named_with_the_7oh_product_among_them(
    fixed_now: MixedJournal, capsys: pytest.CaptureFixture[str], client: Client
) -> None:
    from mitra.cli import main

    words = "(extracts, shots or 7-OH products without a lab figure) have no mitragynine estimate"
    page = " ".join(client.get("/insights").content.decode().split())
    assert words in page
    main(["insights"])
    assert words in " ".join(capsys.readouterr().out.split())


def test_a_7oh_product_is_said_in_mg_of_7oh_on_today_and_in_the_journal(
    alice: Any, capsys: pytest.CaptureFixture[str], client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2 tablets of 0.1 g at 150 mg of 7-OH per g: 30 mg of 7-OH, never grams of leaf; a 7-OH
    product without a lab figure says its 7-OH is not known."""
    from mitra.cli import main
    from mitra.journal import services

    tabs = services.add_product(
        alice, {"name": "Lab tabs", "form": "7oh", "unit": "tablet", "grams_per_unit": 0.1,
                "hydroxy_mg_per_g": 150.0},
    )  # fmt: skip
    plain = services.add_product(
        alice, {"name": "Plain tabs", "form": "7oh", "unit": "tablet", "grams_per_unit": 0.1}
    )
    from tests.reads.conftest import NOW

    now = NOW  # midday in Berlin: both doses fall on the day Today shows, whenever this runs
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    # 30 mg of 7-OH, more than a labelled dose: confirmed, as the person would.
    services.log_dose(alice, {"product_id": tabs.pk, "amount": 2, "unit": "tablet",
                              "taken_at": now - timedelta(minutes=2),
                              "confirm": True})  # fmt: skip
    services.log_dose(alice, {"product_id": plain.pk, "amount": 1, "unit": "tablet",
                              "taken_at": now - timedelta(minutes=1)})  # fmt: skip
    main(["today"])
    printed = " ".join(capsys.readouterr().out.split())
    assert "Also (not counted as leaf): 2 tablets of Lab tabs (30 mg 7-OH)" in printed
    page = " ".join(client.get("/").content.decode().split())
    assert "also 2 tablets of Lab tabs (30 mg 7-OH), 1 tablet of Plain tabs" in page
    journal = " ".join(client.get("/journal").content.decode().split())
    assert "30 mg 7-OH (lab figure)" in journal
    assert "7-OH content unknown (no lab figure)" in journal
