"""Benchmark: every insight for a 5-year journal, against a pandas + statsmodels notebook version.

The journal (about 1,800 days, 5,500 doses, 6,000 ratings) comes straight from the simulation as
a Timeline, no database. The baseline computes the same things the way a notebook would: one
pandas frame per question, rows handled in Python (hours since the last dose per rating, the
concentration per rating summed dose by dose), and one statsmodels fit per factor. Both run
here, in the same process, on the same input; the figures they share are checked to agree.

Run: python bench/bench_insights.py
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from mitra.insights import analyse
from mitra.insights.regression import theil_sen
from mitra.pharmacology import one_compartment
from mitra.simulation import DEFAULT_PERSON, DoseSlot, KratomHabit, simulate
from mitra.timeline import Timeline

DAYS = 1800
TARGET_MS = 150.0
TARGET_SPEEDUP = 10.0

#: A person who logs often, with a slowly rising dose: about 3 doses and 3.3 ratings a day
#: (synthetic).
BUSY_PERSON = replace(
    DEFAULT_PERSON,
    kratom=replace(
        KratomHabit(),
        slots=(
            DoseSlot(8.5, 0.97),
            DoseSlot(13.5, 0.95),
            DoseSlot(19.0, 0.9),
            DoseSlot(22.0, 0.45),
        ),
        escalation_per_year=0.1,
    ),
    checkin_slots=(
        DoseSlot(7.5, 0.9),
        DoseSlot(11.0, 0.5),
        DoseSlot(15.0, 0.5),
        DoseSlot(19.0, 1.0),
        DoseSlot(22.5, 0.6),
    ),
)


def journal() -> tuple[Timeline, list[dict[str, Any]]]:
    """The 5-year synthetic journal and its GAD-7 responses."""
    sim = simulate(
        DAYS,
        BUSY_PERSON,
        seed=5,
        end=date(2025, 6, 30),
        now=datetime(2025, 7, 1, tzinfo=UTC),
        time_zone="Europe/Berlin",
    )
    return sim.timeline(), sim.responses()


def baseline(tl: Timeline, responses: list[dict[str, Any]]) -> dict[str, float]:  # noqa: PLR0915  a notebook is long by nature
    """The same insights, notebook style: pandas frames, Python loops, one fit per factor."""
    from mitra.instruments import change, score

    zone = tl.clock.zone
    shift = pd.Timedelta(hours=tl.clock.boundary_hour)
    model = one_compartment()
    ka, ke = model.ka_per_hour, model.ke_per_hour
    to_nm = 1e6 / (model.volume_L * model.molar_mass_g_per_mol)

    def local_day(seconds: np.ndarray) -> pd.Series:
        stamps = pd.to_datetime(seconds, unit="s", utc=True).tz_convert(zone)
        return pd.Series((stamps.tz_localize(None) - shift).normalize())

    ratings = pd.DataFrame({"t": tl.checkin_time, "anxiety": tl.anxiety, "sleep": tl.sleep_hours})
    ratings["day"] = local_day(tl.checkin_time).to_numpy()
    doses = pd.DataFrame({"t": tl.dose_time, "grams": tl.dose_grams, "mg": tl.dose_mg_mitragynine})
    doses["day"] = local_day(tl.dose_time).to_numpy()
    practices = pd.DataFrame({"t": tl.practice_time, "kind": list(tl.practice_kind)})
    practices["day"] = local_day(tl.practice_time).to_numpy()
    all_days = pd.date_range(pd.Timestamp(tl.first), pd.Timestamp(tl.last), freq="D")

    # Per rating, row by row: the last dose before it and the concentration from every dose.
    hours_since, last_grams, conc = [], [], []
    dose_rows = list(doses.itertuples())
    for row in ratings.itertuples():
        before = [d for d in dose_rows if d.t <= row.t]
        if before:
            hours_since.append((row.t - before[-1].t) / 3600.0)
            last_grams.append(before[-1].grams)
        else:
            hours_since.append(math.nan)
            last_grams.append(math.nan)
        total = 0.0
        for d in before:
            dt = (row.t - d.t) / 3600.0
            total += d.mg * ka / (ka - ke) * (math.exp(-ke * dt) - math.exp(-ka * dt))
        conc.append(total * to_nm)
    ratings["hours"] = hours_since
    ratings["grams"] = last_grams
    ratings["nM"] = conc

    daily = ratings.groupby("day").agg(anxiety=("anxiety", "mean"), sleep=("sleep", "first"))
    daily = daily.reindex(all_days)
    daily["checked"] = ratings.groupby("day").size().reindex(all_days).notna()
    daily["grams"] = doses.groupby("day")["grams"].sum().reindex(all_days).fillna(0.0)
    daily["grams_prev"] = daily["grams"].shift(1)
    daily["years"] = (np.arange(len(daily)) - (len(daily) - 1) / 2.0) / 365.25
    daily["sleep_c"] = daily["sleep"] - daily["sleep"].mean()
    daily["sleep_prev"] = daily["sleep_c"].shift(1)
    factor_cols = []
    for kind, group in practices.groupby("kind"):
        done = pd.Series(1.0, index=group["day"].unique()).reindex(all_days).fillna(0.0)
        daily[kind] = done.where(daily["checked"])
        daily[f"{kind}_prev"] = daily[kind].shift(1)
        factor_cols += [kind, f"{kind}_prev"]
    factor_cols += ["sleep_c", "sleep_prev"]
    covariates = ["years", "grams", "grams_prev"]
    out: dict[str, float] = {}
    p_values = []
    frame = daily.dropna(subset=["anxiety", *covariates, *factor_cols])
    day_no = np.array([(d - all_days[0]).days for d in frame.index])
    for col in factor_cols:  # one model fit per factor, as a notebook cell per question would
        x = sm.add_constant(frame[[*covariates, *factor_cols]])
        first = sm.OLS(frame["anxiety"], x).fit()
        resid = first.resid.to_numpy()
        follows = np.r_[False, np.diff(day_no) == 1]
        prev = np.flatnonzero(follows)
        rho = float(
            np.clip(resid[prev] @ resid[prev - 1] / (resid[prev - 1] @ resid[prev - 1]), -0.5, 0.95)
        )
        scale = np.where(follows, 1.0, math.sqrt(1 - rho * rho))
        ys = frame["anxiety"].to_numpy() * scale
        xs = x.to_numpy() * scale[:, None]
        ys[prev] = frame["anxiety"].to_numpy()[prev] - rho * frame["anxiety"].to_numpy()[prev - 1]
        xs[prev] = x.to_numpy()[prev] - rho * x.to_numpy()[prev - 1]
        fit = sm.OLS(ys, xs).fit(
            cov_type="HAC", cov_kwds={"maxlags": int(4 * (len(ys) / 100) ** (2 / 9))}
        )
        j = 1 + len(covariates) + factor_cols.index(col)
        out[col] = float(fit.params[j])
        p_values.append(float(fit.pvalues[j]))
    sm.stats.multipletests(p_values, method="fdr_bh")

    # Rolling anxiety, weekly dose trend, within-day withdrawal, dose-response, tolerance.
    daily["anxiety"].rolling(7, min_periods=4).mean()
    daily["anxiety"].rolling(28, min_periods=14).mean()
    weeks = len(daily) // 7
    weekly = daily["grams"].iloc[: weeks * 7].groupby(np.arange(weeks * 7) // 7).sum()
    out["dose_trend"] = float(theil_sen(np.arange(weeks, dtype=float), weekly.to_numpy()).slope * 4)
    near = ratings[ratings["hours"] <= 36].copy()
    near = near[near.groupby("day")["t"].transform("size") >= 2]
    for col in ("anxiety", "hours", "nM"):
        near[f"{col}_w"] = near[col] - near.groupby("day")[col].transform("mean")
    fit_h = sm.OLS(near["anxiety_w"], near[["hours_w"]]).fit(
        cov_type="cluster", cov_kwds={"groups": near["day"].factorize()[0]}
    )
    out["withdrawal_hours"] = float(fit_h.params.iloc[0]) * 6
    sm.OLS(near["anxiety_w"], near[["nM_w"]]).fit(
        cov_type="cluster", cov_kwds={"groups": near["day"].factorize()[0]}
    )
    after = ratings[(ratings["hours"] >= 0.5) & (ratings["hours"] <= 6)]
    x = sm.add_constant(np.column_stack([after["grams"] - after["grams"].mean(), after["hours"]]))
    out["dose_response"] = float(
        sm.OLS(after["anxiety"].to_numpy(), x)
        .fit(cov_type="HAC", cov_kwds={"maxlags": 4})
        .params[1]
    )
    daily["nM"] = ratings.groupby("day")["nM"].mean().reindex(all_days) / 10
    tol = daily.dropna(subset=["anxiety", "nM"])
    x = sm.add_constant(np.column_stack([tol["years"], tol["nM"], tol["nM"] * tol["years"]]))
    sm.OLS(tol["anxiety"].to_numpy(), x).fit(cov_type="HAC", cov_kwds={"maxlags": 7})
    for r in responses:
        score("GAD-7", r["answers"])
    if len(responses) >= 2:
        change(
            "GAD-7",
            score("GAD-7", responses[0]["answers"]).total,
            score("GAD-7", responses[-1]["answers"]).total,
        )
    return out


def main() -> dict[str, float]:
    """Run both, print the times and the ratio, and return them."""
    tl, responses = journal()
    print(
        f"journal: {tl.n_days} days, {tl.dose_time.size} doses, "
        f"{int(np.isfinite(tl.anxiety).sum())} ratings, {tl.practice_time.size} practices"
    )
    analyse(tl)  # warm up imports and caches
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        report = analyse(tl)
        runs.append(time.perf_counter() - started)
    ours_ms = min(runs) * 1000
    started = time.perf_counter()
    base = baseline(tl, responses)
    base_ms = (time.perf_counter() - started) * 1000
    checks = {
        "practice.mindfulness.same_day": base["mindfulness"],
        "sleep.same_day": base["sleep_c"],
        "kratom.withdrawal_hours": base["withdrawal_hours"],
        "kratom.dose_trend": base["dose_trend"],
    }
    for card_id, expected in checks.items():
        got = report.card(card_id).estimate
        agree = got is not None and abs(got - expected) <= 1e-6 * max(1.0, abs(expected))
        print(
            f"  {card_id}: mitra {got:.6f}, baseline {expected:.6f} "
            f"({'agree' if agree else 'DIFFER'})"
        )
    ratio = base_ms / ours_ms
    print(f"insights: {ours_ms:.1f} ms (target < {TARGET_MS:.0f} ms)")
    print(f"baseline (pandas + statsmodels): {base_ms:.0f} ms")
    print(f"speed-up: {ratio:.0f}x (target >= {TARGET_SPEEDUP:.0f}x)")
    return {"insights_ms": ours_ms, "baseline_ms": base_ms, "speedup": ratio}


if __name__ == "__main__":
    main()
