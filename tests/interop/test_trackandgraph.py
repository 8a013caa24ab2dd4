"""Track & Graph's CSV: features through the mapping; durations; the legacy `3:Label` value."""

from __future__ import annotations

import contextlib
import csv
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.interop.importers import ImportFileError, parse
from mitra.interop.importers.trackandgraph import value_of
from mitra.interop.importing import import_file
from mitra.journal.models import CheckIn, Dose, Intake

SAMPLE = Path(__file__).parent / "samples" / "trackandgraph-export.csv"
BERLIN = ZoneInfo("Europe/Berlin")
PLUS2 = timezone(timedelta(hours=2))
HEADER = "FeatureName,Timestamp,Value,Label,Note\n"


def _checkins() -> dict[str, dict[str, Any]]:
    rows = parse("track-and-graph", SAMPLE.read_bytes(), BERLIN).rows
    return {r.where: r.data for r in rows if r.kind == "checkin"}


def test_values_durations_and_the_older_label_inside_the_value() -> None:
    assert value_of("3:Label 1") == (3.0, None, "Label 1")  # as in CSVReadWriterImplTest
    assert value_of("7:45:00") == (None, 27900, "")
    assert value_of("2.5") == (2.5, None, "")
    assert value_of("nan") == (None, None, "")


def test_the_sample_gives_checkins_doses_an_intake_and_names_each_line_it_skips(
    alice: Any,
) -> None:
    report = import_file(alice, "track-and-graph", SAMPLE.read_bytes(), dry_run=False)
    assert report.added["checkin"] == 4
    assert report.added["dose"] == 2
    assert report.added["product"] == 2
    assert report.added["intake"] == 1
    assert [s["where"] for s in report.skipped] == ["line 15", "line 16"]
    assert "'yesterday'" in report.skipped[0]["reason"]
    assert "'meh'" in report.skipped[1]["reason"]
    first = Dose.objects.get(person=alice, product__name="Kratom (Red Bali)")
    assert (first.grams, first.product.form) == (3.0, "powder")
    assert first.taken_at == datetime(2024, 6, 14, 8, 10, 3, 120000, tzinfo=PLUS2)
    assert Dose.objects.filter(product__name="Kratom (Green Maeng Da)").count() == 1
    assert Intake.objects.get(person=alice).substance.name == "caffeine"


def test_anxiety_mood_sleep_and_meditation_map_by_the_documented_rules() -> None:
    checkins = _checkins()
    morning = checkins["line 2"]
    assert morning["at"] == datetime(2024, 6, 14, 8, 5, tzinfo=PLUS2)
    assert (morning["anxiety"], morning["mood"], morning["sleep_hours"]) == (6, 3, 6.75)
    assert "tight chest" in morning["note"]
    assert checkins["line 6"]["practices"] == [{"kind": "mindfulness", "minutes": 20}]
    evening = checkins["line 8"]  # legacy values "3:Okay", "4:Good"
    assert (evening["anxiety"], evening["mood"]) == (3, 4)


def test_an_anxiety_off_the_scale_is_kept_in_the_note_not_made_up() -> None:
    day = _checkins()["line 12"]
    assert "anxiety" not in day
    assert "Anxiety: 14" in day["note"]
    assert day["sleep_hours"] == 7.5


def test_the_mapping_is_shown_and_can_be_changed(alice: Any) -> None:
    report = import_file(alice, "track-and-graph", SAMPLE.read_bytes(), dry_run=True,
                         mapping={"Gratitude": "journaling:5"})  # fmt: skip
    assert report.mapping["Anxiety"] == "rating:anxiety"
    assert report.mapping["Meditation"].startswith("mindfulness")
    assert report.mapping["Gratitude"] == "journaling:5"
    assert CheckIn.objects.filter(person=alice).count() == 0
    unmapped = import_file(alice, "track-and-graph", SAMPLE.read_bytes(), dry_run=True)
    assert unmapped.mapping["Gratitude"] == "note"


def test_importing_the_same_file_twice_adds_nothing(alice: Any) -> None:
    import_file(alice, "track-and-graph", SAMPLE.read_bytes(), dry_run=False)
    again = import_file(alice, "track-and-graph", SAMPLE.read_bytes(), dry_run=False)
    assert sum(again.added.values()) == 0
    assert again.already["checkin"] == 4
    assert Dose.objects.filter(person=alice).count() == 2


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"Feature,When\nAnxiety,2024\n", "line 1"),
        ((HEADER + 'Anxiety,2024-06-14T08:00+02:00,"3,,\n').encode(), "line 2"),
    ],
)
def test_a_broken_file_names_its_line_and_writes_nothing(
    alice: Any, data: bytes, line: str
) -> None:
    with pytest.raises(ImportFileError, match=f"^{line}:"):
        import_file(alice, "track-and-graph", data, dry_run=False)
    assert CheckIn.objects.filter(person=alice).count() == 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: (HEADER + t).encode()))
def test_any_bytes_give_rows_or_a_file_error_never_a_crash(data: bytes) -> None:
    with contextlib.suppress(ImportFileError):
        parse("track-and-graph", data, BERLIN)


_cell = st.text(max_size=10) | st.sampled_from(
    ["Anxiety", "Mood", "Sleep", "Meditation", "Kratom", "Coffee", "Headache", "Running",
     "2024-06-14T08:05:12.418+02:00", "2024-06-14T08:05", "7:45:00", "3:Label 1", "0", "11",
     "-2", "1e308", "2.5", "Red Bali"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_cell, min_size=3, max_size=5), max_size=6))
def test_any_rows_under_the_header_give_rows_and_skips_never_a_crash(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    with contextlib.suppress(ImportFileError):
        parse("track-and-graph", (HEADER + buffer.getvalue()).encode(), BERLIN)


def test_a_timestamp_at_the_edge_of_the_calendar_is_skipped_not_a_crash() -> None:
    for stamp in ("0001-01-01T00:10:00", "9999-12-31T23:50:00"):
        for zone in (BERLIN, ZoneInfo("America/Los_Angeles")):
            parsed = parse("track-and-graph", f"{HEADER}Anxiety,{stamp},4,,\n".encode(), zone)
            assert not parsed.adjusted
            assert len(parsed.rows) + len(parsed.skipped) <= 1


def test_a_gap_that_moves_the_day_names_the_day_it_was_read_as() -> None:
    # Samoa skipped 30 December 2011 whole: noon that day is noon on the 31st.
    apia = ZoneInfo("Pacific/Apia")
    parsed = parse("track-and-graph", f"{HEADER}Anxiety,2011-12-30T12:00:00,4,,\n".encode(), apia)
    (adjusted,) = parsed.adjusted
    assert adjusted.reason.endswith("read as 12:00 on 31 Dec 2011")
