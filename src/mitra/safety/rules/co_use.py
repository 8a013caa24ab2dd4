"""Co-use: a sedating substance (alcohol, a benzodiazepine, an opioid, ...) taken near a dose."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, tzinfo

import numpy as np

from mitra.knowledge.substances import Severity, load_substances
from mitra.safety.evidence import (
    DoseSeen,
    Evidence,
    Fact,
    ParameterUsed,
    SubstanceSeen,
    grams_text,
    hours_text,
    moment_text,
    parameters_fact,
)
from mitra.safety.interactions import EVIDENCE_NOTES, InteractionFinding, interactions_among
from mitra.safety.rules.inputs import (
    HOUR,
    ProductFacts,
    SafetyInput,
    SubstanceFacts,
    heuristic,
    iso,
    unique,
    utc,
    when,
)
from mitra.safety.rules.interaction import InteractionFound
from mitra.safety.rules.product import is_concentrated_seven_oh
from mitra.safety.rules.registry import EvidenceGrade, Finding, registered

__all__ = ["CoUseEvidence", "IntakeSeen", "co_use_of_a_depressant_near_a_dose"]


@dataclass(frozen=True)
class IntakeSeen:
    """A logged intake of one of the person's substances."""

    at: datetime
    substance: SubstanceSeen


@dataclass(frozen=True)
class CoUseEvidence(Evidence, kind="co_use"):
    """An intake and the doses close to it, and what the knowledge base says of the pair.

    `dose` is the latest of those doses (the alert's key names it) and `hours_apart` its
    distance from the intake; `earlier_doses` are the others, oldest first (none in evidence
    stored when each dose had an alert of its own). `seven_oh`: the doses are of concentrated
    7-OH products, whose interaction is their own (evidence stored before it was kept says so
    by an interaction with 7-OH).
    """

    dose: DoseSeen
    intake: IntakeSeen
    hours_apart: float
    interactions: tuple[InteractionFound, ...] = ()
    parameters: tuple[ParameterUsed, ...] = ()
    earlier_doses: tuple[DoseSeen, ...] = ()
    seven_oh: bool = False

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        doses = (*self.earlier_doses, self.dose)
        out = [
            Fact("Kratom dose", self.dose.text(zone))
            if len(doses) == 1
            else Fact(f"{len(doses)} kratom doses", "; ".join(d.text(zone) for d in doses)),
            Fact(
                "Substance",
                f"{self.intake.substance.name} at {moment_text(self.intake.at, zone)}",
            ),
            Fact(
                "Time apart" if len(doses) == 1 else "Time apart, latest dose",
                hours_text(self.hours_apart),
            ),
        ]
        for found in self.interactions:
            out += found.described()
        return (*out, *parameters_fact(self.parameters))

    def parts(self) -> frozenset[str]:
        """Each dose with the intake, keyed as an alert of that one dose is."""
        intake = self.intake.at.timestamp()
        seven_oh = self.seven_oh or any("seven_oh" in f.between for f in self.interactions)
        return frozenset(
            _key(intake, self.intake.substance.id, [d.at.timestamp()], seven_oh=seven_oh)
            for d in (*self.earlier_doses, self.dose)
        )


def _sedation_findings(
    knowledge_id: str, seven_oh: bool, depressants: frozenset[str]
) -> list[InteractionFinding]:
    """Findings about taking this substance with kratom (or a 7-OH product) that concern sedation.

    Rules about levels in the blood (CYP enzymes) are left to the interaction rule: co-use is
    about taking the two around the same time.
    """
    found = (
        interactions_among(["seven_oh", knowledge_id], include_kratom=False)
        if seven_oh
        else interactions_among([knowledge_id])
    )
    return [
        f
        for f in found
        if any(end in depressants or end == knowledge_id for end in f.between)
        and knowledge_id in f.substances
    ]


@registered(
    "co_use",
    severity="danger",
    title="A sedating substance taken near a kratom dose",
    sources=("kruegel2016", "psychonautwiki"),
    grade="mechanism_only",
    reads=("doses", "intakes"),
    uses=("products", "substances"),
)
def co_use_of_a_depressant_near_a_dose(data: SafetyInput) -> list[Finding]:
    """A sedating substance (alcohol, a benzodiazepine, an opioid, ...) logged near a dose."""
    params = data.parameters
    window_hours = params.number("co_use", "window_hours")
    depressants = frozenset(params.names("co_use", "depressant_classes"))
    kb = load_substances()
    timeline = data.timeline
    cache_: dict[tuple[str, bool], list[InteractionFinding]] = {}
    out: list[Finding] = []
    for intake_time, substance_id in zip(
        timeline.intake_time, timeline.intake_substance, strict=True
    ):
        substance = data.substances[int(substance_id)]
        kid = substance.knowledge_id
        if kid is None or kid not in kb.substances:
            continue
        if not depressants & {kid, *kb.substance(kid).classes}:
            continue
        near = np.flatnonzero(np.abs(timeline.dose_time - intake_time) <= window_hours * HOUR)
        # One alert per intake, not one per dose near it: three doses around one Xanax are one
        # event to act on. Leaf and 7-OH doses are told apart (their interaction differs).
        groups: dict[bool, list[int]] = {}
        for j in near:
            product = data.products[int(timeline.dose_product[j])]
            seven_oh = is_concentrated_seven_oh(
                product.form, product.hydroxy_mg_per_g, data.parameters
            )
            groups.setdefault(seven_oh, []).append(int(j))
        for seven_oh, group in groups.items():
            if (kid, seven_oh) not in cache_:
                cache_[kid, seven_oh] = _sedation_findings(kid, seven_oh, depressants)
            out.append(
                _co_use_finding(
                    data,
                    substance=substance,
                    intake_time=float(intake_time),
                    doses=[
                        (
                            float(timeline.dose_time[j]),
                            float(timeline.dose_grams[j]),
                            data.products[int(timeline.dose_product[j])],
                        )
                        for j in sorted(group, key=lambda j: float(timeline.dose_time[j]))
                    ],
                    findings=cache_[kid, seven_oh],
                    seven_oh=seven_oh,
                )
            )
    return out


def _key(intake_time: float, substance_id: int, dose_times: list[float], *, seven_oh: bool) -> str:
    """The finding's key: a single pair's names both times (the key it had when each dose had
    an alert of its own); a group's adds how many doses and a digest of all their times, so a
    dose added, back-dated or deleted makes another alert, and the key stays short. Doses of a
    concentrated 7-OH product end it in ":7oh": a dose whose product becomes one (or stops
    being one) at the same time is news, with an interaction of its own."""
    pair = f"{iso(dose_times[-1])}:{iso(intake_time)}:{substance_id}"
    if len(dose_times) > 1:
        digest = hashlib.sha256(",".join(iso(t) for t in dose_times).encode()).hexdigest()[:12]
        pair = f"{pair}:{len(dose_times)}:{digest}"
    return f"{pair}:7oh" if seven_oh else pair


def _co_use_finding(
    data: SafetyInput,
    *,
    substance: SubstanceFacts,
    intake_time: float,
    doses: list[tuple[float, float, ProductFacts]],
    findings: list[InteractionFinding],
    seven_oh: bool,
) -> Finding:
    """The finding for one intake and the doses near it (time, grams, product; oldest first)."""
    clock = data.timeline.clock
    window = data.parameters.number("co_use", "window_hours")
    dose_time, grams, product = doses[-1]
    gap = abs(intake_time - dose_time) / HOUR
    nearest = min(abs(intake_time - t) for t, _, _ in doses) / HOUR
    if len(doses) == 1:
        seen = (
            f"You logged {substance.name} at {when(intake_time, clock)} and a kratom dose "
            f"({grams_text(grams)} of {product.name}) at {when(dose_time, clock)}, "
            f"{hours_text(gap)} apart. "
        )
    else:
        listed = [f"{grams_text(g)} of {p.name} at {when(t, clock)}" for t, g, p in doses]
        seen = (
            f"You logged {substance.name} at {when(intake_time, clock)} and {len(doses)} kratom "
            f"doses within {window:g} hours of it: {', '.join(listed[:-1])} and {listed[-1]}; "
            f"the nearest {hours_text(nearest)} apart. "
        )
    seen += (
        f"mitra counts a substance and a dose as taken together when they are within "
        f"{window:g} hours of each other; {heuristic(f'{window:g} hours')}"
    )
    severity: Severity | None
    grade: EvidenceGrade | None
    sources: tuple[str, ...] | None
    if findings:
        primary = findings[0]
        severity, grade = primary.severity, primary.evidence
        # A title of its own: the same interaction may also be on the list as a standing alert.
        title = (
            f"{substance.name} taken {hours_text(gap)} from a kratom dose: {primary.title}"
            if len(doses) == 1
            else f"{substance.name} taken near {len(doses)} kratom doses: {primary.title}"
        )
        about = f" {primary.mechanism} {primary.evidence_note}"
        advice = primary.advice
        sources = unique(c.id for f in findings for c in f.sources)
    else:
        # A class tag with no rule of its own: fall back on mechanism, and say so.
        severity, grade = "warning", "mechanism_only"
        title = (
            f"{substance.name} near a kratom dose: added sedation"
            if len(doses) == 1
            else f"{substance.name} near {len(doses)} kratom doses: added sedation"
        )
        about = (
            " Kratom's alkaloids act at opioid receptors, so added drowsiness and slowed "
            f"breathing are expected with sedating substances. {EVIDENCE_NOTES['mechanism_only']}"
        )
        advice = "Avoid taking them together, and do not drive after taking both."
        sources = ("kruegel2016",)
    return Finding(
        severity=severity,
        title=title,
        text=seen + about,
        advice=advice,
        sources=sources,
        evidence=CoUseEvidence(
            dose=DoseSeen(at=utc(dose_time), grams=grams, product=product.seen()),
            intake=IntakeSeen(
                at=utc(intake_time),
                substance=SubstanceSeen(substance.id, substance.name, substance.knowledge_id),
            ),
            hours_apart=round(gap, 2),
            interactions=tuple(InteractionFound.of(f) for f in findings),
            parameters=data.used("co_use"),
            earlier_doses=tuple(
                DoseSeen(at=utc(t), grams=g, product=p.seen()) for t, g, p in doses[:-1]
            ),
            seven_oh=seven_oh,
        ),
        key=_key(intake_time, substance.id, [t for t, _, _ in doses], seven_oh=seven_oh),
        parts=tuple(_key(intake_time, substance.id, [t], seven_oh=seven_oh) for t, _, _ in doses),
        at=utc(max(dose_time, intake_time)),
        grade=grade,
    )
