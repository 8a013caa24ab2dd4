"""Cohort fixtures: a tiny synthetic cohort on disk, simulated once per test run."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def small_cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve synthetic persons over 90 days (a few taper), simulated once per test run."""
    from mitra.cohort.simulate import simulate_cohort

    folder = tmp_path_factory.mktemp("cohort") / "small"
    simulate_cohort(folder, persons=12, days=90, seed=3, workers=1)
    return folder
