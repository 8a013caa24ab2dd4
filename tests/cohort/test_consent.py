"""Research consent: nobody by default, chosen kinds, withdrawal, every change kept; one read
rendered by the CLI, the API and the Settings page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from mitra.journal.consent import (
    consent_counts,
    consent_events,
    consenting_persons,
    grant_consent,
    withdraw_consent,
)
from mitra.journal.errors import EntryInvalid
from mitra.reads.consent import ConsentRead, consent_read
from mitra.reads.serialise import document
from tests.cli.test_commands import refused, run

pytestmark = pytest.mark.django_db


def test_nobody_takes_part_until_they_choose(alice: Any) -> None:
    assert list(consenting_persons()) == []
    read = consent_read(alice)
    assert read.taking_part is False
    assert not any(k.included for k in read.kinds)
    assert read.changes == ()


def test_a_grant_keeps_the_chosen_kinds_and_a_withdrawal_ends_it_with_both_kept(
    alice: Any,
) -> None:
    grant_consent(alice, ["doses", "checkins"], actor="person (cli)")
    assert [(p.pk, sorted(k)) for p, k in consenting_persons()] == [
        (alice.pk, ["checkins", "doses"])
    ]
    grant_consent(alice, ["doses"], actor="person (web)")
    withdraw_consent(alice, actor="person (api)")
    withdraw_consent(alice, actor="person (api)")  # nothing changes the second time
    assert list(consenting_persons()) == []
    events = [(e.action, e.kinds, e.actor) for e in consent_events(alice)]
    assert events == [
        ("grant", ["checkins", "doses"], "person (cli)"),
        ("grant", ["doses"], "person (web)"),
        ("withdraw", [], "person (api)"),
    ]
    persons, taking_part, withdrawn, per_kind = consent_counts()
    assert (persons, taking_part, withdrawn, per_kind["doses"]) == (1, 0, 1, 0)


@pytest.mark.parametrize("kinds", [[], ["names"], ["doses", 3]])
def test_an_empty_or_unknown_kind_is_refused_and_nothing_is_kept(
    alice: Any, kinds: list[Any]
) -> None:
    with pytest.raises(EntryInvalid) as refusal:
        grant_consent(alice, kinds, actor="person (cli)")
    assert "kinds" in refusal.value.errors
    assert consent_events(alice) == []


def test_the_cli_and_the_api_print_the_same_document(
    capsys: pytest.CaptureFixture[str], client: Client, alice: Any
) -> None:
    code, out, _ = run(capsys, "consent", "grant", "doses", "questionnaire_totals", "--json")
    assert code == 0
    printed = json.loads(out)
    assert printed["taking_part"] is True
    assert printed == client.get("/api/v1/consent").json()
    assert printed == document(consent_read(alice), ConsentRead)
    assert "not a kind of data" in refused(capsys, "consent", "grant", "names")
    answer = client.delete("/api/v1/consent")
    assert answer.status_code == 200
    assert answer.json()["taking_part"] is False
    code, out, _ = run(capsys, "consent")
    assert "not taking part" in out
    assert "withdraw by person (api)" in out


def test_the_api_refuses_an_unknown_kind_as_a_problem(client: Client, alice: Any) -> None:
    answer = client.put(
        "/api/v1/consent", json.dumps({"kinds": ["contacts"]}), content_type="application/json"
    )
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/consent").json()["taking_part"] is False


def test_the_settings_page_grants_shows_refusals_beside_the_boxes_and_withdraws(
    client: Client, alice: Any
) -> None:
    page = client.get("/settings").content.decode()
    assert "You do not take part in research." in page
    assert page.count('id="research-heading"') == 1
    title = page[page.index("<title>") : page.index("</title>")]
    assert title.startswith("<title>Settings")
    assert "<section" not in title
    refused_page = client.post("/settings/consent", {})
    assert refused_page.status_code == 422
    assert "needs at least one kind of data" in refused_page.content.decode()
    saved = client.post("/settings/consent", {"kinds": ["doses", "practices"]}, follow=True)
    text = saved.content.decode()
    assert "You take part in research" in text
    assert "consented to doses, practices (person (web))" in text
    client.post("/settings/consent/withdraw", follow=True)
    assert consent_read(alice).taking_part is False


@pytest.mark.once
def test_a_fresh_process_grants_and_withdraws_from_the_command_line(tmp_path: Path) -> None:
    from tests.journal.sessions import mitra_session

    data = tmp_path / "data"
    assert mitra_session(data, ["checkin", "4"])[0][0] == 0
    # Each command first in its own process, as a person types them.
    for command in (["consent", "grant", "doses", "checkins"], ["consent", "withdraw"]):
        [(code, err)] = mitra_session(data, command)
        assert code == 0, err
