"""API: /api/v1/plan, its goals set by PUT or POST and removed by DELETE or a POST."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mitra.journal import services

pytestmark = pytest.mark.django_db


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    call = getattr(client, method)
    return call(path, json.dumps(body or {}), content_type="application/json")


def test_goals_are_set_read_with_this_weeks_progress_and_removed(
    client: Client, alice: Any
) -> None:
    services.log_practice(
        # A moment ago: five minutes ago fell in last week for five minutes each Monday.
        alice,
        {"kind": "mindfulness", "minutes": 45, "at": timezone.now() - timedelta(seconds=1)},
    )
    answer = send(
        client, "put", "/api/v1/plan/goals", {"kind": "mindfulness", "target": "70min/week"}
    )
    assert answer.status_code == 200
    send(client, "post", "/api/v1/plan/goals", {"kind": "therapy", "target": "1/week"})
    plan = client.get("/api/v1/plan").json()
    goals = plan["this_week"]["goals"]
    assert [g["kind"] for g in goals] == ["mindfulness", "therapy"]
    assert goals[0]["text"] == "45 of 70 min this week"
    assert goals[0]["percent"] == 64
    assert goals[1]["text"] == "0 of 1 session this week"
    assert plan["this_week"]["week_starts_on"] == "Monday"
    assert len(plan["weeks"]) == 8
    removed = client.delete("/api/v1/plan/goals/therapy")
    assert removed.status_code == 200
    assert [g["kind"] for g in removed.json()["this_week"]["goals"]] == ["mindfulness"]
    again = send(client, "post", "/api/v1/plan/goals/mindfulness/delete")
    assert again.status_code == 200
    assert again.json()["this_week"]["goals"] == []


def test_a_goal_mitra_cannot_read_is_a_422_problem_that_says_how_to_write_it(
    client: Client, alice: Any
) -> None:
    answer = send(client, "put", "/api/v1/plan/goals", {"kind": "sleep", "target": "lots"})
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert "write it like 7.5h" in answer.json()["detail"]
    # Named by its field, as every other refusal is (it had no errors, and a rounded "0.5"
    # was refused as "amount", a field the request does not have).
    half = send(client, "put", "/api/v1/plan/goals", {"kind": "exercise", "target": "0.5"})
    assert half.json()["errors"] == {
        "target": "'0.5': a practice goal is whole minutes a week; write it like 70 min or "
        "2 sessions (a week)"
    }


def test_removing_a_goal_that_is_not_there_is_a_404_problem(client: Client, alice: Any) -> None:
    answer = client.delete("/api/v1/plan/goals/yoga")
    assert answer.status_code == 404
    assert "no yoga goal" in answer.json()["detail"]


def test_a_form_post_cannot_change_the_plan(client: Client, alice: Any) -> None:
    body = {"kind": "yoga", "target": "2/week"}
    assert client.post("/api/v1/plan/goals", body).status_code in {400, 415}
    text = client.post("/api/v1/plan/goals", json.dumps(body), content_type="text/plain")
    assert text.status_code == 415
    assert client.get("/api/v1/plan").json()["this_week"]["goals"] == []
    assert client.post("/api/v1/plan/goals/yoga/delete").status_code == 415


def test_the_plans_words_and_contacts_are_saved_by_put(client: Client, alice: Any) -> None:
    body = {
        "clinician_name": "Dr Lee",
        "clinician_contact": "clinic@example.org",
        "reasons": "Steadier days.",
        "warning_signs": "Not eating.",
        "crisis_contacts": [{"name": "Sam", "phone": "+1 555 0100"}],
    }
    answer = send(client, "put", "/api/v1/plan", body)
    assert answer.status_code == 200
    plan = answer.json()
    assert plan["clinician_contact"] == "clinic@example.org"
    assert plan["crisis_contacts"] == [{"name": "Sam", "phone": "+1 555 0100"}]
    bad = send(
        client, "put", "/api/v1/plan", body | {"crisis_contacts": [{"name": "S", "phone": "x"}]}
    )
    assert bad.status_code == 422
    assert "crisis_contacts.0.phone" in bad.json()["errors"]


def test_a_field_left_out_of_a_put_keeps_its_value_and_an_unknown_one_is_refused(
    client: Client, alice: Any
) -> None:
    first = {"clinician_name": "Dr Lee", "crisis_contacts": [{"name": "Sam", "phone": "+1 555"}]}
    assert send(client, "put", "/api/v1/plan", first).status_code == 200
    plan = send(client, "put", "/api/v1/plan", {"reasons": "Sleep better."}).json()
    assert plan["reasons"] == "Sleep better."
    assert plan["clinician_name"] == "Dr Lee"
    assert plan["crisis_contacts"] == [{"name": "Sam", "phone": "+1 555"}]
    # A misspelt key changes nothing and says which it was; an empty body changes nothing.
    misspelt = send(client, "put", "/api/v1/plan", {"clinican_name": "Dr Leigh"})
    assert misspelt.status_code == 422
    assert misspelt["Content-Type"] == "application/problem+json"
    assert "clinican_name" in misspelt.json()["errors"]
    assert send(client, "put", "/api/v1/plan", {}).json()["clinician_name"] == "Dr Lee"
    # An empty value given clears its field.
    cleared = send(client, "put", "/api/v1/plan", {"crisis_contacts": []}).json()
    assert cleared["crisis_contacts"] == []
    assert cleared["clinician_name"] == "Dr Lee"
    assert (
        send(client, "put", "/api/v1/plan", {"clinician_name": None}).json()["clinician_name"] == ""
    )
    # The document promises no default a client would send back: left out keeps the value.
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["PlanBody"]
    assert all(field.get("default") is None for field in schema["properties"].values())


def test_a_check_in_takes_meals_and_caffeine(client: Client, alice: Any) -> None:
    answer = send(
        client,
        "post",
        "/api/v1/checkins",
        {"anxiety": 3, "regular_meals": False, "caffeine_cups": 2},
    )
    assert answer.status_code == 201
    assert "meals not regular" in answer.json()["details"]
    assert "caffeine: 2 cups" in answer.json()["details"]
    too_much = send(client, "post", "/api/v1/checkins", {"anxiety": 3, "caffeine_cups": 80})
    assert too_much.status_code == 422
