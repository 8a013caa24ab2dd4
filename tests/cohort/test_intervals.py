"""The report's 95% intervals against published values and plain definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mitra.cohort.intervals import correlation_interval, mean_interval, wilson_interval


def test_wilson_matches_newcombes_worked_examples() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 and 0/20.
    p, low, high = wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert p == pytest.approx(81 / 263)
    assert wilson_interval(0, 20)[1:] == (0.0, pytest.approx(0.1611, abs=1e-4))
    assert wilson_interval(0, 0) == (None, None, None)


def test_a_mean_has_a_normal_interval_and_one_value_has_none() -> None:
    mean, low, high = mean_interval(10.0, 2.0, 16)
    assert mean == 10.0
    assert (low, high) == (
        pytest.approx(10.0 - 1.96 * 0.5, abs=1e-3),
        pytest.approx(10.98, abs=1e-3),
    )
    assert mean_interval(3.0, None, 1) == (3.0, None, None)
    assert mean_interval(None, None, 0) == (None, None, None)


def test_the_correlation_from_sums_is_pearsons_with_a_fisher_interval() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    y = 0.5 * x + rng.normal(size=50)
    sums = (x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum())
    r, low, high = correlation_interval(50, sums)
    assert r == pytest.approx(float(np.corrcoef(x, y)[0, 1]))
    half = 1.959964 / math.sqrt(47)
    assert low == pytest.approx(math.tanh(math.atanh(r) - half), abs=1e-6)
    assert high == pytest.approx(math.tanh(math.atanh(r) + half), abs=1e-6)
    assert correlation_interval(3, sums) == (None, None, None)
