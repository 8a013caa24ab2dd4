"""Responding to the body: whether to propose holding the current step of a taper.

Three signals, each measured against the step's own baseline so that a person's usual level
never counts as a flare-up: the SOWS total up from the step's baseline, withdrawal-like symptoms
on consecutive check-ins, and anxiety above its own recent level by more than its day-to-day
noise. Every threshold is in taper.toml; all are mitra's own rules of thumb.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np

from mitra.knowledge import load
from mitra.knowledge.taper import TaperKnowledge, load_taper
from mitra.timeline import Timeline

__all__ = ["HoldAssessment", "Signal", "assess_hold", "withdrawal_symptom_ids"]

SignalKind = Literal["sows", "symptoms", "anxiety"]

#: Said with every hold proposal: the thresholds are mitra's, not a clinical rule.
HEURISTIC_NOTE = "mitra's own rule of thumb, not a clinical threshold"


@dataclass(frozen=True)
class Signal:
    """One signal's finding: present or not, the figure, the threshold it is compared with."""

    kind: SignalKind
    present: bool
    measured: bool
    value: float | None
    threshold: float | None
    unit: str
    text: str


@dataclass(frozen=True)
class HoldAssessment:
    """Whether the planner proposes to hold the current step, and why (or why not)."""

    step_starts: date
    day: date
    hold_proposed: bool
    settled: bool
    signals: tuple[Signal, ...]
    reasons: tuple[str, ...]
    note: str


def withdrawal_symptom_ids() -> frozenset[str]:
    """Checklist symptoms that may signal withdrawal (from symptoms.toml)."""
    return frozenset(s.id for s in load().symptoms if "withdrawal" in s.signals)


def _is_sows(code: str) -> bool:
    return "".join(ch for ch in code.upper() if ch.isalnum()) == "SOWS"


def _sows_signal(
    timeline: Timeline, step_start: float, end: float, knowledge: TaperKnowledge
) -> Signal:
    rise = knowledge.number("sows_rise_points")
    rows = [
        (float(t), float(total))
        for t, code, total in zip(
            timeline.response_time,
            timeline.response_instrument,
            timeline.response_total,
            strict=True,
        )
        if _is_sows(code) and not np.isnan(total) and t < end
    ]
    rows.sort()
    before = [total for t, total in rows if t < step_start]
    during = [total for t, total in rows if t >= step_start]
    if not during or (not before and len(during) < 2):
        return Signal(
            "sows",
            False,
            False,
            None,
            rise,
            "SOWS points",
            "not enough SOWS answers during this step to compare",
        )
    baseline = before[-1] if before else during[0]
    latest = during[-1]
    change = latest - baseline
    present = change >= rise
    text = (
        f"SOWS total {latest:g} points, {change:+g} from the step's baseline of {baseline:g} "
        f"({'at or above' if present else 'below'} the {rise:g}-point threshold)"
    )
    return Signal("sows", present, True, change, rise, "SOWS points", text)


def _symptom_signal(
    timeline: Timeline, step_start: float, end: float, knowledge: TaperKnowledge
) -> Signal:
    per_checkin = knowledge.count("symptoms_per_checkin")
    in_a_row = knowledge.count("consecutive_checkins")
    watched = withdrawal_symptom_ids()
    order = np.argsort(timeline.checkin_time, kind="stable")
    counts = [
        len(timeline.symptoms[i] & watched)
        for i in order
        if step_start <= timeline.checkin_time[i] < end
    ]
    if len(counts) < in_a_row:
        return Signal(
            "symptoms",
            False,
            False,
            None,
            float(in_a_row),
            "check-ins",
            f"fewer than {in_a_row} check-ins during this step",
        )
    streak = 0
    for count in reversed(counts):
        if count < per_checkin:
            break
        streak += 1
    present = streak >= in_a_row
    text = (
        f"{streak} check-in{'s' if streak != 1 else ''} in a row with at least {per_checkin} "
        f"withdrawal-like symptoms (a hold is proposed from {in_a_row})"
    )
    return Signal("symptoms", present, True, float(streak), float(in_a_row), "check-ins", text)


def _anxiety_signal(
    timeline: Timeline, step_day: date, day: date, knowledge: TaperKnowledge
) -> Signal:
    base_days = knowledge.count("anxiety_baseline_days")
    min_days = knowledge.count("anxiety_baseline_min_days")
    recent_days = knowledge.count("anxiety_recent_days")
    multiple = knowledge.number("anxiety_noise_multiple")
    floor = knowledge.number("anxiety_noise_floor")
    daily = timeline.daily_anxiety()
    first = timeline.first

    def index(d: date) -> int:
        return (d - first).days

    lo = max(0, index(step_day - timedelta(days=base_days)))
    base = daily[lo : max(0, index(step_day))]
    base = base[~np.isnan(base)]
    if base.size < min_days:
        return Signal(
            "anxiety",
            False,
            False,
            None,
            None,
            "points (0-10)",
            f"{base.size} of {min_days} rated days before this step: no baseline yet",
        )
    during = daily[max(0, index(step_day)) : index(day) + 1]
    during = during[~np.isnan(during)][-recent_days:]
    if during.size < min(2, recent_days):
        return Signal(
            "anxiety",
            False,
            False,
            None,
            None,
            "points (0-10)",
            "fewer than 2 rated days during this step",
        )
    level = float(base.mean())
    noise = max(float(base.std(ddof=1)), floor)
    threshold = level + multiple * noise
    recent = float(during.mean())
    present = recent > threshold
    text = (
        f"anxiety {recent:.1f} of 10 over the last {during.size} rated days, against "
        f"{level:.1f} before this step (day-to-day noise {noise:.1f}; a hold is proposed "
        f"above {threshold:.1f})"
    )
    return Signal("anxiety", present, True, recent, threshold, "points (0-10)", text)


def _signals(
    timeline: Timeline, step_day: date, day: date, knowledge: TaperKnowledge
) -> tuple[Signal, ...]:
    step_start = timeline.clock.day_start(step_day).timestamp()
    end = timeline.clock.day_start(day + timedelta(days=1)).timestamp()
    return (
        _sows_signal(timeline, step_start, end, knowledge),
        _symptom_signal(timeline, step_start, end, knowledge),
        _anxiety_signal(timeline, step_day, day, knowledge),
    )


def assess_hold(
    timeline: Timeline, step_starts: date, day: date, knowledge: TaperKnowledge | None = None
) -> HoldAssessment:
    """Whether to propose holding the step that began on `step_starts`, as of the end of `day`.

    `timeline` must cover the baseline before the step (`anxiety_baseline_days`) through `day`.
    `settled` is true when each of the last `settle_days` days, all within this step, was seen
    to be quiet: a signal could be measured and none was present. A step younger than that, or
    days with too little in the journal to measure any signal, have not been seen to settle.
    """
    knowledge = knowledge or load_taper()
    signals = _signals(timeline, step_starts, day, knowledge)
    present = tuple(s.text for s in signals if s.present)
    settle = knowledge.count("settle_days")

    def quiet(found: tuple[Signal, ...]) -> bool:
        return any(s.measured for s in found) and not any(s.present for s in found)

    settled = (
        day - timedelta(days=settle - 1) >= step_starts
        and quiet(signals)
        and all(
            quiet(_signals(timeline, step_starts, day - timedelta(days=k), knowledge))
            for k in range(1, settle)
        )
    )
    note = (
        f"Holding means staying at this step's allowance until things settle ({settle} quiet "
        f"days); the thresholds are {HEURISTIC_NOTE}."
    )
    return HoldAssessment(
        step_starts=step_starts,
        day=day,
        hold_proposed=bool(present),
        settled=settled,
        signals=signals,
        reasons=present,
        note=note,
    )
