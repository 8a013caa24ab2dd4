"""The Research page: an admin sees who takes part and the cohort's figures; nobody else sees it."""

from __future__ import annotations

from django.test import Client

from mitra.journal.consent import grant_consent, withdraw_consent
from mitra.journal.demo import load_demo

from .conftest import PASSWORD, People, sign_in


def test_only_an_admin_opens_the_research_page(people: People, client: Client) -> None:
    for account in (people.alice, people.carol):
        sign_in(client, account)
        assert client.get("/account/research").status_code == 404
        assert client.post("/account/research").status_code == 404


def test_the_admin_sees_consent_counts_and_a_report_of_only_those_taking_part(
    people: People, client: Client
) -> None:
    from mitra.accounts import services as accounts

    dana = accounts.add_account("dana", "admin", PASSWORD)
    sign_in(client, dana)
    assert client.get("/")["Location"] == "/account/research"
    page = client.get("/account/research").content.decode()
    assert "Taking part: 0 of 2 persons. Withdrew: 0." in page
    refused = client.post("/account/research")
    assert refused.status_code == 422
    assert "Nobody takes part in research yet" in refused.content.decode()

    load_demo(people.alice.person, days=30, seed=2)
    grant_consent(people.alice.person, ["doses", "checkins"], actor="person (web)")
    grant_consent(people.bob.person, ["checkins"], actor="person (web)")
    withdraw_consent(people.bob.person, actor="person (web)")
    page = client.get("/account/research").content.decode()
    assert "Taking part: 1 of 2 persons. Withdrew: 1." in page
    made = client.post("/account/research")
    assert made.status_code == 200
    text = made.content.decode()
    assert "observational" in text.lower()
    assert '<th scope="row">Persons</th><td>1' in text  # alice alone: bob withdrew
