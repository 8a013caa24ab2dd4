"""Crisis surfaces on the web: one crisis card a page, 988 to call and to text, alike buttons."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.alerts import refresh_alerts

pytestmark = pytest.mark.django_db

#: Each block that puts crisis resources or the crisis message in front of the person.
CRISIS_CARDS = {"crisis-card", "flag-crisis", "crisis"}


def _crisis_cards(html: str) -> int:
    body = html[html.index("<body") :]
    return sum(
        1 for classes in re.findall(r'class="([^"]*)"', body) if CRISIS_CARDS & set(classes.split())
    )


def _phq9_with_item9(alice: Any) -> Any:
    services.set_up_person({"time_zone": "America/New_York"})
    saved = services.submit_response(
        alice, {"instrument": "PHQ-9", "at": datetime.now(UTC), "answers": [0] * 8 + [1]}
    )
    refresh_alerts(alice)  # the crisis alert, with its banner line and its card on /alerts
    return saved


def test_the_phq9_result_with_item9_answered_shows_one_crisis_card(
    client: Client, alice: Any
) -> None:
    saved = _phq9_with_item9(alice)
    html = client.get(f"/responses/{saved.pk}").content.decode()
    assert _crisis_cards(html) == 1
    assert html.count("better off dead") == 1
    assert 'href="tel:988"' in html


def test_the_phq9_result_keeps_its_crisis_message_once_the_card_is_acknowledged(
    client: Client, alice: Any
) -> None:
    saved = _phq9_with_item9(alice)
    client.post(f"/responses/{saved.pk}/acknowledge")
    html = client.get(f"/responses/{saved.pk}").content.decode()
    assert _crisis_cards(html) == 1
    assert html.count("better off dead") == 1
    assert 'class="button crisis-button" href="/crisis">Crisis help now</a>' in html


@pytest.mark.parametrize("path", ["/", "/journal", "/alerts", "/questionnaires", "/crisis"])
def test_any_page_while_a_crisis_answer_is_open_shows_one_crisis_card(
    client: Client, alice: Any, path: str
) -> None:
    _phq9_with_item9(alice)
    html = client.get(path).content.decode()
    assert _crisis_cards(html) == 1, path
    # The card can be acknowledged wherever it shows, /crisis included.
    assert "I have seen these resources" in html, path


def test_the_crisis_page_without_an_open_answer_shows_its_card_once(
    client: Client, alice: Any
) -> None:
    services.set_up_person({"time_zone": "America/New_York"})
    html = client.get("/crisis").content.decode()
    assert _crisis_cards(html) == 1
    assert "I have seen these resources" not in html


@pytest.mark.parametrize("open_answer", [False, True])
def test_988_is_offered_to_call_and_to_text(client: Client, alice: Any, open_answer: bool) -> None:
    if open_answer:
        _phq9_with_item9(alice)
    else:
        services.set_up_person({"time_zone": "America/New_York"})
    for path in ["/crisis", "/"] if open_answer else ["/crisis"]:
        html = client.get(path).content.decode()
        assert '<a class="button crisis-button" href="tel:988">Call 988</a>' in html, path
        assert '<a class="button crisis-button" href="sms:988">Text 988</a>' in html, path


def test_crisis_help_now_on_an_alert_is_a_crisis_button(client: Client, alice: Any) -> None:
    _phq9_with_item9(alice)
    html = client.get("/alerts").content.decode()
    assert '<a class="button crisis-button" href="/crisis">Crisis help now</a>' in html
    assert 'class="button primary" href="/crisis"' not in html


def test_the_persons_own_contact_is_a_crisis_button(client: Client, alice: Any) -> None:
    services.set_up_person({"crisis_contacts": [{"name": "Sam", "phone": "+1 555 0100"}]})
    html = client.get("/crisis").content.decode()
    assert '<a class="button crisis-button" href="tel:+15550100">Call Sam</a>' in html


def test_the_crisis_page_has_no_alert_banner_above_its_lines(client: Client, alice: Any) -> None:
    services.set_up_person({"time_zone": "America/New_York"})
    services.add_checkin(alice, {"at": datetime.now(UTC), "anxiety": 4, "symptoms": ["jaundice"]})
    refresh_alerts(alice)
    assert 'class="alert-banner' in client.get("/").content.decode()  # the banner elsewhere
    html = client.get("/crisis").content.decode()
    assert 'class="alert-banner' not in html
    assert 'href="tel:988"' in html
