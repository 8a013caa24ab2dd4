"""With accounts on, deleting a journal deletes its account too, and nobody else's."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from .conftest import PASSWORD, People, sign_in


def test_a_person_who_deletes_their_journal_leaves_no_account_that_signs_in(
    people: People, client: Client
) -> None:
    from mitra.accounts.models import Account
    from mitra.journal import services
    from mitra.journal.models import CheckIn, Person

    bob_person = people.bob.person
    services.add_checkin(bob_person, {"at": timezone.now(), "anxiety": 3, "note": "bob's"})
    sign_in(client, people.alice)
    # The page says, before anything is deleted, that the account goes with the journal.
    page = client.get("/settings/delete").content.decode()
    assert "Your account goes with it: you are signed out" in page
    done = client.post("/settings/delete", {"confirm": "DELETE"})
    assert done.status_code == 302
    users = get_user_model().objects
    assert not users.filter(username="alice").exists()
    assert not Account.objects.filter(user__username="alice").exists()
    assert not Person.objects.filter(account__isnull=True).exists()  # alice's journal is gone
    # Her password opens nothing; bob and carol are untouched.
    refused = Client().post("/login", {"username": "alice", "password": PASSWORD})
    assert refused.status_code != 302
    assert {a.user.username for a in Account.objects.all()} == {"bob", "carol"}
    assert CheckIn.objects.filter(person=bob_person, note="bob's").exists()
    assert Client().post("/login", {"username": "bob", "password": PASSWORD}).status_code == 302


def test_the_api_deletes_the_signed_in_persons_journal_and_account_only(
    people: People, client: Client
) -> None:
    from mitra.accounts.models import Account

    sign_in(client, people.bob)
    page = client.get("/settings")
    csrf = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else ""
    answer = client.post(
        "/api/v1/settings/delete",
        {"confirm": "DELETE"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["deleted"]["user"] == 1
    assert {a.user.username for a in Account.objects.all()} == {"alice", "carol"}
    assert people.alice.person.pk is not None
