"""`mitra export --format csv`: one CSV per entry kind in a zip, every column documented."""

from __future__ import annotations

import csv
import io
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mitra.cli import main
from mitra.interop.csv_export import COLUMNS, export_csv_zip

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _tables(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            )
            for name in archive.namelist()
        }


def test_every_csv_column_is_documented_in_the_readme() -> None:
    missing = [
        f"{kind}.csv {column}"
        for kind, columns in COLUMNS.items()
        for column in columns
        if f"| {kind}.csv | `{column}` |" not in README
    ]
    assert not missing, f"CSV columns missing from README.md: {missing}"


@pytest.mark.django_db
def test_the_zip_holds_one_csv_per_entry_kind_with_the_journals_rows(alice: Any) -> None:
    from django.utils import timezone

    from mitra.journal import services

    now = timezone.now()
    product = services.add_product(alice, {"name": "Bali, red", "form": "powder"})
    services.log_dose(
        alice, {"product_id": product.pk, "taken_at": now, "amount": 2.5, "unit": "g"}
    )
    services.add_checkin(alice, {"at": now, "anxiety": 6, "note": 'said "hello"\nthen left'})
    services.submit_response(alice, {"instrument": "GAD-2", "at": now, "answers": [2, 1]})

    tables = _tables(export_csv_zip(alice))

    assert set(tables) == set(COLUMNS)
    assert tables["products"][0]["name"] == "Bali, red"
    assert float(tables["doses"][0]["grams"]) == 2.5
    assert tables["checkins"][0]["anxiety"] == "6"
    assert tables["checkins"][0]["note"] == 'said "hello"\nthen left'
    assert tables["responses"][0]["answers"] == "2 1"
    assert tables["responses"][0]["crisis"] == "false"
    assert tables["intakes"] == []


@pytest.mark.django_db
def test_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text_numbers_as_they_are(
    alice: Any, client: Any, tmp_path: Path
) -> None:
    """A note like =HYPERLINK(...) was written as it is, and a spreadsheet program opening the
    CSV ran it. Text beginning with = + - @ (or a tab, a carriage return) now begins with a
    single quote, from every download: the CLI's, the web's and a clinician's (one writer)."""
    from django.utils import timezone

    from mitra.journal import services

    link = '=HYPERLINK("http://evil","x")'
    now = timezone.now()
    product = services.add_product(alice, {"name": "@SUM(A1)", "vendor": "-2+3", "unit": "g"})
    services.log_dose(
        alice, {"product_id": product.pk, "taken_at": now, "amount": 2.5, "unit": "g", "note": link}
    )
    services.add_checkin(alice, {"at": now, "anxiety": 6, "note": "+1 calmer than yesterday"})
    services.add_checkin(alice, {"at": now, "anxiety": 5, "note": "a = b, fine"})

    target = tmp_path / "journal.zip"
    main(["export", "--format", "csv", "--output", str(target)])
    for data in (target.read_bytes(), client.get("/export/csv.zip").content):
        tables = _tables(data)
        assert tables["doses"][0]["note"] == "'" + link
        assert (tables["products"][0]["name"], tables["products"][0]["vendor"]) == (
            "'@SUM(A1)",
            "'-2+3",
        )
        notes = sorted(c["note"] for c in tables["checkins"])
        assert notes == ["'+1 calmer than yesterday", "a = b, fine"]  # only a cell's start
        # Numbers and times are not text: written as they are.
        assert tables["doses"][0]["amount"] == "2.5"
        assert tables["checkins"][0]["anxiety"] in {"5", "6"}
        assert tables["doses"][0]["taken_at"][0].isdigit()


@pytest.mark.django_db
def test_the_cli_writes_a_private_zip_and_refuses_stdout(
    alice: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "journal.zip"
    main(["export", "--format", "csv", "--output", str(target)])
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert zipfile.is_zipfile(target)
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--format", "csv"])
    assert exit_info.value.code == 2
    assert "--output FILE.zip" in capsys.readouterr().err


@pytest.mark.django_db
def test_derived_figures_are_written_without_binary_noise_typed_figures_as_typed(
    alice: Any,
) -> None:
    """0.3 g of a product holding 3 mg of 7-OH per g was written as mg_7oh 0.8999999999999999:
    the binary float of a product, not a figure anyone wrote. Derived figures are now written
    to 12 significant digits; what the person typed is written exactly as stored."""
    from django.utils import timezone

    from mitra.journal import services

    product = services.add_product(
        alice,
        {"name": "Tested leaf", "unit": "g", "mitragynine_mg_per_g": 15.3,
         "hydroxy_mg_per_g": 3},
    )  # fmt: skip
    services.log_dose(
        alice, {"product_id": product.pk, "taken_at": timezone.now(), "amount": 0.3, "unit": "g"}
    )
    assert 0.3 * 3 != 0.9  # the noise the export once wrote

    (dose,) = _tables(export_csv_zip(alice))["doses"]
    assert (dose["amount"], dose["grams"]) == ("0.3", "0.3")
    assert dose["mg_7oh"] == "0.9"
    assert dose["mg_mitragynine"] == "4.59"  # 0.3 * 15.3 = 4.590000000000001 in binary
    (row,) = _tables(export_csv_zip(alice))["products"]
    assert row["mitragynine_mg_per_g"] == "15.3"


@pytest.mark.django_db
def test_every_time_is_written_in_utc_and_on_the_journals_clock_beside_it(alice: Any) -> None:
    """A dose taken at 08:30 in Chicago was written as 14:30+00:00 alone: the person had to work
    out their own times. Each time now has a `_local` column beside it, with its offset."""
    from datetime import UTC, datetime

    from mitra.journal import services

    services.set_up_person({"time_zone": "America/Chicago"}, alice)
    taken = datetime(2026, 1, 14, 14, 30, tzinfo=UTC)  # 08:30 in Chicago (CST, UTC-6)
    product = services.add_product(alice, {"name": "Leaf", "unit": "g"})
    services.log_dose(
        alice, {"product_id": product.pk, "taken_at": taken, "amount": 2, "unit": "g"}
    )
    services.add_checkin(alice, {"at": taken, "anxiety": 4})
    summer = datetime(2026, 7, 14, 13, 30, tzinfo=UTC)  # 08:30 in Chicago (CDT, UTC-5)
    services.add_checkin(alice, {"at": summer, "anxiety": 3})

    tables = _tables(export_csv_zip(alice))
    assert COLUMNS["doses"][2:4] == ("taken_at", "taken_at_local")  # side by side
    (dose,) = tables["doses"]
    assert dose["taken_at"] == "2026-01-14T14:30:00+00:00"  # unchanged, for what reads it
    assert dose["taken_at_local"] == "2026-01-14T08:30:00-06:00"
    assert [c["at_local"] for c in tables["checkins"]] == [
        "2026-01-14T08:30:00-06:00",
        "2026-07-14T08:30:00-05:00",
    ]
    for kind, columns in COLUMNS.items():
        for column in columns:
            if column.endswith("_local"):
                assert column.removesuffix("_local") in columns, (kind, column)
