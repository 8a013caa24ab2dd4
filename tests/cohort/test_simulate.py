"""`mitra cohort simulate`: synthetic persons in parallel, the same whatever the workers."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mitra.cohort.simulate import simulate_cohort
from tests.cli.test_commands import refused, run


def test_parallel_and_serial_simulations_write_the_same_cohort(tmp_path: Path) -> None:
    simulate_cohort(tmp_path / "one", persons=4, days=30, seed=9, workers=1)
    summary = simulate_cohort(tmp_path / "two", persons=4, days=30, seed=9, workers=2)
    assert summary.workers == 1  # four persons are one chunk: no second process is started
    for table in ("persons", "doses", "checkins", "questionnaires"):
        one = pq.read_table(tmp_path / "one" / table).to_pylist()
        two = pq.read_table(tmp_path / "two" / table).to_pylist()
        assert one == two, table
    persons = pq.read_table(tmp_path / "one" / "persons").to_pylist()
    assert {p["source"] for p in persons} == {"synthetic"}
    assert len({p["study_key"] for p in persons}) == 4


def test_the_command_writes_owner_only_files_and_refuses_bad_sizes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "sim"
    code, out, _ = run(capsys, "cohort", "simulate", "--persons", "2", "--days", "20",
                       "--seed", "1", "--to", str(folder))  # fmt: skip
    assert code == 0
    assert "Simulated 2 synthetic persons x 20 days" in out
    files = list(folder.rglob("*.parquet"))
    assert files
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    assert "--persons" in refused(capsys, "cohort", "simulate", "--persons", "0", "--to", "x")
    assert "--days" in refused(capsys, "cohort", "simulate", "--days", "5", "--to", "x")
    (tmp_path / "file").write_text("x")
    assert "is a file" in refused(capsys, "cohort", "simulate", "--to", str(tmp_path / "file"))
