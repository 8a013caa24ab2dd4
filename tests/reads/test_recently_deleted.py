"""Recently deleted: what a person deleted lately, to bring back after its Undo has gone."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mitra.journal import services
from mitra.journal.models import CheckIn, Dose
from mitra.reads.journal import recently_deleted
from tests.cli.test_commands import run

pytestmark = pytest.mark.django_db


def _listed(person: Any) -> list[tuple[str, int]]:
    return [(d.entry.kind, d.entry.id) for d in recently_deleted(person).entries]


def test_the_latest_deletion_comes_first_and_a_restored_entry_leaves_the_list(
    alice: Any, one_of_each: dict[str, int]
) -> None:
    for kind in ("dose", "practice", "intake", "checkin"):
        services.delete_entry(alice, kind, one_of_each[kind])
    assert _listed(alice) == [
        ("checkin", one_of_each["checkin"]),
        ("intake", one_of_each["intake"]),
        ("practice", one_of_each["practice"]),
        ("dose", one_of_each["dose"]),
    ]
    # The check-in's own practice goes and comes back with it: it is in the check-in's line.
    checkin = recently_deleted(alice).entries[0].entry
    assert any("Breathing" in d or "breathing" in d for d in (checkin.title, *checkin.details))
    services.restore_entry(alice, "intake", one_of_each["intake"])
    assert ("intake", one_of_each["intake"]) not in _listed(alice)


def test_an_entry_deleted_over_30_days_ago_or_by_another_person_is_not_listed(
    alice: Any, powder: Any, one_of_each: dict[str, int]
) -> None:
    services.delete_entry(alice, "dose", one_of_each["dose"])
    services.delete_entry(alice, "checkin", one_of_each["checkin"])
    Dose.objects.filter(pk=one_of_each["dose"]).update(
        deleted_at=timezone.now() - timedelta(days=31)
    )
    bob = services.add_person({"time_zone": "Europe/Berlin"})
    assert _listed(alice) == [("checkin", one_of_each["checkin"])]
    assert _listed(bob) == []
    assert recently_deleted(alice).days == 30


def test_the_terminal_the_api_and_the_page_list_it_and_the_page_restores_it(
    alice: Any, one_of_each: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    services.delete_entry(alice, "checkin", one_of_each["checkin"])
    client = Client()
    code, out, err = run(capsys, "entries", "deleted", "--json")
    assert code == 0, err
    from_api = client.get("/api/v1/entries/deleted")
    assert from_api.status_code == 200
    assert json.loads(out) == from_api.json()
    code, out, err = run(capsys, "entries", "deleted")
    assert f"to bring it back: mitra entries restore checkin {one_of_each['checkin']}" in out
    assert 'href="/journal/deleted">Recently deleted entries</a>' in client.get(
        "/journal"
    ).content.decode()
    page = client.get("/journal/deleted").content.decode()
    assert "Check-in: anxiety 4/10" in page
    restore = f"/journal/checkin/{one_of_each['checkin']}/restore"
    assert f'action="{restore}"' in page
    answer = client.post(restore, {"back": "deleted"})
    assert answer.status_code == 302
    assert answer["Location"] == "/journal/deleted"
    assert CheckIn.objects.get(pk=one_of_each["checkin"]).deleted_at is None
    again = client.get("/journal/deleted").content.decode()
    assert "Check-in: anxiety 4/10, 10 Jan, 13:00: restored." in again  # Berlin's clock
    assert "Nothing deleted in the last 30 days." in again
    code, out, err = run(capsys, "entries", "deleted")
    assert out.strip() == "Nothing deleted in the last 30 days."


def test_the_list_reads_a_few_queries_however_many_entries_it_holds(
    alice: Any, powder: Any, django_assert_max_num_queries: Any
) -> None:
    at = timezone.now() - timedelta(days=1)
    for n in range(12):
        made = services.add_checkin(alice, {
            "at": at + timedelta(minutes=n), "anxiety": 3,
            "practices": [{"kind": "breathing", "minutes": 5}],
        })  # fmt: skip
        services.delete_entry(alice, "checkin", made.pk)
        dose = services.log_dose(alice, {"product_id": powder.pk, "amount": 2, "unit": "g",
                                         "taken_at": at + timedelta(minutes=n)})  # fmt: skip
        services.delete_entry(alice, "dose", dose.pk)
    with django_assert_max_num_queries(8):
        found = recently_deleted(alice)
    assert len(found.entries) == 24


def test_a_click_sent_twice_or_from_a_stale_tab_is_answered_as_done(
    alice: Any, one_of_each: dict[str, int]
) -> None:
    """Restore in two tabs, or Delete on a page showing an entry deleted since: each says what
    stands, never a page that there is nothing at this address."""
    client = Client()
    checkin = one_of_each["checkin"]
    for _ in range(2):
        answer = client.post(f"/journal/checkin/{checkin}/delete", HTTP_HX_REQUEST="true")
        assert answer.status_code == 200
        assert "Check-in: anxiety 4/10" in answer.content.decode()
    assert client.post(f"/journal/checkin/{checkin}/delete").status_code == 302
    restore = f"/journal/checkin/{checkin}/restore"
    # The Journal's Undo: back at the entry restored, not at the top of the page.
    assert client.post(restore)["Location"] == f"/journal#checkin-{checkin}"
    again = client.post(restore, {"back": "deleted"}, follow=True).content.decode()
    assert "Check-in: anxiety 4/10, 10 Jan, 13:00: in your journal already." in again
    assert CheckIn.objects.get(pk=checkin).deleted_at is None
    # Another person's, or no such entry: still nothing at that address.
    assert client.post("/journal/checkin/999999/restore").status_code == 404
    assert client.post("/journal/checkin/999999/delete").status_code == 404


def test_an_inline_delete_says_the_alert_banner_again_without_the_alerts_it_withdrew(
    alice: Any, transactional_db: Any
) -> None:
    """As a server answers: each write commits (and its alerts are refreshed) before the answer
    is made, so the banner sent with the Undo is the journal's as it now stands."""
    client = Client()
    sign = services.add_checkin(alice, {"at": timezone.now() - timedelta(hours=1),
                                        "anxiety": 3, "symptoms": ["pale_stools"]})  # fmt: skip
    assert "safety alert" in client.get("/journal").content.decode()
    answer = client.post(f"/journal/checkin/{sign.pk}/delete", HTTP_HX_REQUEST="true")
    html = answer.content.decode()
    assert '<div id="banner-slot" hx-swap-oob="true"></div>' in html  # none open now
