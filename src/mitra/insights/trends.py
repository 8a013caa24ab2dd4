"""Trends: anxiety's rolling means, and the GAD-7's history with bands and reliable change."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from mitra.insights.card import Insight, Kept, not_enough, remembered
from mitra.insights.daily import Prepared
from mitra.insights.regression import ols
from mitra.instruments import change, instrument
from mitra.timeline import Timeline
from mitra.wording import figure, plural

__all__ = ["MIN_RATED_DAYS", "WINDOW_DAYS", "anxiety_trend_card", "gad7_card", "rolling_mean"]

FloatArray = npt.NDArray[np.float64]

MIN_RATED_DAYS = 14
WINDOW_DAYS = 28


def rolling_mean(values: FloatArray, window: int, *, min_count: int = 1) -> FloatArray:
    """Trailing mean over `window` days, ignoring NaN; NaN with fewer than `min_count` values."""
    ok = np.isfinite(values)
    total = np.r_[0.0, np.cumsum(np.where(ok, values, 0.0))]
    count = np.r_[0, np.cumsum(ok)]
    hi = np.arange(1, values.size + 1)
    lo = np.maximum(hi - window, 0)
    n = count[hi] - count[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (total[hi] - total[lo]) / n
    return np.asarray(np.where(n >= min_count, mean, np.nan), dtype=np.float64)


def _json(values: FloatArray) -> list[float | None]:
    """Each day's figure to three places as round() gives it, None for a day without one.

    Rounded by numpy for the whole column at once (ten years are 3,650 days a series, three
    series a card), then tolist() hands over Python floats in one call. numpy rounds x * 1000,
    which can land a figure that lies just off a tie on it and round it the other way (a
    28-day mean of 4.9875 read as 4.988): the few within reach of a tie are rounded again by
    round(), from the figure's exact value.
    """
    out: list[float | None] = np.round(values, 3).tolist()
    with np.errstate(invalid="ignore"):
        scaled = values * 1000.0
        near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    for day in np.flatnonzero(near_tie).tolist():
        out[day] = round(float(values[day]), 3)
    for day in np.flatnonzero(~np.isfinite(values)).tolist():
        out[day] = None
    return out


def anxiety_trend_card(prep: Prepared) -> Insight:
    """The mean of the last 28 days with an interval, against the 28 days before."""
    y = prep.daily_anxiety
    rated = int(np.isfinite(y).sum())
    method = (
        "Mean of daily mean anxiety over the last 28 days, with a Newey-West 95% interval; "
        "7- and 28-day trailing means for the chart."
    )
    caveat = (
        "A trend describes what happened, not why: seasons, events, treatment and kratom use "
        "can all move it."
    )
    days = prep.timeline.days.astype(str).tolist()  # ISO dates, as date.isoformat() says them
    data = {
        "days": days,
        "daily": _json(y),
        "mean_7": _json(rolling_mean(y, 7, min_count=4)),
        "mean_28": _json(rolling_mean(y, WINDOW_DAYS, min_count=14)),
    }
    title = "Anxiety over time"
    if rated < MIN_RATED_DAYS:
        return not_enough(
            "anxiety.trend",
            title,
            have=rated,
            need=MIN_RATED_DAYS,
            what="days with an anxiety rating",
            method=method,
            caveat=caveat,
            data=data,
        )
    recent = y[-WINDOW_DAYS:]
    recent = recent[np.isfinite(recent)]
    fit = ols(recent, np.ones((recent.size, 1)))
    est = float(fit.coef[0])
    low, high = fit.interval(0)
    before = y[-2 * WINDOW_DAYS : -WINDOW_DAYS] if prep.n_days > WINDOW_DAYS else y[:0]
    before = before[np.isfinite(before)]
    # The window before is as long as the journal allows (a journal of six weeks has two).
    days_before = min(WINDOW_DAYS, max(prep.n_days - WINDOW_DAYS, 0))
    compare = (
        f", against {figure(float(before.mean()))} in the {plural(days_before, 'day')} before"
        if before.size >= MIN_RATED_DAYS
        else ""
    )
    # A journal younger than the window is averaged over the days it has, and says so.
    span = "28 days" if prep.n_days >= WINDOW_DAYS else plural(prep.n_days, "day")
    sentence = (
        f"Over the last {span} your anxiety averaged {figure(est)} out of 10 (95% interval "
        f"{figure(low)} to {figure(high)}, {plural(int(recent.size), 'day')}){compare}."
    )
    return Insight(
        id="anxiety.trend",
        title=title,
        sentence=sentence,
        status="shown",
        method=method,
        caveat=caveat,
        n=int(recent.size),
        estimate=est,
        interval=(low, high),
        unit="points (0-10)",
        level=True,
        minimum=MIN_RATED_DAYS,
        data={**data, "previous_mean": float(before.mean()) if before.size else None},
    )


def _gad7_totals(timeline: Timeline) -> list[tuple[datetime, int, str]]:
    """(time, total, band label) of each GAD-7 response in the timeline, in time order: the
    total and band the journal stored when the response was scored, as every other face shows
    them."""
    labels = {band.id: band.label for band in instrument("GAD-7").bands}
    out = [
        (datetime.fromtimestamp(at, UTC), int(total), labels.get(band, ""))
        for name, at, total, band in zip(
            timeline.response_instrument,
            timeline.response_time.tolist(),
            timeline.response_total.tolist(),
            timeline.response_band,
            strict=True,
        )
        if name.upper() == "GAD-7"
    ]
    out.sort(key=lambda row: row[0])
    return out


def gad7_card(timeline: Timeline, kept: Kept | None = None) -> Insight:
    """GAD-7 totals with their bands, and reliable change from the first to the latest.

    The card reads only the questionnaire responses: with `kept`, a journal whose responses
    did not change (a dose or a check-in was logged) gives the card made before.
    """
    inputs = (
        timeline.response_instrument,
        timeline.response_time,
        timeline.response_total,
        timeline.response_band,
    )
    return remembered(kept, "gad7.history", inputs, lambda: _gad7_card(timeline))


def _gad7_card(timeline: Timeline) -> Insight:
    method = (
        "GAD-7 totals and bands (Spitzer 2006); change from the first to the latest response "
        "against the minimal clinically important difference and the reliable change threshold "
        "(Toussaint 2020; Bischoff 2020)."
    )
    caveat = (
        "A questionnaire, not a diagnosis. A change that reaches the reliable-change threshold "
        "is unlikely to be measurement noise alone; it does not say what caused it."
    )
    rows = _gad7_totals(timeline)
    history = [{"at": at.isoformat(), "total": total, "band": band} for at, total, band in rows]
    title = "GAD-7 over time"
    if len(rows) < 2:
        return not_enough(
            "gad7.history",
            title,
            have=len(rows),
            need=2,
            what="GAD-7 questionnaires",
            method=method,
            caveat=caveat,
            data={"history": history},
        )
    first, latest = rows[0], rows[-1]
    delta = change("GAD-7", first[1], latest[1])
    reliable = bool(delta.meets_reliable_change)
    points = abs(int(delta.difference))
    moved = f"{points} point{'s' if points != 1 else ''}"
    threshold = f" of {delta.reliable_change} points" if delta.reliable_change is not None else ""
    if delta.direction == "no change":
        what = "no change"
    elif reliable:
        what = f"a reliable {delta.direction} of {moved}"
    else:
        what = (
            f"a change of {moved} ({delta.direction}), smaller than the reliable-change "
            f"threshold{threshold}"
        )
    sentence = (
        f"Your latest GAD-7 total is {latest[1]} ({latest[2].lower() or 'no band'}), against "
        f"{first[1]} at the first of {len(rows)} questionnaires: {what}."
    )
    return Insight(
        id="gad7.history",
        title=title,
        sentence=sentence,
        status="shown",
        method=method,
        caveat=caveat,
        n=len(rows),
        estimate=float(delta.difference),
        interval=None,
        unit="GAD-7 points (0-21)",
        detected=reliable,
        minimum=2,
        data={"history": history, "change": delta.as_dict()},
    )
