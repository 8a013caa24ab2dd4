"""Practices, sleep and diet: their association with anxiety on the same day and the next day.

One regression of the daily mean anxiety on every factor at once (each practice on the day and
the day before, sleep hours on the day and the day before, regular meals and cups of caffeine
on the day and the day before, a linear time trend), with AR(1)
errors removed (Prais-Winsten) and Newey-West errors; Benjamini-Hochberg across all factors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mitra.insights.card import Insight, not_enough
from mitra.insights.daily import Prepared
from mitra.insights.regression import LinearFit, benjamini_hochberg, prais_winsten
from mitra.insights.sentences import factor_sentence

__all__ = ["MIN_DAYS", "MIN_DAYS_EACH", "FactorColumn", "factor_cards", "factor_design"]

FloatArray = npt.NDArray[np.float64]

#: Rated days before any factor is estimated, and days with and without a practice.
MIN_DAYS = 14
MIN_DAYS_EACH = 5
FALSE_DISCOVERY_RATE = 0.05

METHOD = (
    "Daily mean anxiety regressed on every practice (that day and the day before), hours of "
    "sleep (that night and the night before), regular meals and cups of caffeine (that day "
    "and the day before, when logged), a time trend and the estimated mg of "
    "mitragynine logged that day and the day before, all at once; first-order "
    "autocorrelation removed (Prais-Winsten), Newey-West standard errors, t-based 95% "
    "intervals; Benjamini-Hochberg across all {m} associations at a 5% false discovery rate."
)


@dataclass(frozen=True)
class FactorColumn:
    """A column of the design: a factor at a lag (0 = same day, 1 = next day)."""

    id: str
    factor: str  # practice kind, "sleep", "meals" or "caffeine"
    lag: int
    values: FloatArray


def _lagged(values: FloatArray, lag: int) -> FloatArray:
    if lag == 0:
        return values
    out = np.full(values.size, np.nan)
    out[lag:] = values[:-lag]
    return out


def factor_design(
    prep: Prepared, *, min_each: int = MIN_DAYS_EACH
) -> tuple[list[FactorColumn], dict[str, tuple[int, int]]]:
    """The factor columns with enough data, and (have, need) for those without."""
    columns: list[FactorColumn] = []
    short: dict[str, tuple[int, int]] = {}
    known = prep.checked_in
    for kind, done in prep.practice_days.items():
        with_days = int((done & known).sum())
        without = int((~done & known).sum())
        if min(with_days, without) < min_each:
            short[kind] = (min(with_days, without), min_each)
            continue
        daily = np.where(known, done.astype(np.float64), np.nan)
        for lag in (0, 1):
            columns.append(FactorColumn(_id(kind, lag), kind, lag, _lagged(daily, lag)))
    sleep_days = int(np.isfinite(prep.sleep_hours).sum())
    if sleep_days >= MIN_DAYS:
        centred = prep.sleep_hours - np.nanmean(prep.sleep_hours)
        for lag in (0, 1):
            columns.append(FactorColumn(_id("sleep", lag), "sleep", lag, _lagged(centred, lag)))
    elif prep.practice_days or sleep_days:
        short["sleep"] = (sleep_days, MIN_DAYS)
    _diet_columns(prep, columns, short, min_each)
    return columns, short


def _diet_columns(
    prep: Prepared,
    columns: list[FactorColumn],
    short: dict[str, tuple[int, int]],
    min_each: int,
) -> None:
    """Regular meals (yes or no, like a practice) and cups of caffeine (centred, like sleep).

    Only days on which the person said so count: a day without an answer is not a "no".
    """
    meals = prep.regular_meals
    if meals.size and np.isfinite(meals).any():
        yes, no = int((meals == 1).sum()), int((meals == 0).sum())
        if min(yes, no) >= min_each:
            for lag in (0, 1):
                columns.append(FactorColumn(_id("meals", lag), "meals", lag, _lagged(meals, lag)))
        else:
            short["meals"] = (min(yes, no), min_each)
    cups = prep.caffeine_cups
    if cups.size and np.isfinite(cups).any():
        days = int(np.isfinite(cups).sum())
        if days >= MIN_DAYS and float(np.nanstd(cups)) > 0:
            centred = cups - np.nanmean(cups)
            for lag in (0, 1):
                columns.append(
                    FactorColumn(_id("caffeine", lag), "caffeine", lag, _lagged(centred, lag))
                )
        else:
            short["caffeine"] = (min(days, MIN_DAYS - 1), MIN_DAYS)


_OWN_PREFIX = frozenset({"sleep", "meals", "caffeine"})
_NAMES = {"sleep": "Sleep", "meals": "Regular meals", "caffeine": "Caffeine"}


def _id(factor: str, lag: int) -> str:
    prefix = factor if factor in _OWN_PREFIX else f"practice.{factor}"
    return f"{prefix}.{'same_day' if lag == 0 else 'next_day'}"


def _title(factor: str, lag: int) -> str:
    when = "the same day" if lag == 0 else "the next day"
    name = _NAMES.get(factor, factor.capitalize())
    return f"{name} and anxiety {when}"


def _covariates(prep: Prepared) -> list[FloatArray]:
    """Columns every fit carries but does not test: intercept, time trend, kratom mg.

    The day's and the previous day's estimated mg of mitragynine absorb the swings that kratom
    days and days without kratom bring (relief, interdose withdrawal), which would otherwise
    blur the practice and sleep estimates; they are left out when no kratom is logged.
    """
    n = prep.n_days
    years = np.asarray((np.arange(n) - (n - 1) / 2.0) / 365.25, dtype=np.float64)
    out: list[FloatArray] = [np.ones(n), years]
    # Estimated mg of mitragynine, not grams: an extract's grams are not a leaf's grams.
    if prep.dose_day.size and np.std(prep.daily_mg) > 0:
        out += [prep.daily_mg, _lagged(prep.daily_mg, 1)]
    return out


def fit_factors(
    prep: Prepared, columns: list[FactorColumn]
) -> tuple[LinearFit, npt.NDArray[np.bool_]] | None:
    """The joint fit over complete days, or None when too few days are complete."""
    y = prep.daily_anxiety
    x = np.column_stack([*_covariates(prep), *[c.values for c in columns]])
    rows = np.isfinite(y) & np.all(np.isfinite(x), axis=1)
    if rows.sum() < max(MIN_DAYS, x.shape[1] + 3):
        return None
    day = np.flatnonzero(rows).astype(np.int64)
    return prais_winsten(y[rows], x[rows], day), rows


def _caveat(factor: str, others: list[str]) -> str:
    rest = ", ".join(o for o in others if o != factor)
    also = f" The estimate allows for the other factors logged ({rest})." if rest else ""
    if factor == "sleep":
        return (
            "An association, not proof of cause: anxiety can shorten sleep as much as sleep "
            "can raise anxiety, and stress, caffeine, alcohol or kratom timing can affect both."
            + also
        )
    if factor == "meals":
        return (
            "An association, not proof of cause: anxious days can take away appetite as much as "
            "skipped meals can raise anxiety, and busy or stressful days affect both." + also
        )
    if factor == "caffeine":
        return (
            "An association, not proof of cause: people often drink more coffee after a poor "
            "night or on demanding days, which can raise anxiety by themselves." + also
        )
    return (
        f"An association, not proof that {factor} caused it: days with {factor} may also "
        "differ in free time, stress, kratom use or how you felt to begin with (feeling "
        f"calmer can make {factor} easier)." + also
    )


def _chart(prep: Prepared, column: FactorColumn) -> dict[str, object]:
    y = prep.daily_anxiety
    v = column.values
    ok = np.isfinite(y) & np.isfinite(v)
    if column.factor in {"sleep", "caffeine"}:
        own = prep.sleep_hours if column.factor == "sleep" else prep.caffeine_cups
        key = "sleep_hours" if column.factor == "sleep" else "caffeine_cups"
        raw = own if column.lag == 0 else _lagged(own, 1)
        hours = np.round(raw[ok])
        points = []
        for h in np.unique(hours).tolist():
            sel = hours == h
            points.append(
                {key: h, "mean_anxiety": float(y[ok][sel].mean()), "days": int(sel.sum())}
            )
        return {"bins": points}
    on = ok & (v > 0.5)
    off = ok & (v < 0.5)
    return {
        "days_with": int(on.sum()),
        "days_without": int(off.sum()),
        "mean_anxiety_with": float(y[on].mean()) if on.any() else None,
        "mean_anxiety_without": float(y[off].mean()) if off.any() else None,
    }


_UNITS = {
    "sleep": "points per hour of sleep",
    "caffeine": "points per cup of caffeine",
    "meals": "points",
}


def factor_cards(prep: Prepared, *, min_days: int = MIN_DAYS) -> list[Insight]:
    """One card per factor and lag: practices, then sleep."""
    rated = int(np.isfinite(prep.daily_anxiety).sum())
    columns, short = factor_design(prep)
    m = len(columns)
    method = METHOD.format(m=m)
    cards: list[Insight] = []
    fitted = fit_factors(prep, columns) if columns and rated >= min_days else None
    names = sorted({c.factor for c in columns})
    if fitted is None:
        have = min(rated, min_days)
        for c in columns:
            cards.append(
                not_enough(
                    c.id,
                    _title(c.factor, c.lag),
                    have=have,
                    need=min_days,
                    what="days with an anxiety rating",
                    method=method,
                    caveat=_caveat(c.factor, names),
                )
            )
    else:
        fit, rows = fitted
        skip = fit.coef.size - m  # the covariates come first
        p_values = np.array([fit.p_value(j + skip) for j in range(m)])
        q_values = benjamini_hochberg(p_values)
        n = int(rows.sum())
        for j, c in enumerate(columns):
            est = float(fit.coef[j + skip])
            low, high = fit.interval(j + skip)
            hit = bool(q_values[j] < FALSE_DISCOVERY_RATE)
            cards.append(
                Insight(
                    id=c.id,
                    title=_title(c.factor, c.lag),
                    sentence=factor_sentence(
                        c.factor, c.lag, est=est, low=low, high=high, n=n, hit=hit
                    ),
                    status="shown",
                    method=method,
                    caveat=_caveat(c.factor, names),
                    n=n,
                    estimate=est,
                    interval=(low, high),
                    unit=_UNITS.get(c.factor, "points"),
                    detected=hit,
                    p_value=float(p_values[j]),
                    q_value=float(q_values[j]),
                    minimum=min_days,
                    data=_chart(prep, c),
                )
            )
    for factor, (have_days, need_days) in sorted(short.items()):
        for lag in (0, 1):
            what = {
                "sleep": "days of sleep logged",
                "caffeine": "days of caffeine logged",
                "meals": "days with and without regular meals",
            }.get(factor, f"days with and without {factor}")
            have, need = have_days, need_days
            if rated < min_days:  # the first thing missing is rated days
                have, need, what = rated, min_days, "days with an anxiety rating"
            cards.append(
                not_enough(
                    _id(factor, lag),
                    _title(factor, lag),
                    have=have,
                    need=need,
                    what=what,
                    method=method,
                    caveat=_caveat(factor, names),
                )
            )
    return cards
