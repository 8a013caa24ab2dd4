"""The OpenAPI document promises what the server does: every status answered is declared.

Each operation in the document is driven with a valid request, an invalid one, a non-JSON one
and one naming an unknown id (and, before the journal is set up, a valid one again); the
statuses the server answers must be among those the operation declares, and every error is
application/problem+json. Methods a path does not have answer 405 as a problem too.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.alerts import refresh_alerts

pytestmark = pytest.mark.django_db

PROBLEM_JSON = "application/problem+json"
Operation = tuple[str, str]


def _operations(client: Client) -> dict[Operation, dict[str, Any]]:
    doc = client.get("/api/v1/openapi.json").json()
    return {(m, path): op for path, item in doc["paths"].items() for m, op in item.items()}


def _valid_bodies(alice: Any, powder: Any) -> dict[str, dict[str, Any]]:
    substance = services.add_substance(alice, {"name": "alcohol"})
    return {
        "/api/v1/doses": {"product_id": powder.pk, "amount": 2, "unit": "g"},
        "/api/v1/checkins": {"anxiety": 3},
        "/api/v1/practices": {"kind": "exercise", "minutes": 30},
        "/api/v1/intakes": {"substance_id": substance.pk, "amount": 1, "unit": "drink"},
        "/api/v1/products": {"name": "Bali"},
        "/api/v1/substances": {"name": "caffeine"},
        "/api/v1/responses": {"instrument": "GAD-7", "answers": [0] * 7},
        "/api/v1/alerts/{alert_id}/acknowledge": {},
    }


# A body the server must refuse (422) though it is JSON, per write.
INVALID_BODIES: dict[str, dict[str, Any]] = {
    "/api/v1/doses": {"product_id": 1, "amount": -1},
    "/api/v1/checkins": {"anxiety": 11},
    "/api/v1/practices": {"kind": "exercise", "minutes": 0},
    "/api/v1/intakes": {"substance_id": "one"},
    "/api/v1/products": {"name": ""},
    "/api/v1/substances": {"name": ""},
    "/api/v1/responses": {"instrument": "", "answers": []},
    "/api/v1/alerts/{alert_id}/acknowledge": {"unexpected": 1},
}
UNKNOWN_BODIES: dict[str, dict[str, Any]] = {
    "/api/v1/doses": {"product_id": 999_999, "amount": 2, "unit": "g"},
    "/api/v1/intakes": {"substance_id": 999_999},
    "/api/v1/responses": {"instrument": "XYZ-9", "answers": [0]},
}
INVALID_QUERIES: dict[str, str] = {
    "limit": "0",
    "cursor": "x" * 300,
    "instrument": "x" * 40,
    "hours": "-1",
    "ahead_hours": "73",
    "all": "maybe",
    "days": "0",
    "from": "not-a-date",
    "to": "2026-13-45",
    "name": "x" * 500,
    "pace": "faster",
    "start": "yesterday-ish",
    "answer": "often",
    "before": "-1",
    "after": "1001",
    "kind": "dose,nightmare",
}
UNKNOWN_PATHS = {"code": "XYZ-9", "card_id": "no.such.card", "alert_id": "999999"}


def _path(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _send(client: Client, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    if method == "get":
        return client.get(path, extra.pop("query", None) or {})
    content_type = extra.pop("content_type", "application/json")
    data = body if isinstance(body, str) else json.dumps(body if body is not None else {})
    return client.generic(method.upper(), path, data, content_type=content_type)


def _drive(
    client: Client,
    operations: dict[Operation, dict[str, Any]],
    path_values: dict[str, str],
    bodies: dict[str, dict[str, Any]],
) -> dict[Operation, dict[int, str]]:
    """Every operation with each kind of request: operation -> status -> what was sent."""
    seen: dict[Operation, dict[int, str]] = defaultdict(dict)

    def record(op: Operation, kind: str, response: Any) -> None:
        seen[op].setdefault(response.status_code, kind)
        if response.status_code >= 400:
            assert response["Content-Type"] == PROBLEM_JSON, (op, kind, response.status_code)
            problem = response.json()
            assert problem["status"] == response.status_code
            assert {"type", "title", "detail"} <= set(problem)

    for (method, template), op in operations.items():
        path = _path(template, path_values)
        names = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
        if method == "get":
            record((method, template), "valid", _send(client, method, path))
            for name in names:
                query = {name: INVALID_QUERIES[name]}
                record((method, template), f"?{name}=bad", _send(client, method, path, query=query))
        else:
            body = bodies.get(template, {})
            record((method, template), "valid", _send(client, method, path, body))
            bad = INVALID_BODIES.get(template, {"unexpected": 1})
            record((method, template), "invalid", _send(client, method, path, bad))
            record(
                (method, template),
                "not JSON",
                _send(client, method, path, "anxiety=3", content_type="text/plain"),
            )
            record(
                (method, template),
                "form",
                _send(
                    client, method, path, "a=1", content_type="application/x-www-form-urlencoded"
                ),
            )
            if template in UNKNOWN_BODIES:
                unknown = UNKNOWN_BODIES[template]
                record((method, template), "unknown id", _send(client, method, path, unknown))
        if "{" in template:
            unknown_path = _path(template, UNKNOWN_PATHS)
            body = bodies.get(template, {})
            record((method, template), "unknown id", _send(client, method, unknown_path, body))
    return seen


def _undeclared(
    operations: dict[Operation, dict[str, Any]], seen: dict[Operation, dict[int, str]]
) -> list[str]:
    return [
        f"{method.upper()} {path} answers {status} (to a {kind} request) but does not declare it"
        for (method, path), statuses in seen.items()
        for status, kind in statuses.items()
        if str(status) not in operations[(method, path)]["responses"]
    ]


def test_every_status_the_server_answers_is_declared(client: Client, db: Any) -> None:
    operations = _operations(client)
    # Before the journal is set up: the person's routes answer 409.
    before = _drive(client, operations, {"code": "GAD-7", "card_id": "x", "alert_id": "1"}, {})

    alice = services.set_up_person({"time_zone": "Europe/Berlin"})
    powder = services.add_product(alice, {"name": "Green", "unit": "g"})
    services.submit_response(
        alice, {"instrument": "PHQ-9", "at": datetime.now(UTC), "answers": [0] * 8 + [2]}
    )
    refresh_alerts(alice)
    alert_id = client.get("/api/v1/alerts").json()["alerts"][0]["id"]
    card_id = client.get("/api/v1/insights").json()["cards"][0]["id"]
    values = {"code": "GAD-7", "card_id": card_id, "alert_id": str(alert_id)}
    after = _drive(client, operations, values, _valid_bodies(alice, powder))

    problems = _undeclared(operations, before) + _undeclared(operations, after)
    problems += [
        f"{method.upper()} {path} {status} is served as {PROBLEM_JSON} but documented otherwise"
        for (method, path), op in operations.items()
        for status, answer in op["responses"].items()
        if int(status) >= 400 and list(answer.get("content", {})) != [PROBLEM_JSON]
    ]
    assert not problems, "\n".join(problems)
    # The drive reached the statuses that matter, so the check above is not vacuous.
    assert 409 in before[("get", "/api/v1/today")]
    assert 201 in after[("post", "/api/v1/doses")]
    assert 415 in after[("post", "/api/v1/doses")]
    assert 422 in after[("post", "/api/v1/doses")]
    assert 404 in after[("get", "/api/v1/instruments/{code}")]


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH"])
@pytest.mark.parametrize(
    "path", ["/api/v1/doses", "/api/v1/today", "/api/v1/instruments/GAD-7", "/api/v1/openapi.json"]
)
def test_a_method_a_path_does_not_have_is_a_405_problem(
    client: Client, alice: Any, method: str, path: str
) -> None:
    response = client.generic(method, path, "{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json()["status"] == 405
    assert method not in response["Allow"]
    assert "GET" in response["Allow"] or "POST" in response["Allow"]


def _body_schema(doc: dict[str, Any], path: str) -> dict[str, Any]:
    ref = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema: dict[str, Any] = doc["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]
    return schema


def _property(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """A property's constraints, looking through `anyOf: [..., {"type": "null"}]`."""
    prop: dict[str, Any] = schema["properties"][name]
    for option in prop.get("anyOf", []):
        if option.get("type") != "null":
            return {**prop, **option}
    return prop


def test_the_request_schemas_are_as_strict_as_the_server(client: Client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    responses = _body_schema(doc, "/api/v1/responses")
    assert _property(responses, "instrument")["minLength"] == 1
    assert _property(responses, "instrument")["maxLength"] == 16
    assert _property(responses, "answers")["minItems"] == 1
    assert _property(responses, "answers")["maxItems"] == 60
    for path in [
        "doses",
        "checkins",
        "practices",
        "intakes",
        "products",
        "substances",
        "responses",
    ]:
        token = _property(_body_schema(doc, f"/api/v1/{path}"), "token")
        assert token["maxLength"] == 64, path
        # Without control characters, as the journal takes text (a note keeps line breaks).
        assert token["pattern"] == "^[^\\x00-\\x1f\\x7f-\\x9f]*$", path
    for path, name in [("products", "name"), ("substances", "name")]:
        prop = _property(_body_schema(doc, f"/api/v1/{path}"), name)
        assert (prop["minLength"], prop["maxLength"]) == (1, 120)
        assert prop["pattern"] == token["pattern"]
    note = _property(_body_schema(doc, "/api/v1/doses"), "note")
    assert note["pattern"] == "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
    # A crisis contact's phone is refused below 3 characters and outside its characters.
    contact = doc["components"]["schemas"]["ContactBody"]
    assert (_property(contact, "phone")["minLength"], _property(contact, "phone")["pattern"]) == (
        3,
        "^[0-9+()\\-. ]+$",
    )
    assert _property(contact, "name")["minLength"] == 1
    checkin = _body_schema(doc, "/api/v1/checkins")
    assert (_property(checkin, "anxiety")["minimum"], _property(checkin, "anxiety")["maximum"]) == (
        0,
        10,
    )
    assert _property(checkin, "at")["format"] == "date-time"
    # Values the server takes from a fixed list are listed, so a client cannot guess others.
    assert _property(responses, "instrument")["enum"][0] == "GAD-7"
    assert "mindfulness" in _property(_body_schema(doc, "/api/v1/practices"), "kind")["enum"]
    assert "offset" in _property(checkin, "at")["description"]


@pytest.mark.parametrize(
    "body",
    [
        {"instrument": "", "answers": [0] * 7},
        {"instrument": "GAD-7", "answers": []},
        {"instrument": "GAD-7", "answers": [0] * 7, "token": "x" * 65},
        {"instrument": "GAD-7", "answers": [0] * 7, "token": ""},
    ],
)
def test_what_the_schema_refuses_the_server_refuses(client: Client, alice: Any, body: Any) -> None:
    response = client.post("/api/v1/responses", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM_JSON


# A valid body per write with bounded numbers; each probe sets one field of it to a bound (`n`
# keeps names unique). Every bounded number of every request body must be probed here.
def _bases(alice: Any, powder: Any) -> dict[Operation, Any]:
    substance = services.add_substance(alice, {"name": "alcohol"})
    return {
        ("post", "/api/v1/doses"): lambda n: {
            "product_id": powder.pk,
            "amount": 1,
            "unit": "mg",  # 100,000 mg is the 100 g of leaf a dose may be
            "confirm": True,
        },
        ("post", "/api/v1/checkins"): lambda n: {"anxiety": 3},
        ("post", "/api/v1/practices"): lambda n: {"kind": "yoga", "minutes": 10},
        ("post", "/api/v1/intakes"): lambda n: {
            "substance_id": substance.pk,
            "amount": 1,
            "unit": "mg",
        },
        # 1,000 mg per g of leaf is asked about first (implausible_content): confirmed here.
        ("post", "/api/v1/products"): lambda n: {
            "name": f"Caps {n}",
            "unit": "capsule",
            "confirm": True,
        },
        ("put", "/api/v1/settings"): lambda n: {},
    }


def _request_properties(doc: dict[str, Any]) -> dict[Operation, dict[str, dict[str, Any]]]:
    """Each operation's body properties, each with its constraints (looking through null)."""
    found = {}
    for (method, path), op in {
        (m, p): op for p, item in doc["paths"].items() for m, op in item.items()
    }.items():
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None or "$ref" not in content["schema"]:
            continue
        schema = doc["components"]["schemas"][content["schema"]["$ref"].rsplit("/", 1)[-1]]
        names = schema.get("properties", {})
        found[(method, path)] = {name: _property(schema, name) for name in names}
    return found


def _probes(prop: dict[str, Any]) -> list[tuple[float, bool]]:
    """Values at and just beyond each bound the document states, each with whether the server
    must take it; a number without a stated bound must be taken far out on that side."""
    integer = prop["type"] == "integer"

    def beyond(bound: float, sign: int) -> float:
        return bound + sign * (1 if integer else 1e-4 * max(1.0, abs(bound)))

    probes: list[tuple[float, bool]] = []
    if "minimum" in prop:
        probes += [(prop["minimum"], True), (beyond(prop["minimum"], -1), False)]
    elif "exclusiveMinimum" in prop:
        low = prop["exclusiveMinimum"]
        probes += [(low, False), (beyond(low, +1), True)]
    else:
        probes.append((-1_000_000, True))
    if "maximum" in prop:
        probes += [(prop["maximum"], True), (beyond(prop["maximum"], +1), False)]
    elif "exclusiveMaximum" in prop:
        high = prop["exclusiveMaximum"]
        probes += [(high, False), (beyond(high, -1), True)]
    else:
        probes.append((1_000_000, True))
    if gap := prop.get("not"):  # e.g. 0, or at least 0.01
        low, high = gap["exclusiveMinimum"], gap["exclusiveMaximum"]
        probes += [((low + high) / 2, False), (high, True)]
    return probes


BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "not")


def _quantities(props: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The numbers among a body's properties, with their bounds; ids name an entry, not a
    quantity (an unknown one is refused as not found), so they are left out."""
    return {
        name: {k: prop[k] for k in BOUNDS if k in prop} | {"type": prop["type"]}
        for name, prop in props.items()
        if prop.get("type") in {"number", "integer"} and not name.endswith("_id")
    }


def test_the_bounds_the_document_states_are_the_ones_the_server_holds_to(
    client: Client, alice: Any, powder: Any
) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    properties = _request_properties(doc)
    probed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    wrong = []
    n = 0
    for (method, path), base in _bases(alice, powder).items():
        for name, prop in _quantities(properties[(method, path)]).items():
            probed[name].append(prop)
            for value, taken in _probes(prop):
                n += 1
                response = _send(client, method, path, base(n) | {name: value})
                said = response.json().get("errors", {}) if response.status_code >= 400 else {}
                if taken and response.status_code not in {200, 201}:
                    wrong.append(f"{path} {name}={value} is within the document's bounds: {said}")
                if not taken and name not in said:
                    wrong.append(f"{path} {name}={value} is beyond the document's bounds: taken")
    assert not wrong, "\n".join(wrong)
    # Every other body (a change, a nested practice) states the bounds of a probed field of its
    # name, so no body promises bounds of its own that nothing checks.
    for (method, path), props in properties.items():
        for name, prop in _quantities(props).items():
            assert prop in probed[name], f"{method.upper()} {path} {name}: {prop} is not probed"
