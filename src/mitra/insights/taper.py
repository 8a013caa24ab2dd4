"""The taper and the journal: anxiety and SOWS step by step, and practices during it against before.

The taper's steps as lived (holds and steps back applied) come in from `mitra.reads.insights`
as `TaperPeriods`: the day each step took effect. Everything here is pure: arrays in, cards out.
Each figure is an association in the person's own journal, never a claim about what the
taper or a step did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

# scipy.special's functions are what scipy.stats' t and normal distributions compute, without
# importing scipy.stats (about half a second of a cold `mitra report`).
from scipy import special

from mitra.insights.card import Insight, not_enough
from mitra.insights.daily import Prepared
from mitra.timeline import Timeline

__all__ = [
    "MIN_DAYS",
    "MIN_PRACTICE_DAYS",
    "MIN_SOWS",
    "TaperPeriods",
    "period_of_days",
    "taper_cards",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Rated days for a period's mean anxiety, SOWS answers for its mean SOWS, and checked-in days
#: before and during the taper for a practice's comparison.
MIN_DAYS = 5
MIN_SOWS = 3
MIN_PRACTICE_DAYS = 7

CAVEAT = (
    "An association in your own journal over time: other things change during a taper too "
    "(season, stress, expectations), and days next to each other are alike, so the intervals "
    "are, if anything, too narrow."
)


@dataclass(frozen=True)
class TaperPeriods:
    """The taper's steps as lived: `changes` holds (first day, step number) each time the step
    in effect changed, in day order (step 0 is the starting amount, held on the first days when
    the schedule says so); `labels` names each step ("7.2 g a day") by number."""

    starts: date
    changes: tuple[tuple[date, int], ...]
    labels: dict[int, str]


def period_of_days(timeline: Timeline, taper: TaperPeriods) -> IntArray:
    """Per day of the timeline: -1 before the taper, else the step in effect that day."""
    out = np.full(timeline.n_days, -1, dtype=np.int64)
    for first, step in taper.changes:
        k = (first - timeline.first).days
        if k < timeline.n_days:
            out[max(k, 0) :] = step
    return out


def _mean_interval(values: FloatArray) -> tuple[float, float, float]:
    """The mean with a t-based 95% interval (NaNs when fewer than two values)."""
    n = values.size
    if n < 2:
        return (float(values.mean()) if n else math.nan, math.nan, math.nan)
    mean = float(values.mean())
    half = float(special.stdtrit(n - 1, 0.975) * values.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


def _welch(a: FloatArray, b: FloatArray) -> tuple[float, float, float, float]:
    """b minus a: the difference in means, its 95% interval (Welch) and p-value."""
    diff = float(b.mean() - a.mean())
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff, 1.0 if diff == 0 else 0.0
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = float(special.stdtrit(df, 0.975) * se)
    p = float(2 * special.stdtr(df, -abs(diff) / se))
    return diff, diff - half, diff + half, p


def _rounded(x: float) -> float | None:
    return None if not math.isfinite(x) else round(x, 2)


def _rows(
    values: FloatArray, period: IntArray, taper: TaperPeriods, minimum: int
) -> list[dict[str, object]]:
    """One row per period (before, then each step in order): n, and mean with its interval."""
    rows: list[dict[str, object]] = []
    for step in [-1, *sorted({s for _, s in taper.changes})]:
        chosen = values[period == step]
        n = int(chosen.size)
        mean, low, high = _mean_interval(chosen) if n >= minimum else (math.nan,) * 3
        rows.append(
            {
                "period": "before" if step < 0 else f"step {step}",
                "step": None if step < 0 else step,
                "label": "before the taper" if step < 0 else taper.labels.get(step, ""),
                "n": n,
                "mean": _rounded(mean),
                "low": _rounded(low),
                "high": _rounded(high),
                "enough": n >= minimum,
            }
        )
    return rows


def _step_text(row: dict[str, Any], minimum: int, counted: str) -> str:
    """One step's mean with its interval, or (a step begun lately, say) that it has too few
    figures for one yet: a step is never left out of the list without a word."""
    if row["enough"] and row["low"] is not None:
        return f"{row['period']} {row['mean']:.1f} ({row['low']:.1f} to {row['high']:.1f})"
    return f"{row['period']} not enough yet ({row['n']} of the {minimum} {counted} a mean needs)"


def _comparison_card(
    *,
    id: str,
    title: str,
    what: str,
    unit: str,
    values: FloatArray,
    period: IntArray,
    taper: TaperPeriods,
    minimum: int,
    counted: str,
    method: str,
) -> Insight:
    rows = _rows(values, period, taper, minimum)
    data = {"periods": rows, "taper_starts": taper.starts.isoformat()}
    before, during = values[period < 0], values[period >= 0]
    have = min(before.size, during.size)
    if have < minimum:
        return not_enough(
            id, title, have=int(have), need=minimum,
            what=f"{counted} both before and during the taper", method=method, caveat=CAVEAT,
            data=data,
        )  # fmt: skip
    diff, low, high, p = _welch(before, during)
    by_step = "; ".join(_step_text(r, minimum, counted) for r in rows
                        if r["step"] is not None)  # fmt: skip
    direction = "higher" if diff > 0 else "lower"
    sentence = (
        f"During your taper, your {what} averaged {during.mean():.1f}, against "
        f"{before.mean():.1f} before it: the taper is associated with {abs(diff):.1f} {unit} "
        f"{direction} {what} (95% interval {low:+.1f} to {high:+.1f})."
        + (f" Step by step: {by_step}." if by_step else "")
    )
    return Insight(
        id=id, title=title, sentence=sentence, status="shown", method=method, caveat=CAVEAT,
        n=int(before.size + during.size), estimate=diff, interval=(low, high), unit=unit,
        detected=not (low <= 0 <= high), p_value=p, minimum=minimum, data=data,
    )  # fmt: skip


def _anxiety_card(prep: Prepared, period: IntArray, taper: TaperPeriods) -> Insight:
    rated = np.isfinite(prep.daily_anxiety)
    return _comparison_card(
        id="taper.anxiety",
        title="Anxiety, step by step of your taper",
        what="daily anxiety",
        unit="points",
        values=prep.daily_anxiety[rated],
        period=period[rated],
        taper=taper,
        minimum=MIN_DAYS,
        counted="rated days",
        method=(
            "Mean daily anxiety (0-10) before the taper and during each step as lived (holds "
            "and steps back applied), each with a t-based 95% interval over days; the taper "
            "as a whole against before by Welch's t interval."
        ),
    )


def _sows(timeline: Timeline) -> tuple[FloatArray, IntArray]:
    """SOWS totals and their day indices, within the timeline's span."""
    codes = ["".join(ch for ch in c.upper() if ch.isalnum()) for c in timeline.response_instrument]
    chosen = np.asarray([c == "SOWS" for c in codes], dtype=bool)
    if not chosen.any():
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    totals = timeline.response_total[chosen]
    days = timeline.day_of(timeline.response_time[chosen])
    ok = (days >= 0) & (days < timeline.n_days) & np.isfinite(totals)
    return totals[ok].astype(np.float64), days[ok]


def _sows_card(timeline: Timeline, period: IntArray, taper: TaperPeriods) -> Insight:
    totals, days = _sows(timeline)
    return _comparison_card(
        id="taper.sows",
        title="Withdrawal (SOWS), step by step of your taper",
        what="SOWS total",
        unit="points",
        values=totals,
        period=period[days] if days.size else np.zeros(0, dtype=np.int64),
        taper=taper,
        minimum=MIN_SOWS,
        counted="SOWS answers",
        method=(
            "Mean SOWS total (0-64) before the taper and during each step as lived, each with "
            "a t-based 95% interval over answers; the taper as a whole against before by "
            "Welch's t interval."
        ),
    )


def _newcombe(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float, float]:
    """p2 - p1 with Newcombe's hybrid score 95% interval (from two Wilson intervals)."""
    z = float(special.ndtri(0.975))

    def wilson(x: int, n: int) -> tuple[float, float]:
        p = x / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return centre - half, centre + half

    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return d, low, high


def _practice_cards(prep: Prepared, period: IntArray) -> list[Insight]:
    known = prep.checked_in
    before_days, during_days = known & (period < 0), known & (period >= 0)
    nb, nd = int(before_days.sum()), int(during_days.sum())
    method = (
        "Share of checked-in days with the practice during the taper against before it; "
        "the difference in percentage points with Newcombe's hybrid score 95% interval."
    )
    cards: list[Insight] = []
    for kind, done in sorted(prep.practice_days.items()):
        card_id, title = f"taper.practice.{kind}", f"{kind.capitalize()} during your taper"
        if min(nb, nd) < MIN_PRACTICE_DAYS:
            cards.append(
                not_enough(
                    card_id,
                    title,
                    have=min(nb, nd),
                    need=MIN_PRACTICE_DAYS,
                    what="checked-in days both before and during the taper",
                    method=method,
                    caveat=CAVEAT,
                )
            )
            continue
        xb, xd = int((done & before_days).sum()), int((done & during_days).sum())
        d, low, high = _newcombe(xb, nb, xd, nd)
        more = "more" if d > 0 else "fewer"
        sentence = (
            f"You did {kind} on {xd} of {nd} checked-in days during your taper ({xd / nd:.0%}) "
            f"and on {xb} of {nb} before it ({xb / nb:.0%}): the taper is associated with "
            f"{abs(d) * 100:.0f} percentage points {more} days with {kind} "
            f"(95% interval {low * 100:+.0f} to {high * 100:+.0f})."
        )
        cards.append(
            Insight(
                id=card_id,
                title=title,
                sentence=sentence,
                status="shown",
                method=method,
                caveat=CAVEAT,
                n=nb + nd,
                estimate=d * 100,
                interval=(low * 100, high * 100),
                unit="percentage points",
                detected=not (low <= 0 <= high),
                minimum=MIN_PRACTICE_DAYS,
                data={"before": {"days": nb, "with": xb}, "during": {"days": nd, "with": xd}},
            )
        )
    return cards


def taper_cards(prep: Prepared, taper: TaperPeriods | None) -> list[Insight]:
    """The taper's cards (none without a taper): anxiety, SOWS, then each practice."""
    if taper is None or not taper.changes:
        return []
    period = period_of_days(prep.timeline, taper)
    return [
        _anxiety_card(prep, period, taper),
        _sows_card(prep.timeline, period, taper),
        *_practice_cards(prep, period),
    ]
