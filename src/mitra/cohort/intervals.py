"""Analytic 95% intervals for the cohort's figures (from counts and sums any engine returns)."""

from __future__ import annotations

import math

__all__ = ["Z95", "correlation_interval", "mean_interval", "wilson_interval"]

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


def wilson_interval(hits: int, n: int) -> tuple[float | None, float | None, float | None]:
    """A proportion with its Wilson score interval (Wilson 1927); Nones when n is 0."""
    if n <= 0:
        return None, None, None
    p = hits / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(
    mean: float | None, sd: float | None, n: int
) -> tuple[float | None, float | None, float | None]:
    """A mean with its normal-approximation interval (mean +/- 1.96 sd / sqrt(n))."""
    if mean is None or n <= 0 or mean != mean:  # noqa: PLR0124  NaN
        return None, None, None
    if sd is None or n < 2 or sd != sd:  # noqa: PLR0124
        return mean, None, None
    half = Z95 * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def correlation_interval(
    n: int, sums: tuple[float, float, float, float, float]
) -> tuple[float | None, float | None, float | None]:
    """Pearson's r from the sums of x, y, x², y² and xy, with the Fisher z interval (n > 3)."""
    sx, sy, sxx, syy, sxy = sums
    if n <= 3:
        return None, None, None
    vx, vy = n * sxx - sx * sx, n * syy - sy * sy
    if vx <= 0 or vy <= 0:
        return None, None, None
    r = max(-1.0, min(1.0, (n * sxy - sx * sy) / math.sqrt(vx * vy)))
    if abs(r) >= 1.0:
        return r, r, r
    z, half = math.atanh(r), Z95 / math.sqrt(n - 3)
    return r, math.tanh(z - half), math.tanh(z + half)
