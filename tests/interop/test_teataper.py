"""Tea Taper's daily CSV: tea a dose only given grams per ml; ratings scaled by a table."""

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
from mitra.interop.importers.teataper import MOOD
from mitra.interop.importing import import_file
from mitra.journal.models import CheckIn, Dose

SAMPLES = Path(__file__).parent / "samples"
SAMPLE = SAMPLES / "teataper-export.csv"
BERLIN = ZoneInfo("Europe/Berlin")
HEADER = "date,total_ml,target_ml,g_per_ml,craving,withdrawal,anxiety,mood,sleep,triggers,helpers\n"


def _checkins(name: str = "teataper-export.csv") -> dict[str, dict[str, Any]]:
    rows = parse("tea-taper", (SAMPLES / name).read_bytes(), BERLIN).rows
    return {r.where: r.data for r in rows if r.kind == "checkin"}


def test_the_mood_table_splits_0_to_10_into_five_equal_bands() -> None:
    assert [MOOD[v] for v in range(11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5]


def test_the_sample_gives_a_checkin_a_day_and_tea_doses_only_with_grams_per_ml(
    alice: Any,
) -> None:
    report = import_file(alice, "tea-taper", SAMPLE.read_bytes(), dry_run=False)
    assert report.added["checkin"] == 5
    assert report.added["dose"] == 3  # 06-10, 06-11, 06-14; 06-12 has no g_per_ml
    assert report.added["product"] == 1
    assert [s["where"] for s in report.skipped] == ["line 6"]
    assert "'not a day'" in report.skipped[0]["reason"]
    dose = Dose.objects.filter(person=alice).order_by("taken_at").first()
    assert dose is not None
    assert (dose.grams, dose.product.name, dose.product.form) == (6.0, "Kratom tea", "tea")
    assert dose.taken_at == datetime(2024, 6, 10, 12, 0, tzinfo=BERLIN)


def test_without_grams_per_ml_the_ml_stay_in_the_note_and_no_grams_are_guessed() -> None:
    day = _checkins()["line 4"]
    assert "Tea: 560 ml (target 540 ml); no grams per ml in the file, so not a dose" in day["note"]


def test_ratings_map_by_the_documented_table_and_keep_the_original() -> None:
    first = _checkins()["line 2"]
    assert first["at"] == datetime(2024, 6, 10, 21, 0, tzinfo=BERLIN)
    assert (first["anxiety"], first["mood"], first["sleep_quality"]) == (5, 4, 4)
    assert "sleep_hours" not in first  # a sleep rating is not hours
    assert first["symptoms"] == ["craving"]
    assert "mood 6/10" in first["note"]
    assert "withdrawal 2/10" in first["note"]
    assert "energy 5/10" in first["note"]
    assert "Triggers: work stress" in first["note"]
    assert first["practices"] == [{"kind": "walk", "minutes": 15}, {"kind": "mindfulness",
                                                                      "minutes": 15}]  # fmt: skip


def test_an_anxiety_off_the_scale_is_kept_in_the_note_not_made_up() -> None:
    day = _checkins()["line 7"]
    assert "anxiety" not in day
    assert "anxiety 12 (off the 0-10 scale)" in day["note"]


def test_headers_in_another_language_are_read() -> None:
    day = _checkins("teataper-export-de.csv")["line 2"]
    assert (day["anxiety"], day["mood"], day["sleep_quality"]) == (4, 4, 4)
    assert "Triggers: Arbeit" in day["note"]
    assert "ruhiger Tag" in day["note"]
    assert "Tea: 520 ml (target 520 ml)" in day["note"]


def test_the_mapping_is_shown_and_can_be_changed(alice: Any) -> None:
    report = import_file(alice, "tea-taper", SAMPLE.read_bytes(), dry_run=True,
                         mapping={"called a friend": "therapy:30"})  # fmt: skip
    assert report.mapping["walk"].startswith("walk")
    assert report.mapping["called a friend"] == "therapy:30"
    assert CheckIn.objects.filter(person=alice).count() == 0


def test_importing_the_same_file_twice_adds_nothing(alice: Any) -> None:
    import_file(alice, "tea-taper", SAMPLE.read_bytes(), dry_run=False)
    again = import_file(alice, "tea-taper", SAMPLE.read_bytes(), dry_run=False)
    assert sum(again.added.values()) == 0
    assert again.already["checkin"] == 5


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"day,ml\n2024-06-14,500\n", "line 1"),
        ((HEADER + '2024-06-14,"500,,\n').encode(), "line 2"),
    ],
)
def test_a_broken_file_names_its_line_and_writes_nothing(
    alice: Any, data: bytes, line: str
) -> None:
    with pytest.raises(ImportFileError, match=f"^{line}:"):
        import_file(alice, "tea-taper", data, dry_run=False)
    assert CheckIn.objects.filter(person=alice).count() == 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: (HEADER + t).encode()))
def test_any_bytes_give_rows_or_a_file_error_never_a_crash(data: bytes) -> None:
    with contextlib.suppress(ImportFileError):
        parse("tea-taper", data, BERLIN)


_cell = st.text(max_size=10) | st.sampled_from(
    ["2024-06-14", "14.06.2024", "600", "0.01", "0", "10", "11", "-1", "5,5", "1e308", "walk",
     "work; sleep", "meditation|walk"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_cell, min_size=5, max_size=11), max_size=6))
def test_any_rows_under_the_header_give_rows_and_skips_never_a_crash(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    with contextlib.suppress(ImportFileError):
        parse("tea-taper", (HEADER + buffer.getvalue()).encode(), BERLIN)


def test_the_apps_own_export_is_read_column_by_column(alice: Any) -> None:
    """Version 4 of the app: every cell quoted, a byte-order mark, camelCase ratings, `|` lists."""
    days = _checkins("teataper-v4-export.csv")
    first = days["line 2"]
    assert (first["anxiety"], first["mood"], first["sleep_quality"]) == (5, 4, 4)
    assert "sleep_hours" not in first  # its sleepHours is a 0-10 rating, not hours
    assert "sleep hours rated 6/10 (10: 8 hours or more)" in first["note"]
    assert first["practices"] == [{"kind": "walk", "minutes": 15}, {"kind": "mindfulness",
                                                                      "minutes": 15}]  # fmt: skip
    assert "Triggers: стресс, работа" in first["note"]
    assert "first week" in first["note"]
    assert "entries_count" not in first["note"]
    assert "difference" not in first["note"]
    assert "Marked in Tea Taper as a relapse" in days["line 3"]["note"]
    report = import_file(alice, "tea-taper", (SAMPLES / "teataper-v4-export.csv").read_bytes(),
                         dry_run=False)  # fmt: skip
    assert report.added["checkin"] == 3
    assert report.added["dose"] == 0  # the app's export gives no grams: none are guessed
    assert report.skipped == []
