"""The Substances page: the person's list, the live interaction check, logging a use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.models import Intake, Substance

pytestmark = pytest.mark.django_db


def test_the_live_check_resolves_a_brand_name_and_shows_severity_evidence_and_sources(
    client: Client, alice: Any
) -> None:
    html = client.get("/substances/check?name=Xanax", HTTP_HX_REQUEST="true").content.decode()
    assert "<strong>Alprazolam</strong> (Xanax)" in html
    assert "benzodiazepine" in html
    assert 'class="badge badge-danger">Danger</span>' in html
    assert "Evidence:</strong> Mechanism only." in html
    assert "https://" in html  # every finding links its sources


def test_the_live_check_guesses_a_misspelling_and_asks(client: Client, alice: Any) -> None:
    html = client.get("/substances/check?name=xanaks").content.decode()
    assert "Did you mean <strong>alprazolam</strong>?" in html


def test_an_unknown_name_is_never_reported_as_safe(client: Client, alice: Any) -> None:
    html = client.get("/substances/check?name=Floopazine").content.decode()
    assert "mitra does not know &#x27;Floopazine&#x27;" in html
    assert "not the same as safe" in html
    assert "finding" not in html


def test_adding_a_brand_name_stores_its_generic_id_and_lists_kratom_interactions(
    client: Client, alice: Any
) -> None:
    response = client.post(
        "/substances", {"token": "s1", "name": "Xanax", "dose_text": "0.5 mg at night"}
    )
    assert response.status_code == 302
    assert Substance.objects.get().knowledge_id == "alprazolam"
    html = client.get("/substances").content.decode()
    assert "Interactions with kratom in your list" in html
    assert "Kratom with a benzodiazepine" in html


def test_an_unrecognised_substance_is_kept_and_marked_not_checked(
    client: Client, alice: Any
) -> None:
    client.post("/substances", {"token": "s2", "name": "Grandma's tonic"})
    assert Substance.objects.get().knowledge_id == ""
    assert "not recognised, so not checked" in client.get("/substances").content.decode()


def test_an_empty_name_is_refused_beside_the_field(client: Client, alice: Any) -> None:
    response = client.post("/substances", {"token": "s3", "name": "", "dose_text": "kept text"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_name_error"' in html
    assert 'value="kept text"' in html


def test_a_use_of_a_substance_is_logged(client: Client, alice: Any) -> None:
    beer = services.add_substance(alice, {"name": "alcohol"})
    at = (datetime.now(UTC) - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Berlin"))
    response = client.post(
        "/intakes",
        {
            "token": "i1",
            "substance_id": beer.pk,
            "amount": "2",
            "unit": "drinks",
            "taken_at": at.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    assert Intake.objects.get().amount == 2
    page = client.get("/substances").content.decode()
    assert "alcohol: 2 drinks" in page
    assert "Logged alcohol: 2 drinks." in page  # what was stored, as a dose's message says


def test_a_use_keeps_its_note_and_a_refused_one_keeps_every_field(
    client: Client, alice: Any
) -> None:
    """The web takes an intake's note as the terminal and the API do, and keeps it (with the
    other fields) when the form comes back with a message beside a field."""
    beer = services.add_substance(alice, {"name": "alcohol"})
    at = (datetime.now(UTC) - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Berlin"))
    form = {
        "token": "i2",
        "substance_id": beer.pk,
        "amount": "-1",
        "unit": "drinks",
        "taken_at": at.strftime("%Y-%m-%dT%H:%M"),
        "note": "at the wedding",
    }
    refused = client.post("/intakes", form)
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'id="intake_amount_error"' in html
    assert 'value="at the wedding"' in html
    assert 'value="drinks"' in html
    assert not Intake.objects.exists()
    # An amount without its unit: the message beside the unit, the amount kept.
    refused = client.post("/intakes", form | {"amount": "2", "unit": ""})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "is needed with an amount, e.g. mg, tablets or drinks" in html
    assert 'id="intake_unit_error"' in html
    assert 'name="amount" value="2"' in html
    assert not Intake.objects.exists()
    refused = client.post("/intakes", form | {"amount": ""})  # a unit without its amount
    assert refused.status_code == 422
    assert "is needed with a unit (or leave the unit empty)" in refused.content.decode()
    assert 'id="intake_amount_error"' in refused.content.decode()
    assert not Intake.objects.exists()
    assert client.post("/intakes", form | {"amount": "2"}).status_code == 302
    assert Intake.objects.get().note == "at the wedding"


def test_today_shows_the_estimated_mitragynine_curve_labelled_as_an_estimate(
    client: Client, alice: Any, powder: Any
) -> None:
    services.log_dose(
        alice,
        {
            "product_id": powder.pk,
            "taken_at": datetime.now(UTC) - timedelta(hours=5),
            "amount": 3,
            "unit": "g",
        },
    )
    html = client.get("/").content.decode()
    assert "Estimated mitragynine in the body" in html
    assert "An estimate, not a measurement." in html
    assert 'aria-label="Estimated mitragynine in the body. A model' in html
    assert ">nmol/L (estimated)</text>" in html  # the axis and its unit


def test_an_unknown_name_with_close_matches_asks_did_you_mean_once(
    client: Client, alice: Any
) -> None:
    html = client.get("/substances/check?name=alprazolamine").content.decode()
    assert html.count("Did you mean") == 1
    assert "alprazolam" in html


def test_the_live_check_names_classes_in_the_knowledge_bases_words(
    client: Client, alice: Any
) -> None:
    html = client.get("/substances/check?name=Xanax").content.decode()
    assert "CNS depressant" in html
    assert "CYP3A4 substrate" in html
    assert "cns depressant" not in html
    assert "cns_depressant" not in html


def test_the_interactions_document_opens_with_the_summary_the_terminal_prints(
    client: Client, alice: Any
) -> None:
    document = client.get("/api/v1/interactions?name=Xanax&name=floopazine").json()
    assert document["summary"] == "2 names checked: 1 danger, 1 unknown to mitra"
    assert "CNS depressant" in document["reports"][0]["class_names"]


def test_two_substances_of_one_class_are_two_cards_named_for_each(
    client: Client, alice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    for token, name in (("s1", "Xanax"), ("s2", "Klonopin")):
        client.post("/substances", {"token": token, "name": name, "dose_text": ""})
    html = " ".join(client.get("/substances").content.decode().split())
    benzo = "Kratom with a benzodiazepine: added sedation and slowed breathing"
    assert f"{benzo} (Klonopin)" in html
    assert f"{benzo} (Xanax)" in html
    from mitra.cli import main

    main(["substances"])
    printed = " ".join(capsys.readouterr().out.split())
    assert f"{benzo} (Klonopin)" in printed  # the terminal as the page
    assert f"{benzo} (Xanax)" in printed
    document = client.get("/api/v1/substances").json()
    assert sorted(
        i["yours"] for i in document["interactions"] if "benzodiazepine" in i["title"]
    ) == [
        ["Klonopin"],
        ["Xanax"],
    ]
