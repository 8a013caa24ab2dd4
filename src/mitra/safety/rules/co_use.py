"""Co-use: a sedating substance (alcohol, a benzodiazepine, an opioid, ...) taken near a dose."""

from __future__ import annotations

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
    """A dose and an intake close together, and what the knowledge base says of the pair."""

    dose: DoseSeen
    intake: IntakeSeen
    hours_apart: float
    interactions: tuple[InteractionFound, ...] = ()
    parameters: tuple[ParameterUsed, ...] = ()

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        out = [
            Fact("Kratom dose", self.dose.text(zone)),
            Fact(
                "Substance",
                f"{self.intake.substance.name} at {moment_text(self.intake.at, zone)}",
            ),
            Fact("Time apart", hours_text(self.hours_apart)),
        ]
        for found in self.interactions:
            out += found.described()
        return (*out, *parameters_fact(self.parameters))


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
        for j in near:
            product = data.products[int(timeline.dose_product[j])]
            seven_oh = is_concentrated_seven_oh(data, product)
            if (kid, seven_oh) not in cache_:
                cache_[kid, seven_oh] = _sedation_findings(kid, seven_oh, depressants)
            out.append(
                _co_use_finding(
                    data,
                    substance=substance,
                    intake_time=float(intake_time),
                    product=product,
                    dose_time=float(timeline.dose_time[j]),
                    grams=float(timeline.dose_grams[j]),
                    findings=cache_[kid, seven_oh],
                )
            )
    return out


def _co_use_finding(
    data: SafetyInput,
    *,
    substance: SubstanceFacts,
    intake_time: float,
    product: ProductFacts,
    dose_time: float,
    grams: float,
    findings: list[InteractionFinding],
) -> Finding:
    clock = data.timeline.clock
    window = data.parameters.number("co_use", "window_hours")
    gap = abs(intake_time - dose_time) / HOUR
    seen = (
        f"You logged {substance.name} at {when(intake_time, clock)} and a kratom dose "
        f"({grams_text(grams)} of {product.name}) at {when(dose_time, clock)}, "
        f"{hours_text(gap)} apart. mitra counts the two as taken together when they are within "
        f"{window:g} hours of each other; {heuristic(f'{window:g} hours')}"
    )
    severity: Severity | None
    grade: EvidenceGrade | None
    sources: tuple[str, ...] | None
    if findings:
        primary = findings[0]
        severity, grade = primary.severity, primary.evidence
        # A title of its own: the same interaction may also be on the list as a standing alert.
        title = f"{substance.name} taken {hours_text(gap)} from a kratom dose: {primary.title}"
        about = f" {primary.mechanism} {primary.evidence_note}"
        advice = primary.advice
        sources = unique(c.id for f in findings for c in f.sources)
    else:
        # A class tag with no rule of its own: fall back on mechanism, and say so.
        severity, grade = "warning", "mechanism_only"
        title = f"{substance.name} near a kratom dose: added sedation"
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
        ),
        key=f"{iso(dose_time)}:{iso(intake_time)}:{substance.id}",
        at=utc(max(dose_time, intake_time)),
        grade=grade,
    )
