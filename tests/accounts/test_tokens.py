"""API access with accounts on: personal tokens (shown once, stored hashed, read or read-write,
revocable, with last use) or the browser's session with its CSRF token; no CORS."""

from __future__ import annotations

import json
import re
from typing import Any

from django.test import Client

from .conftest import People, sign_in

DOSE_PRODUCT = {"name": "Green powder", "unit": "g"}


def _make(client: Client, name: str, scope: str) -> str:
    page = client.post("/account/tokens", {"name": name, "scope": scope})
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    found = re.search(r'id="token-secret"[^>]*value="([^"]+)"', page.content.decode())
    assert found, "the new token is shown on the page"
    return found.group(1)


def test_a_token_is_shown_once_and_stored_only_as_a_digest(people: People, client: Client) -> None:
    from mitra.accounts.models import ApiToken

    sign_in(client, people.alice)
    secret = _make(client, "phone shortcut", "read")
    stored = ApiToken.objects.get(name="phone shortcut")
    assert secret not in stored.digest
    assert stored.digest != secret
    listing = client.get("/account/tokens").content.decode()
    assert "phone shortcut" in listing
    assert secret not in listing
    assert "never" in listing  # not used yet


def test_a_read_token_reads_but_may_not_write(people: People, client: Client) -> None:
    sign_in(client, people.alice)
    secret = _make(client, "reader", "read")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/today").status_code == 200
    refused = api.post("/api/v1/products", DOSE_PRODUCT, content_type="application/json")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert "may only read" in refused.json()["detail"]
    from mitra.accounts.models import ApiToken

    assert ApiToken.objects.get(name="reader").last_used_at is not None


def test_a_read_write_token_writes_into_its_owners_journal(people: People, client: Client) -> None:
    from mitra.journal import queries

    sign_in(client, people.bob)
    secret = _make(client, "script", "read-write")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    made = api.post("/api/v1/products", DOSE_PRODUCT, content_type="application/json")
    assert made.status_code == 201
    assert [p.name for p in queries.products(people.bob.person)] == ["Green powder"]
    assert list(queries.products(people.alice.person)) == []


def test_a_revoked_or_unknown_token_is_refused(people: People, client: Client) -> None:
    from mitra.accounts.models import ApiToken

    sign_in(client, people.alice)
    secret = _make(client, "old", "read")
    token = ApiToken.objects.get(name="old")
    client.post(f"/account/tokens/{token.pk}/revoke")
    for header in (f"Bearer {secret}", "Bearer mitra_nothing", f"Basic {secret}"):
        answer = Client(HTTP_AUTHORIZATION=header).get("/api/v1/today")
        assert answer.status_code == 401
        assert answer["Content-Type"] == "application/problem+json"
    assert "revoked" in client.get("/account/tokens").content.decode()


def test_a_person_cannot_revoke_another_persons_token(people: People, client: Client) -> None:
    from mitra.accounts import services as accounts

    made = accounts.add_token(people.alice, "alice's", "read")
    sign_in(client, people.bob)
    assert client.post(f"/account/tokens/{made.id}/revoke").status_code == 404
    api = Client(HTTP_AUTHORIZATION=f"Bearer {made.secret}")
    assert api.get("/api/v1/today").status_code == 200


def test_the_browser_session_writes_to_the_api_only_with_its_csrf_token(
    people: People,
) -> None:
    client = Client(enforce_csrf_checks=True)
    sign_in(client, people.alice)
    body = json.dumps(DOSE_PRODUCT)
    refused = client.post("/api/v1/products", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    client.get("/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    made = client.post(
        "/api/v1/products", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert made.status_code == 201


def test_the_api_sends_no_cors_headers(people: People) -> None:
    from mitra.accounts import services as accounts

    secret = accounts.add_token(people.alice, "x", "read").secret
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(
        "/api/v1/today", HTTP_ORIGIN="https://elsewhere.example"
    )
    assert answer.status_code == 200
    assert not any(h.lower().startswith("access-control-") for h in answer.headers)


def test_a_token_form_with_a_bad_name_is_refused_beside_the_field(
    people: People, client: Client
) -> None:
    sign_in(client, people.alice)
    page = client.post("/account/tokens", {"name": "", "scope": "everything"})
    assert page.status_code == 400
    text = page.content.decode()
    assert 'aria-invalid="true"' in text
    assert "token-secret" not in text


def test_tokens_are_listed_with_their_last_use(people: Any) -> None:
    from mitra.accounts import services as accounts

    made = accounts.add_token(people.alice, "sync", "read")
    Client(HTTP_AUTHORIZATION=f"Bearer {made.secret}").get("/api/v1/today")
    (row,) = accounts.list_tokens(people.alice)
    assert row.name == "sync"
    assert row.last_used_at is not None
    assert row.prefix.startswith("mitra_")


def test_the_openapi_document_says_how_the_api_is_authenticated_as_the_server_answers(
    people: People,
) -> None:
    from mitra.accounts import services as accounts

    # The document is open to all, so a client can learn from it how to authenticate.
    doc = Client().get("/api/v1/openapi.json").json()
    scheme = doc["components"]["securitySchemes"]["token"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    # A token, or none: without accounts mitra answers on loopback without one.
    assert doc["security"] == [{"token": []}, {}]
    secret = accounts.add_token(people.alice, "reader", "read").secret
    anonymous, reader = Client(), Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    wrong = []
    for template, item in doc["paths"].items():
        path = re.sub(r"\{[^}]+\}", "1", template)
        for method, operation in item.items():
            said = set(operation["responses"])
            answer = anonymous.generic(method.upper(), path, "{}", content_type="application/json")
            if answer.status_code != 401 or "401" not in said:
                wrong.append(f"{method} {template} without a token: {answer.status_code}, {said}")
            if method == "get":
                if "403" in said:
                    wrong.append(f"{method} {template} declares a 403 it never answers")
                continue
            answer = reader.generic(method.upper(), path, "{}", content_type="application/json")
            if answer.status_code != 403 or "403" not in said:
                wrong.append(f"{method} {template} with a read token: {answer.status_code}, {said}")
            assert answer["Content-Type"] == "application/problem+json"
    assert not wrong, "\n".join(wrong)
