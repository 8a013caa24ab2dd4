"""Exposure: 10,000 doses on a 5-minute grid over 5 years, against the best straightforward code.

Baselines, on the same input in the same process, with the default (two-compartment) model,
whose curve after one dose is a sum of three exponentials:

- the closed form summed dose by dose with numpy, each dose over the grid points within 20
  terminal half-lives after it (beyond that a dose adds less than 1e-6 of its peak);
- an exact recurrence: each dose put on the first grid point after it with its exact decay,
  then one `scipy.signal.lfilter` per exponential term;
- the floor: writing the output array once.

Run: python bench/bench_exposure.py
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from scipy.signal import lfilter

from mitra.pharmacology.exposure import TwoCompartment, concentration_nM, two_compartment

DOSES = 10_000
YEARS = 5
STEP_HOURS = 5.0 / 60.0
HALF_LIVES = 20


def schedule(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dose times (h), mg of mitragynine (1-5 g leaf at 19.48 mg/g) and the 5-minute grid (h)."""
    rng = np.random.default_rng(seed)
    horizon = YEARS * 365 * 24.0
    dose_hours = np.sort(rng.uniform(0.0, horizon - 48.0, DOSES))
    dose_mg = rng.uniform(1.0, 5.0, DOSES) * 19.48
    grid = np.arange(0.0, horizon, STEP_HOURS)
    return dose_hours, dose_mg, grid


def closed_form_sum(
    model: TwoCompartment, dose_hours: np.ndarray, dose_mg: np.ndarray, grid: np.ndarray
) -> np.ndarray:
    """Each dose's closed-form curve added over the grid points it still reaches (nmol/L)."""
    rates, coefs = model.rates, model.coefficients
    reach = HALF_LIVES * np.log(2) / rates.min()
    out = np.zeros(grid.size)
    lo = np.searchsorted(grid, dose_hours, side="right")
    hi = np.searchsorted(grid, dose_hours + reach, side="right")
    for t, mg, a, b in zip(dose_hours, dose_mg, lo, hi, strict=True):
        dt = grid[a:b] - t
        out[a:b] += mg * (coefs[:, None] * np.exp(-rates[:, None] * dt[None, :])).sum(axis=0)
    return out


def lfilter_recurrence(
    model: TwoCompartment, dose_hours: np.ndarray, dose_mg: np.ndarray, grid: np.ndarray
) -> np.ndarray:
    """The same sum as an exact first-order recurrence per exponential term (nmol/L).

    On a uniform grid, each term's dose sum S_i obeys S_i = e^{-k step} S_{i-1} + x_i, where
    x_i holds the doses since the previous point, each decayed exactly to grid point i.
    """
    step = float(grid[1] - grid[0])
    n = grid.size
    first = np.searchsorted(grid, dose_hours, side="right")  # C(0) = 0: a dose adds after it
    on = first < n
    out = np.zeros(n)
    for k, c in zip(model.rates, model.coefficients, strict=True):
        decayed = dose_mg[on] * np.exp(-k * (grid[first[on]] - dose_hours[on]))
        x = np.bincount(first[on], weights=decayed, minlength=n)
        out += c * lfilter([1.0], [1.0, -np.exp(-k * step)], x)
    return out


def floor(grid: np.ndarray) -> np.ndarray:
    """Writing an output array of the grid's size once: no method can do less."""
    out = np.empty(grid.size)
    out.fill(0.0)
    return out


def _best_ms(call: Any, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def measure() -> list[Any]:
    """The exposure rows of the benchmark table."""
    from table import Row  # bench/ is on the path when run from bench/run.py

    model = two_compartment()
    dose_hours, dose_mg, grid = schedule()
    concentration_nM(dose_hours[:10], dose_mg[:10], grid[:100], model)  # warm up
    ours = concentration_nM(dose_hours, dose_mg, grid, model)
    check = lfilter_recurrence(model, dose_hours, dose_mg, grid)
    rel = float(np.max(np.abs(ours - check)) / np.max(check))
    if rel > 1e-8:
        raise AssertionError(f"mitra and the recurrence differ by {rel:.1e} of the peak")
    mitra_ms = _best_ms(lambda: concentration_nM(dose_hours, dose_mg, grid, model))
    name = f"exposure, {DOSES} doses x {grid.size} points"
    return [
        Row(
            f"{name} vs lfilter",
            mitra_ms,
            _best_ms(lambda: lfilter_recurrence(model, dose_hours, dose_mg, grid)),
            "lfilter per term",
            max_ratio=1.0,
        ),
        Row(
            f"{name} vs closed-form sum",
            mitra_ms,
            _best_ms(lambda: closed_form_sum(model, dose_hours, dose_mg, grid), runs=1),
            "numpy, dose by dose",
        ),
        Row(
            f"{name} vs floor",
            mitra_ms,
            _best_ms(lambda: floor(grid)),
            "write the output",
            max_ratio=2.0,
        ),
    ]


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from table import format_table

    print(format_table(measure()))
