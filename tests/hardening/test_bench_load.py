"""bench/load.py keeps working: a short run saves every acknowledged write and reports figures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

LOAD = Path(__file__).resolve().parents[2] / "bench" / "load.py"


def test_a_short_load_loses_nothing_and_prints_its_figures() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
    # Short on purpose: the real run (make bench-load) is minutes of CPU.
    result = subprocess.run(
        [sys.executable, str(LOAD), "--clients", "3", "--seconds", "1", "--days", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "writes/s:" in result.stdout, result.stderr
    assert "latency p50:" in result.stdout
    assert "errors: 0\n" in result.stdout
    assert "lost acknowledged writes: 0\n" in result.stdout
    acknowledged = int(result.stdout.split("acknowledged: ")[1].split()[0])
    assert acknowledged > 0


def test_the_load_refuses_a_run_without_bounds() -> None:
    result = subprocess.run(
        [sys.executable, str(LOAD), "--seconds", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--seconds" in result.stderr


@pytest.mark.postgres  # a clinic's deployment: tested in the PostgreSQL run
def test_a_short_clinic_load_keeps_every_persons_writes_in_their_own_journal(
    fresh_postgres_url: str,
) -> None:
    # Accounts on, two persons with a token each, two gunicorn workers on PostgreSQL: the
    # load's own database is made beside this fresh one. Short and small on purpose (make
    # bench-load-clinic is the real run, with four workers; tests/hardening/test_clinic.py
    # runs four).
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITRA_ENCRYPTION_KEY")}
    env["MITRA_DATABASE_URL"] = fresh_postgres_url
    command = [sys.executable, str(LOAD), "--accounts", "--workers", "2", "--persons", "2"]
    result = subprocess.run(
        [*command, "--clients", "4", "--seconds", "1", "--days", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = result.stdout
    assert "server: gunicorn, 2 workers; accounts on, 2 persons\n" in out, result.stderr
    assert "errors: 0\n" in out
    assert "lost acknowledged writes: 0\n" in out
    assert "writes stored twice: 0, stored but not acknowledged: 0\n" in out
    assert int(out.split("acknowledged: ")[1].split()[0]) > 0
    assert "ms per acknowledged write" in out
    assert "CPU share of the machine's" in out
    # PostgreSQL runs on this machine (as in CI): its share of the load is reported.
    assert re.search(r"PostgreSQL CPU: [0-9.]+ s, [0-9.]+ ms per write", out), out


def test_the_clinic_load_refuses_more_persons_than_clients() -> None:
    result = subprocess.run(
        [sys.executable, str(LOAD), "--accounts", "--persons", "5", "--clients", "3"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--persons must be at most --clients" in result.stderr
