"""API v1: logging doses, check-ins, practices, intakes, products, substances; reading them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mitra.journal import services

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_a_dose_is_logged_in_its_products_unit_and_answered_with_its_journal_line(
    client: Client, alice: Any, capsules: Any
) -> None:
    response = post(client, "/api/v1/doses", {"product_id": capsules.pk, "amount": 4})
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "dose"
    assert body["title"] == "Kratom: 4 Red capsules"
    assert "= 2 g" in body["details"]


def test_a_replayed_dose_token_is_stored_once(client: Client, alice: Any, powder: Any) -> None:
    payload = {"product_id": powder.pk, "amount": 2, "unit": "g", "token": "t-1"}
    first, again = post(client, "/api/v1/doses", payload), post(client, "/api/v1/doses", payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert client.get("/api/v1/today").json()["totals"]["grams_leaf"] == 2.0
    # Deleted since, the same submission is not answered as if the dose stood in the journal.
    assert client.delete(f"/api/v1/entries/dose/{first.json()['id']}").status_code == 200
    replayed = post(client, "/api/v1/doses", payload)
    assert replayed.status_code == 409
    assert replayed["Content-Type"] == "application/problem+json"
    assert replayed.json()["detail"].endswith(
        f"to bring it back: POST /api/v1/entries/dose/{first.json()['id']}/restore"
    )


def test_a_check_in_with_practices_shows_on_today_with_its_practices(
    client: Client, alice: Any
) -> None:
    payload = {"anxiety": 6, "mood": 3, "practices": [{"kind": "mindfulness", "minutes": 15}]}
    created = post(client, "/api/v1/checkins", payload)
    assert created.status_code == 201
    assert created.json()["title"] == "Check-in: anxiety 6/10"
    today = client.get("/api/v1/today").json()
    assert [e["id"] for e in today["entries"]] == [created.json()["id"]]
    assert any("15 min" in d for d in today["entries"][0]["details"])
    assert len(today["chart"]) == 30
    assert today["chart"][-1]["anxiety"] == 6.0


def test_a_practice_and_an_intake_are_logged_on_their_own(client: Client, alice: Any) -> None:
    practice = post(client, "/api/v1/practices", {"kind": "exercise", "minutes": 30})
    assert practice.status_code == 201
    assert practice.json()["title"] == "Exercise: 30 min"
    substance = post(client, "/api/v1/substances", {"name": "alcohol"})
    assert substance.status_code == 201
    intake = post(
        client,
        "/api/v1/intakes",
        {"substance_id": substance.json()["id"], "amount": 2, "unit": "drinks"},
    )
    assert intake.status_code == 201
    assert intake.json()["title"] == "alcohol: 2 drinks"


def test_substances_come_with_their_interactions_with_kratom_and_sources(
    client: Client, alice: Any
) -> None:
    added = post(client, "/api/v1/substances", {"name": "Xanax"}).json()
    assert (added["recognised"], added["knowledge_name"]) == (True, "alprazolam")
    listed = client.get("/api/v1/substances").json()
    assert [s["name"] for s in listed["substances"]] == ["Xanax"]
    worst = listed["interactions"][0]
    assert worst["severity"] in {"warning", "danger"}
    assert worst["advice"]
    assert worst["sources"][0]["url"].startswith("https://")


def test_a_product_is_added_and_listed(client: Client, alice: Any) -> None:
    created = post(client, "/api/v1/products", {"name": "Bali powder", "form": "powder"})
    assert created.status_code == 201
    listed = client.get("/api/v1/products").json()
    assert [p["name"] for p in listed["products"]] == ["Bali powder"]
    assert listed["next_cursor"] is None


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/doses", {"product_id": 999, "amount": 1, "unit": "g"}, "product_id"),
        ("/api/v1/doses", {"product_id": 1, "amount": -1, "unit": "g"}, "amount"),
        ("/api/v1/checkins", {"anxiety": 11}, "anxiety"),
        ("/api/v1/checkins", {"anxiety": 3, "at": "2999-01-01T00:00:00Z"}, "at"),
        ("/api/v1/practices", {"kind": "juggling", "minutes": 5}, "kind"),
        ("/api/v1/intakes", {"substance_id": 999}, "substance_id"),
        ("/api/v1/products", {"name": ""}, "name"),
        ("/api/v1/products", {"name": "\u200b"}, "name"),  # a zero-width space shows nothing
        ("/api/v1/substances", {"name": " \u200b\u2060"}, "name"),
        ("/api/v1/substances", {"name": "x" * 121}, "name"),
    ],
)
def test_invalid_writes_are_422_problems_naming_the_field_and_save_nothing(
    client: Client, alice: Any, path: str, body: Any, field: str
) -> None:
    response = post(client, path, body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert client.get("/api/v1/entries").json()["days"] == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/checkins", {"anxiety": 3}),
        ("/api/v1/practices", {"kind": "yoga", "minutes": 10}),
        ("/api/v1/products", {"name": "Bali powder"}),
        ("/api/v1/substances", {"name": "alcohol"}),
    ],
)
def test_writes_take_only_json_so_other_pages_cannot_post_into_the_journal(
    client: Client, alice: Any, path: str, body: Any
) -> None:
    form = client.post(path, body)
    text = client.post(path, json.dumps(body), content_type="text/plain")
    assert form.status_code in {400, 415, 422}
    assert text.status_code == 415
    assert form["Content-Type"] == text["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/entries").json()["days"] == []
    assert client.get("/api/v1/products").json()["products"] == []
    assert client.get("/api/v1/substances").json()["substances"] == []


def test_entries_come_a_page_at_a_time_without_loss_or_repeats(client: Client, alice: Any) -> None:
    for n in range(5):
        post(client, "/api/v1/checkins", {"anxiety": n, "at": "2026-01-10T08:00:00Z"})
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get("/api/v1/entries" + query).json()
        seen += [e["id"] for day in page["days"] for e in day["entries"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5
    assert len(set(seen)) == 5


@pytest.mark.parametrize("query", ["?limit=0", "?limit=201", "?cursor=nonsense", "?limit=x"])
def test_bad_page_requests_are_422_problems(client: Client, alice: Any, query: str) -> None:
    response = client.get("/api/v1/entries" + query)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_responses_are_paginated_and_keep_the_instrument_filter(client: Client, alice: Any) -> None:
    for answers in ([0, 0], [1, 1], [2, 2]):
        post(client, "/api/v1/responses", {"instrument": "GAD-2", "answers": answers})
    post(client, "/api/v1/responses", {"instrument": "PHQ-2", "answers": [0, 0]})
    first = client.get("/api/v1/responses?instrument=GAD-2&limit=2").json()
    assert [r["total"] for r in first["responses"]] == [0, 2]
    rest = client.get(f"/api/v1/responses?instrument=GAD-2&cursor={first['next_cursor']}").json()
    assert ([r["total"] for r in rest["responses"]], rest["next_cursor"]) == ([4], None)


CREATED = {
    "doses",
    "checkins",
    "practices",
    "intakes",
    "products",
    "substances",
    "responses",
    "plan",
}


def test_every_route_and_operation_declares_a_response_schema(client: Client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    expected = {
        ("get", "/api/v1/today"),
        ("get", "/api/v1/entries"),
        ("get", "/api/v1/substances"),
        ("get", "/api/v1/responses"),
        ("get", "/api/v1/products"),
        *(
            ("post", f"/api/v1/{p}")
            for p in (
                "doses",
                "checkins",
                "practices",
                "intakes",
                "products",
                "substances",
                "responses",
            )
        ),
    }
    operations = {
        (method, path): op for path, item in doc["paths"].items() for method, op in item.items()
    }
    assert expected <= set(operations)
    for (method, path), op in operations.items():
        ok = [s for s in op["responses"] if s.startswith("2")]
        assert ok, f"{method} {path} declares no success answer"
        for status, answer in op["responses"].items():
            # Errors are served as application/problem+json, and documented so.
            served_as = "application/problem+json" if int(status) >= 400 else "application/json"
            assert answer.get("content", {}).get(served_as, {}).get("schema"), (
                f"{method} {path} {status} has no {served_as} schema"
            )
        if method == "post" and path.rsplit("/", 1)[-1] in CREATED:
            assert {"201", "422", "415"} <= set(op["responses"]), f"{method} {path}"
        elif method == "post":  # an action on an existing entry, such as acknowledging an alert
            assert {"200", "404", "415"} <= set(op["responses"]), f"{method} {path}"


def test_entries_of_every_kind_are_listed_and_filtered_by_kind(client: Client, alice: Any) -> None:
    from mitra.journal import services

    at = "2026-01-10T08:00:00Z"
    post(client, "/api/v1/checkins", {"anxiety": 3, "at": at})
    post(client, "/api/v1/practices", {"kind": "yoga", "minutes": 10, "at": at})
    services.submit_response(
        alice, {"instrument": "GAD-2", "at": "2026-01-10T09:00:00Z", "answers": [1, 1]}
    )

    def kinds(query: str) -> list[str]:
        page = client.get("/api/v1/entries" + query).json()
        return [e["kind"] for day in page["days"] for e in day["entries"]]

    assert kinds("") == ["response", "practice", "checkin"]
    assert kinds("?kind=practice,response") == ["response", "practice"]
    assert client.get("/api/v1/entries?kind=practice").json()["kinds"] == ["practice"]


@pytest.mark.parametrize("query", ["?kind=nightmare", "?kind=dose,x", "?kind=" + "dose," * 30])
def test_an_unknown_kind_is_a_422_problem_naming_the_kinds(
    client: Client, alice: Any, query: str
) -> None:
    response = client.get("/api/v1/entries" + query)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_a_dose_above_the_highest_band_is_a_422_with_a_code_until_confirmed(
    client: Client, alice: Any, powder: Any
) -> None:
    payload = {"product_id": powder.pk, "amount": 20, "unit": "g"}
    refused = post(client, "/api/v1/doses", payload)
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    body = refused.json()
    assert body["code"] == "implausible_amount"
    assert body["sources"] == ["prozialeck2012"]
    assert '"confirm": true' in body["detail"]
    assert "15 g" in body["errors"]["amount"]
    assert client.get("/api/v1/today").json()["totals"]["grams_leaf"] == 0
    assert post(client, "/api/v1/doses", payload | {"confirm": True}).status_code == 201


def test_a_7oh_dose_above_the_largest_labelled_dose_is_a_422_until_confirmed(
    client: Client, alice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from mitra.cli import main
    from mitra.journal import services

    tabs = services.add_product(
        alice, {"name": "Tabs", "form": "7oh", "unit": "tablet", "grams_per_unit": 0.1,
                "hydroxy_mg_per_g": 150.0},
    )  # fmt: skip
    payload = {"product_id": tabs.pk, "amount": 2, "unit": "tablet"}
    refused = post(client, "/api/v1/doses", payload)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "implausible_amount"
    assert body["sources"] == ["smith2025"]
    assert "30 mg of 7-OH" in body["errors"]["amount"]
    assert post(client, "/api/v1/doses", payload | {"confirm": True}).status_code == 201
    # The terminal asks the same, and takes --yes.
    with pytest.raises(SystemExit) as stopped:
        main(["dose", "Tabs", "2"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "holds 30 mg of 7-OH by the product's lab figure" in err
    assert err.rstrip().endswith("run the command again with --yes")
    main(["dose", "Tabs", "2", "--yes"])


def test_an_extract_concentrated_by_its_lab_figure_is_asked_about_as_a_7oh_product(
    client: Client, alice: Any
) -> None:
    """Only the 7-OH form was asked about: 10 g of an extract holding 5 mg of 7-OH per g
    (50 mg of 7-OH, a concentrated 7-OH product by the alert's own test) was logged unasked."""
    from mitra.journal import services

    extract = services.add_product(
        alice, {"name": "OPMS extract", "form": "extract", "hydroxy_mg_per_g": 5}
    )
    payload = {"product_id": extract.pk, "amount": 10, "unit": "g"}
    refused = post(client, "/api/v1/doses", payload)
    assert refused.status_code == 422
    assert "50 mg of 7-OH" in refused.json()["errors"]["amount"]
    assert post(client, "/api/v1/doses", payload | {"confirm": True}).status_code == 201


def test_a_body_field_of_the_wrong_type_is_refused_in_plain_words(
    client: Client, alice: Any, powder: Any
) -> None:
    response = post(client, "/api/v1/checkins", {"anxiety": "abc"})
    assert response.status_code == 422
    assert response.json()["errors"]["anxiety"] == "must be a whole number"
    assert "Input should" not in response.content.decode()


@pytest.mark.parametrize(
    ("path", "extra", "field", "says"),
    [
        # A dose's time is taken_at: `at` was dropped and the dose logged now.
        ("/api/v1/doses", {"at": "2026-11-29T08:00:00+00:00"}, "at", "is not a field here"),
        ("/api/v1/doses", {"amount": True}, "amount", "must be a number"),  # was 1 g
        ("/api/v1/doses", {"amount": "2"}, "amount", "must be a number"),
        ("/api/v1/doses", {"product_id": "1"}, "product_id", "must be a whole number"),
        ("/api/v1/checkins", {"regular_meals": "yes"}, "regular_meals", "must be true or false"),
        ("/api/v1/checkins", {"anxiety": 4.5}, "anxiety", "must be a whole number"),
        # A time is ISO text with its offset: 0 was read as a Unix time, a dose in 1970.
        ("/api/v1/doses", {"taken_at": 0}, "taken_at", "must be a date and time with its offset"),
        ("/api/v1/checkins", {"at": 1764580000}, "at", "must be a date and time with its offset"),
        # So is text that is only a number: "1700000000" was read as 14 Nov 2023, "2026" as 1970.
        (
            "/api/v1/doses",
            {"taken_at": "1700000000"},
            "taken_at",
            "must be a date and time with its offset",
        ),
        ("/api/v1/checkins", {"at": "2026"}, "at", "must be a date and time with its offset"),
        ("/api/v1/checkins", {"at": "-1.5"}, "at", "must be a date and time with its offset"),
    ],
)
def test_a_body_is_taken_as_written_or_refused_naming_the_field(
    client: Client, alice: Any, powder: Any, path: str, extra: dict[str, Any], field: str, says: str
) -> None:
    body = {"product_id": powder.pk, "amount": 2} if "doses" in path else {"anxiety": 4}
    response = post(client, path, body | extra)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][field].startswith(says)
    assert client.get("/api/v1/today").json()["entries"] == []  # nothing half-written
    assert post(client, path, body).status_code == 201  # as written, it is taken


@pytest.mark.parametrize("at", ["yesterday", "2026-11-25 08:30", "2026-11-25T08:30:00"])
def test_a_time_the_api_cannot_take_is_refused_with_an_example_it_takes(
    client: Client, alice: Any, powder: Any, at: str
) -> None:
    # The example was the web's "2026-11-25 08:30", which the API refuses for want of an offset.
    response = post(client, "/api/v1/doses", {"product_id": powder.pk, "amount": 2, "taken_at": at})
    assert response.status_code == 422
    said = response.json()["errors"]["taken_at"]
    assert said == "must be a date and time with its offset, like 2026-11-25T08:30:00+01:00"
    assert datetime.fromisoformat(said.rsplit(" ", 1)[-1]).tzinfo is not None


@pytest.mark.parametrize(
    ("path", "text", "field"),
    [
        # json.loads keeps the last of two keys: this saved yoga.
        ("/api/v1/practices", '{"kind": "exercise", "minutes": 5, "kind": "yoga"}', "kind"),
        (
            "/api/v1/checkins",
            '{"anxiety": 3, "practices": [{"kind": "yoga", "minutes": 5, "minutes": 50}]}',
            "practices.0.minutes",
        ),
        ("/api/v1/checkins", '{"anxiety": 3, "note": "a", "anxiety": 9}', "anxiety"),
    ],
)
def test_a_key_written_twice_is_refused_naming_it(
    client: Client, alice: Any, path: str, text: str, field: str
) -> None:
    response = client.post(path, text, content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == {field: "is given more than once; send each key once"}
    assert field in response.json()["detail"]
    assert client.get("/api/v1/entries").json()["days"] == []


@pytest.mark.parametrize(
    ("path", "text", "field"),
    [
        # NaN was read and compared with the bound: "must be at most 100".
        (
            "/api/v1/products",
            '{"name": "Caps", "unit": "capsule", "grams_per_unit": NaN}',
            "grams_per_unit",
        ),
        ("/api/v1/doses", '{"product_id": 1, "amount": Infinity}', "amount"),
        ("/api/v1/checkins", '{"anxiety": 3, "sleep_hours": -Infinity}', "sleep_hours"),
        ("/api/v1/checkins", '{"anxiety": 3, "caffeine_cups": 1e400}', "caffeine_cups"),
        ("/api/v1/checkins", '{"anxiety": NaN}', "anxiety"),
        ("/api/v1/intakes", '{"substance_id": 1, "amount": NaN, "unit": "mg"}', "amount"),
    ],
)
def test_a_number_that_is_not_finite_is_refused_as_such(
    client: Client, alice: Any, path: str, text: str, field: str
) -> None:
    response = client.post(path, text, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {field: "must be a finite number"}
    assert client.get("/api/v1/entries").json()["days"] == []
    assert client.get("/api/v1/products").json()["products"] == []


def test_a_night_sent_as_minus_zero_hours_is_shown_as_zero(client: Client, alice: Any) -> None:
    # It was shown as "slept -0 h".
    response = post(client, "/api/v1/checkins", {"anxiety": 3, "sleep_hours": -0.0})
    assert response.status_code == 201
    assert response.json()["details"] == ["slept 0 h"]


def test_a_second_product_of_a_name_is_a_422_naming_the_field(
    client: Client, alice: Any, powder: Any
) -> None:
    refused = post(client, "/api/v1/products", {"name": "green powder"})
    assert refused.status_code == 422
    assert refused.json()["errors"]["name"].startswith("is already the name of one of your")


def test_an_entry_is_deleted_and_restored_by_the_api_and_the_terminal_alike(
    client: Client, alice: Any, powder: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped dose could be removed only on the web. The API and the terminal now delete
    and restore any dose, check-in, practice or intake, each answering with the entry's
    journal line (the same document), and refuse other kinds and unknown ids."""
    from mitra.journal.models import Dose
    from tests.cli.test_commands import refused, run

    dose = post(client, "/api/v1/doses", {"product_id": powder.pk, "amount": 4}).json()
    gone = client.delete(f"/api/v1/entries/dose/{dose['id']}")
    assert gone.status_code == 200
    assert gone.json() == dose
    assert Dose.objects.get(pk=dose["id"]).deleted_at is not None
    assert not client.get("/api/v1/entries?kind=dose").json()["days"]
    back = post(client, f"/api/v1/entries/dose/{dose['id']}/restore", {})
    assert back.status_code == 200
    assert back.json() == dose
    # A form elsewhere cannot change the journal: JSON only.
    assert client.post(f"/api/v1/entries/dose/{dose['id']}/delete").status_code == 415
    missing = client.delete("/api/v1/entries/dose/999999")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert client.delete(f"/api/v1/entries/response/{dose['id']}").status_code == 404
    # The terminal: the same document, and an undo line.
    code, out, err = run(capsys, "entries", "delete", "dose", str(dose["id"]), "--json")
    assert code == 0, err
    assert json.loads(out) == dose
    code, out, err = run(capsys, "entries", "restore", "dose", str(dose["id"]))
    assert code == 0, err
    assert out.startswith(f"Restored dose {dose['id']} (")
    code, out, err = run(capsys, "entries", "delete", "dose", str(dose["id"]))
    assert out.splitlines()[-1] == f"To undo: mitra entries restore dose {dose['id']}"
    said = refused(capsys, "entries", "delete", "dose", str(dose["id"]))
    assert said == f"mitra: dose {dose['id']} is deleted already"
    said = refused(capsys, "entries", "restore", "checkin", "999999")
    assert said == "mitra: check-in 999999 is not in this journal"
    said = refused(capsys, "entries", "delete", "response", "1")
    assert said.startswith("mitra: 'response' is not a kind of entry to delete; use one of dose")
    # The listing shows what delete takes.
    run(capsys, "entries", "restore", "dose", str(dose["id"]))
    said = refused(capsys, "entries", "restore", "dose", str(dose["id"]))
    assert said == f"mitra: dose {dose['id']} is not deleted: nothing to restore"
    code, out, _ = run(capsys, "entries")
    assert f"dose {dose['id']}  Kratom: 4 g of Green powder" in " ".join(out.split("\n"))


def put(client: Client, path: str, body: Any) -> Any:
    return client.put(path, json.dumps(body), content_type="application/json")


def test_a_dose_check_in_and_intake_are_changed_in_full_and_read_back_changed(
    client: Client, alice: Any, powder: Any, capsules: Any
) -> None:
    at = "2026-11-20T08:30:00+01:00"
    dose = post(client, "/api/v1/doses", {"product_id": powder.pk, "amount": 2, "taken_at": at})
    changed = put(
        client,
        f"/api/v1/doses/{dose.json()['id']}",
        {"product_id": capsules.pk, "amount": 3, "taken_at": at, "note": "was capsules"},
    )
    assert changed.status_code == 200, changed.content
    # Counted in the new product's unit (its default), 3 capsules of 0.5 g.
    assert changed.json()["title"] == "Kratom: 3 Red capsules"
    assert "= 1.5 g" in changed.json()["details"]
    checkin = post(
        client,
        "/api/v1/checkins",
        {"anxiety": 6, "at": at, "practices": [{"kind": "exercise", "minutes": 20}]},
    )
    changed = put(
        client,
        f"/api/v1/checkins/{checkin.json()['id']}",
        {"anxiety": 3, "at": at, "practices": [{"kind": "mindfulness", "minutes": 10}]},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Check-in: anxiety 3/10"
    practices = client.get("/api/v1/entries?kind=practice").json()
    lines = [e["title"] for d in practices["days"] for e in d["entries"]]
    # The exercise was replaced, not kept beside the new practice.
    assert lines == ["Mindfulness or meditation: 10 min"]
    substance = post(client, "/api/v1/substances", {"name": "alcohol"}).json()
    intake = post(client, "/api/v1/intakes", {"substance_id": substance["id"], "taken_at": at})
    changed = put(
        client,
        f"/api/v1/intakes/{intake.json()['id']}",
        {"substance_id": substance["id"], "amount": 2, "unit": "drinks", "taken_at": at},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "alcohol: 2 drinks"


def test_a_product_and_a_substance_are_changed_and_a_lab_figure_left_out_is_cleared(
    client: Client, alice: Any, powder: Any
) -> None:
    body = {"name": "Green powder", "vein": "green"}
    changed = put(client, f"/api/v1/products/{powder.pk}", body)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["vein"], changed.json()["mitragynine_mg_per_g"]) == ("green", None)
    substance = post(client, "/api/v1/substances", {"name": "Zoloft"}).json()
    changed = put(client, f"/api/v1/substances/{substance['id']}", {"name": "sertraline"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "sertraline"
    assert [s["name"] for s in client.get("/api/v1/substances").json()["substances"]] == [
        "sertraline"
    ]


def test_a_change_is_refused_as_a_problem_and_leaves_the_entry_as_it_was(
    client: Client, alice: Any, powder: Any
) -> None:
    at = "2026-11-20T08:30:00+01:00"
    dose = post(client, "/api/v1/doses", {"product_id": powder.pk, "amount": 2, "taken_at": at})
    path = f"/api/v1/doses/{dose.json()['id']}"
    # Without its time (an edit never moves an entry to now), with an amount out of bounds,
    # for an id that is not in the journal, or deleted: a problem each, and nothing changed.
    cases = [
        (path, {"product_id": powder.pk, "amount": 3}, 422, "taken_at"),
        (path, {"product_id": powder.pk, "amount": -1, "taken_at": at}, 422, "amount"),
        ("/api/v1/doses/99999", {"product_id": powder.pk, "amount": 3, "taken_at": at}, 404, ""),
    ]
    for where, body, status, field in cases:
        refused = put(client, where, body)
        assert refused.status_code == status, (body, refused.content)
        assert refused["Content-Type"] == "application/problem+json"
        assert field in json.dumps(refused.json())
    sent_as_form = client.put(path, "amount=3", content_type="application/x-www-form-urlencoded")
    assert sent_as_form.status_code == 415
    assert client.delete(f"/api/v1/entries/dose/{dose.json()['id']}").status_code == 200
    gone = put(client, path, {"product_id": powder.pk, "amount": 3, "taken_at": at})
    assert gone.status_code == 404
    restore = f"/api/v1/entries/dose/{dose.json()['id']}/restore"
    assert client.post(restore, content_type="application/json").status_code == 200
    listed = client.get("/api/v1/entries?kind=dose").json()
    titles = [e["title"] for d in listed["days"] for e in d["entries"]]
    assert titles == ["Kratom: 2 g of Green powder"]


def test_a_token_sent_again_with_other_values_is_a_409_and_saves_nothing(
    client: Client, alice: Any, powder: Any
) -> None:
    first = post(client, "/api/v1/doses", {"product_id": powder.pk, "amount": 2, "token": "d1"})
    assert first.status_code == 201
    # A retry without a time takes now: the same values are the same dose, stored once.
    again = post(client, "/api/v1/doses", {"product_id": powder.pk, "amount": 2, "token": "d1"})
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    other = post(client, "/api/v1/doses", {"product_id": powder.pk, "amount": 3, "token": "d1"})
    assert other.status_code == 409
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["code"] == "token_reused"
    assert other.json()["errors"]["token"].startswith(
        f"was sent before with other values (dose {first.json()['id']} was saved then)"
    )
    assert client.get("/api/v1/today").json()["totals"]["grams_leaf"] == 2.0
    product = {"name": "Bali", "token": "p1"}
    assert post(client, "/api/v1/products", product).status_code == 201
    assert post(client, "/api/v1/products", product | {"vein": "red"}).status_code == 409


def test_a_leaf_dose_far_below_the_lowest_band_is_asked_about_on_every_face(
    client: Client, alice: Any, powder: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """3 mg of leaf powder is most likely 3 g typed in the wrong unit: it is asked about, with
    the band and its sources, before it is logged (API 422 with a code, web's confirm box,
    terminal's question), and logged once confirmed."""
    from tests.cli.test_commands import run

    payload = {"product_id": powder.pk, "amount": 3, "unit": "mg"}
    refused = post(client, "/api/v1/doses", payload)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "implausibly_small_amount"
    assert body["sources"] == ["prozialeck2012", "garciaromeu2020"]
    assert body["errors"]["amount"].startswith(
        "is 0.003 g of leaf in one dose, under 0.1 g: a small part of the 1 g where the lowest "
        "dose band ('stimulant-like') starts"
    )
    assert "is 3 mg right, or did you mean another unit?" in body["errors"]["amount"]
    page = client.post(
        "/doses",
        {"token": "small-1", "product_id": powder.pk, "amount": "3", "unit": "mg",
         "taken_at": timezone.now().strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    assert page.status_code == 422
    assert "Yes, this amount is right" in page.content.decode()
    code, _, err = run(capsys, "dose", "Green powder", "3", "mg")
    assert code == 2
    assert "is 3 mg right, or did you mean another unit?" in err
    assert client.get("/api/v1/today").json()["entries"] == []
    assert post(client, "/api/v1/doses", payload | {"confirm": True}).status_code == 201
    # 0.5 g, a small dose but a dose, is not asked about.
    assert post(client, "/api/v1/doses", payload | {"amount": 0.5, "unit": "g"}).status_code == 201


def test_a_dose_changed_without_its_unit_keeps_it_even_for_a_product_off_the_list(
    client: Client, alice: Any, capsules: Any, powder: Any
) -> None:
    """4 capsules of 0.5 g are 2 g: a PUT that leaves out the unit (to change the note) must
    not count them as 4 g, though the capsules are off the product list by now."""
    at = "2026-11-20T08:30:00+01:00"
    dose = post(client, "/api/v1/doses", {"product_id": capsules.pk, "amount": 4, "taken_at": at})
    services.delete_product(alice, capsules.pk)
    changed = put(
        client,
        f"/api/v1/doses/{dose.json()['id']}",
        {"product_id": capsules.pk, "amount": 4, "taken_at": at, "note": "with breakfast"},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Kratom: 4 Red capsules"
    assert "= 2 g" in changed.json()["details"]
    grams = post(client, "/api/v1/doses", {"product_id": powder.pk, "amount": 2, "unit": "g",
                                           "taken_at": at})  # fmt: skip
    kept = put(client, f"/api/v1/doses/{grams.json()['id']}",
               {"product_id": powder.pk, "amount": 2, "taken_at": at})  # fmt: skip
    assert kept.json()["title"] == "Kratom: 2 g of Green powder"


def test_a_leaf_products_lab_figure_far_above_lab_tested_leaf_is_asked_about_on_every_face(
    client: Client, alice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "15,5" typed for a lab report's 15.5 mg per g reached the server as 155 and was saved
    without a word: every dose's estimated mitragynine was then ten times too high. A leaf
    figure above twice the richer lab-tested leaf product (38.96 mg per g) is asked about, with
    its sources, on every face, and saved once confirmed; an extract's is not."""
    from mitra.journal.models import Product
    from tests.cli.test_commands import run

    product = {"name": "Bali", "mitragynine_mg_per_g": 155}
    refused = post(client, "/api/v1/products", product)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "implausible_content"
    assert body["sources"] == ["tanna2022", "huestis2024"]
    assert body["errors"]["mitragynine_mg_per_g"].startswith(
        "is 155 mg per g (15.5% of the leaf), more than 2 times the 19.48 mg per g of the "
        "richer of the lab-tested leaf products (Tanna et al. 2022; Huestis et al. 2024); are "
        "you sure? Check the lab report (1.5% is 15 mg per g)"
    )
    page = client.post("/products", {"token": "p-155", "name": "Bali", "unit": "g",
                                     "vein": "unknown", "form": "powder",
                                     "mitragynine_mg_per_g": "155"})  # fmt: skip
    assert page.status_code == 422
    html = page.content.decode()
    assert "Yes, this lab figure is right" in html
    assert 'value="155"' in html  # what was typed is kept
    code, _, err = run(capsys, "products", "add", "Bali", "--mitragynine-mg-per-g", "155")
    assert code == 2
    assert "mg per g (15.5% of the leaf)" in err
    assert "run the command again with --yes" in err
    assert not Product.objects.exists()
    # 38.96 mg per g is not asked about; an extract's 155 is not either.
    fine = product | {"mitragynine_mg_per_g": 38.96}
    assert post(client, "/api/v1/products", fine).status_code == 201
    extract = product | {"name": "X", "form": "extract"}
    assert post(client, "/api/v1/products", extract).status_code == 201
    assert run(capsys, "products", "add", "Bali2", "--mitragynine-mg-per-g", "155", "--yes")[0] == 0
    form = {"token": "p-155-again", "name": "Bali3", "unit": "g", "vein": "unknown",
            "form": "powder", "mitragynine_mg_per_g": "155", "confirm": "on"}  # fmt: skip
    confirmed = client.post("/products", form)
    assert confirmed.status_code == 302
    # A change to the figure is asked about; a figure confirmed before is not asked again,
    # even when the leaf product's form changes (powder to capsules).
    bali2 = Product.objects.get(name="Bali2")
    change = {"name": "Bali two", "mitragynine_mg_per_g": 155}
    assert put(client, f"/api/v1/products/{bali2.pk}", change).status_code == 200
    capsules = change | {"form": "capsules", "unit": "capsule", "grams_per_unit": 0.5}
    assert put(client, f"/api/v1/products/{bali2.pk}", capsules).status_code == 200
    # An extract's figure becomes a leaf product's: asked about.
    extract = Product.objects.get(name="X")
    leaf = {"name": "X", "form": "powder", "mitragynine_mg_per_g": 155}
    assert put(client, f"/api/v1/products/{extract.pk}", leaf).json()["code"] == (
        "implausible_content"
    )
    again = put(client, f"/api/v1/products/{bali2.pk}", change | {"mitragynine_mg_per_g": 160})
    assert again.json()["code"] == "implausible_content"


def test_a_name_close_to_a_known_substance_but_not_it_is_asked_about_on_every_face(
    client: Client, alice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "xanx" was listed as typed, "not recognised, not checked": the benzodiazepine's danger
    with kratom went unsaid, though mitra could tell it was close to Xanax. Such a name is
    asked about first, naming what it is close to; a name far from any, or a known one, is not."""
    from mitra.journal.models import Substance
    from tests.cli.test_commands import run

    refused = post(client, "/api/v1/substances", {"name": "xanx"})
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "unrecognised_substance"
    assert body["errors"]["name"] == (
        "is not a name mitra knows, so its interactions with kratom cannot be checked; did you "
        "mean Xanax (alprazolam)? Type that name instead, or keep this one unchecked"
    )
    page = client.post("/substances", {"token": "s-1", "name": "xanx", "dose_text": "0.5 mg"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "Yes, list it as I typed it" in html
    assert 'value="0.5 mg"' in html
    code, _, err = run(capsys, "substances", "add", "xanx")
    assert code == 2
    assert "did you mean Xanax (alprazolam)?" in err
    assert "run the command again with --yes" in err
    assert not Substance.objects.exists()
    # A misspelling mitra can place is asked about too: listed as typed, it raised no alert.
    placed = post(client, "/api/v1/substances", {"name": "Xanaxx"})
    assert placed.json()["code"] == "unrecognised_substance"
    assert "did you mean Xanax (alprazolam)" in placed.json()["errors"]["name"]
    for name in ("Xanax", "zzzzqq"):  # known; close to none
        assert post(client, "/api/v1/substances", {"name": name}).status_code == 201
    assert run(capsys, "substances", "add", "xanx", "--yes")[0] == 0
    ticked = {"token": "s-2", "name": "xnx", "dose_text": "", "confirm": "on"}
    assert client.post("/substances", ticked).status_code == 302
    assert set(Substance.objects.filter(knowledge_id="").values_list("name", flat=True)) == {
        "xanx", "xnx", "zzzzqq"
    }  # fmt: skip
