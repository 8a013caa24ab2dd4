"""The FHIR R4 export: a collection Bundle that two independent validators accept."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mitra.interop.fhir_export import export_fhir, questionnaire_url
from mitra.journal import services
from mitra.knowledge import load
from tests.conftest import utc
from tests.interop.fhir_validation import model_errors, schema_errors


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture
def journal(alice: Any, capsules: Any) -> Any:
    services.log_dose(
        alice, {"product_id": capsules.pk, "taken_at": utc(2026, 3, 10, 8), "amount": 4,
                "unit": "capsule", "note": "with breakfast"}
    )  # fmt: skip
    services.add_checkin(
        alice,
        {"at": utc(2026, 3, 10, 9), "anxiety": 6, "mood": 3, "sleep_hours": 6.5,
         "sleep_quality": 2, "note": "tense morning",
         "practices": [{"kind": "breathing", "minutes": 10}]},
    )  # fmt: skip
    services.submit_response(
        alice, {"instrument": "GAD-7", "at": utc(2026, 3, 10, 9), "answers": [1, 2, 1, 1, 0, 2, 1]}
    )
    sertraline = services.add_substance(alice, {"name": "sertraline", "dose_text": "50 mg daily"})
    services.log_intake(
        alice, {"substance_id": sertraline.pk, "taken_at": utc(2026, 3, 10, 7), "amount": 50,
                "unit": "mg"}
    )  # fmt: skip
    return alice


def test_the_bundle_is_a_collection_that_both_validators_accept(journal: Any) -> None:
    bundle = json.loads(json.dumps(export_fhir(journal)))
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    assert model_errors(bundle) == []
    assert schema_errors(bundle) == []


def test_the_patient_is_pseudonymous_until_the_person_sets_a_name(journal: Any) -> None:
    (patient,) = _resources(export_fhir(journal), "Patient")
    assert "name" not in patient
    services.set_up_person({"name": "Alice"})
    journal.refresh_from_db()
    (patient,) = _resources(export_fhir(journal), "Patient")
    assert patient["name"] == [{"text": "Alice"}]


def test_a_response_names_its_questionnaire_and_its_total_is_a_loinc_observation_with_band(
    journal: Any,
) -> None:
    bundle = export_fhir(journal)
    (response,) = _resources(bundle, "QuestionnaireResponse")
    assert response["questionnaire"] == questionnaire_url("GAD-7")
    total = next(
        o for o in _resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "70274-6"
    )
    assert total["valueInteger"] == 8
    assert total["interpretation"][0]["text"] == "Mild anxiety"


def test_each_validator_finds_an_error_planted_in_the_last_of_many_alike_resources(
    journal: Any,
) -> None:
    """The model validator checks one resource per shape; the schema checks every value."""
    bundle = json.loads(json.dumps(export_fhir(journal)))
    observations = _resources(bundle, "Observation")
    observations.append(json.loads(json.dumps(observations[-1])))
    bundle["entry"].append({"fullUrl": "urn:uuid:5f3a2c1e-0000-4000-8000-000000000001",
                            "resource": observations[-1]})  # fmt: skip
    planted = observations[-1]
    planted["effectiveDateTime"] = "2026-13-45T25:00:00Z"  # the same shape, a bad value
    assert model_errors(bundle) == []
    assert any("effectiveDateTime" in e for e in schema_errors(bundle))
    planted["effectiveDateTime"] = observations[0]["effectiveDateTime"]
    planted["subject"] = "Patient/1"  # a string where a Reference belongs
    assert any("subject" in e for e in model_errors(bundle))
    planted["subject"] = observations[0]["subject"]
    del planted["status"]  # required
    assert any("status" in e for e in model_errors(bundle))


def test_kratom_doses_carry_the_unii_and_medicines_are_text_only(journal: Any) -> None:
    bundle = export_fhir(journal)
    administrations = _resources(bundle, "MedicationAdministration")
    kratom = [a for a in administrations if a["medicationCodeableConcept"].get("coding")]
    mitragynine = load().ingredient("mitragynine")
    assert [a["medicationCodeableConcept"]["coding"][0]["code"] for a in kratom] == [
        mitragynine.unii
    ]
    assert kratom[0]["medicationCodeableConcept"]["coding"][0]["display"] == mitragynine.name
    assert kratom[0]["dosage"]["dose"] == {
        "value": 2.0,
        "unit": "g",
        "system": "http://unitsofmeasure.org",
        "code": "g",
    }
    (statement,) = _resources(bundle, "MedicationStatement")
    assert statement["medicationCodeableConcept"] == {"text": "sertraline"}


@pytest.mark.parametrize("days", [365, 5 * 365 + 1])
def test_demo_journals_of_one_and_five_years_validate_with_zero_errors(
    alice: Any, days: int
) -> None:
    from mitra.journal.demo import load_demo

    load_demo(alice, days=days, seed=3)
    bundle = json.loads(json.dumps(export_fhir(alice)))
    assert len(bundle["entry"]) > days
    assert model_errors(bundle) == []
    assert schema_errors(bundle) == []


def test_a_doses_text_words_its_amount_as_the_journal_does(alice: Any) -> None:
    """ "4 capsules of Red Bali caps", never "4 capsule of"; one capsule is one capsule; a name
    that ends in its unit is not said twice."""
    caps = services.add_product(
        alice, {"name": "Red Bali caps", "form": "capsules", "unit": "capsule",
                "grams_per_unit": 0.5},
    )  # fmt: skip
    named = services.add_product(
        alice, {"name": "Maeng Da capsules", "form": "capsules", "unit": "capsule",
                "grams_per_unit": 0.5},
    )  # fmt: skip
    for hour, (product, amount) in enumerate([(caps, 4), (caps, 1), (named, 3)]):
        services.log_dose(
            alice, {"product_id": product.pk, "taken_at": utc(2026, 3, 10, 8 + hour),
                    "amount": amount, "unit": "capsule"},
        )  # fmt: skip
    texts = [
        a["dosage"]["text"] for a in _resources(export_fhir(alice), "MedicationAdministration")
    ]
    assert texts == [
        "4 capsules of Red Bali caps (2 g)",
        "1 capsule of Red Bali caps (0.5 g)",
        "3 Maeng Da capsules (1.5 g)",
    ]
