"""Kratom in the journal: dose trend, the interdose-withdrawal signature, dose and anxiety, and
whether the association with concentration shrinks over months (tolerance).

Doses count in estimated mg of mitragynine (the Timeline's figures: a lab figure, else the
literature's typical content for the product's form); grams appear for leaf products only.
Concentrations come from the exposure curve's own function (`daily.concentration_at`) over the
doses with a content figure; unlogged doses and the model's uncertainty blur every estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from mitra.insights.card import Insight, Kept, not_enough, remembered, remembered_each
from mitra.insights.daily import Prepared
from mitra.insights.regression import (
    ols,
    ols_clustered,
    pairs_of,
    prais_winsten,
    prais_winsten_each,
    theil_sen,
    theil_sen_line,
    within,
)
from mitra.insights.sentences import (
    concentration_sentence,
    dose_response_sentence,
    hours_sentence,
    tolerance_sentence,
)
from mitra.wording import figure, plural, signed

__all__ = [
    "MAX_HOURS",
    "MIN_DAYS_WITHIN",
    "MIN_TOLERANCE_DAYS",
    "MIN_WEEKS",
    "dose_response_card",
    "dose_trend_card",
    "tolerance_card",
    "withdrawal_cards",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MIN_WEEKS = 8
MIN_DAYS_WITHIN = 14  # days with two or more ratings after a logged dose
MIN_AFTER_DOSE = 20  # ratings 0.5-6 hours after a dose
MIN_TOLERANCE_DAYS = 180
MAX_HOURS = 36.0  # beyond this a "time since dose" is a gap, not an interdose interval
HOURS_PER_STEP = 6.0
NM_PER_STEP = 10.0
MG_PER_STEP = 10.0  # mg of mitragynine: about what 0.5-1 g of typical leaf holds
WEEKS_PER_MONTH = 4.0
ALPHA = 0.05

_NOT_CAUSAL = "An association in your journal, not proof of cause."


@dataclass(frozen=True)
class _Weeks:
    """Complete local weeks (Monday to Sunday) with any entry: their index and kratom totals;
    week 0 starts `skip` days after the timeline's first day (on its first Monday)."""

    skip: int
    index: IntArray
    mg: FloatArray  # estimated mg of mitragynine (central)
    mg_low: FloatArray
    mg_high: FloatArray
    grams_leaf: FloatArray  # leaf products only
    doses: IntArray
    without_content: IntArray  # doses with no mitragynine figure or estimate


def _weekly(prep: Prepared) -> _Weeks:
    """Each complete local week (Monday to Sunday, as the plan's goals, the escalation rule and
    the clinician's Trends count weeks) with any entry, with its estimated mg, leaf grams and
    doses. The days before the first Monday are part of a week, left out as the week in
    progress is: the report and the Trends page then give the same weeks."""
    skip = (7 - prep.timeline.first.weekday()) % 7
    weeks = max(0, prep.n_days - skip) // 7
    days = weeks * 7

    def per_week(daily: FloatArray) -> FloatArray:
        return np.asarray(daily[skip : skip + days].reshape(weeks, 7).sum(axis=1), dtype=np.float64)

    in_weeks = (prep.dose_day >= skip) & (prep.dose_day < skip + days)
    dose_week = (prep.dose_day[in_weeks] - skip) // 7
    doses = np.bincount(dose_week, minlength=weeks)[:weeks]
    without = np.bincount(dose_week[~prep.dose_has_content[in_weeks]], minlength=weeks)[:weeks]
    active = prep.checked_in[skip : skip + days].reshape(weeks, 7).any(axis=1) | (doses > 0)
    index = np.flatnonzero(active).astype(np.int64)
    return _Weeks(
        skip=skip,
        index=index,
        mg=per_week(prep.daily_mg)[index],
        mg_low=per_week(prep.daily_mg_low)[index],
        mg_high=per_week(prep.daily_mg_high)[index],
        grams_leaf=per_week(prep.daily_grams_leaf)[index],
        doses=doses[index].astype(np.int64),
        without_content=without[index].astype(np.int64),
    )


def _uncounted(n: int) -> str:
    """The sentence about doses whose content cannot be estimated, or nothing."""
    if n == 0:
        return ""
    return (
        f" {n} dose{'s' if n != 1 else ''} "
        "(an extract, a shot or a 7-OH product without a lab figure) "
        f"{'have' if n != 1 else 'has'} no mitragynine estimate and {'are' if n != 1 else 'is'} "
        "not in these totals."
    )


def dose_trend_card(prep: Prepared, kept: Kept | None = None) -> Insight:
    """Weekly estimated mg of mitragynine: a Theil-Sen trend allowing for autocorrelation.

    The card reads only the weekly totals and the first day: with `kept`, a journal whose
    weeks did not change (a check-in on a week already counted) gives the card made before.
    """
    w = _weekly(prep)
    first = prep.timeline.first
    inputs = (first, *(getattr(w, f.name) for f in fields(w)))
    monday = first + timedelta(days=w.skip)
    return remembered(kept, "kratom.dose_trend", inputs, lambda: _dose_trend(w, monday))


def _dose_trend(w: _Weeks, first: date) -> Insight:
    method = (
        "Theil-Sen slope of the estimated mg of mitragynine per complete week, Monday to Sunday "
        "(weeks with no "
        "entry left out), with Sen's 95% interval widened for week-to-week correlation; "
        "escalation is reported when the whole interval lies above flat. Each dose's mg comes "
        "from its product's lab figure, else the literature's typical content for its form "
        "(the content range gives the low and high totals)."
    )
    caveat = (
        "Only logged doses count. Without a lab figure a product's mitragynine is a typical "
        "content from the literature, and products vary several-fold. Grams are shown for leaf "
        "products only: an extract's or a 7-OH product's grams are not grams of leaf."
    )
    # Each week's first day as ISO text, all in one numpy call (a date per week was a fifth
    # of the card's cost over ten years).
    week_starts = (np.datetime64(first, "D") + w.index * 7).astype(str).tolist()
    series = [
        {
            "week_start": start,
            "mg_mitragynine": float(m),
            "mg_low": float(lo),
            "mg_high": float(hi),
            "grams_leaf": float(g),
            "doses": int(d),
            "doses_without_content": int(u),
        }
        for start, m, lo, hi, g, d, u in zip(
            week_starts,
            w.mg.tolist(),
            w.mg_low.tolist(),
            w.mg_high.tolist(),
            w.grams_leaf.tolist(),
            w.doses.tolist(),
            w.without_content.tolist(),
            strict=True,
        )
    ]
    without = int(w.without_content.sum())
    title = "Kratom dose trend"
    data: dict[str, Any] = {"weekly": series, "doses_without_content": without}
    if w.index.size < MIN_WEEKS or not w.doses.any():
        return not_enough(
            "kratom.dose_trend",
            title,
            have=int(w.index.size),
            need=MIN_WEEKS,
            what="complete weeks",
            method=method,
            caveat=caveat,
            data=data,
        )
    if not (w.mg > 0).any():
        return not_enough(
            "kratom.dose_trend",
            title,
            have=0,
            need=int(w.doses.sum()),
            what="doses with a mitragynine figure or estimate (add the products' lab figures)",
            method=method,
            caveat=caveat,
            data=data,
        )
    x = w.index.astype(np.float64)
    pairs = pairs_of(x)  # the same weeks' pairs for every series
    fit = theil_sen(x, w.mg, pairs)
    # The content range's lines are drawn, never tested: their slope and intercept suffice.
    fit_low = theil_sen_line(x, w.mg_low, pairs)
    fit_high = theil_sen_line(x, w.mg_high, pairs)
    per_month = WEEKS_PER_MONTH
    est, low, high = fit.slope * per_month, fit.low * per_month, fit.high * per_month

    def level(line: tuple[float, float], week: float) -> float:
        slope, intercept = line
        return float(intercept + slope * week)

    central = (fit.slope, fit.intercept)
    start, end = level(central, x[0]), level(central, x[-1])
    # Three lines fitted apart can cross (a robust fit of the low totals may end above the
    # central one): the range at each end spans all three, so it always holds the central.
    at_start = [level(line, x[0]) for line in (fit_low, central, fit_high)]
    at_end = [level(line, x[-1]) for line in (fit_low, central, fit_high)]
    ranges = {
        "start_low": min(at_start),
        "start_high": max(at_start),
        "end_low": min(at_end),
        "end_high": max(at_end),
    }
    if low > 0:
        verdict = "That is a rise: the weekly total is escalating."
    elif high < 0:
        verdict = "That is a fall: the weekly total is going down."
    else:
        verdict = "That is not clearly different from flat."
    change = (
        "stayed about the same"
        if float(figure(abs(est), 0)) == 0.0
        else f"{'rose' if est > 0 else 'fell'} by about {figure(abs(est), 0)} mg a week each month"
    )

    def mg(value: float) -> str:
        # A line drawn down a taper can end below zero; no week holds less than none.
        return figure(max(value, 0.0), 0)

    sentence = (
        f"Your weekly kratom total, in estimated mg of mitragynine, {change} (95% interval "
        f"{signed(low, 0)} to {signed(high, 0)} mg a week per month), from about "
        f"{mg(start)} mg (content range {mg(ranges['start_low'])}-{mg(ranges['start_high'])}) "
        f"to {mg(end)} mg ({mg(ranges['end_low'])}-{mg(ranges['end_high'])}) a week over "
        f"{plural(int(w.index.size), 'week')}. {verdict}"
    )
    if w.grams_leaf.any():
        leaf = theil_sen_line(x, w.grams_leaf, pairs)
        sentence += (
            f" Leaf products alone: about {figure(level(leaf, x[0]), 0)} g to "
            f"{figure(level(leaf, x[-1]), 0)} g of leaf a week."
        )
    sentence += _uncounted(without)
    return Insight(
        id="kratom.dose_trend",
        title=title,
        sentence=sentence,
        status="shown",
        method=method,
        caveat=caveat,
        n=int(w.index.size),
        estimate=est,
        interval=(low, high),
        unit="mg of mitragynine per week, per month",
        detected=bool(low > 0),
        p_value=fit.p_value,
        minimum=MIN_WEEKS,
        data={
            **data,
            "trend": {
                "start_mg": start,
                "end_mg": end,
                **{f"{k.split('_')[0]}_mg_{k.split('_')[1]}": v for k, v in ranges.items()},
                "n_effective": fit.n_effective,
            },
        },
    )


def _within_rows(prep: Prepared) -> tuple[npt.NDArray[np.bool_], int]:
    """Ratings within MAX_HOURS of a logged dose, on days with two or more of them."""
    ok = np.isfinite(prep.hours_since_dose) & (prep.hours_since_dose <= MAX_HOURS)
    per_day = np.bincount(prep.rating_day[ok], minlength=prep.n_days)
    ok &= per_day[prep.rating_day] >= 2
    return ok, int(np.count_nonzero(per_day >= 2))


def _bins(x: FloatArray, y: FloatArray, edges: FloatArray, name: str) -> list[dict[str, object]]:
    which = np.digitize(x, edges) - 1
    out: list[dict[str, object]] = []
    for b in range(edges.size - 1):
        sel = which == b
        if sel.any():
            out.append(
                {
                    name: float((edges[b] + edges[b + 1]) / 2.0),
                    "mean_anxiety": float(y[sel].mean()),
                    "n": int(sel.sum()),
                }
            )
    return out


def withdrawal_cards(prep: Prepared) -> list[Insight]:
    """Within-day anxiety against hours since the last dose and against concentration."""
    rows, days = _within_rows(prep)
    hours = prep.hours_since_dose[rows]
    conc = prep.concentration_nM[rows]
    y = prep.rating[rows]
    day = prep.rating_day[rows]
    _, group = np.unique(day, return_inverse=True)
    group = group.astype(np.int64)
    caveat = (
        f"{_NOT_CAUSAL} A rise with time since a dose fits interdose withdrawal, but relief "
        "wearing off, the time of day, meals, sleep and work also change through a day, and "
        "unlogged doses blur the timing."
    )
    hours_method = (
        "Anxiety ratings within a day (day fixed effects) regressed on hours since the last "
        f"logged dose (up to {MAX_HOURS:.0f} h); errors clustered by day; two-sided test at 5%."
    )
    conc_method = (
        "Anxiety ratings within a day (day fixed effects) regressed on the estimated "
        "mitragynine concentration (the exposure curve's model over the logged doses with a "
        "mitragynine figure or estimate); errors "
        "clustered by day; two-sided test at 5%."
    )
    hours_recent = prep.hours_since_dose[rows][-500:]
    points = [
        {"hours_since_dose": float(h), "nM": float(c), "anxiety": float(a)}
        for h, c, a in zip(
            hours_recent.tolist(), conc[-500:].tolist(), y[-500:].tolist(), strict=True
        )
    ]
    hours_data: dict[str, object] = {
        "points": points,
        "bins": _bins(hours, y, np.arange(0.0, MAX_HOURS + 1.0, 3.0), "hours_since_dose"),
    }
    if days < MIN_DAYS_WITHIN:
        kw = {
            "have": days,
            "need": MIN_DAYS_WITHIN,
            "what": "days with two or more ratings after a logged dose",
            "caveat": caveat,
        }
        return [
            not_enough(
                "kratom.withdrawal_hours",
                "Anxiety and time since the last dose",
                method=hours_method,
                data=hours_data,
                **kw,  # type: ignore[arg-type]
            ),
            not_enough(
                "kratom.withdrawal_concentration",
                "Anxiety and estimated concentration",
                method=conc_method,
                **kw,  # type: ignore[arg-type]
            ),
        ]
    yw = within(y, group)
    fit_h = ols_clustered(yw, within(hours, group)[:, None], group, absorbed=days)
    est_h = float(fit_h.coef[0]) * HOURS_PER_STEP
    low_h, high_h = (v * HOURS_PER_STEP for v in fit_h.interval(0))
    p_h = fit_h.p_value(0)
    hit_h = bool(est_h > 0 and p_h < ALPHA)
    sentence_h = hours_sentence(
        est_h, low_h, high_h, hours=HOURS_PER_STEP, ratings=int(y.size), days=days, hit=hit_h
    )
    hours_card = Insight(
        id="kratom.withdrawal_hours",
        title="Anxiety and time since the last dose",
        sentence=sentence_h,
        status="shown",
        method=hours_method,
        caveat=caveat,
        n=int(y.size),
        estimate=est_h,
        interval=(low_h, high_h),
        unit=f"points per {HOURS_PER_STEP:.0f} hours",
        detected=hit_h,
        p_value=p_h,
        minimum=MIN_DAYS_WITHIN,
        data={**hours_data, "days": days},
    )
    fit_c = ols_clustered(yw, within(conc / NM_PER_STEP, group)[:, None], group, absorbed=days)
    est_c = float(fit_c.coef[0])
    low_c, high_c = fit_c.interval(0)
    p_c = fit_c.p_value(0)
    hit_c = bool(est_c < 0 and p_c < ALPHA)
    # Said per 10 nmol/L more, the direction of the estimate itself, so the words and the
    # figure shown beside them agree in sign.
    sentence_c = concentration_sentence(est_c, low_c, high_c, nm=NM_PER_STEP, hit=hit_c)
    conc_card = Insight(
        id="kratom.withdrawal_concentration",
        title="Anxiety and estimated concentration",
        sentence=sentence_c,
        status="shown",
        method=conc_method,
        caveat=caveat
        + " The concentration is a model estimate from study averages, not a measurement.",
        n=int(y.size),
        estimate=est_c,
        interval=(low_c, high_c),
        unit=f"points per {NM_PER_STEP:.0f} nmol/L",
        detected=hit_c,
        p_value=p_c,
        minimum=MIN_DAYS_WITHIN,
        data={
            "bins": _bins(
                conc, y, np.linspace(0.0, max(float(conc.max()), 1.0) * 1.0001, 11), "nM"
            ),
            "days": days,
        },
    )
    return [hours_card, conc_card]


def dose_response_card(prep: Prepared) -> Insight:
    """Anxiety 0.5-6 hours after a dose against that dose's estimated mg of mitragynine."""
    title = "Anxiety after larger and smaller doses"
    method = (
        "Ratings 0.5-6 hours after a logged dose regressed on that dose's estimated mg of "
        "mitragynine and the hours since it; Newey-West errors over ratings in time order; a "
        "rise is reported when the slope is above zero in a two-sided test at 5%."
    )
    caveat = (
        f"{_NOT_CAUSAL} On harder days people may take more, which makes larger doses look "
        "linked to more anxiety; other substances, sleep and the product's real strength "
        "(a typical content is assumed without a lab figure) also vary."
    )
    hours = prep.hours_since_dose
    after = np.isfinite(hours) & (hours >= 0.5) & (hours <= 6.0)
    rows = after & np.isfinite(prep.last_dose_mg)
    without = int((after & ~np.isfinite(prep.last_dose_mg)).sum())
    mg = prep.last_dose_mg[rows]
    y = prep.rating[rows]
    n = int(rows.sum())
    top = max(float(mg.max()) if n else MG_PER_STEP, MG_PER_STEP)
    bins = _bins(mg, y, np.arange(0.0, top + MG_PER_STEP, MG_PER_STEP), "mg_mitragynine")
    data: dict[str, Any] = {"bins": bins, "ratings_after_doses_without_content": without}
    if n < MIN_AFTER_DOSE or float(np.std(mg)) == 0.0:
        return not_enough(
            "kratom.dose_response",
            title,
            have=min(n, MIN_AFTER_DOSE - 1) if n >= MIN_AFTER_DOSE else n,
            need=MIN_AFTER_DOSE,
            what="ratings 0.5-6 hours after a dose of differing size",
            method=method,
            caveat=caveat,
            data=data,
        )
    x = np.column_stack([np.ones(n), (mg - mg.mean()) / MG_PER_STEP, hours[rows]])
    fit = ols(y, x)
    est = float(fit.coef[1])
    low, high = fit.interval(1)
    p = fit.p_value(1)
    hit = bool(est > 0 and p < ALPHA)
    sentence = dose_response_sentence(est, low, high, mg=MG_PER_STEP, ratings=n, hit=hit)
    if without:
        sentence += (
            f" {without} rating{'s' if without != 1 else ''} after a dose with no mitragynine "
            "estimate (an extract, a shot or a 7-OH product without a lab figure) "
            f"{'are' if without != 1 else 'is'} left out."
        )
    return Insight(
        id="kratom.dose_response",
        title=title,
        sentence=sentence,
        status="shown",
        method=method,
        caveat=caveat,
        n=n,
        estimate=est,
        interval=(low, high),
        unit=f"points per {MG_PER_STEP:.0f} mg of mitragynine",
        detected=hit,
        p_value=p,
        minimum=MIN_AFTER_DOSE,
        data=data,
    )


def _quarter_slopes(
    quarters: Sequence[tuple[FloatArray, FloatArray, IntArray]],
) -> list[tuple[float, float, float]]:
    """Each quarter's slope of anxiety on concentration, with its 95% interval, from its
    (anxiety, concentration, day) rows: the quarters are fitted together."""
    fits = prais_winsten_each(
        [
            (y, np.column_stack([np.ones(day.size), conc - conc.mean()]), day)
            for y, conc, day in quarters
        ]
    )
    return [(float(f.coef[1]), *f.interval(1)) for f in fits]


def tolerance_card(prep: Prepared, kept: Kept | None = None) -> Insight:
    """Whether the day-level association of concentration with anxiety shrinks over time.

    With `kept`, a quarter whose days did not change (every quarter but the one a new entry
    falls in) gives the slope fitted before.
    """
    title = "Whether the association with kratom is shrinking"
    method = (
        "Daily mean anxiety regressed on the day's mean estimated mitragynine concentration "
        "(the exposure curve's model over each dose's estimated mg), time, and "
        "their product (the change in the association per year); first-order autocorrelation "
        "removed (Prais-Winsten), Newey-West errors; two-sided test at 5%. Quarterly slopes "
        "are shown for the chart."
    )
    caveat = (
        f"{_NOT_CAUSAL} Lower anxiety at higher concentrations that fades over months fits "
        "tolerance, but changes in life, treatment, products or dosing habits over the same "
        "months can do the same. Doses with no mitragynine estimate (an extract or a shot "
        "without a lab figure) are not in the concentration."
    )
    n_days = prep.n_days
    count = np.bincount(prep.rating_day, minlength=n_days)[:n_days]
    total = np.bincount(prep.rating_day, weights=prep.concentration_nM, minlength=n_days)[:n_days]
    with np.errstate(invalid="ignore", divide="ignore"):
        conc = np.where(count > 0, total / np.maximum(count, 1), np.nan) / NM_PER_STEP
    y = prep.daily_anxiety
    first_dose = int(prep.dose_day.min()) if prep.dose_day.size else n_days
    rows = np.isfinite(y) & np.isfinite(conc) & (np.arange(n_days) >= first_dose)
    have = int(rows.sum())
    starts: list[int] = []
    inputs: list[tuple[FloatArray, FloatArray, IntArray]] = []
    for start in range(first_dose, n_days, 91):
        day = (start + np.flatnonzero(rows[start : start + 91])).astype(np.int64)
        if day.size >= 30 and np.std(conc[day]) > 0:
            starts.append(start)
            inputs.append((y[day], conc[day], day))
    slopes = remembered_each(kept, "kratom.tolerance.quarter", inputs, _quarter_slopes)
    quarters: list[dict[str, object]] = [
        {
            "start": (prep.timeline.first + timedelta(days=start)).isoformat(),
            "slope": slope_q,
            "low": lo,
            "high": hi,
            "days": int(day.size),
        }
        for start, (_, _, day), (slope_q, lo, hi) in zip(starts, inputs, slopes, strict=True)
    ]
    if have < MIN_TOLERANCE_DAYS:
        return not_enough(
            "kratom.tolerance",
            title,
            have=have,
            need=MIN_TOLERANCE_DAYS,
            what="rated days since the first logged dose",
            method=method,
            caveat=caveat,
            data={"quarters": quarters},
        )
    day = np.flatnonzero(rows).astype(np.int64)
    years = (day - day.mean()) / 365.25
    c = conc[rows] - conc[rows].mean()
    x = np.column_stack([np.ones(day.size), years, c, c * years])
    fit = prais_winsten(y[rows], x, day)
    slope = float(fit.coef[2])
    est = float(fit.coef[3])
    low, high = fit.interval(3)
    p = fit.p_value(3)
    hit = bool(slope < 0 and est > 0 and p < ALPHA)
    sentence = tolerance_sentence(slope, est, low, high, nm=NM_PER_STEP, days=have, hit=hit)
    return Insight(
        id="kratom.tolerance",
        title=title,
        sentence=sentence,
        status="shown",
        method=method,
        caveat=caveat,
        n=have,
        estimate=est,
        interval=(low, high),
        unit=f"points per {NM_PER_STEP:.0f} nmol/L, per year",
        detected=hit,
        p_value=p,
        minimum=MIN_TOLERANCE_DAYS,
        data={"quarters": quarters, "average_slope": slope},
    )
