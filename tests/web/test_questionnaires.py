"""Questionnaires on the web: taking one, the result with change and history, the crisis card."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.models import Response

pytestmark = pytest.mark.django_db


def _answers(code: str, values: list[int]) -> dict[str, str]:
    return {"token": f"t-{code}-{values}"} | {f"item_{n}": str(v) for n, v in enumerate(values, 1)}


def _respond(alice: Any, code: str, answers: list[int], days_ago: int) -> Any:
    at = datetime.now(UTC) - timedelta(days=days_ago)
    return services.submit_response(alice, {"instrument": code, "at": at, "answers": answers})


def test_the_gad7_page_shows_the_recall_period_and_one_radio_group_per_item(
    client: Client, alice: Any
) -> None:
    html = client.get("/questionnaires/GAD-7").content.decode()
    assert "the last 2 weeks" in html
    assert html.count("<fieldset") == 7
    assert "<progress" in html
    assert "Feeling nervous, anxious, or on edge" in html


def test_a_complete_gad7_is_scored_saved_and_shown_with_its_band(
    client: Client, alice: Any
) -> None:
    response = client.post("/questionnaires/GAD-7", _answers("GAD-7", [2, 2, 2, 2, 1, 1, 1]))
    assert response.status_code == 302
    saved = Response.objects.get()
    assert (saved.total, saved.band) == (11, "moderate")
    html = client.get(response["Location"]).content.decode()
    assert "<strong>11</strong> of 21" in html
    assert "Moderate anxiety" in html
    assert "This is your first GAD-7" in html


def test_an_unanswered_item_is_named_beside_it_and_the_other_answers_are_kept(
    client: Client, alice: Any
) -> None:
    data = _answers("GAD-7", [1, 2, 3, 0, 1, 2])  # item 7 missing
    response = client.post("/questionnaires/GAD-7", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'id="id_item_7_error">\s*<li>7\. Feeling afraid[^<]*needs an answer', html)
    assert re.search(r'name="item_3" value="3"[^>]*checked', html)
    assert "1 question still needs an answer" in html  # once "1 question still need"
    assert not Response.objects.exists()
    two = client.post("/questionnaires/GAD-7", _answers("GAD-7", [1, 2, 3, 0, 1]))
    assert "2 questions still need an answer" in two.content.decode()


def test_change_since_the_previous_and_the_first_response_with_thresholds(
    client: Client, alice: Any
) -> None:
    _respond(alice, "GAD-7", [3, 3, 2, 2, 2, 2, 2], days_ago=28)  # 16
    _respond(alice, "GAD-7", [2, 2, 2, 2, 1, 1, 2], days_ago=14)  # 12
    latest = _respond(alice, "GAD-7", [1, 1, 1, 1, 1, 1, 0], days_ago=0)  # 6
    html = client.get(f"/responses/{latest.pk}").content.decode()
    assert "-6 points since your previous response" in html
    assert "-10 points since your first response" in html
    assert "meets the reliable change threshold of 6 points" in html
    assert "minimal clinically important difference of 4 points" in html
    assert "Toussaint" in html
    assert "Bischoff" in html
    # History chart with the bands shaded, and its table.
    assert '<svg role="img" aria-label="GAD-7 totals over time.' in html
    assert "Severe anxiety" in html  # a band in the legend of the shaded chart


def test_a_severe_gad7_recommends_professional_care(client: Client, alice: Any) -> None:
    response = client.post("/questionnaires/GAD-7", _answers("GAD-7", [3, 3, 3, 3, 3, 0, 0]))
    html = client.get(response["Location"]).content.decode()
    assert "flag-seek_professional_care" in html
    assert "talk with your clinician or a mental-health professional soon" in html


class TestCrisisCard:
    def test_phq9_item9_shows_the_crisis_card_before_anything_else_even_at_a_minimal_total(
        self, client: Client, alice: Any
    ) -> None:
        services.set_up_person({"time_zone": "America/New_York"})
        response = client.post("/questionnaires/PHQ-9", _answers("PHQ-9", [0] * 8 + [1]))
        html = client.get(response["Location"]).content.decode()
        body = html[html.index("<body") :]
        assert body.index('class="crisis-card"') < body.index("<header")
        assert 'href="tel:988"' in body[: body.index("<header")]
        assert "Minimal depression" in html  # the total is minimal, the card shows anyway

    def test_the_card_stays_on_every_page_until_acknowledged(
        self, client: Client, alice: Any
    ) -> None:
        saved = _respond(alice, "PHQ-9", [0] * 8 + [2], days_ago=0)
        for path in ["/", "/journal", "/products", "/questionnaires"]:
            assert 'class="crisis-card"' in client.get(path).content.decode(), path
        client.post(f"/responses/{saved.pk}/acknowledge")
        assert 'class="crisis-card"' not in client.get("/").content.decode()
        # Crisis help is still one click away.
        assert 'href="/crisis">Crisis help</a>' in client.get("/").content.decode()

    def test_the_persons_own_crisis_contacts_are_shown_on_the_card(
        self, client: Client, alice: Any
    ) -> None:
        services.set_up_person({"crisis_contacts": [{"name": "Sam", "phone": "+1 555 0100"}]})
        _respond(alice, "PHQ-9", [0] * 8 + [1], days_ago=0)
        html = client.get("/").content.decode()
        assert 'href="tel:+15550100">Call Sam</a>' in html

    def test_a_zero_on_item9_raises_no_card(self, client: Client, alice: Any) -> None:
        _respond(alice, "PHQ-9", [3] * 8 + [0], days_ago=0)
        assert 'class="crisis-card"' not in client.get("/").content.decode()


def test_today_says_when_a_gad7_is_due(client: Client, alice: Any) -> None:
    assert "Take the GAD-7" in client.get("/").content.decode()
    _respond(alice, "GAD-7", [1] * 7, days_ago=3)
    assert "Take the GAD-7" not in client.get("/").content.decode()
    services.set_up_person({"gad7_every_days": 2})
    assert "the last one was 3 days ago" in client.get("/").content.decode()


def test_the_plan_saves_crisis_contacts_and_refuses_a_bad_phone_beside_the_field(
    client: Client, alice: Any
) -> None:
    # The crisis contacts moved from Settings to the Plan page.
    data = {"contact_1_name": "Sam", "contact_1_phone": "call me maybe"}
    response = client.post("/plan", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'id="id_contact_1_phone_error">\s*<li>Contact 1: phone', html)
    assert 'value="Sam"' in html
    response = client.post("/plan", data | {"contact_1_phone": "+44 20 7946 0000"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.crisis_contacts == [{"name": "Sam", "phone": "+44 20 7946 0000"}]


def test_phq4_shows_its_two_subscales(client: Client, alice: Any) -> None:
    response = client.post("/questionnaires/PHQ-4", _answers("PHQ-4", [2, 1, 0, 0]))
    html = client.get(response["Location"]).content.decode()
    assert "Anxiety (GAD-2): 3 of 6, screens positive (cut-point 3)" in html
    assert "Depression (PHQ-2): 0 of 6." in html


def test_acknowledging_the_crisis_card_also_marks_its_alert_read(
    client: Client, alice: Any
) -> None:
    from mitra.journal.alerts import refresh_alerts
    from mitra.journal.models import Alert

    saved = _respond(alice, "PHQ-9", [0] * 8 + [1], days_ago=0)
    refresh_alerts(alice)
    client.post(f"/responses/{saved.pk}/acknowledge")
    assert Alert.objects.get(rule="crisis_answer").acknowledged_at is not None
    assert "alert-banner" not in client.get("/").content.decode()


def test_acknowledging_the_crisis_card_returns_to_the_same_page_but_never_off_site(
    client: Client, alice: Any
) -> None:
    saved = _respond(alice, "PHQ-9", [0] * 8 + [1], days_ago=0)
    response = client.post(f"/responses/{saved.pk}/acknowledge", {"next": "/journal"})
    assert response["Location"] == "/journal"
    saved = _respond(alice, "PHQ-9", [0] * 8 + [2], days_ago=0)
    response = client.post(f"/responses/{saved.pk}/acknowledge", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_change_of_one_point_is_said_in_the_singular(client: Client, alice: Any) -> None:
    _respond(alice, "GAD-7", [2, 2, 2, 2, 1, 1, 2], days_ago=14)  # 12
    latest = _respond(alice, "GAD-7", [2, 2, 2, 2, 1, 1, 1], days_ago=0)  # 11
    html = " ".join(client.get(f"/responses/{latest.pk}").content.decode().split())
    assert "-1 point since your previous response" in html
    assert "-1 points" not in html


def test_a_change_without_thresholds_reads_without_a_stray_stop_and_claims_no_direction(
    client: Client, alice: Any
) -> None:
    """The PHQ-9 has no established thresholds: its change said "deterioration" and ended in a
    line holding only a full stop."""
    _respond(alice, "PHQ-9", [0] * 9, days_ago=14)
    latest = _respond(alice, "PHQ-9", [1, 1, 0, 0, 0, 0, 0, 0, 0], days_ago=0)
    html = client.get(f"/responses/{latest.pk}").content.decode()
    said = " ".join(html.split())
    assert "higher (worse); how large a change must be to count is not established." in said
    assert "deterioration" not in said
    change = html[html.index("<h2>Change</h2>") :]
    assert not re.search(r"\n\s*\.\s*</p>", change[: change.index("</section>")])


def test_a_first_response_is_told_when_to_take_it_again_by_its_own_recall(
    client: Client, alice: Any
) -> None:
    gad7 = _respond(alice, "GAD-7", [1, 1, 1, 1, 1, 1, 1], days_ago=0)
    html = " ".join(client.get(f"/responses/{gad7.pk}").content.decode().split())
    assert "Take it again in two weeks to see change." in html
    sows = _respond(alice, "SOWS", [1] * 16, days_ago=0)  # it asks about right now
    html = " ".join(client.get(f"/responses/{sows.pk}").content.decode().split())
    assert "two weeks" not in html.split("This is your first SOWS.")[1][:120]
    assert "Take it again later to see change (it asks about right now)." in html


def test_a_response_answered_before_the_others_is_called_the_earliest_not_the_first(
    client: Client, alice: Any
) -> None:
    from datetime import UTC, datetime

    from mitra.journal import services

    later, earlier = datetime(2026, 3, 10, 9, tzinfo=UTC), datetime(2026, 2, 1, 9, tzinfo=UTC)
    services.submit_response(alice, {"instrument": "GAD-7", "answers": [1] * 7, "at": later})
    paper = services.submit_response(
        alice, {"instrument": "GAD-7", "answers": [2] * 7, "at": earlier}
    )
    html = client.get(f"/responses/{paper.pk}").content.decode()
    assert "This is your earliest GAD-7: the later ones show their change since it." in html
    assert "This is your first GAD-7" not in html
