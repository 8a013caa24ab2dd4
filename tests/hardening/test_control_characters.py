"""A NUL character in any text input is refused with a message, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.errors import EntryInvalid
from mitra.journal.models import CheckIn, Response

pytestmark = pytest.mark.django_db

NUL = "\x00"


def _an_hour_ago() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


# (what is entered, which field carries the NUL, the field's error key)
ENTRIES: list[tuple[str, Callable[[Any, Any, str], Any], str]] = [
    ("product name", lambda a, p, s: services.add_product(a, {"name": s}), "name"),
    (
        "product vendor",
        lambda a, p, s: services.add_product(a, {"name": "x", "vendor": s}),
        "vendor",
    ),
    ("product unit", lambda a, p, s: services.add_product(a, {"name": "x", "unit": s}), "unit"),
    (
        "dose note",
        lambda a, p, s: services.log_dose(
            a, {"product_id": p.id, "taken_at": _an_hour_ago(), "amount": 1, "unit": "g", "note": s}
        ),
        "note",
    ),
    (
        "check-in symptom",
        lambda a, p, s: services.add_checkin(
            a, {"at": _an_hour_ago(), "anxiety": 3, "symptoms": [s]}
        ),
        "symptoms",
    ),
    ("substance name", lambda a, p, s: services.add_substance(a, {"name": s}), "name"),
    (
        "crisis contact",
        lambda a, p, s: services.set_up_person({"crisis_contacts": [{"name": s, "phone": "988"}]}),
        "crisis_contacts.0.name",
    ),
    (
        "questionnaire",
        lambda a, p, s: services.submit_response(
            a, {"instrument": "gad7" + s, "at": _an_hour_ago(), "answers": [0] * 7}
        ),
        "instrument",
    ),
    (
        "form token",
        lambda a, p, s: services.add_checkin(
            a, {"at": _an_hour_ago(), "anxiety": 3}, token="abc" + s
        ),
        "token",
    ),
]


@pytest.mark.parametrize(("what", "enter", "field"), ENTRIES, ids=[e[0] for e in ENTRIES])
def test_a_nul_in_any_text_is_refused_beside_its_field(
    what: str, enter: Callable[[Any, Any, str], Any], field: str, alice: Any, powder: Any
) -> None:
    with pytest.raises(EntryInvalid) as refused:
        enter(alice, powder, f"calm{NUL}day")
    assert field in refused.value.errors, what


def test_the_api_refuses_a_nul_in_the_token_with_a_problem(alice: Any, client: Client) -> None:
    body = {"instrument": "gad7", "answers": [1] * 7, "token": "abc\u0000def"}
    response = client.post("/api/v1/responses", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "token" in json.loads(response.content)["errors"]
    assert not Response.objects.exists()


def test_a_check_in_note_with_a_nul_is_refused_beside_it_and_the_form_kept(
    alice: Any, client: Client
) -> None:
    response = client.post(
        "/checkins",
        {
            "token": "t-nul",
            "at": "2026-01-10T08:00",
            "anxiety": "4",
            "practice_yoga": "20",
            "note": f"calm{NUL}day",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    error = re.search(r'<ul class="errorlist" id="id_note_error">(.*?)</ul>', page, re.S)
    assert error, "the message stands beside the note"
    assert 'name="practice_yoga" value="20"' in page  # the other answers are kept
    assert not CheckIn.objects.exists()
