"""Small rank tests for the safety rules, in numpy and the standard library: no scipy.

Every journal write runs the safety rules, and importing ``scipy.stats`` costs 0.8-2.4 s, far
more than the tests themselves on a dozen weeks or a few dozen gaps. These functions give the
same numbers as the scipy calls they replace, with the same choice between an exact and an
asymptotic null distribution (tests/safety/test_ranktests.py checks them against scipy):

- ``mann_kendall``: ``scipy.stats.kendalltau(time, y, alternative="greater")``. The Mann-Kendall
  trend test is Kendall's tau between the values and time (Mann 1945; Kendall 1975, *Rank
  Correlation Methods*, 4th ed.; Hipel & McLeod 1994, *Time Series Modelling of Water Resources
  and Environmental Systems*, ch. 23). With no tied values and n <= 33 the null distribution of
  S is exact, counted by enumeration (as scipy: also for larger n with at most one
  discordant pair) (the Mahonian numbers: permutations of n by inversions);
  otherwise S / sqrt(Var S) is taken as normal, Var S with Kendall's tie correction
  n(n-1)(2n+5)/18 - sum t(t-1)(2t+5)/18, and, as in scipy, without a continuity correction.
- ``theil_sen``: ``scipy.stats.theilslopes(y, x, alpha)``: the median pairwise slope (Theil
  1950; Sen 1968) with Sen's confidence interval from the tie-corrected Var S.
- ``mann_whitney_greater``: ``scipy.stats.mannwhitneyu(x, y, alternative="greater")``: exact
  null (counted) when either sample has at most 8 values and there are no ties, else the normal
  approximation with tie correction and continuity correction (Mann & Whitney 1947).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

__all__ = ["KendallTrend", "TheilSen", "mann_kendall", "mann_whitney_greater", "theil_sen"]

_SQRT2 = math.sqrt(2.0)


def _normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z, accurate in the far tail (erfc, not 1 - cdf)."""
    return 0.5 * math.erfc(z / _SQRT2)


def _tie_counts(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Sizes of the groups of equal values that have more than one member."""
    _, counts = np.unique(values, return_counts=True)
    return counts[counts > 1].astype(np.int64)


@cache
def _inversion_counts(n: int) -> tuple[int, ...]:
    """How many permutations of n items have k inversions, k = 0 .. n(n-1)/2 (exact ints)."""
    counts = [1]
    for j in range(2, n + 1):  # inserting item j adds 0 .. j-1 inversions
        grown = [0] * (len(counts) + j - 1)
        for k, c in enumerate(counts):
            for extra in range(j):
                grown[k + extra] += c
        counts = grown
    return tuple(counts)


@dataclass(frozen=True)
class KendallTrend:
    """Mann-Kendall: S, Kendall's tau-b against time, and the one-sided p for a rising trend."""

    s: int
    tau: float
    p_value: float
    exact: bool


def mann_kendall(y: npt.ArrayLike) -> KendallTrend:
    """A test for a rising trend in ``y``, taken at equally spaced times 0, 1, 2, ...

    Raises ValueError for fewer than 3 values or all values equal (tau is undefined).
    """
    values = np.asarray(y, dtype=np.float64)
    n = int(values.size)
    if n < 3 or np.ptp(values) == 0:
        raise ValueError("a trend test needs at least 3 values, not all equal")
    diffs = values[None, :] - values[:, None]  # [i, j] = y[j] - y[i]
    upper = np.triu_indices(n, k=1)
    signs = np.sign(diffs[upper])
    s = int(signs.sum())
    ties = _tie_counts(values)
    pairs = n * (n - 1) // 2
    tied_pairs = int((ties * (ties - 1) // 2).sum())
    tau = s / math.sqrt(pairs) / math.sqrt(pairs - tied_pairs)
    tau = min(1.0, max(-1.0, tau))
    most = (pairs - s) // 2  # with no ties, S = pairs - 2 * inversions
    if ties.size == 0 and (n <= 33 or min(most, pairs - most) <= 1):
        # Exact: S >= s is inversions <= (pairs - s) / 2.
        counts = _inversion_counts(n)
        p = sum(counts[: most + 1]) / math.factorial(n)
        return KendallTrend(s=s, tau=tau, p_value=min(1.0, p), exact=True)
    variance = (
        n * (n - 1) * (2 * n + 5) - float((ties * (ties - 1) * (2 * ties + 5)).sum())
    ) / 18.0
    return KendallTrend(s=s, tau=tau, p_value=_normal_sf(s / math.sqrt(variance)), exact=False)


@dataclass(frozen=True)
class TheilSen:
    """The Theil-Sen slope and its confidence interval."""

    slope: float
    intercept: float
    low: float
    high: float


def theil_sen(y: npt.ArrayLike, x: npt.ArrayLike, confidence: float = 0.95) -> TheilSen:
    """The median of pairwise slopes of y on x, with Sen's interval at ``confidence``."""
    yv = np.asarray(y, dtype=np.float64)
    xv = np.asarray(x, dtype=np.float64)
    dx = xv[:, None] - xv
    dy = yv[:, None] - yv
    slopes = np.sort(dy[dx > 0] / dx[dx > 0])
    if slopes.size == 0:
        raise ValueError("all x values are equal")
    slope = float(np.median(slopes))
    intercept = float(np.median(yv) - slope * np.median(xv))
    alpha = 1.0 - confidence if confidence > 0.5 else confidence
    z = NormalDist().inv_cdf(alpha / 2.0)
    n = yv.size
    tx, ty = _tie_counts(xv), _tie_counts(yv)
    variance = (
        n * (n - 1) * (2 * n + 5)
        - float((tx * (tx - 1) * (2 * tx + 5)).sum())
        - float((ty * (ty - 1) * (2 * ty + 5)).sum())
    ) / 18.0
    sigma = math.sqrt(variance)
    nt = slopes.size
    upper = min(int(np.round((nt - z * sigma) / 2.0)), nt - 1)
    lower = max(int(np.round((nt + z * sigma) / 2.0)) - 1, 0)
    return TheilSen(slope, intercept, float(slopes[lower]), float(slopes[upper]))


@cache
def _u_counts(n1: int, n2: int) -> tuple[int, ...]:
    """How many arrangements of n1 x's and n2 y's give U = 0 .. n1*n2 (exact ints)."""
    # Coefficients of the Gaussian binomial [n1 + n2 choose n1]_q, built by the recurrence
    # c(m, n) = c(m - 1, n) shifted by n  +  c(m, n - 1).
    table: dict[tuple[int, int], list[int]] = {}
    for m in range(n1 + 1):
        for k in range(n2 + 1):
            if m == 0 or k == 0:
                table[m, k] = [1]
                continue
            a, b = table[m - 1, k], table[m, k - 1]
            out = [0] * (m * k + 1)
            for u, c in enumerate(a):
                out[u + k] += c
            for u, c in enumerate(b):
                out[u] += c
            table[m, k] = out
    return tuple(table[n1, n2])


def mann_whitney_greater(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """One-sided p that values in ``x`` tend to be greater than in ``y`` (Mann-Whitney U)."""
    xv = np.asarray(x, dtype=np.float64)
    yv = np.asarray(y, dtype=np.float64)
    n1, n2 = int(xv.size), int(yv.size)
    both = np.concatenate((xv, yv))
    order = np.argsort(both, kind="mergesort")
    ranks = np.empty(both.size, dtype=np.float64)
    ranks[order] = np.arange(1, both.size + 1, dtype=np.float64)
    uniq, inverse, counts = np.unique(both, return_inverse=True, return_counts=True)
    if uniq.size < both.size:  # midranks for ties
        sums = np.bincount(inverse, weights=ranks)
        ranks = (sums / counts)[inverse]
    u1 = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2)
    tied = counts[counts > 1].astype(np.float64)
    if (n1 <= 8 or n2 <= 8) and tied.size == 0:
        counts_u = _u_counts(n1, n2)
        p = sum(counts_u[round(u1) :]) / math.comb(n1 + n2, n1)
        return min(1.0, p)
    n = n1 + n2
    tie_term = float((tied**3 - tied).sum())
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    return min(1.0, max(0.0, _normal_sf((u1 - n1 * n2 / 2 - 0.5) / sigma)))
