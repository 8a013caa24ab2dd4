"""Importing mitra's own JSON and FHIR exports: round trips, once only, all or nothing."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from mitra.cli import main
from mitra.interop.fhir_export import export_fhir
from mitra.interop.importing import ImportFileError, import_file
from mitra.interop.json_export import export_json
from mitra.journal import services
from tests.conftest import utc


@pytest.fixture
def journal(alice: Any, capsules: Any) -> Any:
    services.log_dose(
        alice,
        {"product_id": capsules.pk, "taken_at": utc(2026, 3, 10, 8), "amount": 4,
         "unit": "capsule", "note": "with breakfast"},
    )  # fmt: skip
    services.add_checkin(
        alice,
        {"at": utc(2026, 3, 10, 9), "anxiety": 6, "mood": 3, "sleep_hours": 6.5,
         "sleep_quality": 2, "note": "tense morning", "symptoms": ["yawning"],
         "practices": [{"kind": "breathing", "minutes": 10}]},
    )  # fmt: skip
    services.submit_response(
        alice, {"instrument": "GAD-7", "at": utc(2026, 3, 10, 9), "answers": [1, 2, 1, 1, 0, 2, 1]}
    )
    sertraline = services.add_substance(alice, {"name": "sertraline", "dose_text": "50 mg daily"})
    services.log_intake(
        alice,
        {
            "substance_id": sertraline.pk,
            "taken_at": utc(2026, 3, 10, 7),
            "amount": 50,
            "unit": "mg",
        },
    )
    # A practice logged on its own (not with a check-in): once lost by both imports.
    services.log_practice(alice, {"kind": "yoga", "minutes": 25, "at": utc(2026, 3, 10, 18)})
    return alice


def _comparable(person: Any) -> dict[str, Any]:
    """The journal's content without ids (which differ after an import) and without when a
    product was taken off the list (an import says that it was)."""
    data = export_json(person)
    kinds = ("products", "doses", "checkins", "practices", "responses", "substances", "intakes")
    for kind in kinds:
        for row in data[kind]:
            # Ids differ after an import, and an imported entry names where it came from.
            for key in ("id", "product_id", "substance_id", "checkin_id", "deleted_at",
                        "imported_as"):  # fmt: skip
                row.pop(key, None)
    return {k: data[k] for k in kinds}


def _move_to_a_new_journal(journal: Any) -> Any:
    """Empty the journal, keeping the person: the importer then fills a journal from nothing."""
    from mitra.journal.models import CheckIn, Dose, Intake, Practice, Product, Response, Substance

    for model in (Dose, Intake, Practice, CheckIn, Response, Product, Substance):
        model.objects.all().delete()
    return journal


@pytest.mark.parametrize(
    ("format", "export"),
    [("mitra-json", export_json), ("fhir", export_fhir)],
)
def test_an_export_read_back_into_an_empty_journal_gives_the_same_journal(
    journal: Any, format: str, export: Any
) -> None:
    before = _comparable(journal)
    data = json.dumps(export(journal)).encode()
    _move_to_a_new_journal(journal)
    report = import_file(journal, format, data, dry_run=False)
    assert report.skipped == []
    assert _comparable(journal) == before


@pytest.mark.parametrize("format", ["mitra-json", "fhir"])
def test_importing_the_same_file_twice_adds_nothing(journal: Any, format: str) -> None:
    data = json.dumps((export_json if format == "mitra-json" else export_fhir)(journal)).encode()
    _move_to_a_new_journal(journal)
    first = import_file(journal, format, data, dry_run=False)
    second = import_file(journal, format, data, dry_run=False)
    assert sum(first.added.values()) == 7
    assert sum(second.added.values()) == 0
    assert second.already == first.added


def test_a_dry_run_counts_what_an_import_would_add_and_writes_nothing(journal: Any) -> None:
    data = json.dumps(export_json(journal)).encode()
    _move_to_a_new_journal(journal)
    dry = import_file(journal, "mitra-json", data, dry_run=True)
    assert dry.added == {"product": 1, "substance": 1, "dose": 1, "intake": 1, "checkin": 1,
                         "response": 1, "practice": 1}  # fmt: skip
    assert _comparable(journal)["doses"] == []
    assert import_file(journal, "mitra-json", data, dry_run=False).added == dry.added


def test_a_row_the_journal_refuses_is_skipped_with_its_place_and_reason(journal: Any) -> None:
    document = export_json(journal)
    document["checkins"][0]["anxiety"] = 14
    _move_to_a_new_journal(journal)
    report = import_file(journal, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert report.skipped == [{"where": "checkins[0]", "reason": "anxiety must be at most 10"}]
    assert report.added["dose"] == 1


def test_a_broken_file_names_its_line_exits_2_and_writes_nothing(
    journal: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "broken.json"
    target.write_text('{\n  "format": "mitra-journal",\n  "version": 1,\n  "doses": [,]\n}\n')
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "mitra-json", str(target)])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "line 4" in error
    assert "nothing was imported" in error
    assert error.count("\n") == 1
    with pytest.raises(ImportFileError, match="not a FHIR Bundle"):
        import_file(journal, "fhir", b"[]", dry_run=True)


def test_the_cli_dry_run_prints_counts_and_json(journal: Any, tmp_path: Path, capsys: Any) -> None:
    target = tmp_path / "journal.json"
    target.write_text(json.dumps(export_json(journal)))
    main(["import", "mitra-json", str(target), "--dry-run", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True
    assert report["already_imported"]["dose"] == 1  # the journal's own export: all there
    assert sum(report["added"].values()) == 0


_EXPORTS = [("mitra-json", export_json), ("fhir", export_fhir)]
_ONE_OF_EACH = {"product": 1, "substance": 1, "dose": 1, "intake": 1, "checkin": 1, "response": 1,
                "practice": 1}  # fmt: skip


@pytest.mark.parametrize(("format", "export"), _EXPORTS)
def test_the_journals_own_export_read_back_into_it_adds_nothing(
    journal: Any, format: str, export: Any
) -> None:
    before = _comparable(journal)
    data = json.dumps(export(journal)).encode()
    dry = import_file(journal, format, data, dry_run=True)
    report = import_file(journal, format, data, dry_run=False)
    assert dry.added == report.added == dict.fromkeys(_ONE_OF_EACH, 0)
    assert report.already == _ONE_OF_EACH
    assert report.skipped == []
    assert _comparable(journal) == before


@pytest.mark.parametrize(("format", "export"), _EXPORTS)
def test_an_export_read_into_another_empty_journal_adds_everything_once(
    journal: Any, format: str, export: Any
) -> None:
    from mitra.journal.models import Person

    bob = Person.objects.create(time_zone="Europe/Berlin")
    data = json.dumps(export(journal)).encode()
    first = import_file(bob, format, data, dry_run=False)
    second = import_file(bob, format, data, dry_run=False)
    assert first.added == _ONE_OF_EACH
    assert _comparable(bob) == _comparable(journal)
    assert sum(second.added.values()) == 0
    assert second.already == _ONE_OF_EACH


@pytest.mark.parametrize(
    "order", [_EXPORTS, _EXPORTS[::-1]], ids=["json-then-fhir", "fhir-then-json"]
)
def test_one_journals_json_and_fhir_exports_read_into_another_add_each_entry_once(
    journal: Any, order: list[tuple[str, Any]]
) -> None:
    from mitra.journal.models import Person

    bob = Person.objects.create(time_zone="Europe/Berlin")
    first, second = (
        import_file(bob, format, json.dumps(export(journal)).encode(), dry_run=False)
        for format, export in order
    )
    assert first.added == _ONE_OF_EACH
    assert sum(second.added.values()) == 0
    assert second.already == _ONE_OF_EACH
    assert _comparable(bob) == _comparable(journal)


@pytest.mark.parametrize(("format", "export"), _EXPORTS)
def test_two_journals_exports_with_the_same_entry_ids_are_both_read_in_full(
    journal: Any, format: str, export: Any
) -> None:
    """A phone's journal and a laptop's number their entries alike ("dose/1" on each): the
    second journal's entries are its own, never taken for the first's."""
    from mitra.journal.models import Dose, Person

    bob = Person.objects.create(time_zone="Europe/Berlin")
    document = export(journal)
    import_file(bob, format, json.dumps(document).encode(), dry_run=False)
    other = json.loads(json.dumps(document).replace(str(_origin(document)), "another-journal"))
    assert _origin(other) == "another-journal"
    second = import_file(bob, format, json.dumps(other).encode(), dry_run=False)
    assert second.added["dose"] == second.added["checkin"] == second.added["response"] == 1
    assert Dose.objects.filter(person=bob, deleted_at=None).count() == 2


def _origin(document: dict[str, Any]) -> object:
    """The journal an export names as its origin (JSON's "journal", FHIR's Bundle identifier)."""
    return document["journal"] if "journal" in document else document["identifier"]["value"]


def test_a_journal_imported_before_journals_keyed_their_rows_is_not_imported_twice(
    journal: Any,
) -> None:
    """Rows an earlier version stored under the file's format alone are still recognised, by
    the same key at the same time, whichever of mitra's formats is read now; another journal's
    entry of the same key at another time is that journal's own, and is added."""
    from datetime import timedelta

    from mitra.journal import imports
    from mitra.journal.models import Dose, Person

    bob = Person.objects.create(time_zone="Europe/Berlin")
    import_file(bob, "mitra-json", json.dumps(export_json(journal)).encode(), dry_run=False)
    key = f"dose/{Dose.objects.get(person=journal).pk}"
    # As the earlier version stored it: the format and the row's key.
    Dose.objects.filter(person=bob).update(token=imports.source_token("mitra-json", key))
    for format, export in _EXPORTS:
        again = import_file(bob, format, json.dumps(export(journal)).encode(), dry_run=False)
        assert again.added["dose"] == 0
        assert again.already["dose"] == 1
    # An earlier FHIR export gave whole seconds: a dose stored from one is the same dose.
    first = Dose.objects.get(person=bob)
    Dose.objects.filter(pk=first.pk).update(taken_at=first.taken_at.replace(microsecond=0))
    Dose.objects.filter(person=journal).update(
        taken_at=first.taken_at.replace(microsecond=123456)
    )
    again = import_file(bob, "fhir", json.dumps(export_fhir(journal)).encode(), dry_run=False)
    assert again.added["dose"] == 0
    assert Dose.objects.filter(person=bob).count() == 1
    # Another journal (a phone's), whose dose has the same key but was taken at another time.
    Dose.objects.filter(person=journal).update(
        taken_at=Dose.objects.get(person=journal).taken_at + timedelta(hours=5)
    )
    other = export_json(journal)
    other["journal"] = "another-journal"
    added = import_file(bob, "mitra-json", json.dumps(other).encode(), dry_run=False)
    assert added.added["dose"] == 1
    assert Dose.objects.filter(person=bob).count() == 2


@pytest.mark.parametrize(("format", "export"), _EXPORTS)
def test_the_own_export_brings_back_only_what_the_journal_lost(
    journal: Any, format: str, export: Any
) -> None:
    from mitra.journal.models import Dose

    before = _comparable(journal)
    data = json.dumps(export(journal)).encode()
    Dose.objects.filter(person=journal).delete()  # gone from the database, not only hidden
    report = import_file(journal, format, data, dry_run=False)
    assert report.added == {**dict.fromkeys(_ONE_OF_EACH, 0), "dose": 1}
    assert _comparable(journal) == before
    again = import_file(journal, format, data, dry_run=False)
    assert sum(again.added.values()) == 0


def test_an_entry_deleted_after_the_export_stays_deleted(journal: Any) -> None:
    data = json.dumps(export_json(journal)).encode()
    dose = _comparable(journal)["doses"]
    services.delete_dose(journal, journal.dose_set.get().pk)
    report = import_file(journal, "mitra-json", data, dry_run=False)
    assert report.already["dose"] == 1
    assert _comparable(journal)["doses"] == [] != dose


@pytest.mark.parametrize("kind", ["substances", "products"])
def test_a_file_naming_ones_own_entry_in_another_case_puts_its_entries_on_it(
    journal: Any, kind: str
) -> None:
    """Bob's file says "SERTRALINE" and "RED CAPSULES": they are alice's "sertraline" and "Red
    capsules", and the intake and the dose are put on them, never on an entry made up."""
    from mitra.journal.models import Person, Product, Substance

    bob = Person.objects.create(time_zone="Europe/Berlin")
    services.add_product(
        bob, {"name": "Red capsules", "form": "capsules", "unit": "capsule", "grams_per_unit": 0.5}
    )
    services.add_substance(bob, {"name": "sertraline"})
    document = export_json(journal)
    for row in document[kind]:
        row["name"] = row["name"].upper()
    report = import_file(bob, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert report.skipped == []
    assert report.added["dose"] == report.added["intake"] == 1
    assert report.added["product"] == report.added["substance"] == 0
    assert sorted(Substance.objects.filter(person=bob).values_list("name", flat=True)) == [
        "sertraline"
    ]
    assert list(Product.objects.filter(person=bob).values_list("name", flat=True)) == [
        "Red capsules"
    ]
    assert bob.intake_set.get().substance.name == "sertraline"
    assert bob.dose_set.get().product.name == "Red capsules"


def test_a_product_of_another_form_under_the_same_name_is_refused_with_its_doses(
    journal: Any,
) -> None:
    """Bob's "red capsules" are leaf capsules; a file's "RED CAPSULES" extract is not them: its
    doses would be counted as grams of leaf. Both are skipped, saying why."""
    from mitra.journal.models import Person, Product

    bob = Person.objects.create(time_zone="Europe/Berlin")
    services.add_product(
        bob, {"name": "red capsules", "form": "capsules", "unit": "capsule", "grams_per_unit": 0.5}
    )
    document = export_json(journal)
    document["products"][0].update(name="RED CAPSULES", form="extract")
    report = import_file(bob, "mitra-json", json.dumps(document).encode(), dry_run=False)
    reasons = [row["reason"] for row in report.skipped]
    assert len(reasons) == 2
    assert all("not of this form (extract)" in r for r in reasons)
    assert report.added["dose"] == 0
    assert list(Product.objects.filter(person=bob).values_list("form", flat=True)) == ["capsules"]


def test_a_name_matched_after_trimming_or_in_another_alphabets_case_is_the_persons_own(
    journal: Any,
) -> None:
    from mitra.journal.models import Person, Substance

    bob = Person.objects.create(time_zone="Europe/Berlin")
    services.add_substance(bob, {"name": "Äther"})
    document = export_json(journal)
    document["substances"][0]["name"] = " äTHER "
    report = import_file(bob, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert report.skipped == []
    assert report.added["intake"] == 1
    assert list(Substance.objects.filter(person=bob).values_list("name", flat=True)) == ["Äther"]


def test_a_fhir_practice_is_read_by_mitras_code_and_in_minutes_or_skipped_with_why(
    journal: Any,
) -> None:
    """A practice logged on its own: its kind from the coding in mitra's system (wherever it
    stands among the codings), its minutes only in UCUM min (an hour is not a minute)."""
    from mitra.interop.fhir_export import CODE_SYSTEM
    from mitra.journal.models import Practice

    bundle = export_fhir(journal)

    def key(e: dict[str, Any]) -> str:
        found = e["resource"].get("identifier") or []
        return (
            str((found if isinstance(found, list) else [found])[0].get("value", ""))
            if found
            else ""
        )

    (entry,) = [e for e in bundle["entry"] if key(e).startswith("practice/")]
    resource = entry["resource"]
    resource["code"]["coding"].insert(0, {"system": "http://snomed.info/sct", "code": "229065009"})
    Practice.objects.filter(checkin__isnull=True).delete()
    report = import_file(journal, "fhir", json.dumps(bundle).encode(), dry_run=False)
    assert report.added["practice"] == 1
    assert Practice.objects.filter(checkin__isnull=True).get().minutes == 25
    resource["valueQuantity"] = {"value": 1, "unit": "h", "system": "http://unitsofmeasure.org",
                                 "code": "h"}  # fmt: skip
    ids = resource["identifier"]
    (ids if isinstance(ids, list) else [ids])[0]["value"] = "practice/999999"
    resource["code"]["coding"] = [{"system": CODE_SYSTEM, "code": "practice-yoga"}]
    report = import_file(journal, "fhir", json.dumps(bundle).encode(), dry_run=False)
    assert any(s["reason"] == "a practice's minutes must be in min" for s in report.skipped)


def test_a_dose_naming_a_product_the_file_lacks_or_refused_is_skipped_with_why(
    journal: Any,
) -> None:
    """A dose whose product is not in the file, or whose product row was refused, is skipped
    naming that: no product is made up from the file's key ("product/999")."""
    from mitra.journal.models import Product

    document = export_json(journal)
    dose = dict(document["doses"][0])
    document["doses"].append(dose | {"id": 77, "product_id": 999, "amount": 2})
    document["products"][0]["grams_per_unit"] = -1  # the capsules' row is refused
    _move_to_a_new_journal(journal)
    report = import_file(journal, "mitra-json", json.dumps(document).encode(), dry_run=False)
    reasons = {s["where"]: s["reason"] for s in report.skipped}
    assert reasons["doses[0]"] == "product at products[0] was not imported"
    assert reasons["doses[1]"] == "product 999 is not in the file"
    assert reasons["products[0]"].startswith("grams per unit")
    assert report.added["dose"] == 0
    assert not Product.objects.filter(person=journal).exists()


def test_a_check_ins_meals_and_caffeine_go_through_fhir_and_come_back(journal: Any) -> None:
    """Regular meals (yes or no) and cups of caffeinated drinks are Observations in mitra's code
    system, the cups a UCUM count; a journal filled from the Bundle has them as they were."""
    from mitra.interop.fhir_export import CODE_SYSTEM

    services.add_checkin(
        journal, {"at": utc(2026, 3, 11, 9), "anxiety": 3, "regular_meals": True,
                  "caffeine_cups": 2.5},
    )  # fmt: skip
    services.add_checkin(
        journal, {"at": utc(2026, 3, 12, 9), "anxiety": 4, "regular_meals": False,
                  "caffeine_cups": 0},
    )  # fmt: skip
    bundle = export_fhir(journal)
    found = {
        c["code"]: r.get("valueBoolean", r.get("valueQuantity"))
        for e in bundle["entry"]
        for r in [e["resource"]]
        if r["resourceType"] == "Observation"
        for c in r["code"]["coding"]
        if c["system"] == CODE_SYSTEM and c["code"] in ("regular-meals", "caffeine-cups")
        and r["effectiveDateTime"].startswith("2026-03-11")
    }  # fmt: skip
    assert found == {
        "regular-meals": True,
        "caffeine-cups": {"value": 2.5, "unit": "cups", "system": "http://unitsofmeasure.org",
                          "code": "{cup}"},
    }  # fmt: skip
    before = _comparable(journal)["checkins"]
    _move_to_a_new_journal(journal)
    import_file(journal, "fhir", json.dumps(bundle).encode(), dry_run=False)
    after = _comparable(journal)["checkins"]
    assert [(c["regular_meals"], c["caffeine_cups"]) for c in after] == [
        (None, None), (True, 2.5), (False, 0.0)
    ]  # fmt: skip
    assert after == before


def test_an_intakes_unit_is_ucum_coded_when_it_is_one_and_comes_back_with_or_without_amount(
    journal: Any,
) -> None:
    """50 mg is coded as every dose is; "2 tablets" keeps its words; a unit noted without an
    amount (as other apps' files hold them) and an amount without a unit come back as they were."""
    from mitra.journal.models import Intake

    beer = services.add_substance(journal, {"name": "beer"})
    services.log_intake(
        journal, {"substance_id": beer.pk, "taken_at": utc(2026, 3, 10, 20), "amount": 2,
                  "unit": "tablets"},
    )  # fmt: skip
    bare = services.log_intake(journal, {"substance_id": beer.pk, "taken_at": utc(2026, 3, 10, 21)})
    unit_only = services.log_intake(
        journal, {"substance_id": beer.pk, "taken_at": utc(2026, 3, 10, 22)}
    )
    Intake.objects.filter(pk=bare.pk).update(amount=3)  # a count without a unit
    Intake.objects.filter(pk=unit_only.pk).update(unit="ml")  # a unit without an amount
    bundle = export_fhir(journal)
    doses = [
        e["resource"].get("dosage", {}).get("dose")
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationAdministration"
        and not e["resource"]["medicationCodeableConcept"].get("coding")
    ]
    ucum = "http://unitsofmeasure.org"
    assert doses == [
        {"value": 50.0, "unit": "mg", "system": ucum, "code": "mg"},
        {"value": 2.0, "unit": "tablets"},
        {"value": 3.0},
        {"unit": "ml", "system": ucum, "code": "mL"},
    ]
    before = _comparable(journal)["intakes"]
    _move_to_a_new_journal(journal)
    report = import_file(journal, "fhir", json.dumps(bundle).encode(), dry_run=False)
    assert report.skipped == []
    after = _comparable(journal)["intakes"]
    assert [(i["amount"], i["unit"]) for i in after] == [
        (50.0, "mg"), (2.0, "tablets"), (3.0, ""), (None, "ml")
    ]  # fmt: skip
    assert after == before


def test_fractions_of_a_second_survive_a_fhir_round_trip_and_a_second_import_adds_nothing(
    journal: Any,
) -> None:
    """Times logged from the CLI or the API carry microseconds: the Bundle keeps them, so the
    journal filled from it holds the same instants and exports them the same."""
    from datetime import timedelta

    from mitra.journal.models import Person

    exact = utc(2026, 3, 11, 9, 30, 15) + timedelta(microseconds=123_456)
    services.add_checkin(journal, {"at": exact, "anxiety": 2})
    services.log_intake(journal, {"substance_id": journal.substance_set.get().pk,
                                  "taken_at": exact})  # fmt: skip
    first = export_fhir(journal)
    times = {e["resource"].get("effectiveDateTime") for e in first["entry"]}
    assert "2026-03-11T09:30:15.123456+00:00" in times
    bob = Person.objects.create(time_zone="Europe/Berlin")
    data = json.dumps(first).encode()
    import_file(bob, "fhir", data, dry_run=False)
    assert _comparable(bob) == _comparable(journal)
    again = import_file(bob, "fhir", data, dry_run=False)
    assert sum(again.added.values()) == 0
    second = export_fhir(bob)
    assert sorted(t for e in second["entry"] if (t := e["resource"].get("effectiveDateTime"))) == (
        sorted(t for e in first["entry"] if (t := e["resource"].get("effectiveDateTime")))
    )


def test_a_fhir_bundle_read_into_a_new_journal_brings_its_time_zone_so_days_stay_the_same(
    journal: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A check-in at 02:30 UTC on 11 March is alice's evening of 10 March in New York. Read into
    a new data folder on a machine in UTC, it stays on 10 March: the journal takes the Bundle's
    zone and day boundary. A journal with entries keeps its own and says so."""
    from mitra.journal import clock
    from mitra.journal.models import CheckIn, Person

    services.set_up_person({"time_zone": "America/New_York", "day_boundary_hour": 5}, journal)
    services.add_checkin(journal, {"at": utc(2026, 3, 11, 2, 30), "anxiety": 5})
    target = tmp_path / "journal.fhir.json"
    target.write_text(json.dumps(export_fhir(journal)))
    _move_to_a_new_journal(journal)
    Person.objects.all().delete()  # a new data folder
    cli_app = importlib.import_module("mitra.cli.app")  # the module, not the Typer app
    monkeypatch.setattr(cli_app, "system_zone", lambda: "Etc/UTC")
    main(["import", "fhir", str(target), "--json"])
    said = capsys.readouterr()
    assert json.loads(said.out)["skipped"] == []
    assert "Etc/UTC" not in said.err  # the zone the new journal had for a moment
    person = Person.objects.get()
    assert (person.time_zone, person.day_boundary_hour) == ("America/New_York", 5)
    late = CheckIn.objects.get(person=person, at=utc(2026, 3, 11, 2, 30))
    assert str(clock(person).local_day(late.at)) == "2026-03-10"

    services.set_up_person({"time_zone": "Asia/Tokyo"}, person)  # a journal with entries
    bob = Person.objects.create(time_zone="Europe/Berlin")
    services.add_checkin(bob, {"at": utc(2026, 3, 1, 9), "anxiety": 2})
    report = import_file(bob, "fhir", target.read_bytes(), dry_run=False)
    bob.refresh_from_db()
    assert bob.time_zone == "Europe/Berlin"
    assert [s["where"] for s in report.skipped] == ["entry[0]"]
    assert "America/New_York" in report.skipped[0]["reason"]


@pytest.mark.parametrize(("format", "export"), _EXPORTS)
def test_a_product_taken_off_the_list_comes_back_off_the_list_with_its_doses(
    journal: Any, format: str, export: Any
) -> None:
    from mitra.journal.models import Person

    services.delete_product(journal, journal.product_set.get().pk)
    bob = Person.objects.create(time_zone="Europe/Berlin")
    data = json.dumps(export(journal)).encode()
    first = import_file(bob, format, data, dry_run=False)
    assert first.skipped == []
    assert [(p["name"], p["removed"]) for p in export_json(bob)["products"]] == [
        ("Red capsules", True)
    ]
    assert _comparable(bob) == _comparable(journal)
    assert sum(import_file(bob, format, data, dry_run=False).added.values()) == 0


def test_a_dry_run_before_any_journal_makes_none_and_the_import_makes_it_with_the_files_clock(
    journal: Any, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mitra import --dry-run` into an empty data folder made the journal, in the machine's
    time zone: a dry run writes nothing, and still says what the import would add."""
    from mitra.journal.erase import delete_journal
    from mitra.journal.models import Dose, Person

    monkeypatch.setattr(importlib.import_module("mitra.cli.app"), "_TZ_AT_START", "Etc/UTC")
    target = tmp_path / "journal.json"
    target.write_text(json.dumps(export_json(journal)))  # alice's, in Europe/Berlin
    delete_journal(journal)
    assert not Person.objects.exists()
    main(["import", "mitra-json", str(target), "--dry-run", "--json"])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["dry_run"] is True
    assert report["added"]["clock"] == report["added"]["dose"] == 1
    assert captured.err == ""  # the file's time zone: nothing to say of the machine's
    assert not Person.objects.exists()
    main(["import", "mitra-json", str(target)])
    captured = capsys.readouterr()
    assert captured.out.startswith("Added: ")
    assert captured.err == ""
    made = Person.objects.get()
    assert made.time_zone == "Europe/Berlin"
    assert Dose.objects.filter(person=made).count() == 1


def test_a_dry_run_of_a_file_without_a_clock_says_which_zone_the_journal_would_take(
    db: Any, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mitra.journal.models import Person

    monkeypatch.setattr(importlib.import_module("mitra.cli.app"), "_TZ_AT_START", "Asia/Tokyo")
    sample = Path(__file__).parent / "samples" / "bearable-export.csv"
    main(["import", "bearable", str(sample), "--dry-run"])
    captured = capsys.readouterr()
    assert captured.out.startswith("Would add: ")
    assert captured.err == (
        "mitra: no journal yet, so none was made; importing makes one with time zone Asia/Tokyo\n"
    )
    assert not Person.objects.exists()
    main(["import", "bearable", str(sample)])
    captured = capsys.readouterr()
    assert "using time zone Asia/Tokyo" in captured.err
    assert Person.objects.get().time_zone == "Asia/Tokyo"


def test_a_file_read_again_after_its_product_was_renamed_adds_its_new_doses(
    journal: Any,
) -> None:
    """The product an earlier import made, renamed since, is the one its doses go on: a new
    dose in the file is added, never skipped as a token sent before with other values."""
    from mitra.journal.models import Dose, Person, Product

    bob = Person.objects.create(time_zone="Europe/Berlin")
    document = export_json(journal)
    import_file(bob, "mitra-json", json.dumps(document).encode(), dry_run=False)
    Product.objects.filter(person=bob).update(name="Capsules, renamed")
    dose = dict(document["doses"][0])
    document["doses"].append(dose | {"id": 78, "taken_at": "2026-03-11T08:00:00+00:00"})
    again = import_file(bob, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert again.skipped == []
    assert again.added["dose"] == 1
    assert Dose.objects.filter(person=bob).count() == 2


def test_an_older_export_with_control_characters_is_read_with_them_taken_out(
    journal: Any,
) -> None:
    """Text the journal refuses today (a tab in a name, a form feed in a note) was stored
    before: a backup holding it is read, each such row kept and its change said."""
    from mitra.journal.models import CheckIn, Product

    document = export_json(journal)
    document["products"][0]["name"] = "Red\tcapsules"
    document["checkins"][0]["note"] = "tense\x0cmorning\nthen calm"
    _move_to_a_new_journal(journal)
    report = import_file(journal, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert report.skipped == []
    assert report.added["dose"] == 1
    assert Product.objects.get(person=journal).name == "Red capsules"
    assert CheckIn.objects.get(person=journal).note == "tensemorning\nthen calm"
    adjusted = {a["where"]: a["reason"] for a in report.adjusted}
    assert adjusted["products[0]"].startswith("control characters taken out of name")
    assert adjusted["checkins[0]"].startswith("control characters taken out of note")


def test_a_lab_figure_the_journal_would_ask_about_is_imported_as_the_file_holds_it(
    journal: Any,
) -> None:
    """A figure typed today is asked about above twice lab-tested leaf; one in a backup was the
    person's own, kept as it was (or confirmed then), and is read back without the question."""
    from mitra.journal.models import Dose, Person, Product

    Product.objects.filter(person=journal).update(mitragynine_mg_per_g=155.0)
    document = export_json(journal)
    bob = Person.objects.create(time_zone="Europe/Berlin")
    report = import_file(bob, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert report.skipped == []
    assert Product.objects.get(person=bob).mitragynine_mg_per_g == 155.0
    assert Dose.objects.filter(person=bob).count() == 1


@pytest.mark.parametrize(("format", "export"), _EXPORTS)
def test_a_crisis_answer_seen_before_the_export_is_not_raised_again_as_news(
    alice: Any, django_capture_on_commit_callbacks: Any, format: str, export: Any
) -> None:
    """A phone's copy read into a new journal: the crisis resources of an answer the person had
    seen stay seen (its card and its alert), and one not yet seen is shown as it was."""
    from datetime import UTC, datetime, timedelta

    from mitra.journal.models import Alert, Person, Response

    crisis = {"instrument": "PHQ-9", "answers": [0] * 8 + [1]}
    with django_capture_on_commit_callbacks(execute=True):
        seen = services.submit_response(
            alice, {**crisis, "at": datetime.now(UTC) - timedelta(days=3)}
        )
        services.submit_response(alice, {**crisis, "at": datetime.now(UTC) - timedelta(days=1)})
        services.acknowledge_crisis(alice, seen.pk)
    read = [r["crisis_read_at"] for r in export_json(alice)["responses"]]
    assert read[0] is not None
    assert read[1] is None
    if format == "fhir":  # said in an extension both validators accept
        from tests.interop.fhir_validation import model_errors, schema_errors

        assert model_errors(export(alice)) == schema_errors(export(alice)) == []
    bob = Person.objects.create(time_zone="Europe/Berlin")
    with django_capture_on_commit_callbacks(execute=True):
        import_file(bob, format, json.dumps(export(alice)).encode(), dry_run=False)
    first, second = Response.objects.filter(person=bob).order_by("at")
    assert first.acknowledged_at is not None
    assert second.acknowledged_at is None
    alerts = Alert.objects.filter(person=bob, rule="crisis_answer").order_by("at")
    assert [a.acknowledged_at is not None for a in alerts] == [True, False]


@pytest.mark.parametrize(
    "read_at",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2999-01-01T00:00:00+00:00",
     "2000-01-01T00:00:00+00:00", "yesterday", "2026-11-01T09:00:00"],
    ids=["before-year-1", "after-9999", "future", "before-the-answer", "not-a-time", "no-zone"],
)  # fmt: skip
def test_a_crisis_read_time_mitra_cannot_believe_leaves_the_answer_unseen(
    alice: Any, read_at: str, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    from mitra.journal.models import Alert, Person, Response

    answered = datetime.now(UTC) - timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_response(
            alice, {"instrument": "PHQ-9", "answers": [0] * 8 + [2], "at": answered}
        )
    document = export_json(alice)
    document["responses"][0]["crisis_read_at"] = read_at
    bob = Person.objects.create(time_zone="Europe/Berlin")
    with django_capture_on_commit_callbacks(execute=True):
        report = import_file(bob, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert report.added["response"] == 1
    assert Response.objects.get(person=bob).acknowledged_at is None
    assert Alert.objects.get(person=bob, rule="crisis_answer").acknowledged_at is None


@pytest.mark.parametrize("via", [1, 2], ids=["phone-and-back", "through-a-third"])
def test_entries_that_go_to_another_journal_and_come_back_are_not_doubled(
    journal: Any, via: int
) -> None:
    """A laptop's journal read into a phone's, and the phone's export read back (through a
    third journal, or not): the laptop's own entries are known as its own, and only what the
    phone added is new."""
    from datetime import UTC, datetime

    from mitra.journal.models import Dose, Person

    before = _comparable(journal)
    copies = [Person.objects.create(time_zone="Asia/Tokyo") for _ in range(via)]
    source = journal
    for copy in copies:
        import_file(copy, "mitra-json", json.dumps(export_json(source)).encode(), dry_run=False)
        source = copy
    phone = copies[-1]
    product = services.add_product(phone, {"name": "Phone powder", "unit": "g"})
    at = datetime(2026, 3, 11, 8, tzinfo=UTC)
    services.log_dose(phone, {"product_id": product.pk, "taken_at": at, "amount": 2, "unit": "g"})
    phones = json.dumps(export_json(phone)).encode()
    back = import_file(journal, "mitra-json", phones, dry_run=False)
    assert back.added["dose"] == 1  # the phone's own
    assert back.already == _ONE_OF_EACH
    assert Dose.objects.filter(person=journal).count() == 2
    after = _comparable(journal)
    assert after["checkins"] == before["checkins"]
    assert after["responses"] == before["responses"]
    # The phone's dose, read again from another copy, is one dose too.
    again = import_file(journal, "mitra-json", phones, dry_run=False)
    assert sum(again.added.values()) == 0


@pytest.mark.parametrize(("format", "export"), _EXPORTS)
def test_a_substance_taken_off_the_list_comes_back_off_the_list_with_its_uses(
    journal: Any, format: str, export: Any
) -> None:
    from mitra.journal.models import Intake, Person, Substance

    (sertraline,) = Substance.objects.filter(person=journal)
    services.delete_substance(journal, sertraline.pk)
    assert [s["removed"] for s in export_json(journal)["substances"]] == [True]
    document = export(journal)
    if format == "fhir":  # a clinic's system reads it as no longer taken
        (statement,) = [e["resource"] for e in document["entry"]
                        if e["resource"]["resourceType"] == "MedicationStatement"]  # fmt: skip
        assert statement["status"] == "stopped"
        from tests.interop.fhir_validation import model_errors, schema_errors

        assert model_errors(document) == schema_errors(document) == []
    bob = Person.objects.create(time_zone="Europe/Berlin")
    report = import_file(bob, format, json.dumps(document).encode(), dry_run=False)
    assert report.skipped == []
    assert Intake.objects.filter(person=bob, deleted_at=None).count() == 1
    (kept,) = Substance.objects.filter(person=bob)
    assert kept.deleted_at is not None  # off the list, as it was
    assert kept.name == "sertraline"


def test_a_carried_name_an_earlier_version_gave_counts_only_at_its_entrys_own_time(
    journal: Any,
) -> None:
    """An earlier version named an imported entry by its format and key alone ("dose/1" of any
    journal). Carried in another journal's export, such a name is the same entry only at the
    same time: another journal's dose/1 at another time is added, and this journal's own
    dose, come back through a copy made by that earlier version, is known as its own."""
    from datetime import timedelta

    from mitra.journal import imports
    from mitra.journal.models import Dose, Person

    (own,) = Dose.objects.filter(person=journal)
    legacy = imports.source_token("mitra-json", f"dose/{own.pk}")
    document = export_json(journal)
    document["journal"] = "a-phone-with-an-earlier-version"
    (row,) = document["doses"]
    row["imported_as"] = legacy  # as the phone's earlier version stored this journal's dose
    back = import_file(journal, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert (back.added["dose"], back.already["dose"]) == (0, 1)
    # The same name on a dose taken at another time is another journal's dose: added.
    row["taken_at"] = (own.taken_at + timedelta(days=3)).isoformat()
    other = import_file(journal, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert other.added["dose"] == 1
    assert Dose.objects.filter(person=journal).count() == 2
    # A name mitra never makes is no name: the row keeps one of its own.
    bob = Person.objects.create(time_zone="Europe/Berlin")
    row["imported_as"] = "import-"
    import_file(bob, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert Dose.objects.get(person=bob).token != "import-"
