"""Liver: a liver-injury warning symptom in a check-in; seek care (today, for yellow skin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from mitra.knowledge.substances import Severity
from mitra.safety.evidence import (
    Evidence,
    Fact,
    ParameterUsed,
    day_text,
    moment_text,
    parameters_fact,
)
from mitra.safety.rules.inputs import (
    SafetyInput,
    in_words,
    symptom_labels,
    symptom_sources,
    symptoms_by_day,
    utc,
)
from mitra.safety.rules.registry import Finding, registered

__all__ = ["LiverEvidence", "liver_warning_symptoms"]


@dataclass(frozen=True)
class LiverEvidence(Evidence, kind="liver_symptoms"):
    """Liver-warning symptoms reported on one local day."""

    day: date
    symptoms: tuple[str, ...]
    first_reported_at: datetime
    parameters: tuple[ParameterUsed, ...] = ()

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        labels = ", ".join(x.lower() for x in symptom_labels(self.symptoms, "liver"))
        return (
            Fact("Day", day_text(self.day)),
            Fact("Symptoms", labels),
            Fact("First reported", moment_text(self.first_reported_at, zone)),
            *parameters_fact(self.parameters),
        )


@registered(
    "liver_symptoms",
    severity="warning",
    title="Liver-injury warning symptoms: seek care",
    sources=("livertox",),
    grade="case_report",
    reads=("checkins",),
    uses=(),
)
def liver_warning_symptoms(data: SafetyInput) -> list[Finding]:
    """A liver-injury warning symptom in a check-in: seek care (today, for yellow skin or eyes)."""
    urgent = set(data.parameters.names("liver_symptoms", "danger_symptoms"))
    out: list[Finding] = []
    for day, (symptoms, first, _) in sorted(symptoms_by_day(data, "liver").items()):
        local = data.local_day(day)
        severity: Severity = "danger" if symptoms & urgent else "warning"
        labels = [x.lower() for x in symptom_labels(symptoms, "liver")]
        text = (
            f"On {day_text(local)} you reported {in_words(labels)}. "
            f"{'This' if len(labels) == 1 else 'These'} can be a sign of liver injury, which has "
            "been reported in people who use kratom. There are other causes too; only a "
            "clinician can tell, often with a blood test."
        )
        when = "today" if severity == "danger" else "soon"
        out.append(
            Finding(
                severity=severity,
                title=f"Seek medical care {when}: possible liver warning signs",
                text=text,
                advice=(
                    f"Seek medical care {when}, and tell the clinician that you use kratom and "
                    "everything else you take. Do not wait for it to pass."
                ),
                sources=symptom_sources(symptoms, "liver"),
                evidence=LiverEvidence(
                    day=local,
                    symptoms=tuple(sorted(symptoms)),
                    first_reported_at=utc(first),
                    parameters=data.used("liver_symptoms"),
                ),
                key=f"{local.isoformat()}:{severity}",
                at=utc(first),
            )
        )
    return out
