"""Pages and writes on a 10-year journal, measured the way a person meets them.

Run in its own process per journal (`bench/run.py` does): one data folder, one database.

- Today right after a write (a check-in posted through the API, then GET /), against a bare
  view returning the same number of bytes through the same middleware.
- A write with its alert refresh (POST /api/v1/checkins, POST /api/v1/doses), against the
  same POST with the refresh left out.
- Insights right after a write and when nothing changed (the page and one card's JSON), and
  the insights read against a vectorised pandas + statsmodels version with one fit, both
  starting from the database.

Journals: "demo" is `mitra demo --days 3650`; "daily" is a person with a dose and a check-in
every day for ten years.

Run: python bench/bench_journal.py demo|daily DATA_DIR [--make]   (--make: only make the journal)
"""

from __future__ import annotations

import json
import math
import os
import sys
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from table import Row, median_ms

DAYS = 3650
RUNS = 15
_size = {"bytes": 0}


def bare(request: object) -> object:
    """The baseline of a page: the same number of bytes, nothing computed."""
    from django.http import HttpResponse

    return HttpResponse(b"x" * _size["bytes"], content_type="text/html")


def setup(kind: str, data_dir: str) -> Any:
    """Django on `data_dir`, with the journal made on first use; returns the person."""
    os.environ["MITRA_DATA_DIR"] = data_dir
    os.environ.pop("MITRA_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitra.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from mitra.journal import services

    call_command("migrate", interactive=False, verbosity=0)
    person = services.get_person()
    if person is not None:
        return person
    person = services.set_up_person({"time_zone": "Europe/Berlin"})
    if kind == "demo":
        from mitra.journal.demo import load_demo

        load_demo(person, days=DAYS, seed=1)
    else:
        _daily_user(person)
    return services.get_person()


def _daily_user(person: Any) -> None:
    """A dose at about 8:00 and a check-in at about 20:00 every day for `DAYS` days."""
    from django.db import transaction

    from mitra.journal import services
    from mitra.journal.models import CheckIn, Dose

    product = services.add_product(person, {"name": "Green powder", "mitragynine_mg_per_g": 15})
    now = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    doses, checkins = [], []
    for d in range(DAYS, 0, -1):
        dose = Dose(
            person=person,
            product=product,
            taken_at=now - timedelta(days=d, minutes=(d * 37) % 90),
            amount=3.0 + (d % 5) * 0.25,
            unit="g",
        )
        services.normalise_into(dose, product)
        doses.append(dose)
        checkins.append(
            CheckIn(person=person, at=now - timedelta(days=d) + timedelta(hours=12), anxiety=d % 7)
        )
    with transaction.atomic():
        Dose.objects.bulk_create(doses, batch_size=1000)
        CheckIn.objects.bulk_create(checkins, batch_size=1000)
        services.refresh_after_commit(person)


def _urls() -> Any:
    from types import ModuleType

    from django.urls import include, path

    urlconf = ModuleType("bench_urls")
    urlconf.urlpatterns = [path("bench/bare", bare), path("", include("mitra.web.urls"))]  # type: ignore[attr-defined]
    return urlconf


def measure(kind: str, data_dir: str) -> list[Row]:
    """This journal's rows of the benchmark table."""
    person = setup(kind, data_dir)
    from django.test import Client
    from django.test.utils import override_settings

    from mitra.journal import services
    from mitra.journal.models import Product

    product = Product.objects.filter(person=person).order_by("pk").first()
    assert product is not None
    client = Client()
    minutes = count(1)

    def moment() -> str:
        # Each write a little earlier than now, so none lands after the reads' "now".
        return (datetime.now(UTC) - timedelta(minutes=next(minutes) % 600)).isoformat()

    posted: list[tuple[Any, int]] = []

    def post(path: str, body: dict[str, Any], remove: Any) -> None:
        answer = client.post(path, json.dumps(body), content_type="application/json")
        assert answer.status_code == 201, (answer.status_code, answer.content[:300])
        posted.append((remove, int(answer.json()["id"])))

    def checkin() -> None:
        post(
            "/api/v1/checkins",
            {"anxiety": 4, "at": moment(), "note": "bench"},
            services.delete_checkin,
        )

    def dose() -> None:
        post(
            "/api/v1/doses",
            # Confirmed: a demo day's own doses plus the bench's can reach the highest dose
            # band, whose question would refuse the write the bench times.
            {"product_id": product.pk, "amount": 0.5, "taken_at": moment(), "confirm": True},
            services.delete_dose,
        )

    def tidy() -> None:
        """Delete what the last measurement posted (untimed), so today stays a normal day."""
        while posted:
            remove, entry_id = posted.pop()
            remove(person, entry_id)

    label = {"demo": "10-year demo", "daily": "10-year daily user"}[kind]
    rows = []
    with override_settings(ROOT_URLCONF=_urls()):
        first = client.get("/")
        assert first.status_code == 200, first.status_code
        _size["bytes"] = len(first.content)
        bare_ms = median_ms(lambda: client.get("/bench/bare"), RUNS)

        def today_after(write: Any) -> float:
            write()
            took = median_ms(lambda: client.get("/"), 1)
            tidy()
            return took

        for name, write in (("check-in", checkin), ("dose", dose)):
            samples = sorted(today_after(write) for _ in range(RUNS))
            rows.append(
                Row(
                    f"Today after a {name} ({label})",
                    samples[len(samples) // 2],
                    bare_ms,
                    "bare view, same bytes",
                    limit=60,
                )
            )

        # A write with its alert refresh, against the same write without the refresh.
        writes = {"check-in": checkin, "dose": dose}
        for name, write in writes.items():
            with_refresh = median_ms(write, RUNS)
            tidy()
            original = services.refresh_after_commit
            services.refresh_after_commit = lambda person, event=None: None  # type: ignore[assignment]
            try:
                without = median_ms(write, RUNS)
            finally:
                services.refresh_after_commit = original
            tidy()
            rows.append(
                Row(
                    f"POST a {name}, alert refresh included ({label})",
                    with_refresh,
                    without,
                    "the POST without refresh",
                    limit=40,
                )
            )

        def page_after_write(path: str) -> float:
            checkin()
            took = median_ms(lambda: client.get(path), 1)
            tidy()
            return took

        card = "practice.mindfulness.same_day"
        client.get(f"/insights/{card}.json")
        for name, path in (("Insights page", "/insights"), ("one card", f"/insights/{card}.json")):
            after = sorted(page_after_write(path) for _ in range(5))[2]
            client.get(path)
            unchanged = median_ms(lambda p=path: client.get(p), RUNS)  # type: ignore[misc]
            rows.append(Row(f"{name} after a write ({label})", after, None, "", limit=80))
            rows.append(Row(f"{name}, nothing changed ({label})", unchanged, None, "", limit=20))

    # The insights read from the database, against the fair vectorised baseline.
    ours = median_ms(lambda: _cold_insights(person), 3)
    theirs = median_ms(lambda: fair_baseline(person), 3)
    rows.append(
        Row(
            f"insights read, from the database ({label})",
            ours,
            theirs,
            "pandas + statsmodels, one fit",
            max_ratio=0.2,
        )
    )
    return rows


def _cold_insights(person: Any) -> Any:
    """The insights read with nothing cached (as after a write)."""
    from mitra.reads import insights as insight_reads

    try:
        from mitra.reads import cache
    except ImportError:  # a version of mitra without read caches
        return insight_reads.insights(person)
    cache.clear()
    return insight_reads.insights(person)


def _rows(sql: str, *params: object) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def fair_baseline(person: Any) -> dict[str, float]:
    """The insights a competent analyst would compute, vectorised, with one model fit.

    Reads the rows with SQL, converts times with pandas, finds each rating's last dose with
    `searchsorted`, its concentration from the exposure recurrence on a 5-minute grid, and
    fits practices and sleep together in one autocorrelation-corrected fit; then the trend of
    weekly doses (Theil-Sen), the within-day withdrawal slope and a dose-response fit.
    """
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm
    from scipy.stats import theilslopes

    from bench_exposure import lfilter_recurrence
    from mitra.pharmacology.exposure import two_compartment

    pid = person.pk
    live = "person_id = %s AND deleted_at IS NULL"
    zone = person.time_zone
    shift = pd.Timedelta(hours=person.day_boundary_hour)

    def frame(sql: str, columns: list[str]) -> pd.DataFrame:
        table = pd.DataFrame(_rows(sql, pid), columns=columns)
        table["t"] = pd.to_datetime(table["t"], utc=True, format="ISO8601")
        table["day"] = (table["t"].dt.tz_convert(zone).dt.tz_localize(None) - shift).dt.normalize()
        table["s"] = table["t"].astype("int64") / 1e9
        return table

    doses = frame(
        f"SELECT taken_at, grams, mg_mitragynine FROM journal_dose WHERE {live} ORDER BY taken_at",
        ["t", "grams", "mg"],
    )
    ratings = frame(
        f"SELECT at, anxiety, sleep_hours FROM journal_checkin WHERE {live} ORDER BY at",
        ["t", "anxiety", "sleep"],
    )
    practices = frame(
        f"SELECT at, kind FROM journal_practice WHERE {live} ORDER BY at", ["t", "kind"]
    )
    ratings["anxiety"] = ratings["anxiety"].astype(float)
    ratings["sleep"] = ratings["sleep"].astype(float)
    doses["mg"] = doses["mg"].astype(float).fillna(doses["grams"] * 19.48)
    all_days = pd.date_range(ratings["day"].min(), ratings["day"].max(), freq="D")

    last = np.searchsorted(doses["s"].to_numpy(), ratings["s"].to_numpy(), side="right") - 1
    has = last >= 0
    ratings["hours"] = np.where(
        has, (ratings["s"].to_numpy() - doses["s"].to_numpy()[np.maximum(last, 0)]) / 3600, np.nan
    )
    ratings["grams"] = np.where(has, doses["grams"].to_numpy()[np.maximum(last, 0)], np.nan)
    origin = float(doses["s"].min()) if len(doses) else 0.0
    grid = np.arange(0.0, (ratings["s"].max() - origin) / 3600 + 1, 5 / 60)
    curve = lfilter_recurrence(
        two_compartment(), (doses["s"].to_numpy() - origin) / 3600, doses["mg"].to_numpy(), grid
    )
    ratings["nM"] = np.interp((ratings["s"].to_numpy() - origin) / 3600, grid, curve)

    daily = ratings.groupby("day").agg(anxiety=("anxiety", "mean"), sleep=("sleep", "first"))
    daily = daily.reindex(all_days)
    checked = daily["anxiety"].notna()
    daily["grams"] = doses.groupby("day")["grams"].sum().reindex(all_days).fillna(0.0)
    daily["grams_prev"] = daily["grams"].shift(1)
    daily["years"] = (np.arange(len(daily)) - (len(daily) - 1) / 2.0) / 365.25
    daily["sleep_c"] = daily["sleep"] - daily["sleep"].mean()
    daily["sleep_prev"] = daily["sleep_c"].shift(1)
    done = pd.crosstab(practices["day"], practices["kind"]).clip(upper=1).reindex(all_days)
    factors = []
    for kind in done.columns:
        daily[kind] = done[kind].fillna(0.0).where(checked)
        daily[f"{kind}_prev"] = daily[kind].shift(1)
        factors += [kind, f"{kind}_prev"]
    if daily["sleep"].notna().any():
        factors += ["sleep_c", "sleep_prev"]
    covariates = ["years", "grams", "grams_prev"]
    out: dict[str, float] = {}
    data = daily.dropna(subset=["anxiety", *covariates, *factors])
    x = sm.add_constant(data[[*covariates, *factors]].to_numpy())
    y = data["anxiety"].to_numpy()
    first = sm.OLS(y, x).fit()
    day_no = np.array([(d - all_days[0]).days for d in data.index])
    follows = np.r_[False, np.diff(day_no) == 1]
    prev = np.flatnonzero(follows)
    resid = first.resid
    rho = float(
        np.clip(resid[prev] @ resid[prev - 1] / (resid[prev - 1] @ resid[prev - 1]), -0.5, 0.95)
    )
    ys, xs = y * np.where(follows, 1.0, math.sqrt(1 - rho * rho)), x.copy()
    ys[prev] = y[prev] - rho * y[prev - 1]
    xs[prev] = x[prev] - rho * x[prev - 1]
    fit = sm.OLS(ys, xs).fit(
        cov_type="HAC", cov_kwds={"maxlags": int(4 * (len(ys) / 100) ** (2 / 9))}
    )
    for j, name in enumerate(factors):
        out[name] = float(fit.params[1 + len(covariates) + j])
    sm.stats.multipletests(fit.pvalues[1 + len(covariates) :], method="fdr_bh")

    daily["anxiety"].rolling(7, min_periods=4).mean()
    weeks = len(daily) // 7
    weekly = daily["grams"].iloc[: weeks * 7].to_numpy().reshape(weeks, 7).sum(axis=1)
    out["dose_trend"] = float(theilslopes(weekly, np.arange(weeks, dtype=float))[0] * 4)
    near = ratings[ratings["hours"] <= 36].copy()
    near = near[near.groupby("day")["t"].transform("size") >= 2]
    for col in ("anxiety", "hours", "nM"):
        near[f"{col}_w"] = near[col] - near.groupby("day")[col].transform("mean")
    groups = near["day"].factorize()[0]
    if len(near) > 2:
        out["withdrawal_hours"] = float(
            sm.OLS(near["anxiety_w"], near[["hours_w"]])
            .fit(cov_type="cluster", cov_kwds={"groups": groups})
            .params.iloc[0]
        )
    after = ratings[(ratings["hours"] >= 0.5) & (ratings["hours"] <= 6)]
    if len(after) > 3:
        xa = sm.add_constant(
            np.column_stack([after["grams"] - after["grams"].mean(), after["hours"]])
        )
        sm.OLS(after["anxiety"].to_numpy(), xa).fit(cov_type="HAC", cov_kwds={"maxlags": 4})
    return out


if __name__ == "__main__":
    if sys.argv[3:] == ["--make"]:  # only make the journal (for the terminal's benchmarks)
        setup(sys.argv[1], sys.argv[2])
        sys.exit(0)
    for row in measure(sys.argv[1], sys.argv[2]):
        print("ROW " + row.to_json(), flush=True)
