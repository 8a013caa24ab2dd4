"""The estimators: Benjamini-Hochberg, Theil-Sen, Prais-Winsten, clustered and fixed-b errors."""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import lfilter

from mitra.insights.regression import (
    Z95,
    benjamini_hochberg,
    fixed_b_scale,
    ols,
    ols_clustered,
    pairs_of,
    prais_winsten,
    prais_winsten_each,
    theil_sen,
    theil_sen_line,
)


def test_benjamini_hochberg_matches_the_textbook_example() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005])
    assert np.allclose(benjamini_hochberg(p), [0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg(np.array([])).size == 0


def test_theil_sen_recovers_a_slope_despite_an_outlier() -> None:
    x = np.arange(30.0)
    y = 2.0 + 0.5 * x
    y[10] = 100.0
    fit = theil_sen(x, y)
    assert abs(fit.slope - 0.5) < 1e-9
    assert fit.low <= 0.5 <= fit.high


def test_theil_sen_selects_the_same_order_statistics_as_sorting_every_slope() -> None:
    rng = np.random.default_rng(4)
    for n in (9, 10, 11, 40, 41, 120, 131):  # odd and even numbers of pairs, few and many
        x = np.sort(rng.choice(3 * n, n, replace=False)).astype(float)
        x[3] = x[2]  # a pair with equal x, left out
        y = rng.normal(size=n).round(1)  # ties among the slopes
        i, j = np.triu_indices(n, k=1)
        ok = x[j] != x[i]
        slopes = np.sort((y[j] - y[i])[ok] / (x[j] - x[i])[ok])
        fit = theil_sen(x, y, pairs_of(x))
        assert fit.slope == np.median(slopes)
        assert fit.intercept == np.median(y - fit.slope * x)
        # The interval's ranks, as the docstring gives them, looked up in the sorted slopes.
        resid = y - fit.intercept - fit.slope * x
        c = resid - resid.mean()
        r = min(max(float(c[1:] @ c[:-1]) / float(c @ c), 0.0), 0.9)
        half = Z95 * math.sqrt(n * (n - 1) * (2 * n + 5) / 18.0 * (1 + r) / (1 - r))
        m = slopes.size
        assert fit.low == slopes[min(max(math.floor((m - half) / 2), 0), m - 1)]
        assert fit.high == slopes[min(max(math.ceil((m + half) / 2), 0), m - 1)]
        assert theil_sen_line(x, y) == (fit.slope, fit.intercept)


def test_prais_winsten_recovers_an_effect_under_ar1_errors() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    x = (rng.random(n) < 0.5).astype(float)
    e = lfilter([1.0], [1.0, -0.6], rng.normal(0, 1, n))
    y = 3.0 - 0.5 * x + e
    fit = prais_winsten(y, np.column_stack([np.ones(n), x]), np.arange(n, dtype=np.int64))
    assert abs(fit.rho - 0.6) < 0.05
    low, high = fit.interval(1)
    assert low < -0.5 < high


def test_ols_without_noise_is_exact_and_its_fixed_b_scale_widens_intervals() -> None:
    x = np.column_stack([np.ones(50), np.arange(50.0)])
    fit = ols(1.0 + 2.0 * np.arange(50.0), x)
    assert np.allclose(fit.coef, [1.0, 2.0])
    assert fit.critical_scale == fixed_b_scale(3, 50) > 1.0
    assert fixed_b_scale(0, 50) == 1.0


def test_clustered_errors_count_clusters_for_degrees_of_freedom() -> None:
    rng = np.random.default_rng(1)
    group = np.repeat(np.arange(40), 3).astype(np.int64)
    x = rng.normal(size=(120, 1))
    fit = ols_clustered(0.3 * x[:, 0] + rng.normal(0, 0.1, 120), x, group, absorbed=40)
    assert fit.df == 39
    assert abs(fit.coef[0] - 0.3) < 0.05


def test_order_statistics_are_exact_whatever_the_sample_of_them_says() -> None:
    from mitra.insights.regression import _ranked

    rng = np.random.default_rng(6)
    m = 20_001
    cases = [
        rng.normal(size=m),
        np.sort(rng.normal(size=m)),  # the sample is every 64th: regular, not random
        rng.integers(0, 3, size=m).astype(float),  # ties everywhere
        np.full(m, 2.5),
        np.r_[np.zeros(m - 64), np.arange(64.0)],  # the sample misses the top: partition all
        rng.standard_cauchy(size=m),
    ]
    for values in cases:
        for ranks in ((0,), (m // 2 - 1, m // 2), (m // 3, m // 2 + 900), (m - 1,), (5, m - 6)):
            expected = np.partition(values, ranks)
            assert _ranked(values.copy(), ranks) == [expected[r] for r in ranks]


def test_prais_winsten_of_each_series_together_is_each_series_fitted_alone() -> None:
    rng = np.random.default_rng(5)
    series = []
    for n in (30, 45, 60, 91, 200):  # different lengths (and Newey-West lags), gaps in days
        day = np.sort(rng.choice(2 * n, n, replace=False)).astype(np.int64)
        c = rng.random(n) * 5
        y = 5.0 - 0.3 * c + lfilter([1.0], [1.0, -0.5], rng.normal(size=n))
        series.append((y, np.column_stack([np.ones(n), c - c.mean()]), day))
    series.append((rng.random(40), series[1][1][:40], np.arange(0, 80, 2, dtype=np.int64)))
    together = prais_winsten_each(series)
    assert prais_winsten_each([]) == []
    for (y, x, day), fit in zip(series, together, strict=True):
        alone = prais_winsten(y, x, day)
        assert np.allclose(fit.coef, alone.coef, rtol=1e-12, atol=0)
        assert np.allclose(fit.se, alone.se, rtol=1e-12, atol=0)
        assert abs(fit.rho - alone.rho) <= 1e-12
        assert (fit.df, fit.n, fit.critical_scale) == (alone.df, alone.n, alone.critical_scale)
