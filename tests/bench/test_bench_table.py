"""The benchmark table says what it measured: baselines compute what mitra computes, and a
missed target is a failure of `make bench-check` (no timing is asserted here)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_exposure  # noqa: E402  bench/ is not a package
import run  # noqa: E402
from mitra.pharmacology.exposure import concentration_nM, two_compartment  # noqa: E402
from table import Row, format_table, missed  # noqa: E402


def _small_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    dose_hours = np.sort(rng.uniform(0.0, 400.0, 60))
    dose_mg = rng.uniform(20.0, 100.0, 60)
    return dose_hours, dose_mg, np.arange(0.0, 500.0, 5.0 / 60.0)


def test_the_recurrence_baseline_computes_mitras_curve() -> None:
    model = two_compartment()
    hours, mg, grid = _small_case()
    ours = concentration_nM(hours, mg, grid, model)
    theirs = bench_exposure.lfilter_recurrence(model, hours, mg, grid)
    np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-9 * ours.max())


def test_the_closed_form_baseline_computes_mitras_curve() -> None:
    model = two_compartment()
    hours, mg, grid = _small_case()
    ours = concentration_nM(hours, mg, grid, model)
    theirs = bench_exposure.closed_form_sum(model, hours, mg, grid)
    np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-5 * ours.max())


def test_the_floor_writes_one_value_per_grid_point() -> None:
    assert bench_exposure.floor(np.arange(7.0)).shape == (7,)


def test_a_row_meets_its_limit_and_its_ratio_only_together() -> None:
    assert Row("p", 30.0, 10.0, "b", limit=40).met is True
    assert Row("p", 50.0, 10.0, "b", limit=40).met is False
    assert Row("p", 30.0, 10.0, "b", limit=40, max_ratio=2.0).met is False
    assert Row("p", 30.0, 60.0, "b", max_ratio=1.0).met is True
    assert Row("p", 30.0, None, "", max_ratio=1.0).met is False  # no baseline: not met
    assert Row("p", 30.0, None, "").met is None  # informs only


def test_the_ratio_is_mitra_over_the_baseline() -> None:
    assert Row("p", 30.0, 60.0, "b").ratio == pytest.approx(0.5)
    assert Row("p", 30.0, None, "b").ratio is None


def test_the_table_has_one_line_per_row_with_every_column() -> None:
    rows = [Row("Today", 42.0, 1.0, "bare", limit=60), Row("serve", 2000.0, None, "", limit=1500)]
    lines = format_table(rows).splitlines()
    assert lines[0].split() == ["path", "mitra", "baseline", "ratio", "target", "met"]
    assert len(lines) == 2 + len(rows)
    assert lines[2].rstrip().endswith("yes")
    assert lines[3].rstrip().endswith("NO")
    assert missed(rows) == [rows[1]]


def test_a_row_survives_its_trip_between_processes() -> None:
    row = Row("mitra insights: peak memory", 120.5, 60.0, "numpy", unit="MB", limit=150)
    assert Row.from_json(row.to_json()) == row


def test_bench_check_fails_when_a_target_is_missed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import bench_exposure as module

    monkeypatch.setenv("BENCH_DATA", str(tmp_path))
    monkeypatch.setattr(module, "measure", lambda: [Row("slow", 9.0, 1.0, "b", max_ratio=1.0)])
    assert run.main(["--only", "exposure", "--check"]) == 1
    assert run.main(["--only", "exposure"]) == 0
    monkeypatch.setattr(module, "measure", lambda: [Row("fast", 1.0, 9.0, "b", max_ratio=1.0)])
    assert run.main(["--only", "exposure", "--check"]) == 0
