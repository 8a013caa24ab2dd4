"""The Insights page and `mitra insights`, on a synthetic person loaded like `mitra demo`."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from mitra.journal.demo import load_demo
from tests.cli.test_commands import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_alice(alice: Any) -> Any:
    load_demo(alice, days=120, seed=0)
    return alice


def test_the_insights_page_shows_a_forest_plot_and_cards_with_intervals_methods_and_caveats(
    client: Client, demo_alice: Any
) -> None:
    html = client.get("/insights").content.decode()
    assert "not proof of cause" in html
    assert '<svg role="img" aria-label="Practices and regular meals: days with against days' in html
    assert "Mindfulness, same day" in html
    assert "95% interval" in html
    assert html.count("<strong>Method:</strong>") == html.count("<strong>Caveat:</strong>") > 5
    # A card's own chart is a tap away, on a page of its own: the card says it in a sentence.
    assert '<a href="/insights/kratom.dose_trend/chart">Estimated mitragynine per week' in html
    assert 'aria-label="Estimated mitragynine per week.' not in html


def test_a_level_is_shown_without_a_sign_and_a_difference_with_one(
    client: Client, demo_alice: Any
) -> None:
    from mitra.wording import figure, signed

    html = client.get("/insights").content.decode()
    level = client.get("/insights/anxiety.trend.json").json()
    assert level["level"] is True
    assert f"<strong>Estimate:</strong> {figure(level['estimate'], 2)} points (0-10) (" in html
    difference = client.get("/insights/practice.mindfulness.same_day.json").json()
    assert difference["level"] is False
    assert signed(difference["estimate"], 2)[0] in "+-\N{MINUS SIGN}"
    assert f"<strong>Estimate:</strong> {signed(difference['estimate'], 2)} points (" in html


def test_a_cards_chart_page_draws_it_for_a_phone_and_a_desktop_with_its_table(
    client: Client, demo_alice: Any
) -> None:
    html = client.get("/insights/kratom.dose_trend/chart").content.decode()
    assert html.count('<svg role="img" aria-label="Estimated mitragynine per week.') == 2
    assert '<div class="drawing-narrow">' in html
    assert "<caption>Estimated mitragynine per week</caption>" in html
    assert 'href="/insights#kratom.dose_trend"' in html
    card = client.get("/insights/kratom.dose_trend.json").json()
    assert card["sentence"] in html


def test_a_card_without_a_chart_has_no_chart_page(client: Client, demo_alice: Any) -> None:
    assert client.get("/insights/anxiety.trend/chart").status_code == 404
    assert client.get("/insights/nothing/chart").status_code == 404


def test_each_card_links_to_the_data_behind_it(client: Client, demo_alice: Any) -> None:
    response = client.get("/insights/kratom.dose_trend.json")
    assert response.status_code == 200
    card = json.loads(response.content)
    assert card["id"] == "kratom.dose_trend"
    assert card["data"]["weekly"]
    assert client.get("/insights/nothing.json").status_code == 404


def test_insights_never_claim_causation(client: Client, demo_alice: Any) -> None:
    html = client.get("/insights").content.decode().lower()
    for phrase in ("caused by", "causes your", "because of kratom", "kratom makes"):
        assert phrase not in html


def test_with_little_data_insights_say_not_enough_data_yet(client: Client, alice: Any) -> None:
    load_demo(alice, days=5, seed=1)
    assert "Not enough data yet" in client.get("/insights").content.decode()


def test_mitra_insights_json_has_every_card_with_estimate_interval_n_method_and_caveat(
    capsys: pytest.CaptureFixture[str], demo_alice: Any
) -> None:
    code, out, _ = run(capsys, "insights", "--json")
    assert code == 0
    report = json.loads(out)
    ids = {c["id"] for c in report["cards"]}
    assert {"practice.mindfulness.same_day", "kratom.withdrawal_hours", "kratom.dose_trend"} <= ids
    for card in report["cards"]:
        assert {"sentence", "estimate", "interval", "n", "method", "caveat", "status"} <= set(card)


def test_the_insights_page_shows_a_write_a_deletion_and_its_undo_at_once(
    client: Client, alice: Any, powder: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    from mitra.journal import services

    def journal_span() -> str:
        html = client.get("/insights").content.decode()
        return html.split("Journal from ", 1)[1].split("</p>", 1)[0]

    now = datetime.now(UTC)
    services.add_checkin(alice, {"at": now - timedelta(days=2), "anxiety": 3})
    first = journal_span()
    assert first == journal_span(), "nothing changed: the same page"
    early = now - timedelta(days=40)
    old = services.add_checkin(alice, {"at": early, "anxiety": 5})
    moved = journal_span()
    assert moved != first
    assert str(early.year) in moved
    services.delete_checkin(alice, old.pk)
    assert journal_span() == first
    services.restore_checkin(alice, old.pk)
    assert journal_span() == moved


def test_every_card_of_the_report_is_on_the_page_the_taper_cards_included(
    client: Client, capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    load_demo(alice, days=60, seed=1, taper=True)
    ids = [c["id"] for c in json.loads(run(capsys, "insights", "--json")[1])["cards"]]
    assert {"taper.anxiety", "taper.sows"} <= set(ids)
    html = client.get("/insights").content.decode()
    assert [i for i in ids if f'id="{i}"' not in html] == []
    assert "<h2>Your taper</h2>" in html
    assert "Withdrawal (SOWS), step by step of your taper" in html


def _waiting_ids(capsys: pytest.CaptureFixture[str]) -> tuple[list[str], list[str]]:
    """The ids of the report's cards with a finding, and of those waiting for more data."""
    cards = json.loads(run(capsys, "insights", "--json")[1])["cards"]
    shown = [c["id"] for c in cards if c["status"] != "not_enough_data"]
    return shown, [c["id"] for c in cards if c["status"] == "not_enough_data"]


def test_a_new_journals_insights_are_one_fold_of_one_line_each(
    client: Client, capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    """A new journal's page was a wall of identical "Not enough data yet" cards, each with its
    method, caveat and a link to its (empty) data: over 9,000 px on a phone. The cards that
    wait are one fold, a line each saying what it has of what it needs, still by its id."""
    load_demo(alice, days=5, seed=1)
    shown, waiting = _waiting_ids(capsys)
    assert shown == []
    html = client.get("/insights").content.decode()
    assert '<article class="card insight' not in html
    assert html.count("<details>") == 1
    assert f"<summary>{len(waiting)} insights appear as you log more</summary>" in html
    for card_id in waiting:
        line = re.search(rf'<li id="{re.escape(card_id)}"><strong>([^<]+)</strong>: ([^<]+)</li>',
                         html)  # fmt: skip
        assert line, card_id
        assert re.fullmatch(r"\d+ of \d+ .+\.", line.group(2)), line.group(0)
        # No link to the data of a card that has none to show; its document is still served.
        assert f"/insights/{card_id}.json" not in html
        assert client.get(f"/insights/{card_id}.json").status_code == 200
    assert "Anxiety over time</strong>: " in html


def test_cards_with_a_finding_stay_whole_and_the_rest_are_folded_after_them(
    client: Client, capsys: pytest.CaptureFixture[str], demo_alice: Any
) -> None:
    """With four months of journal most cards have a finding and are shown in full under
    their section; those that still wait are in the fold, "n more insights"; every card has
    its id on the page. The first section's heading was "Anxiety over time", the same words
    as the first card's title just under it."""
    shown, waiting = _waiting_ids(capsys)
    assert shown
    assert waiting, "the demo journal has cards that wait (else this test shows nothing)"
    html = client.get("/insights").content.decode()
    for card_id in shown:
        assert f'<article class="card insight insight-shown" id="{card_id}"' in html
        assert f'href="/insights/{card_id}.json"' in html
    fold = html[html.index('<section class="card waiting"') :]
    assert f"<summary>{len(waiting)} more insight" in fold
    assert [i for i in waiting if f'<li id="{i}">' not in fold] == []
    assert "<h2>Your anxiety</h2>" in html
    headings = re.findall(r"<h[1-6][^>]*>([^<]+)</h[1-6]>", html)
    assert headings.count("Anxiety over time") == 1
