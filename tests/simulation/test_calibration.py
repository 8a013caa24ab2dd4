"""The short calibration: the insights' intervals, false discoveries, power and withdrawal
signature on 200 synthetic persons per scenario (the full run is `make calibrate`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mitra.simulation.calibrate import Result, run, svg, write


@pytest.fixture(scope="module")
def result() -> Result:
    return run(200, processes=2, seed=7)


@pytest.mark.parametrize(
    "name",
    ["coverage", "false discoveries", "power", "withdrawal detected", "withdrawal false alarms"],
)
def test_the_short_calibration_meets_its_target(result: Result, name: str) -> None:
    target = next(t for t in result.targets if t.name == name)
    assert target.trials >= 200
    assert target.met, f"{name}: {target.rate:.3f} not in {target.low}-{target.high}"


def test_the_report_is_markdown_and_svg(result: Result, tmp_path: Path) -> None:
    write(result, tmp_path)
    text = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| target | rate |" in text
    assert "synthetic" in text
    assert svg(result).startswith("<svg")
    assert (tmp_path / "calibration.svg").exists()
