"""The cohort's figures: the same Ibis expressions give the same report on DuckDB and Spark."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mitra.cohort.report import CohortReport, cohort_report
from mitra.reads.serialise import document
from tests.cli.test_commands import refused, run


def _figures(report: CohortReport) -> dict[str, Any]:
    return {f.id: f for f in report.figures}


@pytest.mark.once
def test_duckdb_and_spark_give_identical_reports_on_the_same_export(small_cohort: Path) -> None:
    # Spark runs in its own process (the command a study runs): its JVM and gateway sockets
    # start and end there, once for the whole suite.
    command = [sys.executable, "-m", "mitra.cli", "cohort", "report", "--from", str(small_cohort),
               "--engine", "spark", "--master", "local[2]", "--json"]  # fmt: skip
    # A run of seconds: the JVM's quick compiler alone and one garbage collector thread cost
    # less CPU than its full optimiser would save (the study's own runs keep Java's defaults).
    env = os.environ | {"JDK_JAVA_OPTIONS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=600, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    on_spark = json.loads(done.stdout)
    on_duckdb = document(cohort_report(small_cohort, "duckdb"))
    assert on_spark.pop("engine") == "spark"
    assert on_duckdb.pop("engine") == "duckdb"
    assert on_spark == on_duckdb
    assert on_duckdb["figures"][0] == {**on_duckdb["figures"][0], "id": "persons", "n": 12}


def test_the_report_gives_every_figure_an_interval_and_says_it_is_observational(
    small_cohort: Path,
) -> None:
    report = cohort_report(small_cohort, "duckdb")
    figures = _figures(report)
    assert "observational associations" in report.statement
    assert figures["follow_up_days"].estimate == 90
    adherence = figures["checkin_adherence"]
    assert adherence.low is not None
    assert adherence.high is not None
    assert 0.8 < adherence.low <= adherence.estimate <= adherence.high <= 1.0
    for id in ("gad7_reliable_improvement", "interdose_signature", "dose_escalation"):
        f = figures[id]
        assert f.n > 0, id
        assert 0.0 <= f.low <= f.estimate <= f.high <= 1.0, id
    # Synthetic tapers raise the SOWS in the days after a step, then it settles.
    sows = {p.x: p.estimate for p in report.sows_by_days_since_step}
    assert sows[2] > sows[6]
    assert [p.x for p in report.dose_trajectory] == [0, 1, 2]


def test_the_cli_report_prints_the_same_document_as_json(
    capsys: pytest.CaptureFixture[str], small_cohort: Path
) -> None:
    code, out, _ = run(capsys, "cohort", "report", "--from", str(small_cohort), "--json")
    assert code == 0
    assert json.loads(out) == document(cohort_report(small_cohort, "duckdb"))
    code, out, _ = run(capsys, "cohort", "report", "--from", str(small_cohort))
    assert "GAD-7 change, last minus first" in out
    assert "observational associations" in out


def test_bad_report_options_are_one_line_refusals(
    capsys: pytest.CaptureFixture[str], small_cohort: Path, tmp_path: Path
) -> None:
    assert "--engine must be one of duckdb, spark" in refused(
        capsys, "cohort", "report", "--from", str(small_cohort), "--engine", "polars"
    )
    assert "--master applies to --engine spark only" in refused(
        capsys, "cohort", "report", "--from", str(small_cohort), "--master", "local[1]"
    )
    assert "is not a folder" in refused(capsys, "cohort", "report", "--from", str(tmp_path / "n"))
    assert "a cohort export?" in refused(capsys, "cohort", "report", "--from", str(tmp_path))
    assert "--engine duckdb needs --from DIR" in refused(capsys, "cohort", "report")


@pytest.mark.django_db
def test_postgres_is_refused_in_one_line_on_a_sqlite_journal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """On SQLite the clinic's engine is refused in one line (on PostgreSQL it runs: see
    tests/cohort/test_database.py); on both, an export goes to one place."""
    from mitra.cohort.database import on_postgres

    assert "either --to DIR or --to-database" in refused(
        capsys, "cohort", "export", "--to-database", "--to", str(tmp_path / "x")
    )
    if not on_postgres():
        needs = "needs the clinic's PostgreSQL (MITRA_DATABASE_URL=postgres://...)"
        assert needs in refused(capsys, "cohort", "report", "--engine", "postgres")
        assert needs in refused(capsys, "cohort", "export", "--to-database")


def test_duckdb_never_fetches_an_extension_by_itself() -> None:
    from mitra.cohort.engines import connect

    backend = connect("duckdb")
    settings = backend.raw_sql(
        "SELECT current_setting('autoinstall_known_extensions'), "
        "current_setting('autoload_known_extensions')"
    ).fetchall()
    assert settings == [(False, False)]
