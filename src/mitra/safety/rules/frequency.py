"""Frequency and escalation: a rising weekly dose, a long daily streak, doses coming closer.

The weekly dose is counted in estimated mg of mitragynine (central, low and high, from the
Timeline), so leaf, capsules, extracts and 7-OH products add up honestly; grams of leaf are shown
beside it for leaf products only. The rank tests come from mitra.safety.ranktests, not scipy:
every journal write runs these rules, and importing scipy.stats alone costs 0.8-2.4 s.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

import numpy as np
import numpy.typing as npt

from mitra import wording
from mitra.knowledge.pharmacokinetics import load_pharmacokinetics
from mitra.safety.evidence import (
    Evidence,
    Fact,
    ParameterUsed,
    day_text,
    grams_text,
    hours_text,
    parameters_fact,
)
from mitra.safety.ranktests import mann_kendall, mann_whitney_greater, theil_sen
from mitra.safety.rules.inputs import HOUR, SafetyInput, heuristic, iso_week, utc
from mitra.safety.rules.registry import Finding, registered

__all__ = [
    "EscalationEvidence",
    "IntervalEvidence",
    "StreakEvidence",
    "WeekTotal",
    "daily_use_streak",
    "rising_weekly_dose",
    "shortening_interval_between_doses",
]


@dataclass(frozen=True)
class WeekTotal:
    """One complete local week: estimated mg of mitragynine (with range) and grams of leaf."""

    week: str
    monday: date
    mg_mitragynine: float
    mg_mitragynine_low: float
    mg_mitragynine_high: float
    grams_leaf: float | None  # None: no leaf dose that week (other forms are not grams of leaf)

    def text(self) -> str:
        """ "210 mg of mitragynine (150-290 mg); 14 g of leaf"."""
        out = _week_mg(self)
        if self.grams_leaf is not None:
            out += f"; {grams_text(self.grams_leaf)} of leaf"
        return out


@dataclass(frozen=True)
class EscalationEvidence(Evidence, kind="escalation"):
    """Weekly totals and the trend test that found them rising."""

    weeks: tuple[WeekTotal, ...]
    theil_sen_mg_per_week: float
    theil_sen_95: tuple[float, float]
    kendall_tau: float
    p_value: float
    doses_without_content: int
    parameters: tuple[ParameterUsed, ...] = ()

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        low, high = self.theil_sen_95
        out = [Fact(f"Week of {day_text(w.monday)}", w.text()) for w in self.weeks]
        out.append(
            Fact(
                "Trend",
                f"{self.theil_sen_mg_per_week:.2g} mg of mitragynine per week (95% interval "
                f"{low:.2g} to {high:.2g}); Kendall's tau {self.kendall_tau:.2f}, "
                f"p = {self.p_value:.3f}",
            )
        )
        if self.doses_without_content:
            out.append(
                Fact("Doses not counted", f"{self.doses_without_content} (no content figure)")
            )
        return (*out, *parameters_fact(self.parameters))


@dataclass(frozen=True)
class StreakEvidence(Evidence, kind="daily_streak"):
    """A run of consecutive local days with a dose."""

    first_day: date
    last_day: date
    days: int
    milestone_days: int
    ongoing: bool
    parameters: tuple[ParameterUsed, ...] = ()

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return (
            Fact("Days in a row", f"{self.days}{' (so far)' if self.ongoing else ''}"),
            Fact("From", day_text(self.first_day)),
            Fact("To", day_text(self.last_day)),
            Fact("Mentioned at", f"{self.milestone_days} days"),
            *parameters_fact(self.parameters),
        )


@dataclass(frozen=True)
class IntervalEvidence(Evidence, kind="shortening_interval"):
    """The gaps between doses in a window, earlier half against later half."""

    first_day: date
    last_day: date
    doses: int
    median_gap_hours_earlier: float
    median_gap_hours_later: float
    ratio: float
    p_value: float
    parameters: tuple[ParameterUsed, ...] = ()

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return (
            Fact("Days", f"{day_text(self.first_day)} to {day_text(self.last_day)}"),
            Fact("Doses", str(self.doses)),
            Fact("Median gap, earlier half", hours_text(self.median_gap_hours_earlier)),
            Fact("Median gap, later half", hours_text(self.median_gap_hours_later)),
            Fact("Mann-Whitney test", f"p = {self.p_value:.3f}"),
            *parameters_fact(self.parameters),
        )


def _complete_weeks(data: SafetyInput, most: int) -> list[date]:
    """Mondays of the latest complete local weeks (Monday-Sunday) in the span, oldest first."""
    timeline = data.timeline
    yesterday = timeline.clock.local_day(data.now) - timedelta(days=1)
    last = min(timeline.last, yesterday)
    sunday = last - timedelta(days=(last.weekday() + 1) % 7)
    mondays = [sunday - timedelta(days=6 + 7 * k) for k in range(most)]
    return sorted(m for m in mondays if m >= timeline.first)


def _weekly(daily: npt.NDArray[np.float64], starts: list[int]) -> npt.NDArray[np.float64]:
    return np.array([daily[s : s + 7].sum() for s in starts], dtype=np.float64)


@registered(
    "escalation",
    severity="caution",
    title="A rising weekly dose",
    sources=("grundmann2017", "psychonautwiki"),
    grade="heuristic",
    reads=("doses",),
    uses=(),
)
def rising_weekly_dose(data: SafetyInput) -> list[Finding]:
    """A rising trend in weekly mg of mitragynine, distinguishable from flat (Mann-Kendall, 5%)."""
    params = data.parameters
    min_weeks = params.count("escalation", "min_weeks")
    alpha = params.number("escalation", "alpha")
    mondays = _complete_weeks(data, params.count("escalation", "max_weeks"))
    if len(mondays) < min_weeks:
        return []
    timeline = data.timeline
    starts = [(monday - timeline.first).days for monday in mondays]
    central, low_mg, high_mg = (_weekly(d, starts) for d in timeline.daily_mg_mitragynine())
    leaf_grams = _weekly(timeline.daily_grams_leaf(), starts)
    days = data.dose_days()
    week_of_dose = [
        next((k for k, s in enumerate(starts) if s <= d < s + 7), -1) for d in days.tolist()
    ]
    in_weeks = np.array([k >= 0 for k in week_of_dose], dtype=np.bool_)
    leaf_weeks = {k for k, leaf in zip(week_of_dose, timeline.dose_is_leaf, strict=True) if leaf}
    without = int((in_weeks & np.isnan(timeline.dose_mg_mitragynine)).sum())
    if np.ptp(central) == 0:
        return []
    weeks = np.arange(central.size, dtype=np.float64)
    # Mann-Kendall's test is Kendall's tau between the values and time.
    trend = mann_kendall(central)
    tau, p_value = trend.tau, trend.p_value
    if not p_value < alpha:
        return []
    sen = theil_sen(central, weeks, 0.95)
    slope, low, high = sen.slope, sen.low, sen.high
    if not slope > 0:
        return []
    totals = tuple(
        WeekTotal(
            week=iso_week(m),
            monday=m,
            mg_mitragynine=float(central[k]),
            mg_mitragynine_low=float(low_mg[k]),
            mg_mitragynine_high=float(high_mg[k]),
            grams_leaf=float(leaf_grams[k]) if k in leaf_weeks else None,
        )
        for k, m in enumerate(mondays)
    )
    first, last = totals[0], totals[-1]
    leaf = (
        f" Of leaf products alone, that was {grams_text(first.grams_leaf)} and "
        f"{grams_text(last.grams_leaf)} of leaf."
        if first.grams_leaf is not None and last.grams_leaf is not None
        else ""
    )
    uncounted = (
        f" {without} dose{'s' if without != 1 else ''} of products with no content figure "
        "could not be counted."
        if without
        else ""
    )
    text = (
        f"Your weekly kratom, counted as estimated mg of mitragynine so that leaf, extracts and "
        f"7-OH products add up alike, rose over the last {central.size} complete weeks: from "
        f"{_week_mg(first)} in the week of {day_text(mondays[0])} to {_week_mg(last)} in the "
        f"week of {day_text(mondays[-1])}.{leaf} The typical rise is {slope:.2g} mg per week "
        f"(Theil-Sen slope; 95% interval {low:.2g} to {high:.2g}), and a Mann-Kendall test finds "
        f"a rising trend unlikely to be chance alone (p = {p_value:.3f}). Content figures are "
        f"estimates, hence the ranges.{uncounted} "
        f"{heuristic(f'Testing the latest {min_weeks} or more weeks')}"
    )
    return [
        Finding(
            title="Your weekly dose has been rising",
            text=text,
            advice=(
                "A steadily rising dose can be a sign of growing tolerance. If you want to hold "
                "your dose or reduce it, a clinician can help you plan a gradual reduction."
            ),
            evidence=EscalationEvidence(
                weeks=totals,
                theil_sen_mg_per_week=float(slope),
                theil_sen_95=(float(low), float(high)),
                kendall_tau=float(tau),
                p_value=float(p_value),
                doses_without_content=without,
                parameters=data.used("escalation"),
            ),
            key=iso_week(mondays[-1]),
            at=timeline.clock.day_start(mondays[-1] + timedelta(days=7)),
        )
    ]


def _week_mg(week: WeekTotal) -> str:
    """A week's mg of mitragynine with its range, in a sentence."""
    return (
        f"{wording.mg(week.mg_mitragynine)} of mitragynine "
        f"({wording.mg(week.mg_mitragynine_low)}-{wording.mg(week.mg_mitragynine_high)})"
    )


def _runs(flags: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, length) of every run of True."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


@registered(
    "daily_streak",
    severity="info",
    title="Kratom every day for a while",
    sources=("rogers2024", "huestis2024", "garciaromeu2020"),
    grade="heuristic",
    reads=("doses",),
    uses=(),
)
def daily_use_streak(data: SafetyInput) -> list[Finding]:
    """Kratom on many consecutive local days: at the streak length, then twice, four times..."""
    params = data.parameters
    streak = params.count("daily_streak", "days")
    timeline = data.timeline
    days = data.dose_days()
    used = np.zeros(timeline.n_days, dtype=np.bool_)
    used[days[(days >= 0) & (days < timeline.n_days)]] = True
    steady = (
        load_pharmacokinetics().parameter_set("huestis2024").figure("time_to_steady_state_days")
    )
    today = timeline.clock.local_day(data.now)
    out: list[Finding] = []
    for start, length in _runs(used):
        if length < streak:
            continue
        milestone = streak * 2 ** int(math.log2(length / streak))
        first = data.local_day(start)
        last = data.local_day(start + length - 1)
        ongoing = last >= today - timedelta(days=1)
        on_reached = timeline.dose_time[days == start + milestone - 1]
        text = (
            f"You took kratom on {length} days in a row, from {day_text(first)} to "
            f"{day_text(last)}{' (so far)' if ongoing else ''}. mitra mentions a streak at "
            f"{streak} days and again at twice, four times ... as many; "
            f"{heuristic(f'{streak} days')} In a study of people who use kratom, withdrawal "
            "followed how often they dosed more than how much, and mitragynine builds up in the "
            f"body over {steady.low:g}-{steady.high:g} days of daily doses."
        )
        out.append(
            Finding(
                title=f"Kratom on {length} days in a row",
                text=text,
                advice=(
                    "If you want to, plan regular days without kratom, or reduce gradually with a "
                    "clinician's help. If a day without it brings withdrawal-like symptoms, log "
                    "them; a clinician can help."
                ),
                evidence=StreakEvidence(
                    first_day=first,
                    last_day=last,
                    days=length,
                    milestone_days=milestone,
                    ongoing=ongoing,
                    parameters=data.used("daily_streak"),
                ),
                key=f"{first.isoformat()}:{milestone}",
                at=utc(float(on_reached.min())),
            )
        )
    return out


@registered(
    "shortening_interval",
    severity="caution",
    title="Doses coming closer together",
    sources=("rogers2024",),
    grade="heuristic",
    reads=("doses",),
    uses=(),
)
def shortening_interval_between_doses(data: SafetyInput) -> list[Finding]:
    """Doses moving closer together: the later half's median gap clearly below the earlier's."""
    params = data.parameters
    window_days = params.count("shortening_interval", "window_days")
    per_half = params.count("shortening_interval", "min_intervals_per_half")
    max_ratio = params.number("shortening_interval", "max_ratio")
    alpha = params.number("shortening_interval", "alpha")
    timeline = data.timeline
    if timeline.dose_time.size == 0:
        return []
    days = data.dose_days()
    last_day = int(days.max())
    inside = (days > last_day - window_days) & (days <= last_day)
    times = np.sort(timeline.dose_time[inside])
    gaps = np.diff(times) / HOUR
    half = gaps.size // 2
    if half < per_half:
        return []
    earlier, later = gaps[:half], gaps[gaps.size - half :]
    # statistics, not NumPy: np.median imports numpy.ma, 13 ms of a dose logged from the terminal
    median_earlier = statistics.median(earlier.tolist())
    median_later = statistics.median(later.tolist())
    ratio = median_later / median_earlier if median_earlier > 0 else math.inf
    if not ratio <= max_ratio:
        return []
    p_value = mann_whitney_greater(earlier, later)
    if not p_value < alpha:
        return []
    end = data.local_day(last_day)
    start = end - timedelta(days=window_days - 1)
    text = (
        f"In the {window_days} days from {day_text(start)} to {day_text(end)}, the time between "
        f"your doses shortened: the median gap was {hours_text(median_earlier)} over the earlier "
        f"{half} gaps and {hours_text(median_later)} over the later {half} (a Mann-Whitney test "
        f"finds this unlikely to be chance alone, p = {p_value:.3f}). "
        f"{heuristic(f'Comparing {window_days} days and a gap {1 - max_ratio:.0%} shorter')} "
        "In a study of people who use kratom, withdrawal followed how often they dosed more than "
        "how much."
    )
    return [
        Finding(
            title="Your doses are coming closer together",
            text=text,
            advice=(
                "Doses coming closer together can go with growing tolerance or with "
                "withdrawal-like feelings between doses. If you want to space them out again "
                "or reduce, a clinician can help you plan a gradual reduction."
            ),
            evidence=IntervalEvidence(
                first_day=start,
                last_day=end,
                doses=int(times.size),
                median_gap_hours_earlier=round(median_earlier, 2),
                median_gap_hours_later=round(median_later, 2),
                ratio=round(ratio, 3),
                p_value=p_value,
                parameters=data.used("shortening_interval"),
            ),
            key=iso_week(end),
            at=utc(float(times[-1])),
        )
    ]
