"""Daylio's CSV: moods become the check-in's mood, activities practices, intakes or notes."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.interop.importers import ImportFileError, parse
from mitra.interop.importers.daylio import clock
from mitra.interop.importing import import_file
from mitra.journal.models import CheckIn, Intake

SAMPLE = Path(__file__).parent / "samples" / "daylio-export.csv"
BERLIN = ZoneInfo("Europe/Berlin")
HEADER = "full_date,date,weekday,time,mood,activities,note_title,note\n"


def test_the_sample_gives_checkins_intakes_and_names_each_line_it_skips(alice: Any) -> None:
    report = import_file(alice, "daylio", SAMPLE.read_bytes(), dry_run=False)
    assert report.added["checkin"] == 5
    assert report.added["intake"] == 3
    assert report.added["substance"] == 2
    assert [s["where"] for s in report.skipped] == ["line 6", "line 8"]
    assert "25:10 pm" in report.skipped[0]["reason"]
    assert "YYYY-MM-DD" in report.skipped[1]["reason"]


def test_moods_map_five_to_one_and_no_anxiety_is_made_up(alice: Any) -> None:
    import_file(alice, "daylio", SAMPLE.read_bytes(), dry_run=False)
    checkins = CheckIn.objects.filter(person=alice).order_by("at")
    by_note = {c.mood: c for c in checkins}
    assert set(by_note) == {None, 1, 3, 4, 5}
    assert all(c.anxiety is None for c in checkins)


def test_local_12_hour_times_are_read_in_the_journals_zone() -> None:
    parsed = parse("daylio", SAMPLE.read_bytes(), BERLIN)
    first = next(r for r in parsed.rows if r.kind == "checkin")
    assert first.data["at"] == datetime(2024, 6, 16, 22, 42, tzinfo=BERLIN)
    assert (clock("12:05 am"), clock("12:05 pm"), clock("21:15")) == (
        datetime(1, 1, 1, 0, 5).time(), datetime(1, 1, 1, 12, 5).time(),
        datetime(1, 1, 1, 21, 15).time())  # fmt: skip
    assert clock("13:00 pm") is None


def test_activities_become_practices_symptoms_and_notes_and_nothing_is_dropped() -> None:
    rows = {r.where: r for r in parse("daylio", SAMPLE.read_bytes(), BERLIN).rows
            if r.kind == "checkin"}  # fmt: skip
    sunday = rows["line 2"].data
    assert sunday["practices"] == [{"kind": "walk", "minutes": 15}]
    assert sunday["note"].startswith("Better day\nLunch with Sam.\nSlept in, felt & looked")
    assert "activities: friends" in sunday["note"]
    morning = rows["line 3"].data
    assert morning["symptoms"] == ["poor_sleep"]
    assert "kratom (ticked in Daylio; no amount, so not a dose)" in morning["note"]
    renamed = rows["line 5"].data
    assert "mood" not in renamed
    assert "mood: Stressed" in renamed["note"]
    assert {p["kind"] for p in renamed["practices"]} == {"yoga", "mindfulness"}
    assert "work" in renamed["note"]


def test_the_mapping_is_shown_and_can_be_changed(alice: Any) -> None:
    report = import_file(alice, "daylio", SAMPLE.read_bytes(), dry_run=True,
                         mapping={"Running": "exercise:45", "Stressed": "mood:2"})  # fmt: skip
    assert report.mapping["Running"] == "exercise:45"
    assert report.mapping["sport"].startswith("exercise (15 minutes assumed")
    assert report.mapping["coffee"] == "intake:caffeine"
    assert report.mapping["friends"] == "note"
    assert report.mapping["Stressed"] == "mood:2"
    assert CheckIn.objects.filter(person=alice).count() == 0  # a dry run writes nothing
    rows = {r.where: r for r in parse("daylio", SAMPLE.read_bytes(), BERLIN,
                                      {"Running": "exercise:45"}).rows}  # fmt: skip
    assert rows["line 7"].data["practices"] == [{"kind": "exercise", "minutes": 60}]


def test_importing_the_same_file_twice_adds_nothing(alice: Any) -> None:
    import_file(alice, "daylio", SAMPLE.read_bytes(), dry_run=False)
    again = import_file(alice, "daylio", SAMPLE.read_bytes(), dry_run=False)
    assert sum(again.added.values()) == 0
    assert again.already["checkin"] == 5
    assert CheckIn.objects.filter(person=alice).count() == 5
    assert Intake.objects.filter(person=alice).count() == 3


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"date,mood\n2024-06-01,good\n", "line 1"),
        ((HEADER + '2024-06-01,June 1,Saturday,9:00 am,good,"walk,x,y\n').encode(), "line 2"),
        ((HEADER + "2024-06-01,June 1,Saturday,9:00 am,good\n").encode() + b"\xff\xfe", "line 3"),
        (b"", "line 1"),
    ],
)
def test_a_broken_file_names_its_line_and_writes_nothing(alice: Any, data: bytes,
                                                         line: str) -> None:  # fmt: skip
    with pytest.raises(ImportFileError, match=f"^{line}:"):
        import_file(alice, "daylio", data, dry_run=False)
    assert CheckIn.objects.filter(person=alice).count() == 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: (HEADER + t).encode()))
def test_any_bytes_give_rows_or_a_file_error_never_a_crash(data: bytes) -> None:
    with contextlib.suppress(ImportFileError):
        parse("daylio", data, BERLIN)


_cell = st.text(max_size=12) | st.sampled_from(
    ["2024-06-01", "9:15 pm", "12:00 AM", "23:59", "rad", "awful", "walk | coffee", "<br>"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_cell, max_size=9), max_size=6))
def test_any_rows_under_the_header_give_rows_and_skips_never_a_crash(rows: list[list[str]]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    with contextlib.suppress(ImportFileError):  # a NUL byte, say: the file is refused whole
        parse("daylio", (HEADER + buffer.getvalue()).encode(), BERLIN)


def test_the_cli_dry_run_prints_counts_the_mapping_and_each_skipped_line(
    alice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from mitra.cli import main

    main(["import", "daylio", str(SAMPLE), "--dry-run", "--map", "Running=exercise:45"])
    printed = capsys.readouterr().out
    assert "Would add: 2 substances, 3 substance uses, 5 check-ins." in printed
    assert "Running = exercise:45" in printed
    assert "Skipped line 6:" in printed
    assert CheckIn.objects.filter(person=alice).count() == 0


def test_a_wrong_map_option_exits_2_naming_it(
    alice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from mitra.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["import", "daylio", str(SAMPLE), "--map", "Running=sprinting"])
    assert exit_info.value.code == 2
    assert "'sprinting' is not a target" in capsys.readouterr().err


def test_a_broken_file_exits_2_from_the_cli(
    alice: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mitra.cli import main

    broken = tmp_path / "daylio.csv"
    broken.write_bytes((HEADER + '2024-06-01,June 1,Saturday,9:00 am,good,"walk\n').encode())
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "daylio", str(broken)])
    assert exit_info.value.code == 2
    assert "line 2:" in capsys.readouterr().err
    assert CheckIn.objects.filter(person=alice).count() == 0


def test_a_time_the_clocks_skipped_is_read_an_hour_later_and_said_so(
    alice: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # 02:30 on 29 March 2026 never showed on a clock in Berlin (02:00 became 03:00).
    rows = (
        "2026-03-29,March 29,Sunday,2:30 am,meh,,,\n2026-03-28,March 28,Saturday,2:30 am,good,,,\n"
    )
    parsed = parse("daylio", (HEADER + rows).encode(), BERLIN)
    at = {r.where: r.data["at"] for r in parsed.rows}
    # The moment 02:30 names at the winter offset, 01:30 UTC, which the clock showed as 03:30.
    assert at["line 2"].astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert at["line 2"].astimezone(UTC).astimezone(BERLIN).strftime("%H:%M") == "03:30"
    assert at["line 3"] == datetime(2026, 3, 28, 2, 30, tzinfo=BERLIN)  # an ordinary night
    assert [(a.where, a.reason) for a in parsed.adjusted] == [
        ("line 2", "02:30 on 29 Mar 2026 is not a time in Europe/Berlin (the clocks went "
                   "forward): read as 03:30"),
    ]  # fmt: skip
    assert not parsed.skipped
    # The preview and the command say it; the entry is kept.
    report = import_file(alice, "daylio", (HEADER + rows).encode(), dry_run=True)
    assert report.added["checkin"] == 2
    assert report.document()["adjusted"][0]["where"] == "line 2"
    from mitra.cli import main

    export = tmp_path / "daylio.csv"
    export.write_text(HEADER + rows)
    main(["import", "daylio", str(export), "--dry-run"])
    assert "Adjusted line 2: 02:30 on 29 Mar 2026 is not a time in" in capsys.readouterr().out
