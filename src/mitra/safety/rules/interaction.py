"""Interaction: kratom with a substance the person lists, as the knowledge base records it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo

from mitra.knowledge.substances import load_substances
from mitra.safety.evidence import Evidence, Fact, SubstanceSeen
from mitra.safety.interactions import KRATOM, InteractionFinding, interactions_among
from mitra.safety.rules.inputs import SafetyInput, SubstanceFacts, in_words
from mitra.safety.rules.registry import Finding, registered

__all__ = [
    "Disagreement",
    "InteractionEvidence",
    "InteractionFound",
    "UnknownSubstanceEvidence",
    "interaction_with_listed_substances",
    "listed_end_name",
]


@dataclass(frozen=True)
class Disagreement:
    """Where the sources disagree about an interaction, and which say what."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class InteractionFound:
    """An interaction rule of the knowledge base applied to a pair of substances."""

    interaction_rule: str
    substances: tuple[str, ...]
    between: tuple[str, ...]
    by_class: bool
    mechanism: str
    evidence_grade: str
    evidence_note: str
    disagreements: tuple[Disagreement, ...] = ()

    @classmethod
    def of(cls, finding: InteractionFinding) -> InteractionFound:
        """The finding as an alert's evidence keeps it."""
        return cls(
            interaction_rule=finding.rule,
            substances=finding.substances,
            between=finding.between,
            by_class=finding.by_class,
            mechanism=finding.mechanism,
            evidence_grade=finding.evidence,
            evidence_note=finding.evidence_note,
            disagreements=tuple(
                Disagreement(text, tuple(c.id for c in cites))
                for text, cites in finding.disagreements
            ),
        )

    def described(self) -> tuple[Fact, ...]:
        """The mechanism, the grade of evidence and any disagreement between sources."""
        how = "by the substance's class" if self.by_class else "for this substance"
        out = [
            Fact("Interaction", f"{self.interaction_rule} ({how}): {self.mechanism}"),
            Fact(
                "Strength of evidence",
                f"{self.evidence_grade.replace('_', ' ')}. {self.evidence_note}",
            ),
        ]
        out += [
            Fact("Sources disagree", f"{d.text} ({', '.join(d.sources)})")
            for d in self.disagreements
        ]
        return tuple(out)


@dataclass(frozen=True)
class InteractionEvidence(InteractionFound, Evidence, kind="interaction"):
    """A recorded interaction and the listed substances it concerns."""

    journal_substances: tuple[SubstanceSeen, ...] = ()

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        listed = ", ".join(s.name for s in self.journal_substances)
        return (Fact("Your substances", listed), *self.described())


@dataclass(frozen=True)
class UnknownSubstanceEvidence(Evidence, kind="unknown_substance"):
    """A listed substance the knowledge base does not know."""

    journal_substance: SubstanceSeen
    knowledge_id: str | None = None
    unknown: bool = True  # kept so stored alerts can be told apart by a query

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return (
            Fact("Your substance", self.journal_substance.name),
            Fact("In mitra's knowledge base", "not found"),
        )


def _unknown_substance(data: SafetyInput, substance: SubstanceFacts) -> Finding:
    return Finding(
        severity="info",
        title=f"mitra cannot check {substance.name} with kratom",
        text=(
            f"You list {substance.name!r}, which mitra's knowledge base does not know, so mitra "
            "cannot say how it combines with kratom. Unknown is not the same as safe."
        ),
        advice=(
            f"Ask a pharmacist about {substance.name} with kratom. If it has another name "
            "(generic or brand), try that name in your list of substances."
        ),
        sources=(),
        evidence=UnknownSubstanceEvidence(
            journal_substance=SubstanceSeen(substance.id, substance.name, substance.knowledge_id),
            knowledge_id=substance.knowledge_id,
        ),
        key=f"unknown:{substance.id}",
        at=data.now,
        grade="none",
    )


_TITLE_MAX = 200


def _end_name(substance_id: str, listed: Mapping[str, list[SubstanceFacts]]) -> str:
    return listed_end_name(substance_id, [s.name for s in listed.get(substance_id, [])])


def listed_end_name(substance_id: str, names: Sequence[str]) -> str:
    """An interaction's end as the person lists it: "kratom"; the names they gave the substance
    ("sertraline", "Zoloft and sertraline"), with the knowledge base's name after names all of
    their own ("Xanax (alprazolam)"); the knowledge base's name when they list none.

    The alert says its ends so, and the report names them as the alert does.
    """
    if substance_id == KRATOM:
        return "kratom"
    known = load_substances().substance(substance_id).name
    if not names:
        return known
    shown = in_words(names)
    return shown if known.casefold() in {n.casefold() for n in names} else f"{shown} ({known})"


@registered(
    "interaction",
    severity="warning",
    title="Kratom with a substance you list",
    sources=("kruegel2016", "tanna2023cpt", "hughes2018", "brogdon2022", "psychonautwiki"),
    grade="mechanism_only",
    reads=(),
    uses=("substances",),
)
def interaction_with_listed_substances(data: SafetyInput) -> list[Finding]:
    """Every recorded interaction among kratom and the person's active substances."""
    kb = load_substances()
    listed: dict[str, list[SubstanceFacts]] = {}
    out: list[Finding] = []
    for substance in sorted(data.substances.values(), key=lambda s: s.id):
        if not substance.active:
            continue
        if substance.knowledge_id is None or substance.knowledge_id not in kb.substances:
            out.append(_unknown_substance(data, substance))
            continue
        listed.setdefault(substance.knowledge_id, []).append(substance)
    for finding in interactions_among(sorted(listed)):
        first, second = finding.substances
        journal = [s for sid in finding.substances for s in listed.get(sid, [])]
        text = (
            f"You list {_end_name(first, listed)} and {_end_name(second, listed)}, and mitra's "
            f"knowledge base records this about them together: {finding.mechanism} "
            f"{finding.evidence_note}"
        )
        found = InteractionFound.of(finding)
        # A class's title ("Kratom with a benzodiazepine: ...") names which of the person's
        # substances it is about, so two of one class are two findings told apart.
        named = in_words([s.name for s in journal])
        title = f"{finding.title} ({named})" if named else finding.title
        if len(title) > _TITLE_MAX:  # an alert's title is stored in at most 200 characters
            title = title[: _TITLE_MAX - 2].rstrip() + "…)"
        out.append(
            Finding(
                severity=finding.severity,
                title=title,
                text=text,
                advice=finding.advice,
                sources=tuple(c.id for c in finding.sources),
                evidence=InteractionEvidence(
                    **vars(found),
                    journal_substances=tuple(
                        SubstanceSeen(s.id, s.name, s.knowledge_id) for s in journal
                    ),
                ),
                key=f"{finding.rule}:{first}:{second}",
                at=data.now,
                grade=finding.evidence,
            )
        )
    return out
