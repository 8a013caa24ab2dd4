"""The Journal page: every kind of entry with its link, and a filter by kind without script."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.models import Practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(alice: Any, powder: Any) -> dict[str, Any]:
    now = datetime.now(UTC) - timedelta(hours=1)
    services.log_dose(alice, {"product_id": powder.pk, "taken_at": now, "amount": 2, "unit": "g"})
    practice = services.log_practice(alice, {"kind": "yoga", "minutes": 20, "at": now})
    substance = services.add_substance(alice, {"name": "alcohol"})
    services.log_intake(
        alice, {"substance_id": substance.pk, "taken_at": now, "amount": 2, "unit": "drinks"}
    )
    response = services.submit_response(
        alice, {"instrument": "GAD-7", "at": now, "answers": [1] * 7}
    )
    services.add_checkin(alice, {"at": now, "anxiety": 4})
    return {"practice": practice, "response": response}


def test_the_journal_lists_every_kind_with_where_to_see_or_undo_it(
    client: Client, mixed: dict[str, Any]
) -> None:
    html = client.get("/journal").content.decode()
    for kind in ("dose", "checkin", "practice", "intake", "response"):
        assert f'class="entry entry-{kind}"' in html, kind
    response = mixed["response"]
    assert "GAD-7: 7 of 21" in html
    assert f'href="/responses/{response.pk}">See the result' in html
    practice = mixed["practice"]
    assert f'action="/journal/practice/{practice.pk}/delete"' in html
    assert f'href="/journal/practice/{practice.pk}"' not in html  # no edit page for a practice


def test_a_practice_deleted_from_the_journal_can_be_undone(
    client: Client, mixed: dict[str, Any]
) -> None:
    practice = mixed["practice"]
    deleted = client.post(f"/journal/practice/{practice.pk}/delete")
    assert deleted["Location"] == f"/journal?deleted=practice-{practice.pk}"
    assert "Yoga: 20 min" not in client.get("/journal").content.decode()
    page = client.get(deleted["Location"]).content.decode()
    assert f'action="/journal/practice/{practice.pk}/restore"' in page
    client.post(f"/journal/practice/{practice.pk}/restore")
    assert Practice.objects.get(pk=practice.pk).deleted_at is None
    assert "Yoga: 20 min" in client.get("/journal").content.decode()


def test_the_filter_is_a_labelled_form_of_checkboxes_that_keeps_the_chosen_kinds(
    client: Client, mixed: dict[str, Any]
) -> None:
    html = client.get("/journal?kind=dose&kind=response").content.decode()
    assert '<form method="get" action="/journal"' in html
    assert "<legend>Show these kinds of entry</legend>" in html
    checked = re.findall(r'<input type="checkbox" name="kind" value="(\w+)" checked>', html)
    assert checked == ["dose", "response"]
    assert set(re.findall(r'class="entry entry-(\w+)"', html)) == {"dose", "response"}
    # The comma form of the API works here too.
    html = client.get("/journal?kind=intake,practice").content.decode()
    assert set(re.findall(r'class="entry entry-(\w+)"', html)) == {"intake", "practice"}


def test_older_pages_keep_the_chosen_kinds(client: Client, alice: Any) -> None:
    start = datetime.now(UTC) - timedelta(days=3)
    for n in range(53):
        at = start + timedelta(minutes=n)
        services.log_practice(alice, {"kind": "walk", "minutes": n + 1, "at": at})
        services.add_checkin(alice, {"at": at, "anxiety": 2})
    page = client.get("/journal?kind=practice").content.decode()
    seen: list[str] = []
    while True:
        assert "entry-checkin" not in page
        seen += re.findall(r"<strong>Walk outdoors: (\d+) min</strong>", page)
        link = re.search(r'href="(\?cursor=[^"]+)"', page)
        if not link:
            break
        assert "kind=practice" in link.group(1)
        page = client.get("/journal" + link.group(1).replace("&amp;", "&")).content.decode()
    assert sorted(map(int, seen)) == list(range(1, 54))


@pytest.mark.parametrize("query", ["kind=nightmare", "kind=dose,x", "kind=" + "dose," * 60])
def test_an_unknown_kind_is_refused_beside_the_filter(
    client: Client, mixed: dict[str, Any], query: str
) -> None:
    response = client.get("/journal?" + query)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="kind-error"' in html
    assert re.search(
        r'<p class="errorlist" id="kind-error">This filter (has an unknown|names too)', html
    )
    assert "entry-response" in html  # every kind, rather than none


def test_practices_logged_with_a_check_in_are_listed_under_practices_with_their_check_in(
    client: Client, alice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Practices saved with a check-in (the usual way, from Today) were missing under the
    Practices filter ("No entries of these kinds yet"). Listed alone, each says it came with a
    check-in and is edited there, not deleted apart; with check-ins shown, it stays in its
    check-in's line, once. The terminal and the API list the same."""
    import json

    from mitra.cli import main

    at = datetime.now(UTC) - timedelta(hours=2)
    checkin = services.add_checkin(
        alice,
        {"at": at, "anxiety": 4, "practices": [{"kind": "mindfulness", "minutes": 20}]},
    )
    html = client.get("/journal?kind=practice").content.decode()
    assert "No entries of these kinds yet" not in html
    assert set(re.findall(r'class="entry entry-(\w+)"', html)) == {"practice"}
    line = html[html.index('class="entry entry-practice"') :]
    line = line[: line.index("</li>")]
    assert "Mindfulness or meditation: 20 min" in line
    assert "logged with a check-in" in line
    assert f'href="/journal/checkin/{checkin.pk}">Edit the check-in' in line
    assert "/delete" not in line  # deleted with its check-in, not apart
    (practice,) = Practice.objects.filter(checkin=checkin)
    assert client.post(f"/journal/practice/{practice.pk}/delete").status_code == 404
    assert Practice.objects.get(pk=practice.pk).deleted_at is None
    # With check-ins shown as well, the practice is in its check-in's line only.
    both = client.get("/journal?kind=practice,checkin").content.decode()
    assert both.count("Mindfulness or meditation: 20 min") == 1
    assert 'class="entry entry-practice"' not in both
    # A deleted check-in takes its practices with it.
    api = client.get("/api/v1/entries?kind=practice").json()
    assert [e["checkin_id"] for d in api["days"] for e in d["entries"]] == [checkin.pk]
    main(["entries", "--kind", "practice", "--json"])
    assert json.loads(capsys.readouterr().out) == api
    services.delete_checkin(alice, checkin.pk)
    assert "No entries of these kinds yet" in client.get("/journal?kind=practice").content.decode()
    main(["entries", "--kind", "practice"])
    assert capsys.readouterr().out == "No entries of these kinds (practice) yet.\n"
