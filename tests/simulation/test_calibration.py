"""The short calibration: the insights' intervals, false discoveries, power and withdrawal
signature on 100 synthetic persons per scenario (the full run, 400 persons with the exact
targets, is `make calibrate`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scipy.stats import binomtest

from mitra.insights import analyse
from mitra.simulation.calibrate import (
    CALIBRATION_PERSON,
    END,
    NOW,
    WITHDRAWAL_DAYS,
    Result,
    Target,
    _cards,
    run,
    svg,
    write,
)
from mitra.simulation.model import simulate

PERSONS = 100

#: How unlikely a calibrated engine's rate must be before a short run calls a target missed.
#: With 100 persons instead of 400 a rate a little outside its range is as likely to be
#: sampling noise as a fault, so a target fails only when the observed count is significantly
#: worse than the range's bound: a one-sided exact binomial test at 2.5% (about two standard
#: errors). At 100 persons that fails power below 72 of 100 (target 0.80), false discoveries
#: above 10 of 100 (target 0.05) and coverage outside about 0.91-0.98 of some 600 intervals
#: (target 0.93-0.97). A person's six intervals share its data, so they are not independent and
#: the coverage test is, if anything, stricter than 2.5%.
ALPHA = 0.025


def significantly_outside(target: Target) -> str | None:
    """Why the target's observed count is significantly worse than its range, or None."""
    k, n = target.successes, target.trials
    if target.low > 0.0 and binomtest(k, n, target.low, alternative="less").pvalue < ALPHA:
        return f"{k}/{n} is significantly below {target.low}"
    if target.high < 1.0 and binomtest(k, n, target.high, alternative="greater").pvalue < ALPHA:
        return f"{k}/{n} is significantly above {target.high}"
    return None


@pytest.fixture(scope="module")
def result() -> Result:
    # One process: spawning workers costs more than they save at this size on a shared machine.
    return run(PERSONS, processes=1, seed=7)


@pytest.mark.parametrize(
    "name",
    [
        "coverage",
        "false discoveries",
        "power",
        "withdrawal detected",
        "withdrawal false alarms",
        "hold on flare-ups",
        "hold false alarms",
    ],
)
def test_the_short_calibration_meets_its_target(result: Result, name: str) -> None:
    target = next(t for t in result.targets if t.name == name)
    # The taper targets count steps of a quarter as many persons (about nine steps each).
    assert target.trials >= (50 if name.startswith("hold") else PERSONS)
    assert significantly_outside(target) is None, f"{name}: {significantly_outside(target)}"


def test_the_tolerance_still_fails_a_clearly_missed_target() -> None:
    power = Target("power", "", successes=70, trials=100, low=0.80, high=1.0)
    false_discoveries = Target("false discoveries", "", successes=11, trials=100, low=0, high=0.05)
    assert significantly_outside(power) is not None
    assert significantly_outside(false_discoveries) is not None
    assert significantly_outside(Target("power", "", 76, 100, 0.80, 1.0)) is None


@pytest.mark.parametrize("seed", [3, 11])
def test_the_calibration_reads_the_cards_analyse_shows(seed: int) -> None:
    sim = simulate(WITHDRAWAL_DAYS, CALIBRATION_PERSON, seed=seed, end=END, now=NOW)
    shown = analyse(sim.timeline())
    read = _cards(sim.timeline(), factors=True, withdrawal=True)
    assert read
    for card_id, card in read.items():
        assert repr(card) == repr(shown.card(card_id))


def test_the_report_is_markdown_and_svg(result: Result, tmp_path: Path) -> None:
    write(result, tmp_path)
    text = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| target | rate |" in text
    assert "synthetic" in text
    assert svg(result).startswith("<svg")
    assert (tmp_path / "calibration.svg").exists()
