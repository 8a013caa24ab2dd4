"""The taper's info alerts: a step is due tomorrow, the planner proposes a hold, a day went over.

Each reads the active taper (`SafetyInput.taper`) as lived: the saved schedule with the
person's holds and steps back applied. They inform; none asks for more kratom, and going back a
step stays the person's own choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from mitra.safety.evidence import Evidence, Fact, day_text
from mitra.safety.rules.inputs import SafetyInput, TaperFacts
from mitra.safety.rules.registry import Finding, registered
from mitra.taper import CourseDay, Measure, adherence, assess_hold, course, measure_for

__all__ = [
    "HoldProposedEvidence",
    "OverAllowanceEvidence",
    "StepDueEvidence",
    "taper_day_over_allowance",
    "taper_hold_proposed",
    "taper_step_due",
]

SOURCES = ("cdc2022opioids", "hhs2019tapering")


def _measure(taper: TaperFacts) -> Measure:
    schedule = taper.schedule
    return measure_for(schedule.unit, schedule.grams_per_unit)  # type: ignore[arg-type]


def _lived(data: SafetyInput) -> tuple[TaperFacts, tuple[CourseDay, ...]] | None:
    taper = data.taper
    today = data.timeline.clock.local_day(data.now)
    if taper is None or today < taper.schedule.starts:
        return None
    return taper, course(taper.schedule, taper.events, today)


@dataclass(frozen=True)
class StepDueEvidence(Evidence, kind="taper_step_due"):
    """The next step of the taper and the allowance it brings."""

    step: int
    steps: int
    starts: date
    allowance_text: str
    current_text: str

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return (
            Fact("Step", f"{self.step} of {self.steps}"),
            Fact("Begins", day_text(self.starts)),
            Fact("Daily allowance", f"{self.allowance_text} (now {self.current_text})"),
        )


@registered(
    "taper_step_due",
    severity="info",
    title="A taper step is due tomorrow",
    sources=SOURCES,
    grade="official",
    needs_taper=True,
    uses=("taper",),
)
def taper_step_due(data: SafetyInput) -> list[Finding]:
    """The next step of the taper begins tomorrow (not while the step is held)."""
    lived = _lived(data)
    if lived is None:
        return []
    taper, days = lived
    now = days[-1]
    tomorrow = now.day + timedelta(days=1)
    if now.held or now.next_step != tomorrow:
        return []
    schedule = taper.schedule
    measure = _measure(taper)
    step = schedule.steps[now.step]  # steps[k] is step k + 1
    evidence = StepDueEvidence(
        step=step.number,
        steps=len(schedule.steps),
        starts=tomorrow,
        allowance_text=measure.text(step.allowance),
        current_text=measure.text(now.allowance),
    )
    return [
        Finding(
            title=f"Taper step {step.number} begins tomorrow",
            text=(
                f"From tomorrow, {day_text(tomorrow)}, your daily allowance is "
                f"{evidence.allowance_text} (now {evidence.current_text})."
            ),
            advice=(
                "If withdrawal is strong today, you can hold this step instead; the taper "
                "waits until you resume."
            ),
            evidence=evidence,
            key=f"{schedule.starts.isoformat()}:step{step.number}:{tomorrow.isoformat()}",
            at=data.timeline.clock.day_start(now.day),
        )
    ]


@dataclass(frozen=True)
class HoldProposedEvidence(Evidence, kind="taper_hold_proposed"):
    """The signals that made the planner propose holding the step."""

    step: int
    step_began: date
    day: date
    reasons: tuple[str, ...]
    note: str

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return (
            Fact("Step", f"{self.step}, since {day_text(self.step_began)}"),
            Fact("Seen on", day_text(self.day)),
            *(Fact("Why", r) for r in self.reasons),
            Fact("Rule", self.note),
        )


@registered(
    "taper_hold_proposed",
    severity="info",
    title="The planner proposes holding this taper step",
    sources=SOURCES,
    grade="heuristic",
    needs_taper=True,
    uses=("taper",),
)
def taper_hold_proposed(data: SafetyInput) -> list[Finding]:
    """Withdrawal or anxiety rose during the current step (once per step; not while held)."""
    lived = _lived(data)
    if lived is None:
        return []
    taper, days = lived
    now = days[-1]
    if now.held or now.step == 0:
        return []
    hold = assess_hold(data.timeline, now.step_began, now.day)
    if not hold.hold_proposed:
        return []
    evidence = HoldProposedEvidence(now.step, now.step_began, now.day, hold.reasons, hold.note)
    return [
        Finding(
            title="The planner proposes holding this taper step",
            text="; ".join(r[:1].upper() + r[1:] for r in hold.reasons) + ".",
            advice=(
                "Consider holding this step until things settle: stay at today's allowance, "
                "and resume when you feel ready. Slowing down is a normal part of a taper."
            ),
            evidence=evidence,
            key=f"{taper.schedule.starts.isoformat()}:{now.step_began.isoformat()}",
            at=data.now,
        )
    ]


@dataclass(frozen=True)
class OverAllowanceEvidence(Evidence, kind="taper_over_allowance"):
    """A day's use against its allowance, in the taper's unit."""

    day: date
    used_text: str
    allowance_text: str

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return (
            Fact("Day", day_text(self.day)),
            Fact("Used", self.used_text),
            Fact("Allowance", self.allowance_text),
        )


@registered(
    "taper_over_allowance",
    severity="info",
    title="A day of the taper went over its allowance",
    sources=SOURCES,
    grade="official",
    needs_taper=True,
    uses=("taper",),
)
def taper_day_over_allowance(data: SafetyInput) -> list[Finding]:
    """Each day of the taper on which use went over the day's allowance."""
    lived = _lived(data)
    if lived is None:
        return []
    taper, days = lived
    measure = _measure(taper)
    out = []
    for use in adherence(days, data.timeline, measure):
        if not use.over:
            continue
        evidence = OverAllowanceEvidence(
            use.day, measure.text(use.used), measure.text(use.allowance)
        )
        out.append(
            Finding(
                title="A day of the taper went over its allowance",
                text=(
                    f"On {day_text(use.day)} you used {evidence.used_text} against an allowance "
                    f"of {evidence.allowance_text}."
                ),
                advice=(
                    "One day over does not undo a taper: tomorrow's allowance stands. If days "
                    "over keep coming, holding the step may suit you better."
                ),
                evidence=evidence,
                key=f"{taper.schedule.starts.isoformat()}:{use.day.isoformat()}",
                at=data.timeline.clock.day_start(use.day),
            )
        )
    return out
