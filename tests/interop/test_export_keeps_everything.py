"""Both exports keep the check-in's diet, the plan and the tapers; mitra-json reads diet back."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from mitra.interop.csv_export import COLUMNS, export_csv_zip
from mitra.interop.importing import import_file
from mitra.interop.json_export import export_json
from mitra.journal import plans, services, tapers
from mitra.journal.models import CheckIn
from mitra.taper import measure_for, plan_schedule
from tests.conftest import utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(alice: Any) -> Any:
    services.add_checkin(
        alice,
        {"at": utc(2026, 3, 10, 9), "anxiety": 4, "regular_meals": True, "caffeine_cups": 2.5},
    )
    services.add_checkin(alice, {"at": utc(2026, 3, 11, 9), "anxiety": 5, "regular_meals": False})
    plans.save_plan(
        alice,
        {"clinician_name": "Dr Lee", "clinician_contact": "+1 555 0100", "reasons": "my kids",
         "warning_signs": "skipping meals",
         "goals": [{"kind": "mindfulness", "amount": 70, "unit": "minutes"}]},
    )  # fmt: skip
    schedule = plan_schedule(8.0, 0, "10-per-week", measure_for("g"), starts=date(2026, 3, 2))
    tapers.save_taper(alice, schedule)
    tapers.choose(alice, "hold", now=utc(2026, 3, 12, 12))
    return alice


def _tables(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            )
            for name in archive.namelist()
        }


def test_the_json_export_holds_the_diet_the_plan_and_the_tapers(full: Any) -> None:
    data = export_json(full)
    diet = [(c["regular_meals"], c["caffeine_cups"]) for c in data["checkins"]]
    assert diet == [(True, 2.5), (False, None)]
    assert data["plan"]["clinician_name"] == "Dr Lee"
    assert data["plan"]["warning_signs"] == "skipping meals"
    [goal] = data["plan"]["goals"]
    assert (goal["kind"], goal["amount"], goal["unit"]) == ("mindfulness", 70.0, "minutes")
    assert goal["created_at"].startswith(str(timezone.localdate().year))  # when it was set
    assert goal["earlier"] == []
    [taper] = data["tapers"]
    assert taper["ended_at"] is None
    assert taper["schedule"]["start_amount"] == 8.0
    assert len(taper["schedule"]["steps"]) > 3
    assert [(c["day"], c["action"]) for c in taper["choices"]] == [("2026-03-12", "hold")]
    json.dumps(data)  # every value is JSON-ready


def test_the_csv_export_holds_the_diet_the_plan_and_the_tapers(full: Any) -> None:
    tables = _tables(export_csv_zip(full))
    assert set(tables) == set(COLUMNS)
    assert [(c["regular_meals"], c["caffeine_cups"]) for c in tables["checkins"]] == [
        ("true", "2.5"), ("false", "")
    ]  # fmt: skip
    # Text beginning with + is written with a quote before it, so no spreadsheet runs it.
    assert tables["plan"] == [
        {"clinician_name": "Dr Lee", "clinician_contact": "'+1 555 0100", "reasons": "my kids",
         "warning_signs": "skipping meals"}
    ]  # fmt: skip
    [goal] = tables["goals"]
    assert (goal["kind"], goal["amount"], goal["unit"], goal["earlier"]) == (
        "mindfulness", "70.0", "minutes", ""
    )  # fmt: skip
    assert goal["created_at"]
    [taper] = tables["tapers"]
    assert (taper["pace"], taper["start_amount"], taper["ended_at"]) == ("10-per-week", "8.0", "")
    steps = tables["taper_steps"]
    assert {s["taper_id"] for s in steps} == {taper["id"]}
    assert steps[0]["number"] == "1"
    assert steps[0]["starts"] == "2026-03-02"
    assert tables["taper_choices"][0]["action"] == "hold"


def test_an_empty_journal_exports_an_empty_plan_row_and_no_tapers(alice: Any) -> None:
    tables = _tables(export_csv_zip(alice))
    assert tables["plan"] == [
        {"clinician_name": "", "clinician_contact": "", "reasons": "", "warning_signs": ""}
    ]
    assert tables["tapers"] == tables["taper_steps"] == tables["goals"] == []


def test_mitra_json_reads_the_diet_back(full: Any) -> None:
    data = json.dumps(export_json(full)).encode()
    CheckIn.objects.all().delete()
    report = import_file(full, "mitra-json", data, dry_run=False)
    assert report.skipped == []
    back = [(c.regular_meals, c.caffeine_cups) for c in CheckIn.objects.order_by("at")]
    assert back == [(True, 2.5), (False, None)]


def test_an_export_from_before_the_diet_fields_still_imports(full: Any) -> None:
    document = export_json(full)
    for row in document["checkins"]:
        del row["regular_meals"], row["caffeine_cups"]
    CheckIn.objects.all().delete()
    import_file(full, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert {c.regular_meals for c in CheckIn.objects.all()} == {None}


def test_a_goals_earlier_targets_are_exported(alice: Any) -> None:
    plans.set_goal(alice, {"kind": "yoga", "amount": 1, "unit": "sessions"})
    plans.set_goal(alice, {"kind": "yoga", "amount": 3, "unit": "sessions"})
    [goal] = export_json(alice)["plan"]["goals"]
    [before] = goal["earlier"]
    assert (before["amount"], before["unit"]) == (1, "sessions")
    [row] = _tables(export_csv_zip(alice))["goals"]
    assert json.loads(row["earlier"]) == goal["earlier"]


def _plan_and_tapers(person: Any) -> dict[str, Any]:
    data = export_json(person)
    plan = {k: v for k, v in data["plan"].items() if k != "goals"}
    goals = [
        (g["kind"], g["amount"], g["unit"], g["created_at"], g["earlier"])
        for g in data["plan"]["goals"]
    ]
    kept = [
        {k: t[k] for k in ("created_at", "ended_at", "schedule")}
        | {"choices": [(c["day"], c["action"]) for c in t["choices"]]}
        for t in data["tapers"]
    ]
    return {"plan": plan, "goals": goals, "tapers": kept,
            "contacts": data["person"]["crisis_contacts"]}  # fmt: skip


def test_mitra_json_moves_the_plan_its_goals_the_contacts_and_the_tapers(full: Any) -> None:
    """The README's way to an encrypted journal: export, then import into the new one."""
    from mitra.journal.models import Goal, Plan, Taper

    full.crisis_contacts = [{"name": "Sam", "phone": "+1 555 0101"}]
    full.save(update_fields=["crisis_contacts"])
    tapers.choose(full, "resume", now=utc(2026, 3, 14, 12))
    plans.set_goal(full, {"kind": "mindfulness", "amount": 90, "unit": "minutes"})  # history
    before = _plan_and_tapers(full)
    document = export_json(full)
    document["journal"] = "the old journal"  # read into the new one, as the README says
    data = json.dumps(document).encode()
    Plan.objects.all().delete()
    Goal.objects.all().delete()
    Taper.objects.all().delete()
    full.crisis_contacts = []
    full.save(update_fields=["crisis_contacts"])

    dry = import_file(full, "mitra-json", data, dry_run=True)
    assert (dry.added["plan"], dry.added["goal"], dry.added["taper"]) == (1, 1, 1)
    assert not Taper.objects.exists()  # a dry run writes nothing
    report = import_file(full, "mitra-json", data, dry_run=False)
    assert report.skipped == []
    full.refresh_from_db()
    assert _plan_and_tapers(full) == before
    # Again: all there already, nothing doubled.
    again = import_file(full, "mitra-json", data, dry_run=False)
    assert (again.already["plan"], again.already["goal"], again.already["taper"]) == (1, 1, 1)
    assert sum(again.added.values()) == 0
    assert Taper.objects.count() == 1


def test_what_the_journal_has_is_kept_and_the_files_other_words_are_named(full: Any) -> None:
    data = export_json(full)
    data["journal"] = "another journal"
    data["plan"]["clinician_name"] = "Dr Other"
    data["plan"]["goals"][0]["amount"] = 20
    data["person"]["crisis_contacts"] = [{"name": "Ana", "phone": "+1 555 0102"}]
    report = import_file(full, "mitra-json", json.dumps(data).encode(), dry_run=False)
    assert [(s["where"], s["reason"]) for s in report.skipped] == [
        ("plan", "your plan's clinician name is kept; the file's is not imported"),
        ("plan.goals[0]", "your goal for mindfulness is kept; the file's is not imported"),
    ]
    full.refresh_from_db()
    assert plans.plan_of(full).clinician_name == "Dr Lee"
    assert full.crisis_contacts == [{"name": "Ana", "phone": "+1 555 0102"}]  # added
    assert report.already["taper"] == 1  # the same taper, not a second one


def test_a_taper_in_progress_in_the_file_is_not_a_second_one_in_the_journal(full: Any) -> None:
    data = export_json(full)
    data["journal"] = "another journal"  # another journal's export, and its taper
    data["tapers"][0]["created_at"] = "2026-01-01T10:00:00+00:00"
    report = import_file(full, "mitra-json", json.dumps(data).encode(), dry_run=False)
    assert ("tapers[0]", "a taper is in progress in this journal; the file's is not imported") in [
        (s["where"], s["reason"]) for s in report.skipped
    ]
    assert tapers.active_taper(full) is not None
    assert full.tapers.count() == 1


def test_a_journals_own_export_read_back_brings_back_nothing_removed_since(full: Any) -> None:
    from mitra.journal.models import Goal

    full.crisis_contacts = [{"name": "Sam", "phone": "+1 555 0101"}]
    full.save(update_fields=["crisis_contacts"])
    data = json.dumps(export_json(full)).encode()
    plans.save_plan(full, {"crisis_contacts": [], "clinician_name": ""})  # removed since
    Goal.objects.all().delete()
    report = import_file(full, "mitra-json", data, dry_run=False)
    full.refresh_from_db()
    assert full.crisis_contacts == []
    assert plans.plan_of(full).clinician_name == ""
    assert not Goal.objects.exists()
    assert report.added.get("plan", 0) == report.added.get("goal", 0) == 0


def test_a_contact_whose_number_changed_is_not_listed_twice(full: Any) -> None:
    data = export_json(full)
    data["journal"] = "another journal"
    data["person"]["crisis_contacts"] = [{"name": "sam", "phone": "+1 555 0199"}]
    full.crisis_contacts = [{"name": "Sam", "phone": "+1 555 0101"}]
    full.save(update_fields=["crisis_contacts"])
    report = import_file(full, "mitra-json", json.dumps(data).encode(), dry_run=False)
    full.refresh_from_db()
    assert full.crisis_contacts == [{"name": "Sam", "phone": "+1 555 0101"}]
    assert (
        "plan",
        "crisis contact 1 (sam): your number for them is kept; the file's is not imported",
    ) in [(s["where"], s["reason"]) for s in report.skipped]


def test_a_backup_read_into_an_empty_journal_brings_its_clock(full: Any) -> None:
    """Moving to a new installation: the entries fall on the days they fell on before, not on
    the new journal's default clock; a journal with entries keeps its own and says so."""
    bob = services.add_person({"time_zone": "UTC"})
    full.time_zone, full.day_boundary_hour = "America/Chicago", 5
    full.save(update_fields=["time_zone", "day_boundary_hour"])
    document = export_json(full)
    document["journal"] = "the old journal"
    data = json.dumps(document).encode()
    assert (bob.time_zone, bob.day_boundary_hour) != ("America/Chicago", 5)

    dry = import_file(bob, "mitra-json", data, dry_run=True)
    assert dry.added["clock"] == 1
    bob.refresh_from_db()
    assert bob.time_zone != "America/Chicago"  # a dry run changes nothing
    report = import_file(bob, "mitra-json", data, dry_run=False)
    assert report.added["clock"] == 1
    assert "1 time zone and day boundary" in report.added_text()
    bob.refresh_from_db()
    assert (bob.time_zone, bob.day_boundary_hour) == ("America/Chicago", 5)

    # A journal with entries of its own keeps its clock, and the file's is named.
    document["person"]["time_zone"] = "Asia/Tokyo"
    again = import_file(bob, "mitra-json", json.dumps(document).encode(), dry_run=False)
    assert again.added.get("clock", 0) == 0
    assert ("settings", "the file's time zone was not taken (Asia/Tokyo with days from 05:00): "
            "this journal keeps America/Chicago with days from 05:00, and counts the day of "
            "every entry, the file's too, on that clock (change it in Settings or with mitra "
            "settings)") in [
        (s["where"], s["reason"]) for s in again.skipped
    ]  # fmt: skip
    bob.refresh_from_db()
    assert bob.time_zone == "America/Chicago"


@pytest.mark.parametrize(
    ("zone", "hour"), [("Not/AZone", 4), ("Europe/Berlin", "x"), ("Europe/Berlin", None),
                       ("Europe/Berlin", 99)],
)  # fmt: skip
def test_a_clock_the_file_cannot_have_is_skipped_with_its_reason(
    full: Any, zone: Any, hour: Any
) -> None:
    document = export_json(full)
    document["journal"] = "another journal"
    document["person"]["time_zone"], document["person"]["day_boundary_hour"] = zone, hour
    before = (full.time_zone, full.day_boundary_hour)
    for dry_run in (True, False):
        report = import_file(full, "mitra-json", json.dumps(document).encode(), dry_run=dry_run)
        reasons = [s["reason"] for s in report.skipped if s["where"] == "settings"]
        assert len(reasons) == 1
        assert "time zone was not taken" not in reasons[0]  # a fault of the file, not a clock
    full.refresh_from_db()
    assert (full.time_zone, full.day_boundary_hour) == before
