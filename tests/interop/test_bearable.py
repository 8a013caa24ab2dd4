"""Bearable's CSV: rows of one time of day make a check-in; kratom with an amount a dose."""

from __future__ import annotations

import contextlib
import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.interop.importers import ImportFileError, parse
from mitra.interop.importing import import_file
from mitra.journal.models import CheckIn, Dose, Intake

SAMPLE = Path(__file__).parent / "samples" / "bearable-export.csv"
BERLIN = ZoneInfo("Europe/Berlin")
HEADER = "date,weekday,time of day,category,rating/amount,detail,notes\n"


def _checkins() -> dict[str, dict[str, Any]]:
    rows = parse("bearable", SAMPLE.read_bytes(), BERLIN).rows
    return {r.where: r.data for r in rows if r.kind == "checkin"}


def test_the_sample_gives_checkins_a_dose_intakes_and_names_each_line_it_skips(
    alice: Any,
) -> None:
    report = import_file(alice, "bearable", SAMPLE.read_bytes(), dry_run=False)
    assert report.added["checkin"] == 9
    assert report.added["dose"] == 1
    assert report.added["product"] == 1
    assert report.added["intake"] == 3
    assert [s["where"] for s in report.skipped] == ["line 15", "line 17", "line 18"]
    assert report.skipped[0]["reason"] == (
        "Kratom: taken, no amount in g or mg (none), so not a dose; kept in the check-in's note"
    )
    assert "31st Jun 2024" in report.skipped[1]["reason"]
    assert "'noon'" in report.skipped[2]["reason"]
    dose = Dose.objects.get(person=alice)
    # Bearable writes the unit in the name: "Kratom (g)" with amount 3 is 3 g of "Kratom".
    assert (dose.grams, dose.product.name, dose.product.form) == (3.0, "Kratom", "powder")
    assert dose.taken_at == datetime(2024, 6, 14, 8, 10, tzinfo=BERLIN)
    sertraline = Intake.objects.get(person=alice, substance__name="Sertraline")
    assert (sertraline.amount, sertraline.unit) == (50.0, "mg")
    assert sorted(i.substance.name for i in Intake.objects.filter(person=alice)) == [
        "Sertraline", "alcohol", "caffeine"]  # fmt: skip


def test_mood_sleep_and_anxiety_map_by_the_documented_tables() -> None:
    checkins = _checkins()
    morning = checkins["line 2"]  # the blank time of day of Sleep rows goes with "am"
    assert morning["at"] == datetime(2024, 6, 14, 9, 0, tzinfo=BERLIN)  # "am" is 09:00
    assert (morning["sleep_hours"], morning["sleep_quality"]) == (6.75, 2)
    assert morning["anxiety"] == 5  # "Anxiety (Moderate)", severity 2 of 0-4
    assert morning["symptoms"] == ["headache"]  # "Headache (Mild)"
    assert "Symptom: Dizziness (severe)" in morning["note"]
    woke = checkins["line 4"]
    assert woke["mood"] == 3  # Bearable's mood is 1-10: 6 -> 3 of mitra's 1-5
    assert "Mood 6/10: Meh, Anxious" in woke["note"]
    assert checkins["line 12"]["mood"] == 4  # 8 of 10
    assert checkins["line 10"]["at"] == datetime(2024, 6, 14, 13, 0, tzinfo=BERLIN)  # "mid"
    night = checkins["line 14"]
    assert night["at"] == datetime(2024, 6, 15, 6, 0, tzinfo=BERLIN)  # "pre"
    assert night["anxiety"] == 10  # "Anxiety (Unbearable)", the top of Bearable's 0-4


def test_no_anxiety_is_made_up_where_the_file_has_none() -> None:
    evening = _checkins()["line 11"]
    assert "anxiety" not in evening
    assert "mood" not in evening
    # "Coffee | Exercise | Socialising": each factor of the list is mapped on its own
    assert evening["practices"] == [{"kind": "exercise", "minutes": 15}]
    assert "Factors: Socialising" in evening["note"]


def test_kratom_without_an_amount_is_kept_in_the_note_not_dropped() -> None:
    note = _checkins()["line 15"]["note"]
    assert "forgot to weigh" in note
    assert "Kratom: taken, no amount in g or mg (none), so not a dose" in note


def test_values_mitra_cannot_read_are_listed_as_skipped_and_kept_in_the_note() -> None:
    data = HEADER + (
        '"14th Jun 2024","Friday","08:10","Meds/Supplements","-3","Kratom (g)",""\n'
        '"14th Jun 2024","Friday","08:20","Meds/Supplements","NaN","Kratom",""\n'
        '"14th Jun 2024","Friday","08:10","Mood","99","Meh | Anxious",""\n'
        '"14th Jun 2024","Friday","08:10","Sleep","48:00","Asleep 00:30 - 07:15",""\n'
        '"14th Jun 2024","Friday","08:10","Sleep quality","9","Poor",""\n'
        '"14th Jun 2024","Friday","08:10","Sleep quality","","",""\n'
        '"14th Jun 2024","Friday","08:30","Meds/Supplements","3; 4","Kratom","kept; here"\n'
        '"14th Jun 2024","Friday","08:10","Mood","4","Okay",""\n'
    )
    parsed = parse("bearable", data.encode(), BERLIN)
    assert not [r for r in parsed.rows if r.kind == "dose"]
    reasons = {s.where: s.reason for s in parsed.skipped}
    assert reasons == {
        "line 2": "Kratom: taken, no amount in g or mg (-3), so not a dose; kept in the "
        "check-in's note",
        "line 3": "Kratom: taken, no amount in g or mg (NaN), so not a dose; kept in the "
        "check-in's note",
        "line 4": "Mood '99' is not a rating from 1 to 10; kept in the check-in's note",
        "line 5": "Sleep '48:00' is not hours from 0 to 24 (7.5, 7,5 or 7:30); kept in the "
        "check-in's note",
        "line 6": "Sleep quality '9' is not a rating from 1 to 5; kept in the check-in's note",
        "line 7": "Sleep quality has no value; kept in the check-in's note",
        "line 8": "Kratom: taken, no amount in g or mg (3; 4), so not a dose; kept in the "
        "check-in's note",
    }
    notes = "\n".join(r.data["note"] for r in parsed.rows if r.kind == "checkin")
    assert "Mood: Meh (99)" in notes
    assert "Sleep: Asleep 00:30 - 07:15 (48:00)" in notes
    assert "so not a dose; kept; here" in notes  # the row's own notes, after the reason
    assert [r.data.get("mood") for r in parsed.rows if r.kind == "checkin"] == [2, None, None]


def test_kratom_in_milligrams_is_read_as_milligrams_not_grams() -> None:
    data = HEADER + (
        '"14th Jun 2024","Friday","08:10","Meds/Supplements","500","Kratom (mg)",""\n'
        '"14th Jun 2024","Friday","08:20","Meds/Supplements","2","Kratom (ml)",""\n'
    )
    parsed = parse("bearable", data.encode(), BERLIN)
    [dose] = [r.data for r in parsed.rows if r.kind == "dose"]
    assert (dose["amount"], dose["unit"], dose["product"]) == (500.0, "mg", "Kratom")
    [kept] = [r.data for r in parsed.rows if r.kind == "checkin"]
    assert "Kratom: 2 ml, not a unit mitra turns into grams" in kept["note"]


def test_the_mapping_is_shown_and_can_be_changed(alice: Any) -> None:
    report = import_file(alice, "bearable", SAMPLE.read_bytes(), dry_run=True,
                         mapping={"Socialising": "therapy:60"})  # fmt: skip
    assert report.mapping["Coffee"] == "intake:caffeine"
    assert report.mapping["Socialising"] == "therapy:60"
    assert report.mapping["Dizziness"] == "note"
    assert CheckIn.objects.filter(person=alice).count() == 0


def test_importing_the_same_file_twice_adds_nothing(alice: Any) -> None:
    import_file(alice, "bearable", SAMPLE.read_bytes(), dry_run=False)
    again = import_file(alice, "bearable", SAMPLE.read_bytes(), dry_run=False)
    assert sum(again.added.values()) == 0
    assert again.already["checkin"] == 9
    assert Dose.objects.filter(person=alice).count() == 1


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"date,mood\n14th Jun 2024,3\n", "line 1"),
        ((HEADER + '14th Jun 2024,Friday,am,Mood,"3,,\n').encode(), "line 2"),
    ],
)
def test_a_broken_file_names_its_line_and_writes_nothing(
    alice: Any, data: bytes, line: str
) -> None:
    with pytest.raises(ImportFileError, match=f"^{line}:"):
        import_file(alice, "bearable", data, dry_run=False)
    assert CheckIn.objects.filter(person=alice).count() == 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: (HEADER + t).encode()))
def test_any_bytes_give_rows_or_a_file_error_never_a_crash(data: bytes) -> None:
    with contextlib.suppress(ImportFileError):
        parse("bearable", data, BERLIN)


_cell = st.text(max_size=10) | st.sampled_from(
    ["14th Jun 2024", "1st Feb 2023", "pre", "am", "mid", "pm", "all day", "", "08:30", "Mood",
     "Sleep", "Symptom", "Meds/Supplements", "Factors", "Sleep quality", "Anxiety (Mild)", "Kratom",
     "Kratom (mg)", "A | B", "3g", "7:30", "4", "0", "10"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_cell, min_size=5, max_size=7), max_size=6))
def test_any_rows_under_the_header_give_rows_and_skips_never_a_crash(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    with contextlib.suppress(ImportFileError):
        parse("bearable", (HEADER + buffer.getvalue()).encode(), BERLIN)
