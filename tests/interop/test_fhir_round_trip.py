"""A whole journal through FHIR and back: every kind of entry and field a person can log."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from mitra.interop.fhir_export import export_fhir
from mitra.interop.importing import import_file
from mitra.interop.json_export import export_json
from mitra.journal import services
from tests.conftest import utc
from tests.interop.fhir_validation import model_errors, schema_errors

# Times with fractions of a second, as the CLI and the API store them.
MORNING = utc(2026, 3, 10, 7, 15, 30) + timedelta(microseconds=250_000)


@pytest.fixture
def everything(alice: Any) -> Any:
    """Alice's journal with one of each: products of every form with lab figures, their doses,
    check-ins with every field, practices, substances, intakes and questionnaires."""
    from mitra.journal.models import Intake

    services.set_up_person({"time_zone": "America/New_York", "day_boundary_hour": 5}, alice)
    powder = services.add_product(
        alice,
        {"name": "Green Maeng Da", "vendor": "Leafy", "strain": "Maeng Da", "vein": "green",
         "form": "powder", "unit": "g", "mitragynine_mg_per_g": 16.5, "hydroxy_mg_per_g": 0.2,
         "notes": "lab sheet from March"},
    )  # fmt: skip
    caps = services.add_product(
        alice,
        {"name": "Red Bali caps", "strain": "Bali", "vein": "red", "form": "capsules",
         "unit": "capsule", "grams_per_unit": 0.5},
    )  # fmt: skip
    extract = services.add_product(
        alice,
        {"name": "Gold resin", "form": "extract", "unit": "g", "mitragynine_mg_per_g": 120.0},
    )
    seven = services.add_product(
        alice,
        {"name": "Seven tabs", "form": "7oh", "unit": "tablet", "grams_per_unit": 0.1,
         "hydroxy_mg_per_g": 150.0},
    )  # fmt: skip
    doses = [(powder, 2.5, "g"), (powder, 750, "mg"), (caps, 4, "capsule"),
             (extract, 0.25, "g"), (seven, 1, "tablet")]  # fmt: skip
    for number, (product, amount, unit) in enumerate(doses):
        services.log_dose(
            alice,
            {"product_id": product.pk, "taken_at": MORNING + timedelta(hours=number),
             "amount": amount, "unit": unit, "note": "with food" if number == 0 else ""},
        )  # fmt: skip
    services.add_checkin(
        alice,
        {"at": MORNING, "anxiety": 6, "mood": 3, "sleep_hours": 6.5, "sleep_quality": 2,
         "symptoms": ["yawning", "restless"], "note": "tense morning", "regular_meals": True,
         "caffeine_cups": 2.5,
         "practices": [{"kind": "breathing", "minutes": 10}, {"kind": "walk", "minutes": 30}]},
    )  # fmt: skip
    services.add_checkin(
        alice,
        {"at": MORNING + timedelta(days=1), "anxiety": 3, "regular_meals": False,
         "caffeine_cups": 0},
    )  # fmt: skip
    services.add_checkin(alice, {"at": MORNING + timedelta(days=2), "mood": 4})
    evening = MORNING + timedelta(hours=9)
    services.log_practice(alice, {"kind": "yoga", "minutes": 25, "at": evening})
    sertraline = services.add_substance(alice, {"name": "sertraline", "dose_text": "50 mg daily"})
    coffee = services.add_substance(alice, {"name": "coffee"})
    beer = services.add_substance(alice, {"name": "beer", "active": False})
    intakes = [(sertraline, 50, "mg"), (sertraline, 1, "tablet"), (coffee, None, ""),
               (beer, 2, "drinks")]  # fmt: skip
    for number, (substance, amount, unit) in enumerate(intakes):
        services.log_intake(
            alice,
            {"substance_id": substance.pk, "taken_at": MORNING + timedelta(minutes=number),
             "amount": amount, "unit": unit, "note": "late" if number == 3 else ""},
        )  # fmt: skip
    # A unit without an amount, as other apps' exports and older journals hold them.
    old = services.log_intake(alice, {"substance_id": coffee.pk, "taken_at": MORNING})
    Intake.objects.filter(pk=old.pk).update(unit="mg")
    for code, answers in [
        ("GAD-7", [1, 2, 1, 1, 0, 2, 1]),
        ("PHQ-9", [1, 1, 0, 2, 1, 0, 1, 0, 0]),
        ("SOWS", [1, 0, 2, 0, 1, 0, 0, 1, 2, 0, 0, 1, 0, 0, 1, 0]),
    ]:
        services.submit_response(
            alice, {"instrument": code, "at": MORNING + timedelta(hours=2), "answers": answers}
        )
    # A product taken off the list after a dose of it: the dose keeps it.
    gone = services.add_product(alice, {"name": "Old white", "vein": "white"})
    services.log_dose(alice, {"product_id": gone.pk, "taken_at": MORNING, "amount": 1, "unit": "g"})
    services.delete_product(alice, gone.pk)
    alice.refresh_from_db()
    return alice


_NUMBERS = re.compile(r"/[0-9]+(?=/|$)")


def _facts(bundle: dict[str, Any]) -> list[str]:
    """The Bundle's resources without ids: entry numbers become '#', and a reference names
    what it refers to (a product by its name), so two journals' exports compare fact by fact."""
    labels: dict[str, str] = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        name = (resource.get("code") or resource.get("medicationCodeableConcept") or {}).get("text")
        labels[entry["fullUrl"]] = f"{kind} {name or resource.get('authored', '')}"

    def plain(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: plain(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v, key) for v in value]
        if key == "reference":
            return labels[value]
        if key == "value" and isinstance(value, str):
            return _NUMBERS.sub("/#", value)  # an entry's identifier, "checkin/#/mood"
        return value

    return sorted(json.dumps(plain(e["resource"]), sort_keys=True) for e in bundle["entry"])


def _journal(person: Any) -> dict[str, Any]:
    """The journal's entries and clock as its JSON export holds them, without ids."""
    data = export_json(person)
    kinds = ("products", "doses", "checkins", "practices", "responses", "substances", "intakes")
    for kind in kinds:
        for row in data[kind]:
            # Ids differ after an import, and an imported entry names where it came from.
            for key in ("id", "product_id", "substance_id", "checkin_id", "deleted_at",
                        "imported_as"):  # fmt: skip
                row.pop(key, None)
        data[kind].sort(key=lambda row: json.dumps(row, sort_keys=True))
    clock = {k: data["person"][k] for k in ("time_zone", "day_boundary_hour")}
    return {"clock": clock, **{k: data[k] for k in kinds}}


def test_a_whole_journal_exported_imported_afresh_and_exported_again_says_the_same(
    everything: Any,
) -> None:
    """Read into a new data folder's journal (on the machine's zone, no entries), the Bundle
    gives the same journal, clock included; its export says the same facts; read again, it adds
    nothing."""
    from mitra.journal.models import Person

    first = json.loads(json.dumps(export_fhir(everything)))
    assert model_errors(first) == []
    assert schema_errors(first) == []
    fresh = Person.objects.create(time_zone="Etc/UTC")  # a new data folder's journal
    report = import_file(fresh, "fhir", json.dumps(first).encode(), dry_run=False)
    assert report.skipped == []
    fresh.refresh_from_db()
    assert _journal(fresh) == _journal(everything)
    second = json.loads(json.dumps(export_fhir(fresh)))
    assert _facts(second) == _facts(first)
    again = import_file(fresh, "fhir", json.dumps(first).encode(), dry_run=False)
    assert sum(again.added.values()) == 0
