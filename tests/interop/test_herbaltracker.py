"""Herbal Tracker+'s CSV (with a byte order mark): each row a kratom dose in grams."""

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
from mitra.interop.importing import import_file
from mitra.journal import services
from mitra.journal.models import Dose, Product

SAMPLE = Path(__file__).parent / "samples" / "herbaltracker-export.csv"
BERLIN = ZoneInfo("Europe/Berlin")
HEADER = "date,time,iso_timestamp,strain_code,strain_name,amount_g,notes\n"


def test_the_sample_starts_with_a_byte_order_mark() -> None:
    assert SAMPLE.read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_sample_gives_doses_products_and_names_each_line_it_skips(alice: Any) -> None:
    report = import_file(alice, "herbal-tracker", SAMPLE.read_bytes(), dry_run=False)
    assert report.added["dose"] == 4
    assert report.added["product"] == 3
    assert [s["where"] for s in report.skipped] == ["line 6", "line 7"]
    assert "amount_g ''" in report.skipped[0]["reason"]
    assert "'noon'" in report.skipped[1]["reason"]
    assert {p.form for p in Product.objects.filter(person=alice)} == {"powder"}
    decimal_comma = Dose.objects.get(person=alice, product__name="Green Maeng Da")
    assert decimal_comma.grams == 2.5
    evening = Dose.objects.get(person=alice, note="evening, calmer")
    assert evening.taken_at == datetime(2024, 6, 14, 20, 0, tzinfo=BERLIN)  # no timestamp: local


def test_the_iso_timestamp_wins_over_the_phone_clock() -> None:
    rows = parse("herbal-tracker", SAMPLE.read_bytes(), BERLIN).rows
    white = next(r for r in rows if r.data["product"] == "White Borneo")
    plus1 = timezone(timedelta(hours=1))
    assert white.data["taken_at"] == datetime(2024, 6, 15, 6, 55, tzinfo=plus1)


def test_a_product_of_the_same_name_is_used_not_made_again(alice: Any) -> None:
    mine = services.add_product(alice, {"name": "red bali", "form": "capsules"})
    report = import_file(alice, "herbal-tracker", SAMPLE.read_bytes(), dry_run=False)
    assert report.added["product"] == 2
    assert Dose.objects.filter(person=alice, product=mine).count() == 2


def test_importing_the_same_file_twice_adds_nothing(alice: Any) -> None:
    import_file(alice, "herbal-tracker", SAMPLE.read_bytes(), dry_run=False)
    again = import_file(alice, "herbal-tracker", SAMPLE.read_bytes(), dry_run=False)
    assert sum(again.added.values()) == 0
    assert again.already["dose"] == 4


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"date,strain\n2024-06-14,RB\n", "line 1"),
        ((HEADER + '2024-06-14,08:00,,RB,"Red Bali,3,\n').encode(), "line 2"),
    ],
)
def test_a_broken_file_names_its_line_and_writes_nothing(
    alice: Any, data: bytes, line: str
) -> None:
    with pytest.raises(ImportFileError, match=f"^{line}:"):
        import_file(alice, "herbal-tracker", data, dry_run=False)
    assert Dose.objects.filter(person=alice).count() == 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: (HEADER + t).encode()))
def test_any_bytes_give_rows_or_a_file_error_never_a_crash(data: bytes) -> None:
    with contextlib.suppress(ImportFileError):
        parse("herbal-tracker", data, BERLIN)


_cell = st.text(max_size=10) | st.sampled_from(
    ["2024-06-14", "2024-02-30", "08:10", "9:15 pm", "25:00", "2024-06-14T08:10:00+02:00",
     "2024-06-14T08:10", "Red Bali", "RB", "3", "2,5", "0", "-1", "99999.5"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_cell, min_size=5, max_size=7), max_size=6))
def test_any_rows_under_the_header_give_rows_and_skips_never_a_crash(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    with contextlib.suppress(ImportFileError):
        parse("herbal-tracker", (HEADER + buffer.getvalue()).encode(), BERLIN)


def test_a_dose_at_a_time_the_clocks_skipped_keeps_its_source_key_and_is_said_once(
    alice: Any,
) -> None:
    # 02:30 on the night Berlin's clocks went forward: kept, said in the preview, and keyed by
    # the time as written, so a file imported before this reading is not imported twice.
    rows = HEADER + "2026-03-29,02:30,,RMD,Red Maeng Da,2.5,\n2026-03-29,02:40,,RMD,Red,-1,\n"
    parsed = parse("herbal-tracker", rows.encode(), BERLIN)
    (dose,) = parsed.rows[-1:]
    assert dose.key.startswith("2026-03-29T02:30:00+01:00/")
    report = import_file(alice, "herbal-tracker", rows.encode(), dry_run=False)
    # The row skipped for its amount is named once, as skipped, not also as read otherwise.
    assert [a["where"] for a in report.adjusted] == ["line 2"]
    assert [s["where"] for s in report.skipped] == ["line 3"]
    assert import_file(alice, "herbal-tracker", rows.encode(), dry_run=True).added.get("dose") == 0
