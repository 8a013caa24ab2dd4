"""API v1: the settings, and scoring or comparing without saving."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from mitra.journal.models import Person, Response

pytestmark = pytest.mark.django_db

PROBLEM_JSON = "application/problem+json"


def put(client: Client, path: str, body: Any) -> Any:
    return client.put(path, json.dumps(body), content_type="application/json")


def test_settings_show_the_time_zone_and_day_boundary(client: Client, alice: Any) -> None:
    response = client.get("/api/v1/settings")
    assert response.status_code == 200
    assert response.json() == {"time_zone": "Europe/Berlin", "day_boundary_hour": 4}


def test_a_change_keeps_what_it_leaves_out_and_moves_the_days(client: Client, alice: Any) -> None:
    response = put(client, "/api/v1/settings", {"day_boundary_hour": 6})
    assert response.status_code == 200
    assert response.json() == {"time_zone": "Europe/Berlin", "day_boundary_hour": 6}
    response = put(client, "/api/v1/settings", {"time_zone": "America/Chicago"})
    assert response.json() == {"time_zone": "America/Chicago", "day_boundary_hour": 6}
    person = Person.objects.get()
    assert (person.time_zone, person.day_boundary_hour) == ("America/Chicago", 6)
    assert client.get("/api/v1/settings").json()["time_zone"] == "America/Chicago"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"time_zone": "Europe/Berlin\x00"}, "time_zone"),
        ({"time_zone": "x" * 65}, "time_zone"),
        ({"day_boundary_hour": 24}, "day_boundary_hour"),
        ({"day_boundary_hour": -1}, "day_boundary_hour"),
        ({"day_boundary_hour": "four"}, "day_boundary_hour"),
    ],
)
def test_a_bad_setting_is_a_problem_naming_it_and_changes_nothing(
    client: Client, alice: Any, body: dict[str, Any], field: str
) -> None:
    response = put(client, "/api/v1/settings", body)
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM_JSON
    assert field in response.json()["errors"]
    person = Person.objects.get()
    assert (person.time_zone, person.day_boundary_hour) == ("Europe/Berlin", 4)


def test_the_first_time_zone_sets_the_journal_up(client: Client, db: Any) -> None:
    assert client.get("/api/v1/settings").status_code == 409
    refused = put(client, "/api/v1/settings", {"day_boundary_hour": 5})
    assert refused.status_code == 409
    assert refused["Content-Type"] == PROBLEM_JSON
    assert not Person.objects.exists()
    response = put(client, "/api/v1/settings", {"time_zone": "Asia/Kolkata"})
    assert response.status_code == 201
    assert response.json() == {"time_zone": "Asia/Kolkata", "day_boundary_hour": 4}


def test_a_change_of_nothing_changes_nothing(client: Client, alice: Any) -> None:
    version = Person.objects.get().version
    response = put(client, "/api/v1/settings", {})
    assert response.status_code == 200
    assert response.json() == {"time_zone": "Europe/Berlin", "day_boundary_hour": 4}
    assert Person.objects.get().version == version


def test_settings_take_json_only(client: Client, alice: Any) -> None:
    response = client.put("/api/v1/settings", "day_boundary_hour=6", content_type="text/plain")
    assert response.status_code == 415
    assert Person.objects.get().day_boundary_hour == 4


def test_answers_are_scored_without_saving(client: Client, alice: Any) -> None:
    response = client.get(
        "/api/v1/instruments/gad-7/score?" + "&".join(f"answer={a}" for a in "1230121")
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["instrument"], body["total"], body["maximum"], body["band"]["id"]) == (
        "GAD-7",
        10,
        21,
        "moderate",
    )
    assert body["crisis"] is False
    assert body["crisis_resources"] is None
    assert body["sources"][0]["id"] == "spitzer2006"
    assert not Response.objects.exists()


def test_a_crisis_answer_brings_the_lines_of_the_persons_country(
    client: Client, alice: Any
) -> None:
    path = "/api/v1/instruments/PHQ-9/score?" + "&".join(f"answer={a}" for a in "000000001")
    body = client.get(path).json()
    assert body["crisis"] is True
    assert body["crisis_resources"]["resources"][0]["href"] == "tel:112"  # alice is in Berlin


def test_scoring_needs_no_journal(client: Client, db: Any) -> None:
    path = "/api/v1/instruments/PHQ-9/score?" + "&".join(f"answer={a}" for a in "000000001")
    body = client.get(path).json()
    assert body["crisis_resources"]["resources"][0]["href"] == "tel:988"
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/api/v1/instruments/GAD-7/score?answer=1&answer=2", 422, "GAD-7 needs 7 answers, got 2"),
        ("/api/v1/instruments/GAD-7/score", 422, "answer"),
        ("/api/v1/instruments/GAD-2/score?answer=1&answer=4", 422, "out of range"),
        ("/api/v1/instruments/GAD-2/score?answer=1&answer=often", 422, "answer"),
        ("/api/v1/instruments/GAD-2/score?" + "answer=0&" * 61, 422, "answer"),
        ("/api/v1/instruments/GAD-8/score?answer=1", 404, "GAD-8"),
        ("/api/v1/instruments/GAD-7/compare?before=14&after=99", 422, "out of range"),
        ("/api/v1/instruments/GAD-7/compare?before=14", 422, "after"),
        ("/api/v1/instruments/GAD-7/compare?before=-1&after=3", 422, "before"),
        ("/api/v1/instruments/NOPE/compare?before=1&after=2", 404, "NOPE"),
    ],
)
def test_what_cannot_be_scored_or_compared_is_a_problem(
    client: Client, db: Any, path: str, status: int, says: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM_JSON
    assert says in json.dumps(response.json())


def test_two_totals_are_compared_against_both_thresholds(client: Client, db: Any) -> None:
    body = client.get("/api/v1/instruments/GAD-7/compare?before=15&after=10").json()
    assert (body["difference"], body["direction"]) == (-5, "improvement")
    assert (body["mcid"], body["meets_mcid"]) == (4, True)
    assert (body["reliable_change"], body["meets_reliable_change"]) == (6, False)
    assert {s["id"] for s in body["sources"]} == {"toussaint2020", "bischoff2020"}
