"""The export: consenting persons only, their chosen kinds only, de-identified."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from mitra.cohort.export import export_cohort
from mitra.cohort.keys import read_secret, study_key
from mitra.cohort.schema import TABLES
from mitra.journal import clock, services
from mitra.journal.consent import grant_consent, withdraw_consent
from mitra.journal.models import Person
from mitra.journal.queries import journal_id
from tests.conftest import utc

pytestmark = pytest.mark.django_db

NOTE = "Told my sister Ruth about the 555-0142 clinic"
SECRET = bytes(range(32))


def _journal(person: Any, product_name: str) -> None:
    product = services.add_product(
        person, {"name": product_name, "unit": "g", "mitragynine_mg_per_g": 15.0}
    )
    substance = services.add_substance(person, {"name": "Xanax"})
    for day in range(1, 4):
        services.log_dose(
            person,
            {"product_id": product.pk, "taken_at": utc(2026, 3, day, 8), "amount": 3, "unit": "g",
             "note": NOTE},
        )  # fmt: skip
        services.add_checkin(
            person,
            {"at": utc(2026, 3, day, 19), "anxiety": 4 + day, "note": NOTE,
             "symptoms": ["restless"], "practices": [{"kind": "mindfulness", "minutes": 10}]},
        )  # fmt: skip
    services.log_intake(person, {"substance_id": substance.pk, "taken_at": utc(2026, 3, 2, 22)})
    services.submit_response(
        person, {"instrument": "GAD-7", "at": utc(2026, 3, 3, 20), "answers": [1] * 7}
    )


def _read(folder: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: pq.read_table(folder / name).to_pylist() for name in TABLES}


def test_only_consenting_persons_and_their_chosen_kinds_are_exported(
    alice: Any, tmp_path: Path
) -> None:
    _journal(alice, "Green powder")
    bob = Person.objects.create(name="Bob Example", time_zone="UTC")
    _journal(bob, "Bob's red")
    grant_consent(alice, ["doses", "questionnaire_totals"], actor="person (cli)")
    summary = export_cohort(tmp_path / "x", SECRET)
    assert summary.persons == 1
    tables = _read(tmp_path / "x")
    assert len(tables["persons"]) == 1
    # Drawn from doses and anxiety ratings: without consent to check-ins it stays empty.
    assert tables["persons"][0]["interdose_signature"] is None
    assert len(tables["doses"]) == 3
    assert [d["grams_leaf"] for d in tables["doses"]] == [3.0, 3.0, 3.0]
    assert [d["mg_mitragynine"] for d in tables["doses"]] == [45.0, 45.0, 45.0]
    assert [(q["instrument"], q["total"]) for q in tables["questionnaires"]] == [("GAD-7", 7.0)]
    # Not consented: no check-ins, practices, substances or item answers.
    for name in ("checkins", "practices", "substances", "questionnaire_items"):
        assert tables[name] == [], name


def test_the_export_holds_no_free_text_no_real_date_and_no_database_identifier(
    alice: Any, tmp_path: Path
) -> None:
    _journal(alice, "Ruth's special blend")
    alice.name = "Alice Liddell"
    alice.save()
    grant_consent(alice, ["doses", "checkins", "practices", "questionnaire_totals",
                          "questionnaire_items", "substances", "alerts", "taper"],
                  actor="person (cli)")  # fmt: skip
    export_cohort(tmp_path / "x", SECRET)
    tables = _read(tmp_path / "x")
    assert tables["substances"][0]["class"] != "Xanax"
    assert {c["symptoms"] for c in tables["checkins"]} == {"restless"}
    forbidden = {NOTE, "Ruth's special blend", "Alice Liddell", "Xanax", journal_id(alice)}
    identifiers = {str(alice.pk), f"person {alice.pk}"}
    real_first = date(2026, 3, 1)  # the first entry's local day in Berlin
    for name, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                if isinstance(value, str):
                    assert not any(f in value for f in forbidden), (name, column, value)
                    assert value not in identifiers, (name, column, value)
            if "day" in row:  # each row's date is never its real day
                assert row["day"] != real_first + timedelta(days=row["day_index"]), name
    person = tables["persons"][0]
    assert person["first_day"] != real_first
    assert person["last_day"] != clock(alice).today()
    assert (person["last_day"] - person["first_day"]).days + 1 == person["days"]
    key = tables["persons"][0]["study_key"]
    assert len(key) == 32
    assert key != journal_id(alice)[:32]
    # Intervals within the person are kept: three doses on three consecutive days.
    days = [d["day"] for d in tables["doses"]]
    assert [(b - a).days for a, b in itertools.pairwise(days)] == [1, 1]
    assert [d["day_index"] for d in tables["doses"]] == [0, 1, 2]


def test_a_withdrawal_removes_the_person_from_every_later_export(
    alice: Any, tmp_path: Path
) -> None:
    _journal(alice, "Green powder")
    grant_consent(alice, ["doses"], actor="person (web)")
    assert export_cohort(tmp_path / "x", SECRET).persons == 1
    withdraw_consent(alice, actor="person (web)")
    summary = export_cohort(tmp_path / "x", SECRET)
    assert summary.persons == 0
    assert _read(tmp_path / "x")["persons"] == []
    assert _read(tmp_path / "x")["doses"] == []


def test_the_same_secret_gives_the_same_key_and_another_secret_another(
    alice: Any, tmp_path: Path
) -> None:
    _journal(alice, "Green powder")
    grant_consent(alice, ["doses"], actor="person (web)")
    export_cohort(tmp_path / "a", SECRET)
    export_cohort(tmp_path / "b", SECRET)
    export_cohort(tmp_path / "c", bytes(32))
    keys = [_read(tmp_path / f)["persons"][0]["study_key"] for f in "abc"]
    days = [_read(tmp_path / f)["doses"][0]["day"] for f in "abc"]
    assert keys[0] == keys[1] != keys[2]
    assert days[0] == days[1]


def test_the_study_secret_is_made_owner_only_and_one_readable_by_others_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "secret"
    secret = read_secret(path, create=True)
    assert len(secret) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_secret(path, create=False) == secret
    path.chmod(0o644)
    with pytest.raises(ValueError, match="can be read by others"):
        read_secret(path, create=False)


def test_the_command_exports_with_a_private_secret_and_refuses_a_bad_secret_file(
    capsys: pytest.CaptureFixture[str], alice: Any, tmp_path: Path
) -> None:
    from mitra.settings import DATA_DIR
    from tests.cli.test_commands import refused, run

    _journal(alice, "Green powder")
    grant_consent(alice, ["doses"], actor="person (cli)")
    code, out, _ = run(capsys, "cohort", "export", "--to", str(tmp_path / "x"), "--json")
    assert code == 0
    assert json.loads(out)["persons"] == 1
    secret = Path(DATA_DIR) / "cohort_secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "x").stat().st_mode & 0o777 == 0o700
    key = _read(tmp_path / "x")["persons"][0]["study_key"]
    assert key == study_key(read_secret(secret, create=False), journal_id(alice))
    loose = tmp_path / "loose"
    loose.write_text("00" * 32)
    loose.chmod(0o644)
    assert "can be read by others" in refused(
        capsys, "cohort", "export", "--to", str(tmp_path / "y"), "--secret-file", str(loose)
    )
    assert "does not exist" in refused(
        capsys,
        "cohort",
        "export",
        "--to",
        str(tmp_path / "y"),
        "--secret-file",
        str(tmp_path) + "/none",
    )
    assert not (tmp_path / "y").exists()
