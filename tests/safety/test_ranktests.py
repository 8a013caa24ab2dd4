"""The rank tests that replace scipy on the write path give scipy's numbers (scipy is imported
here, in the tests only)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mitra.safety.ranktests import mann_kendall, mann_whitney_greater, theil_sen

TOLERANCE = 1e-9


def _series(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for n in range(3, 41):
        trend = rng.normal(0, 1) * np.arange(n)
        out.append(np.round(trend + rng.normal(0, 3, n), 6))  # mostly untied: the exact null
        out.append(np.round(trend + rng.normal(0, 3, n)))  # tied values: the asymptotic null
    return out


@pytest.mark.parametrize("seed", range(6))
def test_mann_kendall_gives_scipys_tau_and_p(seed: int) -> None:
    for y in _series(seed):
        if np.ptp(y) == 0:
            continue
        time = np.arange(y.size, dtype=np.float64)
        expected = stats.kendalltau(time, y, alternative="greater")
        got = mann_kendall(y)
        assert got.tau == pytest.approx(expected.statistic, abs=TOLERANCE)
        assert abs(got.p_value - expected.pvalue) <= TOLERANCE, (y.tolist(), got, expected)


def test_mann_kendall_on_a_perfect_rise_and_fall() -> None:
    rise = np.arange(12.0)
    assert mann_kendall(rise).p_value == pytest.approx(1 / 479001600)
    assert mann_kendall(rise[::-1]).p_value == 1.0
    with pytest.raises(ValueError, match="not all equal"):
        mann_kendall([2.0, 2.0, 2.0])


@pytest.mark.parametrize("seed", range(6))
def test_theil_sen_gives_scipys_slope_and_interval(seed: int) -> None:
    for y in _series(seed):
        x = np.arange(y.size, dtype=np.float64)
        expected = stats.theilslopes(y, x, alpha=0.95)
        got = theil_sen(y, x, 0.95)
        assert (got.slope, got.intercept, got.low, got.high) == pytest.approx(
            tuple(expected), abs=TOLERANCE
        )


@pytest.mark.parametrize("seed", range(6))
def test_mann_whitney_gives_scipys_p(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for n1 in (3, 6, 8, 9, 14):
        for n2 in (3, 6, 8, 9, 14):
            for digits in (6, 0):  # untied (exact when small) and tied (asymptotic)
                x = np.round(rng.gamma(4, 6, n1), digits)
                y = np.round(rng.gamma(4, 4, n2), digits)
                expected = stats.mannwhitneyu(x, y, alternative="greater").pvalue
                got = mann_whitney_greater(x, y)
                assert abs(got - expected) <= TOLERANCE, (x.tolist(), y.tolist(), got, expected)
