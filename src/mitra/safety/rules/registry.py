"""The rule registry: each rule's id, severity, title, sources and grade, declared once.

A rule function returns `Finding`s: what it saw, in words and as typed evidence, with a key
that is the same whenever the same evidence is seen again. The `Rule` that wraps it (made by the
`registered` decorator) turns each into an `AlertCandidate` with the rule's id, its declared
severity, sources and grade unless the finding has more specific ones (an interaction's own
severity, the bands a dose was compared with), and the key prefixed with the rule's id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from mitra.knowledge.substances import Severity
from mitra.safety.evidence import Evidence, evidence_from_json
from mitra.safety.interactions import severity_rank
from mitra.safety.rules.inputs import ResponseFacts, SafetyInput
from mitra.timeline import TIMELINE_PARTS, TimelinePart

__all__ = [
    "SAFETY_FACTS",
    "AlertCandidate",
    "EvidenceGrade",
    "Finding",
    "ResponsesRead",
    "Rule",
    "SafetyFact",
    "evaluate",
    "registered",
    "registered_rules",
    "responses_read",
    "rule",
    "told_of",
]

#: The facts around the timeline a rule may read (`SafetyInput`'s products, substances,
#: responses and taper); a rule that does not say reads them all.
SafetyFact = Literal["products", "substances", "responses", "taper"]
SAFETY_FACTS: frozenset[SafetyFact] = frozenset(get_args(SafetyFact))

#: What an alert's warning rests on, strongest first; "heuristic" is a pattern in the person's
#: own data judged by mitra's rule of thumb, and "none" means mitra has no knowledge to go on.
EvidenceGrade = Literal[
    "clinical_study",
    "observational_study",
    "case_report",
    "survey",
    "official",
    "mechanism_only",
    "anecdotal",
    "heuristic",
    "none",
]


@dataclass(frozen=True)
class Finding:
    """What a rule function saw; `key` is unique within the rule and stable across runs."""

    title: str
    text: str
    advice: str
    evidence: Evidence
    key: str
    at: datetime
    severity: Severity | None = None  # None: the rule's declared severity
    sources: tuple[str, ...] | None = None  # None: the rule's declared sources
    grade: EvidenceGrade | None = None  # None: the rule's declared grade
    # Keys (of this rule) of the smallest findings this one tells of together (a co-use
    # finding's: each dose with the intake). When alerts the person has read told of every one
    # of them, this one says nothing new, and it is stored as read. Empty: it has none.
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertCandidate:
    """What a rule saw, what to do, and the sources and facts behind it; stored as an alert.

    `evidence_key` is stable: the same evidence always gives the same key, so the store keeps one
    alert per key. `at` is when the evidence happened.
    """

    rule: str
    severity: Severity
    title: str
    text: str
    advice: str
    sources: tuple[str, ...]
    evidence: Evidence
    evidence_key: str
    at: datetime
    evidence_grade: EvidenceGrade
    #: Evidence keys of the smallest findings this one tells of (see `Finding.parts`).
    parts: tuple[str, ...] = ()

    def sort_key(self) -> tuple[int, float, str, str]:
        """Most severe first, then newest first."""
        return (severity_rank(self.severity), -self.at.timestamp(), self.rule, self.evidence_key)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form; the evidence carries its `kind` tag."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "title": self.title,
            "text": self.text,
            "advice": self.advice,
            "sources": list(self.sources),
            "evidence": self.evidence.to_json(),
            "evidence_key": self.evidence_key,
            "at": self.at.isoformat(),
            "evidence_grade": self.evidence_grade,
        }


RuleFunction = Callable[[SafetyInput], list[Finding]]


@dataclass(frozen=True)
class ResponsesRead:
    """The questionnaire responses a rule looks at: those of `instruments` (their codes) and
    those that raised one of `flags`. The rule still checks each response it is given; this
    only lets the journal leave the others unread (a daily GAD-7 is no SOWS)."""

    instruments: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()

    def __or__(self, other: ResponsesRead) -> ResponsesRead:
        return ResponsesRead(self.instruments | other.instruments, self.flags | other.flags)

    def selects(self, response: ResponseFacts) -> bool:
        """`response` is one the rule looks at: of one of its instruments, or with one of its
        flags. A rule given none of these finds nothing, whatever the rest of its input."""
        return response.instrument in self.instruments or bool(self.flags & set(response.flags))


@dataclass(frozen=True)
class Rule:
    """A registered rule: its id, default severity, title, sources and grade, and its function."""

    id: str
    severity: Severity
    title: str
    sources: tuple[str, ...]
    grade: EvidenceGrade
    function: RuleFunction
    #: The parts of the timeline the rule reads; the others may be left empty for it.
    reads: frozenset[TimelinePart] = TIMELINE_PARTS
    #: The rule finds nothing without an active taper, and need not run without one.
    needs_taper: bool = False
    #: The facts besides the timeline the rule reads; the others may be left empty for it.
    uses: frozenset[SafetyFact] = SAFETY_FACTS
    #: Of the responses (when it uses them), the ones it looks at; None: every one.
    responses: ResponsesRead | None = None

    def key(self, suffix: str) -> str:
        """The evidence key of this rule's finding whose own key is `suffix`."""
        return f"{self.id}:{suffix}"

    def __call__(self, data: SafetyInput) -> list[AlertCandidate]:
        """Apply the rule."""
        return [
            AlertCandidate(
                rule=self.id,
                severity=f.severity or self.severity,
                title=f.title,
                text=f.text,
                advice=f.advice,
                sources=self.sources if f.sources is None else f.sources,
                evidence=f.evidence,
                evidence_key=self.key(f.key),
                at=f.at,
                evidence_grade=f.grade or self.grade,
                parts=tuple(self.key(k) for k in f.parts),
            )
            for f in self.function(data)
        ]


_REGISTERED: list[Rule] = []


def registered(
    rule_id: str,
    *,
    severity: Severity,
    title: str,
    sources: tuple[str, ...],
    grade: EvidenceGrade,
    reads: Iterable[TimelinePart] = TIMELINE_PARTS,
    needs_taper: bool = False,
    uses: Iterable[SafetyFact] = SAFETY_FACTS,
    responses: ResponsesRead | None = None,
) -> Callable[[RuleFunction], Rule]:
    """Register a rule function under its id, with its severity, title, sources and grade, the
    parts of the timeline and the other facts it reads (of the responses, which ones), and
    whether it needs an active taper to find anything."""

    def register(function: RuleFunction) -> Rule:
        if any(r.id == rule_id for r in _REGISTERED):
            raise ValueError(f"rule {rule_id!r} is registered twice")
        made = Rule(
            rule_id,
            severity,
            title,
            sources,
            grade,
            function,
            frozenset(reads),
            needs_taper,
            frozenset(uses),
            responses,
        )
        _REGISTERED.append(made)
        return made

    return register


def registered_rules() -> tuple[Rule, ...]:
    """Every registered rule, in the order the families registered them."""
    return tuple(_REGISTERED)


def responses_read(rules: Iterable[Rule]) -> ResponsesRead | None:
    """The responses any of `rules` looks at (an empty selection when none uses responses);
    None when one of them looks at every response."""
    wanted = ResponsesRead()
    for each in rules:
        if "responses" not in each.uses:
            continue
        if each.responses is None:
            return None
        wanted |= each.responses
    return wanted


def rule(rule_id: str) -> Rule:
    """A registered rule by id; KeyError naming the known ids otherwise."""
    for known in _REGISTERED:
        if known.id == rule_id:
            return known
    known_ids = ", ".join(r.id for r in _REGISTERED)
    raise KeyError(f"unknown rule {rule_id!r}; known: {known_ids}")


def evaluate(data: SafetyInput, rules: Sequence[Rule] | None = None) -> list[AlertCandidate]:
    """Every rule's candidates (or the given rules'), most severe first, then newest first."""
    chosen = registered_rules() if rules is None else rules
    found = [candidate for known in chosen for candidate in known(data)]
    return sorted(found, key=AlertCandidate.sort_key)


def told_of(rule_id: str, evidence_key: str, evidence: Any) -> frozenset[str]:
    """The evidence keys of the smallest findings a stored alert told of (see `Finding.parts`):
    its own key, and those its evidence names (a co-use alert's, each of its doses with the
    intake). Evidence that cannot be read tells of its own key alone."""
    parts = evidence_from_json(evidence).parts() if evidence else frozenset()
    return frozenset({evidence_key, *(f"{rule_id}:{part}" for part in parts)})
