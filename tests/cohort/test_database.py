"""The cohort in a clinic's PostgreSQL: consent-filtered views, read through Ibis's backend.

These tests run in the PostgreSQL pass (`pytest --postgres`, as CI does) and are skipped, with
that reason, on SQLite only. They commit (the Ibis backend reads over its own connection).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from mitra.cohort.database import SCHEMA, stage_cohort
from mitra.cohort.export import export_cohort
from mitra.cohort.keys import study_key
from mitra.cohort.report import cohort_report
from mitra.cohort.schema import TABLES
from mitra.journal import services
from mitra.journal.consent import grant_consent, withdraw_consent
from mitra.journal.erase import delete_journal
from mitra.journal.models import Person
from mitra.journal.queries import journal_id
from mitra.reads.serialise import document
from mitra.vocabulary import RESEARCH_DATA_KINDS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOTE = "Told my sister Ruth about the 555-0142 clinic"
SECRET = bytes(range(32))
DAYS = 8


def _journal(person: Any, grams: float, product_name: str) -> list[date]:
    """Two weeks of doses, evening check-ins with practices, and two GAD-7s; the real days."""
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start -= timedelta(days=DAYS)
    product = services.add_product(
        person, {"name": product_name, "unit": "g", "mitragynine_mg_per_g": 15.0}
    )
    substance = services.add_substance(person, {"name": "Xanax"})
    for day in range(DAYS):
        at = start + timedelta(days=day)
        for hour in (8, 14):
            services.log_dose(
                person,
                {"product_id": product.pk, "taken_at": at + timedelta(hours=hour),
                 "amount": grams + 0.05 * day, "unit": "g", "note": NOTE},
            )  # fmt: skip
        services.add_checkin(
            person,
            {"at": at + timedelta(hours=19), "anxiety": 3 + int(day * 7 + 2 * grams) % 5,
             "note": NOTE, "symptoms": ["restless"],
             "practices": [{"kind": "mindfulness", "minutes": 10}]},
        )  # fmt: skip
    services.log_intake(person, {"substance_id": substance.pk, "taken_at": start})
    for day, answer in ((1, 2), (DAYS - 1, 1 if grams < 1.8 else 3)):
        services.submit_response(
            person,
            {"instrument": "GAD-7", "at": start + timedelta(days=day, hours=20),
             "answers": [answer] * 7},
        )  # fmt: skip
    return [(start + timedelta(days=d)).date() for d in range(-1, DAYS + 2)]


@pytest.fixture
def clinic(transactional_db: Any) -> dict[str, Any]:
    """Three persons: two take part with every kind, one with doses only."""
    persons = {}
    for name, grams in (("Ada", 1.0), ("Ben", 2.0), ("Cy", 1.5)):
        person = Person.objects.create(name=f"{name} Example", time_zone="UTC")
        _journal(person, grams, f"{name}'s own blend")
        persons[name] = person
    grant_consent(persons["Ada"], list(RESEARCH_DATA_KINDS), actor="person (cli)")
    grant_consent(persons["Ben"], list(RESEARCH_DATA_KINDS), actor="person (web)")
    grant_consent(persons["Cy"], ["doses"], actor="person (api)")
    return persons


def _view(name: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM {SCHEMA}."{name}"')  # noqa: S608  a schema table
        return [c.name for c in cursor.description], cursor.fetchall()


def _staged(*names: str) -> dict[int, int]:
    """Rows staged per person (database id) in the tables `names` (default: all)."""
    from django.db import connection

    found: dict[int, int] = {}
    with connection.cursor() as cursor:
        for name in names or TABLES:
            query = f'SELECT person_id, count(*) FROM {SCHEMA}."staged_{name}" GROUP BY 1'  # noqa: S608
            cursor.execute(query)
            for person, count in cursor.fetchall():
                found[person] = found.get(person, 0) + count
    return found


def _sorted(rows: list[Any]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=repr)


def test_postgres_gives_the_same_rows_and_report_as_duckdb_on_the_export(
    clinic: dict[str, Any], tmp_path: Path
) -> None:
    export_cohort(tmp_path / "x", SECRET)
    summary = stage_cohort(SECRET)
    assert summary.persons == 3
    for name, table in TABLES.items():
        columns, rows = _view(name)
        assert columns == list(table.names), name
        exported = pq.read_table(tmp_path / "x" / name).to_pylist()
        assert _sorted(rows) == _sorted([tuple(r.values()) for r in exported]), name
    on_postgres = document(cohort_report(None, "postgres"))
    on_duckdb = document(cohort_report(tmp_path / "x", "duckdb"))
    assert on_postgres.pop("engine") == "postgres"
    assert on_duckdb.pop("engine") == "duckdb"
    assert on_postgres == on_duckdb
    figures = {f["id"]: f for f in on_postgres["figures"]}
    assert figures["persons"]["estimate"] == 3
    assert figures["gad7_change"]["n"] == 2  # Cy shared doses only


def test_a_withdrawal_a_narrower_consent_or_an_erasure_leaves_the_views_at_once(
    clinic: dict[str, Any],
) -> None:
    stage_cohort(SECRET)
    ben, ada = clinic["Ben"], clinic["Ada"]
    assert ben.pk in _staged("persons")
    ben_key = study_key(SECRET, journal_id(ben))
    assert len(_view("persons")[1]) == 3
    withdraw_consent(ben, actor="person (web)")  # no new export in between
    keys = {r[0] for r in _view("persons")[1]}
    assert len(keys) == 2
    assert ben_key not in keys
    for name in TABLES:
        assert ben_key not in {row[0] for row in _view(name)[1]}, name
    assert ben.pk not in _staged()  # the staged copy went with the withdrawal
    assert len({r[0] for r in _view("checkins")[1]}) == 1  # Ada's alone
    assert ada.pk in _staged("checkins", "questionnaires")
    grant_consent(ada, ["doses"], actor="person (cli)")
    assert _view("checkins")[1] == []
    # The kinds she no longer shares are gone from the staged rows too; her doses stay.
    assert ada.pk not in _staged("checkins", "questionnaires", "practices")
    assert ada.pk in _staged("doses")
    assert _view("questionnaires")[1] == []
    persons = _view("persons")[1]
    assert {r[5] for r in persons} == {"doses"}
    assert {r[7] for r in persons} == {None}  # the interdose insight needs check-ins too
    assert len(_view("doses")[1]) == 2 * 2 * (DAYS)
    assert cohort_report(None, "postgres").figures[0].estimate == 2
    cy = clinic["Cy"].pk
    assert cy in _staged("doses")
    delete_journal(clinic["Cy"])  # erasing a journal erases its staged rows with it
    assert cy not in _staged()


def test_the_views_hold_no_free_text_no_database_id_and_no_real_date(
    clinic: dict[str, Any],
) -> None:
    stage_cohort(SECRET)
    forbidden = {NOTE, "Xanax", *(journal_id(p) for p in clinic.values())}
    forbidden |= {f"{n} Example" for n in clinic} | {f"{n}'s own blend" for n in clinic}
    identifiers = {p.pk for p in clinic.values()} | {str(p.pk) for p in clinic.values()}
    today = datetime.now(UTC).date()
    real_days = {today - timedelta(days=d) for d in range(DAYS + 3)} | {today + timedelta(days=1)}
    for name in TABLES:
        columns, rows = _view(name)
        assert "person_id" not in columns
        assert not {"note", "notes", "name", "id"} & set(columns), name
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, str):
                    assert not any(f in value for f in forbidden), (name, column, value)
                if column in {"study_key", "response", "item"}:
                    continue
                if isinstance(value, date):
                    assert value not in real_days, (name, column, value)
            assert row[0] not in identifiers
            assert len(row[0]) == 32


def test_the_command_stages_the_views_and_reports_from_them(
    capsys: pytest.CaptureFixture[str], clinic: dict[str, Any], tmp_path: Path
) -> None:
    import json

    from tests.cli.test_commands import refused, run

    secret = tmp_path / "secret"
    secret.write_text(SECRET.hex())
    secret.chmod(0o600)
    code, out, _ = run(
        capsys, "cohort", "export", "--to-database", "--secret-file", str(secret), "--json"
    )
    assert code == 0
    assert json.loads(out)["persons"] == 3
    code, out, _ = run(capsys, "cohort", "report", "--engine", "postgres", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["engine"] == "postgres"
    assert "observational associations" in report["statement"]
    assert "--from applies to duckdb and spark" in refused(
        capsys, "cohort", "report", "--engine", "postgres", "--from", str(tmp_path)
    )
