"""Benchmark: exposure for 10,000 doses on a 5-minute grid over 5 years, against solve_ivp.

The baseline integrates the same one-compartment model (gut and central amounts) with scipy's
`solve_ivp`, dose by dose: from each dose to the next, evaluating the grid points in between,
then adding the next dose to the gut. Both run here, in the same process, on the same input.

Run: python bench/bench_exposure.py [--subset N]   (N doses for the baseline, scaled; default all)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.integrate import solve_ivp

from mitra.pharmacology.exposure import OneCompartment, concentration_nM, one_compartment

DOSES = 10_000
YEARS = 5
STEP_HOURS = 5.0 / 60.0
TARGET_MS = 100.0
TARGET_SPEEDUP = 100.0


def schedule(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dose times (h), mg of mitragynine (1-5 g leaf at 19.48 mg/g) and the 5-minute grid (h)."""
    rng = np.random.default_rng(seed)
    horizon = YEARS * 365 * 24.0
    dose_hours = np.sort(rng.uniform(0.0, horizon - 48.0, DOSES))
    dose_mg = rng.uniform(1.0, 5.0, DOSES) * 19.48
    grid = np.arange(0.0, horizon, STEP_HOURS)
    return dose_hours, dose_mg, grid


def baseline(
    model: OneCompartment, dose_hours: np.ndarray, dose_mg: np.ndarray, grid: np.ndarray
) -> np.ndarray:
    """The same model integrated with solve_ivp between consecutive doses (nmol/L on the grid)."""
    ka, ke = model.ka_per_hour, model.ke_per_hour
    to_nm = 1e6 / (model.volume_L * model.molar_mass_g_per_mol)

    def rates(_t: float, y: np.ndarray) -> np.ndarray:
        return np.array([-ka * y[0], ka * y[0] - ke * y[1]])

    out = np.zeros(grid.size)
    state = np.zeros(2)
    ends = np.append(dose_hours[1:], grid[-1] + STEP_HOURS)
    for begin, finish, mg in zip(dose_hours, ends, dose_mg, strict=True):
        state = state + np.array([mg, 0.0])
        if finish <= begin:  # two doses at the same moment
            continue
        lo, hi = np.searchsorted(grid, [begin, finish], side="left")
        # Evaluate the grid points in [begin, finish) and the end, which carries the state on.
        sol = solve_ivp(
            rates,
            (begin, finish),
            state,
            method="LSODA",
            t_eval=np.append(grid[lo:hi], finish),
            rtol=1e-10,
            atol=1e-12,
        )
        out[lo:hi] = sol.y[1, :-1] * to_nm
        state = sol.y[:, -1]
    return out


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark, print its figures and return them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=DOSES, help="doses for the baseline")
    args = parser.parse_args(argv)

    model = one_compartment()
    dose_hours, dose_mg, grid = schedule()
    concentration_nM(dose_hours[:10], dose_mg[:10], grid[:100], model)  # warm up imports

    runs = []
    for _ in range(5):
        began = time.perf_counter()
        fast = concentration_nM(dose_hours, dose_mg, grid, model)
        runs.append(time.perf_counter() - began)
    fast_s = min(runs)

    n = min(args.subset, DOSES)
    cut = dose_hours[n] if n < DOSES else grid[-1] + STEP_HOURS
    sub_grid = grid[grid < cut]
    began = time.perf_counter()
    slow = baseline(model, dose_hours[:n], dose_mg[:n], sub_grid)
    slow_s = (time.perf_counter() - began) * (DOSES / n)

    reference = slow
    ours = fast[: sub_grid.size]
    meaningful = reference > 1e-6 * reference.max()
    rel = float(np.max(np.abs(ours[meaningful] - reference[meaningful]) / reference[meaningful]))
    scaled = "" if n == DOSES else f" (run on the first {n} doses, scaled by {DOSES / n:.1f})"
    print(f"exposure: {DOSES} doses, {grid.size} grid points (5 min over {YEARS} years)")
    print(f"  superposition (numpy, O(doses + grid)): {fast_s * 1e3:9.1f} ms  (best of 5)")
    print(f"  solve_ivp dose by dose (LSODA):          {slow_s * 1e3:9.1f} ms{scaled}")
    print(f"  speed-up: {slow_s / fast_s:,.0f}x   largest relative difference: {rel:.2e}")
    ok = fast_s * 1e3 < TARGET_MS and slow_s / fast_s >= TARGET_SPEEDUP
    print(
        f"  target (< {TARGET_MS:.0f} ms and >= {TARGET_SPEEDUP:.0f}x): {'met' if ok else 'MISSED'}"
    )
    return {
        "fast_ms": fast_s * 1e3,
        "baseline_ms": slow_s * 1e3,
        "speedup": slow_s / fast_s,
        "max_relative_difference": rel,
    }


if __name__ == "__main__":
    main()
