"""API v1: instruments, responses, the crisis flag, and errors as problem+json."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: Any) -> Any:
    text = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, text, content_type="application/json")


def test_instruments_are_listed_with_their_loinc_panels(client: Client) -> None:
    rows = client.get("/api/v1/instruments").json()
    codes = {r["code"]: r for r in rows}
    assert set(codes) == {"GAD-7", "GAD-2", "PHQ-9", "PHQ-2", "PHQ-4", "SOWS", "SDS"}
    assert codes["GAD-7"]["loinc_panel"] == "69737-5"


def test_an_instrument_is_served_as_a_fhir_questionnaire(client: Client) -> None:
    from fhir.resources.R4B.questionnaire import Questionnaire

    body = client.get("/api/v1/instruments/PHQ-9/fhir").json()
    assert body["resourceType"] == "Questionnaire"
    assert Questionnaire.model_validate(body).item


def test_a_submitted_response_is_scored_and_saved(client: Client, alice: Any) -> None:
    response = post(
        client, "/api/v1/responses", {"instrument": "gad-7", "answers": [1, 1, 1, 1, 1, 0, 0]}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["instrument"], body["total"], body["band"]["id"], body["crisis"]) == (
        "GAD-7",
        5,
        "mild",
        False,
    )
    listed = client.get("/api/v1/responses?instrument=GAD-7").json()
    assert [r["id"] for r in listed["responses"]] == [body["id"]]


def test_a_crisis_answer_carries_the_flag_and_the_resources(client: Client, alice: Any) -> None:
    from mitra.journal import services

    services.set_up_person({"time_zone": "America/Chicago"})
    body = post(
        client, "/api/v1/responses", {"instrument": "PHQ-9", "answers": [0] * 8 + [1]}
    ).json()
    assert body["crisis"] is True
    assert body["flags"][0]["id"] == "crisis"
    assert body["crisis_resources"]["resources"][0]["href"] == "tel:988"
    assert body["crisis_resources"]["sources"]


def test_a_replayed_submission_is_stored_once(client: Client, alice: Any) -> None:
    payload = {"instrument": "GAD-2", "answers": [1, 2], "token": "abc"}
    first = post(client, "/api/v1/responses", payload)
    again = post(client, "/api/v1/responses", payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


@pytest.mark.parametrize(
    ("body", "status", "field", "text"),
    [
        (
            {"instrument": "PHQ-9", "answers": [0] * 8},
            422,
            "answers",
            "PHQ-9 needs 9 answers, got 8",
        ),
        ({"instrument": "GAD-7", "answers": [0, 0, 0, 0, 0, 0, 4]}, 422, "answers", "out of range"),
        ({"instrument": "GAD-8", "answers": [0]}, 422, "answers", "unknown instrument"),
        ({"instrument": "GAD-7"}, 422, "answers", "is required"),
        # The token is optional: an empty one is of the wrong length, not "required".
        (
            {"instrument": "GAD-7", "answers": [0] * 7, "token": ""},
            422,
            "token",
            "must be 1 to 64 characters",
        ),
        (
            {"instrument": "GAD-7", "answers": [0] * 7, "token": "t" * 65},
            422,
            "token",
            "must be 1 to 64 characters",
        ),
        ("{not json", 400, None, "Cannot parse"),
    ],
)
def test_bad_requests_are_problem_json_with_the_field_named(
    client: Client, alice: Any, body: Any, status: int, field: str | None, text: str
) -> None:
    response = post(client, "/api/v1/responses", body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    if field:
        assert text in problem["errors"][field]
    else:
        assert text in problem["detail"]


@pytest.mark.parametrize(
    ("method", "path", "detail"),
    [
        ("GET", "/api/v1/entries?limit=0", "The query is not valid: limit must be at least 1"),
        (
            "POST",
            "/api/v1/alerts/abc/acknowledge",
            "The path is not valid: alert_id must be a whole number",
        ),
        ("POST", "/api/v1/checkins", "The request body is not valid: anxiety is required"),
    ],
)
def test_a_refused_request_names_the_part_that_is_wrong(
    client: Client, alice: Any, method: str, path: str, detail: str
) -> None:
    # A bad ?limit= or path id was answered "The request body is not valid." (there was none).
    response = client.generic(method, path, "{}", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == detail


def test_unknown_paths_and_instruments_are_problem_json_404s(client: Client) -> None:
    for path in ["/api/v1/nothing-here", "/api/v1/instruments/GAD-8"]:
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_before_set_up_responses_are_refused_with_a_reason(client: Client, db: Any) -> None:
    response = post(client, "/api/v1/responses", {"instrument": "GAD-2", "answers": [0, 0]})
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "not set up" in detail
    # A client is told how to set it up itself, not only to open a browser.
    assert "PUT /api/v1/settings" in detail
    set_up = client.put(
        "/api/v1/settings", json.dumps({"time_zone": "Europe/Berlin"}), "application/json"
    )
    assert set_up.status_code == 201
    again = post(client, "/api/v1/responses", {"instrument": "GAD-2", "answers": [0, 0]})
    assert again.status_code == 201


def test_the_openapi_document_is_served(client: Client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/responses" in doc["paths"]


def test_a_non_json_post_is_refused_so_other_web_pages_cannot_write_to_the_journal(
    client: Client, alice: Any
) -> None:
    body = json.dumps({"instrument": "GAD-2", "answers": [0, 0]})
    response = client.post("/api/v1/responses", body, content_type="text/plain")
    assert response.status_code in {400, 415}
    assert response["Content-Type"] == "application/problem+json"
    from mitra.journal.models import Response

    assert not Response.objects.exists()


NOT_A_FIELD = "is not a field here (the fields are in /api/v1/openapi.json)"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/alerts/{alert}/acknowledge"),
        ("POST", "/api/v1/taper/hold"),
        ("POST", "/api/v1/entries/dose/{dose}/delete"),
        ("POST", "/api/v1/entries/dose/{dose}/restore"),
        ("DELETE", "/api/v1/entries/dose/{dose}"),
        ("POST", "/api/v1/plan/goals/yoga/delete"),
        ("DELETE", "/api/v1/plan/goals/yoga"),
        ("DELETE", "/api/v1/consent"),
    ],
)
def test_a_route_that_takes_no_body_refuses_a_key_naming_it(
    client: Client, alice: Any, powder: Any, method: str, path: str
) -> None:
    # These answered 200 to {"bogus": 1}, though a key a route does not have is a 422.
    from datetime import UTC, datetime

    from mitra.journal import services
    from mitra.journal.alerts import refresh_alerts

    dose = services.log_dose(
        alice, {"product_id": powder.pk, "taken_at": datetime.now(UTC), "amount": 2, "unit": "g"}
    )
    services.submit_response(
        alice, {"instrument": "PHQ-9", "at": datetime.now(UTC), "answers": [0] * 8 + [2]}
    )
    refresh_alerts(alice)
    alert = client.get("/api/v1/alerts").json()["alerts"][0]["id"]
    url = path.format(alert=alert, dose=dose.pk)
    response = client.generic(method, url, '{"bogus": 1}', content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"bogus": NOT_A_FIELD}
    assert [a["id"] for a in client.get("/api/v1/alerts").json()["alerts"]] == [alert]
    assert client.get("/api/v1/today").json()["entries"]  # the dose stands


def test_a_route_that_takes_no_body_takes_none_or_an_empty_object(
    client: Client, alice: Any
) -> None:
    from datetime import UTC, datetime

    from mitra.journal import services
    from mitra.journal.alerts import refresh_alerts

    for _ in range(2):
        services.submit_response(
            alice, {"instrument": "PHQ-9", "at": datetime.now(UTC), "answers": [0] * 8 + [2]}
        )
    refresh_alerts(alice)
    first, second = (a["id"] for a in client.get("/api/v1/alerts").json()["alerts"][:2])
    # Django's test client sets no Content-Type for an empty body; a client may.
    path = f"/api/v1/alerts/{first}/acknowledge"
    empty = client.generic("POST", path, "", CONTENT_TYPE="application/json")
    assert empty.status_code == 200
    braces = post(client, f"/api/v1/alerts/{second}/acknowledge", {})
    assert braces.status_code == 200


def test_one_response_is_served_with_its_change_as_its_page_shows_it(
    client: Client, alice: Any
) -> None:
    """The response's web page (score, change since the previous and the first response, the
    history) has its API route, whose change is the one the terminal prints once it saves."""
    at = ["2026-03-01T09:00:00+01:00", "2026-03-15T09:00:00+01:00", "2026-03-29T09:00:00+02:00"]
    ids = [
        post(client, "/api/v1/responses",
             {"instrument": "GAD-7", "answers": answers, "at": when}).json()["id"]
        for answers, when in (([3] * 7, at[0]), ([1] * 6 + [0], at[1]), ([1] * 7, at[2]))
    ]  # fmt: skip
    detail = client.get(f"/api/v1/responses/{ids[2]}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["response"]["total"] == 7
    changes = {c["label"]: c["change"] for c in body["changes"]}
    assert changes["since your previous response"]["difference"] == 1
    assert changes["since your first response"]["difference"] == -14
    assert changes["since your first response"]["meets_reliable_change"] is True
    assert [p["total"] for p in body["history"]] == [21, 6, 7]
    assert body["change_sources"]
    missing = client.get("/api/v1/responses/999999")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
