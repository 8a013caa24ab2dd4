"""Every person sees only their own journal: bob never reads or writes alice's, carol nothing.

The matrix is generated: every web route (from the URL resolver) and every API operation (from
the OpenAPI document), with every method, aimed at each of alice's objects. A new route is in it
by itself; a route with a parameter this file cannot fill fails until the parameter is taught.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from .conftest import People, sign_in

# Text only alice's journal holds: no page or document shown to anyone else may contain it.
MARKERS = ("Alice-marker-powder", "alice-private-note-7731", "Alice-marker-tea",
           "alice-deleted-note-5519")  # fmt: skip
# Parameters that name an object of a journal (or an account): another owner's answers 404.
OBJECT_PARAMS = {
    "product_id",
    "entry_id",
    "alert_id",
    "substance_id",
    "response_id",
    "token_id",
    "link_id",
    "grant_id",
    "passkey_id",
    "dose_id",
    "checkin_id",
    "intake_id",
}
# Routes outside the matrix, each with its reason.
OUTSIDE = {
    # A capability address for calendar apps (which cannot sign in): its random token is the
    # key, renewable on Settings; tested below with a wrong token, and in tests/web.
    "reminders/<str:token>.ics": "capability URL",
    # A share link opens one report for a clinician without an account: tests/accounts/
    # test_sharing.py shows it opens only while live and only its person's report.
    "shared/<str:token>": "capability URL",
    "shared/<str:token>/report.pdf": "capability URL",  # the same link's PDF, tested there too
}


@pytest.fixture
def journals(people: People) -> dict[str, Any]:
    """Alice's journal with one object of every type; bob's with a product of his own."""
    from django_otp_webauthn.models import WebAuthnCredential

    from mitra.accounts import services as accounts
    from mitra.accounts import sharing
    from mitra.journal import plans, services
    from mitra.journal.alerts import refresh_covering

    alice = people.alice.person
    now = timezone.now()
    product = services.add_product(alice, {"name": "Alice-marker-powder", "unit": "g"})
    dose = services.log_dose(
        alice, {"product_id": product.pk, "amount": 3, "unit": "g", "taken_at": now}
    )
    checkin = services.add_checkin(
        alice, {"at": now, "anxiety": 4, "note": "alice-private-note-7731"}
    )
    practice = services.log_practice(alice, {"kind": "exercise", "minutes": 20, "at": now})
    # Deleted: listed among her recently deleted entries, to no one else.
    gone = services.add_checkin(
        alice, {"at": now, "anxiety": 2, "note": "alice-deleted-note-5519"}
    )
    services.delete_entry(alice, "checkin", gone.pk)
    substance = services.add_substance(alice, {"name": "sertraline"})
    tea = services.add_substance(alice, {"name": "Alice-marker-tea"})
    intake = services.log_intake(
        alice, {"substance_id": substance.pk, "taken_at": now - timedelta(hours=1)}
    )
    response = services.submit_response(
        alice, {"instrument": "GAD-7", "answers": [1] * 7, "at": now}
    )
    plans.set_goal(alice, {"kind": "exercise", "amount": 90, "unit": "minutes"})
    refresh_covering(alice)
    alert = _first_alert(alice)
    token = accounts.add_token(people.alice, "alice's phone", "read-write")
    link = sharing.add_share_link(alice, "Dr Lee", 14)
    # Alice shares with dave, another clinician: never with bob or carol.
    accounts.add_account("dave", "clinician", "correct horse battery staple")
    grant = sharing.add_grant(alice, "dave", "report-and-data", 30)
    services.add_product(people.bob.person, {"name": "Bob's capsules", "unit": "g"})
    passkey = WebAuthnCredential.objects.create(
        user=people.alice.user, credential_id=b"alice-passkey", public_key=b"key", confirmed=True
    )
    return {
        "product_id": product.pk,
        "substance_id": tea.pk,
        "alert_id": alert.pk,
        "response_id": response.pk,
        "token_id": token.id,
        "link_id": link.id,
        "grant_id": grant.id,
        "passkey_id": passkey.pk,
        "dose_id": dose.pk,
        "checkin_id": checkin.pk,
        "intake_id": intake.pk,
        "entries": {
            "dose": dose.pk,
            "checkin": checkin.pk,
            "practice": practice.pk,
            "intake": intake.pk,
        },
    }


def _first_alert(person: Any) -> Any:
    from mitra.journal.alerts import alert_history

    found = alert_history(person).first()
    assert found is not None, "alice's journal needs an alert for the matrix"
    return found


def fingerprint() -> dict[str, list[dict[str, Any]]]:
    """Every row of every journal and account table: what any write would change."""
    from django.apps import apps

    rows = {}
    for label in ("journal", "accounts", "otp_totp", "django_otp_webauthn"):
        for model in apps.get_app_config(label).get_models():
            found = model.objects.order_by("pk").values()
            rows[model.__name__] = [{k: v for k, v in r.items() if k not in MOVING} for r in found]
    return rows


# Fields that change on any use (a token's last use, a TOTP device's last code), not writes.
MOVING = {"last_used_at", "last_t", "throttling_failure_count", "throttling_failure_timestamp"}
# The tables of carol's own sign-in, which her requests may write: her TOTP device, her tokens,
# the WebAuthn user handle made when she starts registering a passkey.
CAROLS_OWN = {"Account", "TOTPDevice", "ApiToken", "WebAuthnUserHandle"}


# --- the routes -------------------------------------------------------------------------------

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# Parameters that choose among things every journal has (not an object of someone's journal).
PLAIN_VALUES = {
    "chart": "last-30-days",
    "card_id": "anxiety-trend",
    "code": "GAD-7",
    "action": "hold",
    "kind": "exercise",
    "size": "192",
}


def web_routes() -> list[str]:
    """Every page route of the web app (the API's resolver is walked through its document)."""
    return [
        str(p.pattern)
        for p in get_resolver().url_patterns
        if isinstance(p, URLPattern) and str(p.pattern) not in OUTSIDE
    ]


def fill(route: str, objects: dict[str, Any]) -> list[str]:
    """The paths of `route` aimed at alice's objects (one per entry kind for entry routes)."""
    names = [m.group(2) for m in _PARAM.finditer(route)]
    unknown = [n for n in names if n not in OBJECT_PARAMS | set(PLAIN_VALUES)]
    assert not unknown, f"route {route!r} has parameters the matrix cannot fill: {unknown}"
    if "entry_id" in names:
        return [
            "/" + route.replace("<str:kind>", kind).replace("<int:entry_id>", str(pk))
            for kind, pk in objects["entries"].items()
        ]
    values = {**PLAIN_VALUES, **{k: objects[k] for k in OBJECT_PARAMS - {"entry_id"}}}
    return ["/" + _PARAM.sub(lambda m: str(values[m.group(2)]), route)]


def api_operations(objects: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """Every API operation as (method, path, aims at an object of alice's)."""
    return [(method, path, aimed) for method, path, aimed, _ in api_operations_with_bodies(objects)]


def api_operations_with_bodies(
    objects: dict[str, Any],
) -> list[tuple[str, str, bool, set[str] | None]]:
    """Every API operation as (method, path, aims at an object, the keys its JSON body takes),
    so a change aimed at alice's object gets a body it would take and meets the owner check."""
    from mitra.api.v1 import api

    found = []
    values = {**PLAIN_VALUES, **{k: objects[k] for k in OBJECT_PARAMS - {"entry_id"}}}
    document = api.get_openapi_schema()
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        unknown = [n for n in names if n not in OBJECT_PARAMS | set(PLAIN_VALUES)]
        assert not unknown, f"API path {path} has parameters the matrix cannot fill: {unknown}"
        if "entry_id" in names:  # one path per kind of entry, each aimed at alice's
            paths = [
                path.replace("{kind}", kind).replace("{entry_id}", str(pk))
                for kind, pk in objects["entries"].items()
            ]
        else:
            paths = [re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)]
        for filled in paths:
            for method, operation in item.items():
                body = operation.get("requestBody", {}).get("content", {}).get("application/json")
                keys = None
                # The body's schema, or the one an optional body (a route that takes none) is.
                schema = body["schema"] if body is not None else {}
                refs = [o["$ref"] for o in [schema, *schema.get("anyOf", [])] if "$ref" in o]
                if refs:
                    keys = set(schemas[refs[0].rsplit("/", 1)[1]]["properties"])
                found.append((method.upper(), filled, bool(set(names) & OBJECT_PARAMS), keys))
    return found


def form_data(objects: dict[str, Any]) -> dict[str, Any]:
    """A plausible form for any write, naming alice's objects wherever a form names one."""
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    return {
        "product_id": objects["product_id"],
        "substance_id": objects["substance_id"],
        "amount": "2",
        "unit": "g",
        "taken_at": now,
        "at": now,
        "anxiety": "3",
        "name": "renamed by someone else",
        "note": "written by someone else",
        "time_zone": "UTC",
        "minutes": "10",
        "kind": "exercise",
        "confirm": "on",
    }


def json_body(objects: dict[str, Any]) -> dict[str, Any]:
    return {
        "product_id": objects["product_id"],
        "substance_id": objects["substance_id"],
        "amount": 2,
        "unit": "g",
        "anxiety": 3,
        "name": "renamed by someone else",
        "note": "written by someone else",
        "instrument": "GAD-7",
        "answers": [0] * 7,
        "kind": "exercise",
        "minutes_per_week": 30,
        "minutes": 10,
        "confirm": True,
        "taken_at": timezone.now().isoformat(),
        "at": timezone.now().isoformat(),
    }


def _text(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _leaks(response: Any) -> list[str]:
    body = _text(response)
    return [m for m in MARKERS if m in body]


# --- the matrix -------------------------------------------------------------------------------


def test_the_matrix_covers_every_route_and_aims_at_alices_live_objects(
    people: People, journals: dict[str, Any]
) -> None:
    routes = web_routes()
    assert "products/<int:product_id>" in routes
    assert "account/tokens/<int:token_id>/revoke" in routes
    assert "account/passkeys/<int:passkey_id>/remove" in routes
    assert "account/two-factor/passkey/verify/complete" in routes
    # A clinician's pages of a person's journal, read through a grant, are in it too.
    assert "account/shared-with-me/<int:grant_id>/trends" in routes
    assert "account/shared-with-me/<int:grant_id>/report.pdf" in routes
    paths = [p for route in routes for p in fill(route, journals)]
    assert len(paths) >= len(routes)
    operations = api_operations(journals)
    assert ("POST", f"/api/v1/alerts/{journals['alert_id']}/acknowledge", True) in operations
    # The resolver holds exactly the routes above plus the API and the routes outside.
    resolvers = [p for p in get_resolver().url_patterns if isinstance(p, URLResolver)]
    assert [str(r.pattern) for r in resolvers] == ["api/v1/"]
    _assert_alice_reaches_each_object(people, journals)


@pytest.mark.parametrize("intruder", ["bob", "carol"])
def test_no_route_shows_or_changes_alices_journal_for_another_account(
    people: People, journals: dict[str, Any], intruder: str
) -> None:
    """Every web route and API operation, with every method, as bob (a person) and carol (a
    clinician alice has not shared with): nothing of alice's is shown or changed."""
    before = fingerprint()
    problems = _web_problems(people, journals, intruder) + _api_problems(people, journals, intruder)
    after = fingerprint()
    assert not problems, "\n".join(problems)
    _assert_alice_unchanged(before, after, intruder, people)


def _web_problems(people: People, journals: dict[str, Any], intruder: str) -> list[str]:
    account = getattr(people, intruder)
    client = sign_in(Client(), account)
    problems = []
    for route in web_routes():
        aimed = bool(
            set(_PARAM.findall(route)) and {n for _, n in _PARAM.findall(route)} & OBJECT_PARAMS
        )
        for path in fill(route, journals):
            for method in ("get", "post"):
                data = form_data(journals) if method == "post" else None
                response = getattr(client, method)(path, data)
                status = response.status_code
                if leaked := _leaks(response):
                    problems.append(f"{intruder} {method.upper()} {path}: shows {leaked}")
                if status >= 500:
                    problems.append(f"{intruder} {method.upper()} {path}: {status}")
                if aimed and status not in {404, 405}:
                    problems.append(f"{intruder} {method.upper()} {path}: {status}, not 404")
                if intruder == "carol" and _opens_a_journal(path, status, response):
                    problems.append(f"carol {method.upper()} {path}: {status}")
                if path.startswith(("/logout", "/account/log-out-everywhere")):
                    account.refresh_from_db()
                    sign_in(client, account)  # signed out by that route: in again
    return problems


# The installable app's files (its worker, manifest, icons and offline page): the same for
# everyone, signed in or not, holding nothing of any journal.
APP_FILES = ("/sw.js", "/manifest.webmanifest", "/icons/", "/offline")


def _opens_a_journal(path: str, status: int, response: Any) -> bool:
    """Carol has no journal: she gets only sign-in, account, crisis, the app's own files and
    not-found answers."""
    if path.startswith(("/login", "/logout", "/account", "/crisis", *APP_FILES)):
        return False
    if status in {404, 405}:
        return False
    return not (status == 302 and response["Location"].startswith(("/account", "/login")))


def _assert_alice_unchanged(
    before: dict[str, Any], after: dict[str, Any], intruder: str, people: People
) -> None:
    """Alice's rows, and for carol every journal row, are as they were."""
    alice = people.alice.person.pk
    for table, rows in before.items():
        if intruder == "carol" and table not in CAROLS_OWN:
            assert after[table] == rows, f"carol changed {table}"
            continue
        mine = [r for r in rows if _of_alice(table, r, alice, people)]
        now = [r for r in after[table] if _of_alice(table, r, alice, people)]
        assert now == mine, f"{intruder} changed alice's {table}"


def _of_alice(table: str, row: dict[str, Any], alice: int, people: People) -> bool:
    if table == "Person":
        return bool(row["id"] == alice)
    if "person_id" in row:
        return bool(row["person_id"] == alice)
    if table == "ApiToken":
        return bool(row["account_id"] == people.alice.pk)
    if table in {"WebAuthnCredential", "WebAuthnUserHandle"}:
        return bool(row["user_id"] == people.alice.user_id)
    return False


def _api_problems(people: People, journals: dict[str, Any], intruder: str) -> list[str]:
    from mitra.accounts import services as accounts

    account = getattr(people, intruder)
    secret = accounts.add_token(account, "script", "read-write").secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    problems = []
    every = json_body(journals)
    for method, path, aimed, keys in api_operations_with_bodies(journals):
        body = every if keys is None else {k: v for k, v in every.items() if k in keys}
        response = client.generic(
            method, path, data=json.dumps(body), content_type="application/json"
        )
        status = response.status_code
        if leaked := _leaks(response):
            problems.append(f"{intruder} {method} {path}: shows {leaked}")
        if status >= 500 or status in {401, 403}:
            problems.append(f"{intruder} {method} {path}: {status}")
        if aimed and status != 404:
            problems.append(f"{intruder} {method} {path}: {status}, not 404")
        if intruder == "carol" and method != "GET" and status < 400:
            problems.append(f"carol {method} {path}: wrote ({status})")
    return problems


def _assert_alice_reaches_each_object(people: People, journals: dict[str, Any]) -> None:
    """The ids are alice's live objects, so the others' 404s are refusals, not typos (dave,
    the clinician she shared with, reads through his grant)."""
    from mitra.accounts.services import account_named

    client = sign_in(Client(), people.alice)
    dave = sign_in(Client(), account_named("dave"))
    for route in web_routes():
        names = {n for _, n in _PARAM.findall(route)}
        if not names & OBJECT_PARAMS or route.endswith(
            ("/delete", "/revoke", "/remove", "/restore", "/acknowledge")
        ):
            continue
        for path in fill(route, journals):
            if path.startswith("/journal/practice/"):
                continue  # changed through its check-in or logged again: this answers 404
            reader = dave if path.startswith("/account/shared-with-me/") else client
            assert reader.get(path).status_code == 200, path
    alert = f"/api/v1/alerts/{journals['alert_id']}/acknowledge"
    assert client.post(alert, content_type="application/json").status_code != 404


def test_signed_out_the_apps_files_are_served_and_every_journal_page_asks_to_sign_in(
    people: People, journals: dict[str, Any]
) -> None:
    """The sign-in page registers the worker and links the manifest and icon: a browser without a
    session gets them (not a redirect to /login), and they hold nothing of alice's. Every other
    route still sends a stranger to sign in, or refuses."""
    stranger = Client()
    files = {
        "/sw.js": "text/javascript",
        "/manifest.webmanifest": "application/manifest+json",
        "/icons/mitra-192.png": "image/png",
        "/offline": "text/html",
    }
    for path, kind in files.items():
        response = stranger.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith(kind), path
        assert not _leaks(response), path
    assert stranger.get("/login").content.decode().count('href="/manifest.webmanifest"') == 1
    for route in web_routes():
        for path in fill(route, journals):
            if path in files or path.startswith(("/login", "/crisis", "/reminders/", "/shared/")):
                continue
            response = stranger.get(path)
            assert response.status_code in {302, 404, 405}, (path, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/login"), path
            assert not _leaks(response), path


def test_a_reminders_feed_with_a_wrong_token_is_not_found(people: People, client: Any) -> None:
    assert client.get("/reminders/not-a-real-token.ics").status_code == 404
