"""A control character (NUL, C0, DEL, C1) in any text input is refused with a message beside
its field, on every face: PostgreSQL cannot store NUL, and no font shows any of them (the
clinician's PDF could not be typeset). A note keeps its line breaks and tabs."""

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
from mitra.journal.models import CheckIn, Product, Response

pytestmark = pytest.mark.django_db

NUL = "\x00"
# NUL, a C0 control (the tester's), an escape, DEL and a C1 control (NEL, which some fonts show).
CONTROLS = [NUL, "\x01", "\x1b", "\x7f", "\x85"]


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


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
@pytest.mark.parametrize(("what", "enter", "field"), ENTRIES, ids=[e[0] for e in ENTRIES])
def test_a_control_character_in_any_text_is_refused_beside_its_field(
    what: str,
    enter: Callable[[Any, Any, str], Any],
    field: str,
    control: str,
    alice: Any,
    powder: Any,
) -> None:
    with pytest.raises(EntryInvalid) as refused:
        enter(alice, powder, f"calm{control}day")
    assert field in refused.value.errors, what


@pytest.mark.parametrize(
    ("enter", "field"),
    [
        (lambda a, s: services.add_product(a, {"name": s}), "name"),
        (lambda a, s: services.add_substance(a, {"name": "x", "dose_text": s}), "dose_text"),
        (lambda a, s: services.set_up_person({"name": s}), "name"),
    ],
    ids=["product name", "substance dose", "person's name"],
)
@pytest.mark.parametrize("control", ["\t", "\n", "\r"], ids=["tab", "LF", "CR"])
def test_a_name_or_short_text_refuses_a_line_break_or_tab_and_says_what_to_do(
    enter: Callable[[Any, str], Any], field: str, control: str, alice: Any
) -> None:
    with pytest.raises(EntryInvalid) as refused:
        enter(alice, f"Bali{control}red")
    message = refused.value.errors[field]
    assert message.startswith(f"must not contain control characters (here U+{ord(control):04X})")
    assert "type the text again without them" in message


def test_a_note_keeps_its_line_breaks_and_tabs_but_not_other_controls(
    alice: Any, powder: Any
) -> None:
    dose = {"product_id": powder.pk, "taken_at": _an_hour_ago(), "amount": 1, "unit": "g"}
    kept = services.log_dose(alice, {**dose, "note": "slept badly\r\nthen:\twalked"})
    assert kept.note == "slept badly\r\nthen:\twalked"
    with pytest.raises(EntryInvalid) as refused:
        services.log_dose(alice, {**dose, "note": "slept\x0cbadly"})
    assert refused.value.errors["note"].endswith("line breaks and tabs are fine")


def test_line_breaks_around_a_name_are_trimmed_as_spaces_are(alice: Any) -> None:
    assert services.add_product(alice, {"name": "\tBali red\n"}).name == "Bali red"


def test_the_api_refuses_a_control_character_in_a_name_as_a_problem_naming_the_field(
    alice: Any, client: Client
) -> None:
    body = {"name": "Ctl\u0001prod"}
    response = client.post("/api/v1/products", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]["name"].startswith("must not contain control characters")
    assert not Product.objects.exists()
    note = {"name": "Bali", "notes": "line one\nline\ttwo"}
    assert (
        client.post(
            "/api/v1/products", json.dumps(note), content_type="application/json"
        ).status_code
        == 201
    )
    bell = {"name": "Kali", "notes": "ding\u0007"}
    refused = client.post("/api/v1/products", json.dumps(bell), content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"]["notes"].endswith("line breaks and tabs are fine")


def test_the_web_refuses_a_control_character_in_a_name_beside_the_field(
    alice: Any, client: Client
) -> None:
    data = {"token": "p-ctl", "name": "Ctl\x01prod", "vein": "red", "form": "powder", "unit": "g"}
    response = client.post("/products", data)
    assert response.status_code == 422
    error = re.search(
        r'<ul class="errorlist" id="id_name_error">(.*?)</ul>', response.content.decode(), re.S
    )
    assert error, "the message stands beside the name"
    assert "must not contain control characters" in error.group(1)


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


def test_the_name_on_the_report_refuses_a_control_character_on_the_web_and_the_api(
    alice: Any, client: Client
) -> None:
    page = client.get("/report.pdf", {"days": "30", "name": "a\x01b"})
    assert page.status_code == 422
    error = re.search(
        r'<ul class="errorlist" id="id_name_error">(.*?)</ul>', page.content.decode(), re.S
    )
    assert error, "the message stands beside the name"
    assert "Must not contain control characters (here U+0001)" in error.group(1)
    api = client.get("/api/v1/report", {"days": "30", "name": "a\x01b"})
    assert api.status_code == 422
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["errors"]["name"].startswith("must not contain control characters")
