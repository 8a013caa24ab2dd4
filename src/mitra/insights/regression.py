"""Small, fast estimators for one person's series: OLS with Newey-West errors, Prais-Winsten,
Benjamini-Hochberg and a Theil-Sen trend whose interval allows for autocorrelation.

Plain numpy on small matrices, so a five-year journal is analysed in milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import special  # not scipy.stats: its import costs half a second at start-up

__all__ = [
    "LinearFit",
    "Pairs",
    "TrendFit",
    "benjamini_hochberg",
    "fixed_b_scale",
    "newey_west_lags",
    "ols",
    "ols_clustered",
    "pairs_of",
    "prais_winsten",
    "prais_winsten_each",
    "theil_sen",
    "theil_sen_line",
    "within",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

Z95 = 1.959963984540054


@dataclass(frozen=True)
class LinearFit:
    """Coefficients with Newey-West (HAC) standard errors and t-based 95% intervals."""

    coef: FloatArray
    se: FloatArray
    df: int
    n: int
    rho: float = 0.0  # first-order autocorrelation removed before fitting (Prais-Winsten)
    critical_scale: float = 1.0  # fixed-b widening of critical values for HAC errors

    def interval(self, j: int, level: float = 0.95) -> tuple[float, float]:
        """Two-sided interval for coefficient j."""
        # special.stdtrit is what stats.t.ppf computes, without the distribution machinery's
        # argument handling (about 30 times the cost, paid once per card per person).
        q = float(special.stdtrit(self.df, 0.5 + level / 2.0)) * self.critical_scale
        return float(self.coef[j] - q * self.se[j]), float(self.coef[j] + q * self.se[j])

    def p_value(self, j: int) -> float:
        """Two-sided p-value of coefficient j = 0."""
        if not self.se[j] > 0:
            return 1.0
        t = abs(self.coef[j] / self.se[j]) / self.critical_scale
        return float(2.0 * special.stdtr(self.df, -t))  # stats.t.sf(t, df), see interval


def newey_west_lags(n: int) -> int:
    """The usual automatic lag, floor(4 (n/100)^(2/9)) (Newey and West 1994)."""
    return math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)) if n > 0 else 0


def fixed_b_scale(lags: int, n: int) -> float:
    """How much wider than normal a 5% two-sided critical value is under fixed-b asymptotics.

    Kiefer and Vogelsang (2005) fit the Bartlett kernel's 97.5% critical value as
    1.96 + 2.9694 b + 0.4160 b^2 - 0.5324 b^3, with b = bandwidth / n; Newey-West tests with
    normal or t critical values over-reject in short series, and this corrects most of that.
    The same ratio is applied to t quantiles and p-values.
    """
    if lags <= 0 or n <= 0:
        return 1.0
    b = (lags + 1) / n  # the Bartlett bandwidth is lags + 1
    return (Z95 + 2.9694 * b + 0.4160 * b * b - 0.5324 * b**3) / Z95


def _hac_cov(x: FloatArray, resid: FloatArray, lags: int, bread: FloatArray) -> FloatArray:
    """Newey-West sandwich with Bartlett weights and the n/(n-k) small-sample factor."""
    n, k = x.shape
    scores = x * resid[:, None]
    meat = scores.T @ scores
    for lag in range(1, min(lags, n - 1) + 1):
        weight = 1.0 - lag / (lags + 1.0)
        gamma = scores[lag:].T @ scores[:-lag]
        meat += weight * (gamma + gamma.T)
    cov = bread @ meat @ bread
    return np.asarray(cov * (n / max(n - k, 1)), dtype=np.float64)


def ols(y: FloatArray, x: FloatArray, *, lags: int | None = None, df_extra: int = 0) -> LinearFit:
    """Least squares of y on the columns of x, with Newey-West errors over rows in time order.

    `lags` defaults to `newey_west_lags(n)`; 0 gives heteroskedasticity-robust (HC1) errors.
    """
    return _ols(y, x, lags=lags, df_extra=df_extra)[0]


def _ols(
    y: FloatArray, x: FloatArray, *, lags: int | None = None, df_extra: int = 0
) -> tuple[LinearFit, FloatArray, FloatArray]:
    """`ols`, with its (x'x)^+ and residuals (Prais-Winsten's classical error reuses them)."""
    n, k = x.shape
    bread = np.asarray(np.linalg.pinv(x.T @ x), dtype=np.float64)
    coef = bread @ (x.T @ y)
    resid = y - x @ coef
    used = newey_west_lags(n) if lags is None else lags
    cov = _hac_cov(x, resid, used, bread)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    fit = LinearFit(
        coef=coef,
        se=se,
        df=max(n - k - df_extra, 1),
        n=n,
        critical_scale=fixed_b_scale(used, n),
    )
    return fit, bread, resid


def ols_clustered(y: FloatArray, x: FloatArray, group: IntArray, *, absorbed: int = 0) -> LinearFit:
    """Least squares with errors clustered by `group` (e.g. the day), for within-day models.

    `absorbed` counts parameters removed before the fit (one per day for day fixed effects),
    which the degrees of freedom and the small-sample factor account for.
    """
    n, k = x.shape
    bread = np.linalg.pinv(x.T @ x)
    coef = bread @ (x.T @ y)
    resid = y - x @ coef
    size = int(group.max()) + 1 if group.size else 0
    sums = np.column_stack(
        [np.bincount(group, weights=x[:, j] * resid, minlength=size) for j in range(k)]
    )
    clusters = int(np.count_nonzero(np.bincount(group, minlength=size)))
    meat = sums.T @ sums
    factor = clusters / max(clusters - 1, 1) * (n - 1) / max(n - k - absorbed, 1)
    cov = bread @ meat @ bread * factor
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return LinearFit(coef=coef, se=se, df=max(clusters - 1, 1), n=n)


def prais_winsten(y: FloatArray, x: FloatArray, day: IntArray) -> LinearFit:
    """Feasible GLS for daily data with AR(1) errors; errors robust to what AR(1) leaves.

    rho comes from the OLS residuals of consecutive days; a row whose previous day is missing
    is scaled by sqrt(1 - rho^2), as the first row is. Removing the autocorrelation first makes
    the estimate efficient; the standard error is the larger of the Newey-West (HAC) and the
    classical GLS error, so the interval stays honest if AR(1) is not the whole story and in
    short series, where HAC errors run small. One degree of freedom is spent on rho.
    """
    coef = np.linalg.lstsq(x, y, rcond=None)[0]
    resid = y - x @ coef
    follows = np.r_[False, np.diff(day) == 1]
    prev = np.flatnonzero(follows)
    if prev.size > 2:
        a, b = resid[prev], resid[prev - 1]
        rho = float(np.clip((a @ b) / max(float(b @ b), 1e-12), -0.5, 0.95))
    else:
        rho = 0.0
    scale = np.where(follows, 1.0, math.sqrt(1.0 - rho * rho))
    y_star = y * scale
    x_star = x * scale[:, None]
    y_star[prev] = y[prev] - rho * y[prev - 1]
    x_star[prev] = x[prev] - rho * x[prev - 1]
    fit, bread, resid_star = _ols(y_star, x_star, df_extra=1)
    # Newey-West errors are biased low in short series (about 90 days), where the classical
    # GLS error is right if AR(1) holds; the larger of the two keeps the 95% interval at 95%
    # in both cases (see docs/calibration).
    n, k = x_star.shape
    classical = np.sqrt(
        np.clip(np.diag(bread) * (resid_star @ resid_star) / max(n - k, 1), 0, None)
    )
    return LinearFit(
        coef=fit.coef,
        se=np.maximum(fit.se, classical),
        df=fit.df,
        n=fit.n,
        rho=rho,
        critical_scale=fit.critical_scale,
    )


def prais_winsten_each(
    series: Sequence[tuple[FloatArray, FloatArray, IntArray]],
) -> list[LinearFit]:
    """`prais_winsten(y, x, day)` of each (y, x, day) in `series`, all with the same columns
    of x, computed together: the series are stacked, padded with rows of zeros that add
    nothing to any sum, and every step is one operation on the stack (a card's forty
    quarters of daily data took forty sets of small matrix calls).

    The same estimator step by step; the first fit solves the normal equations with their
    pseudo-inverse rather than least squares on x, which agrees to rounding.
    """
    if not series:
        return []
    count, width = len(series), series[0][1].shape[1]
    sizes = np.array([y.size for y, _, _ in series], dtype=np.int64)
    rows = int(sizes.max())
    y = np.zeros((count, rows))
    x = np.zeros((count, rows, width))
    follows = np.zeros((count, rows), dtype=np.bool_)
    for s, (ys, xs, day) in enumerate(series):
        y[s, : ys.size], x[s, : ys.size] = ys, xs
        follows[s, 1 : ys.size] = np.diff(day) == 1
    xt = x.transpose(0, 2, 1)
    coef = (np.linalg.pinv(xt @ x) @ (xt @ y[..., None]))[..., 0]
    resid = y - (x @ coef[..., None])[..., 0]
    a, b = resid[:, 1:] * follows[:, 1:], resid[:, :-1] * follows[:, 1:]
    pairs = follows.sum(axis=1)
    ratio = (a * b).sum(axis=1) / np.maximum((b * b).sum(axis=1), 1e-12)
    rho = np.where(pairs > 2, np.clip(ratio, -0.5, 0.95), 0.0)
    scale = np.where(follows, 1.0, np.sqrt(1.0 - rho * rho)[:, None])
    y_star, x_star = y * scale, x * scale[..., None]
    lagged = rho[:, None] * y[:, :-1]
    y_star[:, 1:] = np.where(follows[:, 1:], y[:, 1:] - lagged, y_star[:, 1:])
    x_lagged = rho[:, None, None] * x[:, :-1]
    x_star[:, 1:] = np.where(follows[:, 1:, None], x[:, 1:] - x_lagged, x_star[:, 1:])
    # Least squares on the transformed rows, with Newey-West errors (`ols`, df_extra=1).
    xt_star = x_star.transpose(0, 2, 1)
    bread = np.linalg.pinv(xt_star @ x_star)
    coef = (bread @ (xt_star @ y_star[..., None]))[..., 0]
    resid = y_star - (x_star @ coef[..., None])[..., 0]
    lags = np.array([newey_west_lags(int(n)) for n in sizes], dtype=np.int64)
    scores = x_star * resid[..., None]
    meat = scores.transpose(0, 2, 1) @ scores
    reach = np.minimum(lags, sizes - 1)  # the lags each series' sum runs to
    for lag in range(1, int(reach.max(initial=0)) + 1):
        weight = np.where(lag <= reach, 1.0 - lag / (lags + 1.0), 0.0)[:, None, None]
        gamma = scores[:, lag:].transpose(0, 2, 1) @ scores[:, :-lag]
        meat += weight * (gamma + gamma.transpose(0, 2, 1))
    small = (sizes / np.maximum(sizes - width, 1))[:, None, None]
    cov = bread @ meat @ bread * small
    diagonal = np.arange(width)
    hac = np.sqrt(np.clip(cov[:, diagonal, diagonal], 0.0, None))
    spread = (resid * resid).sum(axis=1) / np.maximum(sizes - width, 1)
    classical = np.sqrt(np.clip(bread[:, diagonal, diagonal] * spread[:, None], 0, None))
    se = np.maximum(hac, classical)
    return [
        LinearFit(
            coef=coef[s],
            se=se[s],
            df=max(int(n) - width - 1, 1),
            n=int(n),
            rho=float(rho[s]),
            critical_scale=fixed_b_scale(int(lags[s]), int(n)),
        )
        for s, n in enumerate(sizes)
    ]


def within(values: FloatArray, group: IntArray) -> FloatArray:
    """Values minus their group's mean (day fixed effects), for groups given as indices."""
    size = int(group.max()) + 1 if group.size else 0
    total = np.bincount(group, weights=values, minlength=size)
    count = np.bincount(group, minlength=size)
    return np.asarray(values - total[group] / count[group], dtype=np.float64)


def benjamini_hochberg(p_values: FloatArray) -> FloatArray:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order."""
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.clip(adjusted, 0.0, 1.0)
    return out


@lru_cache(maxsize=4)
def _upper(n: int) -> BoolArray:
    """The n x n mask of every pair (i < j), in the row-major order of `np.triu_indices`, made
    once per n. Read-only: shared between callers."""
    mask = np.triu(np.ones((n, n), dtype=np.bool_), k=1)
    mask.flags.writeable = False
    return mask


@dataclass(frozen=True, eq=False)  # arrays: compared by identity
class Pairs:
    """Every pair (i < j) of points whose x differ, with x[j] - x[i]: what the Theil-Sen fits
    of several series over the same x share (one card fits four series of the same weeks;
    ten years of weeks are 135,000 pairs). Made by `pairs_of`."""

    n: int
    dx: FloatArray
    distinct: BoolArray | None  # which pairs have differing x; None when all of them do

    def differences(self, y: FloatArray) -> FloatArray:
        """y[j] - y[i] over the pairs, in `dx`'s order: the difference of the whole row and
        column vectors, masked, which gives the same numbers in the same order as gathering
        y[j] and y[i] by index, as quickly, without holding two index arrays per size."""
        dy = (y[None, :] - y[:, None])[_upper(self.n)]
        return dy if self.distinct is None else dy[self.distinct]


def pairs_of(x: FloatArray) -> Pairs:
    """The pairs of `x` for `theil_sen` and `theil_sen_line` (pass it to fit series over the
    same x without making them again)."""
    n = x.size
    dx = (x[None, :] - x[:, None])[_upper(n)]
    distinct = dx != 0
    if distinct.all():  # distinct x (weeks): no pair to leave out, and no copy to make
        return Pairs(n=n, dx=dx, distinct=None)
    return Pairs(n=n, dx=dx[distinct], distinct=distinct)


#: Below this many values a partition of them all is as quick as narrowing them down first.
_FEW = 4096
#: One value in this many is sampled to estimate where the wanted ranks lie.
_STRIDE = 64


def _ranked(values: FloatArray, ranks: tuple[int, ...]) -> list[float]:
    """The values of these ranks (0 for the smallest) in `values`, which hold no NaN: what
    `np.partition(values, ranks)` has at those places.

    A partition of all 135,000 slopes of ten years of weeks, several times per card, was most
    of the card's cost. The ranks' values are first bracketed by a sorted sample (one value
    in `_STRIDE`; the bracket is widened by 3 sqrt(k) of the sample's k ranks, several
    standard errors of a sample quantile's rank); counting the values below the bracket and
    taking out those within it leaves a few thousand to partition. The ranks are then exact
    whatever the sample; only if the bracket misses one (the sample is not random) is
    everything partitioned.
    """
    m = values.size
    if m >= _FEW:
        sample = np.sort(values[::_STRIDE])
        k = sample.size
        margin = 3.0 * math.sqrt(k) + 1.0
        at = math.floor(min(ranks) / m * k - margin)
        to = math.ceil(max(ranks) / m * k + margin)
        low = sample[at] if at >= 0 else -np.inf
        high = sample[to] if to < k else np.inf
        below = int(np.count_nonzero(values < low))
        band = values[(values >= low) & (values <= high)]
        if below <= min(ranks) and max(ranks) < below + band.size:
            band.partition([r - below for r in ranks])
            return [float(band[r - below]) for r in ranks]
    part = np.partition(values, ranks)
    return [float(part[r]) for r in ranks]


def _median(values: FloatArray) -> float:
    """`np.median(values)`, with its middle values found by `_ranked`."""
    m = values.size
    if m == 0 or np.isnan(values).any():
        return float(np.median(values))  # NaN (and numpy's warning), as before
    if m % 2:
        return _ranked(values, (m // 2,))[0]
    below, above = _ranked(values, (m // 2 - 1, m // 2))
    return float((below + above) / 2.0)  # as np.mean of the two


def _line(x: FloatArray, y: FloatArray, slopes: FloatArray) -> tuple[float, float]:
    """The Theil-Sen line: the median pairwise slope, and the median intercept under it."""
    slope = _median(slopes)
    return slope, float(np.median(y - slope * x))


def theil_sen_line(x: FloatArray, y: FloatArray, pairs: Pairs | None = None) -> tuple[float, float]:
    """(slope, intercept) of `theil_sen(x, y)` alone, without its interval and test (for a
    series of which only the line is shown). `pairs`: `pairs_of(x)`, if already made."""
    over = pairs_of(x) if pairs is None else pairs
    return _line(x, y, over.differences(y) / over.dx)


@dataclass(frozen=True)
class TrendFit:
    """A Theil-Sen slope (units of y per unit of x) with its interval and effective n."""

    slope: float
    intercept: float
    low: float
    high: float
    n: int
    n_effective: float
    p_value: float


def theil_sen(x: FloatArray, y: FloatArray, pairs: Pairs | None = None) -> TrendFit:
    """Median of pairwise slopes, with Sen's interval widened for lag-1 autocorrelation.

    The interval's ranks come from the variance of Kendall's S, n(n-1)(2n+5)/18, multiplied
    by (1 + r) / (1 - r) for the lag-1 autocorrelation r of the detrended series (a standard
    variance-inflation correction for serially correlated data). `pairs`: `pairs_of(x)`, if
    already made.
    """
    n = x.size
    over = pairs_of(x) if pairs is None else pairs
    dy = over.differences(y)
    # Only three order statistics of the n(n-1)/2 slopes are needed (the median and the
    # interval's two ranks): selecting them is linear, sorting them all is not.
    slopes = dy / over.dx
    slope, intercept = _line(x, y, slopes)
    resid = y - intercept - slope * x
    centred = resid - resid.mean()
    denom = float(centred @ centred)
    r = float(centred[1:] @ centred[:-1]) / denom if denom > 0 and n > 2 else 0.0
    r = float(np.clip(r, 0.0, 0.9))  # only positive correlation widens; cap for stability
    inflation = (1.0 + r) / (1.0 - r)
    var_s = n * (n - 1) * (2 * n + 5) / 18.0 * inflation
    m = slopes.size
    half = Z95 * math.sqrt(var_s)
    lo_rank = int(np.clip(math.floor((m - half) / 2.0), 0, m - 1))
    hi_rank = int(np.clip(math.ceil((m + half) / 2.0), 0, m - 1))
    s_stat = float(np.sign(dy).sum())
    z = (abs(s_stat) - 1.0) / math.sqrt(var_s) if var_s > 0 else 0.0
    if m and not np.isnan(slopes).any():
        low, high = _ranked(slopes, (lo_rank, hi_rank))
    else:  # no pairs, or NaN slopes: as a partition of them all gives
        ranked = np.partition(slopes, (lo_rank, hi_rank)) if m else slopes
        low, high = float(ranked[lo_rank]), float(ranked[hi_rank])
    return TrendFit(
        slope=slope,
        intercept=intercept,
        low=low,
        high=high,
        n=n,
        n_effective=n / inflation,
        p_value=float(2.0 * special.ndtr(-max(z, 0.0))),  # stats.norm.sf(z)
    )
