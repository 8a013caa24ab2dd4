"""A person deletes their journal: nothing of theirs remains in any table or file; others keep
theirs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client

from mitra.cli import main
from mitra.journal import reminders, services
from mitra.journal.demo import load_demo
from mitra.journal.erase import delete_journal
from mitra.journal.models import Person, Plan, Taper, TaperChoice
from mitra.reads.cache_files import store_text

pytestmark = pytest.mark.django_db


def _owned_rows(person_id: int) -> dict[str, int]:
    """Rows of every model that points at the person, directly or through a chain of keys
    (TaperChoice -> Taper -> Person): found by walking the models, so a new table is covered."""
    found: dict[str, int] = {}
    for model in apps.get_models():
        for path in _paths_to_person(model, depth=3):
            n = model._default_manager.filter(**{path: person_id}).count()
            if n:
                found[f"{model._meta.label}.{path}"] = n
    return found


def _paths_to_person(model: type[models.Model], depth: int) -> list[str]:
    if model is Person:
        return ["pk"]
    if depth == 0:
        return []
    paths = []
    for field in model._meta.get_fields():
        if field.is_relation and field.many_to_one | field.one_to_one and field.concrete:
            target = field.related_model
            if target is Person:
                paths.append(f"{field.name}_id")
            elif isinstance(target, type) and target is not model:
                paths += [f"{field.name}__{p}" for p in _paths_to_person(target, depth - 1)]
    return paths


@pytest.fixture
def two_journals(alice: Any, settings: Any, tmp_path: Path) -> tuple[Any, Any]:
    """Alice with three weeks of demo journal (doses, check-ins, questionnaires), a taper with a
    choice and a plan,
    her calendar feed and cached results; Bob, another person, with a few entries of his own."""
    # A data folder of this test's own: no other test or run writes its cache meanwhile.
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir(mode=0o700)
    load_demo(alice, days=21, seed=3)
    taper = Taper.objects.create(person=alice, schedule={"pace": "10%"})
    TaperChoice.objects.create(taper=taper, day=date(2026, 3, 1), action="hold")
    Plan.objects.create(person=alice, reasons="sleep")
    bob = Person.objects.create(time_zone="America/Chicago")
    product = services.add_product(bob, {"name": "Bob's powder", "unit": "g"})
    services.log_dose(
        bob, {"product_id": product.pk, "amount": 2, "unit": "g", "taken_at": "2026-03-01T08:00Z"}
    )
    services.add_checkin(bob, {"anxiety": 3, "at": "2026-03-01T09:00Z"})
    reminders.feed_token(alice)
    reminders.feed_token(bob)
    store_text("reads", "a read of alice", "{}")
    store_text("charts", "a chart of alice", "<svg/>")
    data = Path(settings.DATA_DIR)
    (data / "demo-truth-seed3.json").write_text("{}", encoding="utf-8")
    return alice, bob


def test_deleting_a_journal_leaves_nothing_of_the_person(two_journals: tuple[Any, Any]) -> None:
    alice, bob = two_journals
    alice_token = reminders.feed_token(alice)
    before = _owned_rows(alice.pk)
    # The walk sees the person's tables, including those reached through another key.
    for table in ("journal.Dose", "journal.CheckIn", "journal.Response", "journal.TaperChoice"):
        assert any(key.startswith(table + ".") for key in before), (table, before)
    bob_before = _owned_rows(bob.pk)

    counts = delete_journal(alice)

    assert counts["Dose"] == before["journal.Dose.person_id"]
    assert counts["TaperChoice"] == before["journal.TaperChoice.taper__person_id"] == 1
    assert _owned_rows(alice.pk) == {}
    assert _owned_rows(bob.pk) == bob_before  # Bob keeps everything
    # Her feed's secret is gone and the address opens nothing; Bob's feed still works.
    stored = json.loads((Path(settings.DATA_DIR) / "reminders.json").read_text(encoding="utf-8"))
    assert str(alice.pk) not in stored
    assert alice_token not in json.dumps(stored)
    assert reminders.person_for_token(alice_token) is None
    assert reminders.person_for_token(reminders.feed_token(bob)) == bob
    # No cached result of hers is left in the data folder.
    assert not [p for p in (Path(settings.DATA_DIR) / "cache").rglob("*") if p.is_file()]
    # Bob's journal remains, so the demo's ground truth stays until the last journal goes.
    delete_journal(bob)
    assert not list(Path(settings.DATA_DIR).glob("demo-truth-*.json"))
    assert not Person.objects.exists()


def test_the_web_asks_for_delete_typed_and_keeps_everything_otherwise(
    client: Client, alice: Any, powder: Any
) -> None:
    page = client.get("/settings")
    assert b'href="/settings/delete"' in page.content
    refused = client.post("/settings/delete", {"confirm": "delete please"})
    assert refused.status_code == 422
    assert b"Nothing was deleted: type DELETE in capital letters" in refused.content
    assert b'value="delete please"' in refused.content  # what was typed stays
    assert Person.objects.filter(pk=alice.pk).exists()
    assert client.post("/settings/delete", {}).status_code == 422

    done = client.post("/settings/delete", {"confirm": "DELETE"})
    assert done.status_code == 302
    assert not Person.objects.exists()
    assert _owned_rows(alice.pk) == {}
    # A new start: the welcome page asks for a time zone again.
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/welcome"


def test_the_api_deletes_only_with_the_confirmation(
    client: Client, alice: Any, powder: Any
) -> None:
    def post(body: Any) -> Any:
        return client.post(
            "/api/v1/settings/delete", json.dumps(body), content_type="application/json"
        )

    wrong = post({"confirm": "yes"})
    assert wrong.status_code == 422
    assert wrong["Content-Type"] == "application/problem+json"
    assert post({"confirm": "x" * 21}).status_code == 422
    assert Person.objects.exists()
    done = post({"confirm": "DELETE"})
    assert done.status_code == 200
    assert done.json()["deleted"]["Product"] == 1
    assert not Person.objects.exists()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_cli_deletes_with_yes_and_refuses_without_a_terminal(
    capsys: pytest.CaptureFixture[str], alice: Any, powder: Any
) -> None:
    code, _, err = _run(capsys, "delete")
    assert code == 2
    assert err.strip().splitlines() == [
        "mitra: deleting the journal needs --yes (or run it in a terminal and type DELETE)"
    ]
    assert Person.objects.exists()
    code, out, _ = _run(capsys, "delete", "--yes")
    assert code == 0
    assert "Deleted your journal" in out
    assert _owned_rows(alice.pk) == {}
    code, _, err = _run(capsys, "delete", "--yes")
    assert (code, err.strip()) == (2, "mitra: there is no journal to delete")
