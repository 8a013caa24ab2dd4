"""Crisis: a questionnaire answer that raised the crisis flag (PHQ-9 item 9 above 0, say)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from mitra.instruments.catalogue import instrument
from mitra.instruments.errors import UnknownInstrumentError
from mitra.safety.evidence import Evidence, Fact, ResponseSeen
from mitra.safety.rules.inputs import SafetyInput, when
from mitra.safety.rules.registry import Finding, ResponsesRead, registered

__all__ = ["CrisisEvidence", "crisis_alert_key", "crisis_answer_in_a_questionnaire"]


@dataclass(frozen=True)
class CrisisEvidence(Evidence, kind="crisis_answer"):
    """The response whose answer raised the crisis flag."""

    response: ResponseSeen

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return (
            Fact("Response", self.response.text(zone)),
            Fact("Flags", ", ".join(self.response.flags)),
        )


def _response_key(response_id: int) -> str:
    return f"response:{response_id}"


@registered(
    "crisis_answer",
    severity="danger",
    title="A questionnaire answer asks for support now",
    sources=("simon2013",),
    grade="clinical_study",
    reads=(),
    uses=("responses",),
    responses=ResponsesRead(flags=frozenset({"crisis"})),
)
def crisis_answer_in_a_questionnaire(data: SafetyInput) -> list[Finding]:
    """A questionnaire answer that raised the crisis flag (PHQ-9 item 9 above 0, for example)."""
    out: list[Finding] = []
    for response in data.responses:
        if "crisis" not in response.flags:
            continue
        message = (
            "One of your answers said you have had thoughts that you would be better off dead "
            "or of hurting yourself."
        )
        sources: tuple[str, ...] | None = None
        try:
            flags = [f for f in instrument(response.instrument).flags if f.id == "crisis"]
        except UnknownInstrumentError:
            flags = []
        if flags:
            message, sources = flags[0].message, flags[0].sources
        out.append(
            Finding(
                title="You deserve support right now",
                text=(
                    f"In your {response.instrument} on "
                    f"{when(response.at.timestamp(), data.timeline.clock)}: {message}"
                ),
                advice=(
                    "Please reach a crisis line, emergency services or someone you trust now. "
                    "You do not have to be sure it is an emergency to call."
                ),
                sources=sources,
                evidence=CrisisEvidence(
                    ResponseSeen(
                        response.id,
                        response.instrument,
                        response.at,
                        response.total,
                        tuple(response.flags),
                    )
                ),
                key=_response_key(response.id),
                at=response.at,
            )
        )
    return out


def crisis_alert_key(response_id: int) -> str:
    """The evidence key of the crisis alert a response raised (read with its crisis card)."""
    return crisis_answer_in_a_questionnaire.key(_response_key(response_id))
