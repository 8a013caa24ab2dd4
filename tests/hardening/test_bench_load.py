"""bench/load.py keeps working: a short run saves every acknowledged write and reports figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LOAD = Path(__file__).resolve().parents[2] / "bench" / "load.py"


def test_a_short_load_loses_nothing_and_prints_its_figures() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
    # Short on purpose: the real run (make bench-load) is minutes of CPU.
    result = subprocess.run(
        [sys.executable, str(LOAD), "--clients", "3", "--seconds", "2", "--days", "20"],
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
