"""Interactions of kratom with named substances, as `mitra interactions --json` and
GET /api/v1/interactions show them: the domain's check, as typed dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

from mitra.safety.interactions import (
    MAX_NAME_LENGTH,
    Citation,
    CloseMatch,
    InteractionFinding,
    check,
)

__all__ = [
    "MAX_NAMES",
    "MAX_NAME_LENGTH",
    "Disagreement",
    "InteractionCheck",
    "InteractionReportView",
    "InteractionView",
    "interaction_view",
    "interactions",
]

#: The most names one check takes (the CLI and the API refuse more).
MAX_NAMES = 20

DISCLAIMER = (
    "Not medical advice. Interactions are shown with their evidence; a name mitra does "
    "not know, or a combination with no recorded interaction, is not thereby safe."
)


@dataclass(frozen=True)
class Disagreement:
    """Where sources disagree about an interaction, and which ones."""

    text: str
    sources: tuple[Citation, ...]


@dataclass(frozen=True)
class InteractionView:
    """An interaction of kratom (or between two listed substances), with its sources."""

    rule: str
    title: str
    severity: str
    evidence: str
    evidence_note: str
    mechanism: str
    advice: str
    substances: tuple[str, str]
    between: tuple[str, str]
    # The rule's two ends in the knowledge base's words: a substance's name ("kratom",
    # "7-hydroxymitragynine") or a class's label ("Benzodiazepine", "CYP3A4 substrate").
    between_names: tuple[str, str]
    by_class: bool
    sources: tuple[Citation, ...]
    disagreements: tuple[Disagreement, ...]
    # The person's own substances it is about, by the names they gave ("Xanax"), on their
    # Substances page: two of one class are two cards with one title otherwise.
    yours: tuple[str, ...] = ()
    # The two ends as the person lists them, as the alert names them ("kratom" and
    # "Xanax (alprazolam)"); None for a check of names that are not the person's list.
    between_yours: tuple[str, str] | None = None


@dataclass(frozen=True)
class InteractionReportView:
    """What mitra knows about kratom with one named substance (unknown: close matches)."""

    query: str
    status: str
    resolved: str | None
    name: str | None
    match: str
    matched_name: str | None
    classes: tuple[str, ...]
    class_names: tuple[str, ...]  # the classes in the knowledge base's words
    close_matches: tuple[CloseMatch, ...]
    highest_severity: str | None
    interactions: tuple[InteractionView, ...]
    note: str


@dataclass(frozen=True)
class InteractionCheck:
    """A check of kratom against named substances: one report per name, and what it is not."""

    subject: str
    summary: str  # "2 names checked: 1 danger, 1 caution"
    reports: tuple[InteractionReportView, ...]
    disclaimer: str


def interactions(names: list[str]) -> InteractionCheck:
    """Each name's report (names already bounded by the caller: MAX_NAMES, MAX_NAME_LENGTH)."""
    from mitra.knowledge.substances import load_substances
    from mitra.safety.interactions import KRATOM

    labels = {c.id: c.label for c in load_substances().classes.values()}
    reports = tuple(
        InteractionReportView(
            query=r.query,
            status=r.status,
            resolved=r.resolved,
            name=r.name,
            match=r.match,
            matched_name=r.matched_name,
            classes=r.classes,
            class_names=tuple(labels.get(c, c.replace("_", " ")) for c in r.classes),
            close_matches=r.close_matches,
            highest_severity=r.highest_severity,
            interactions=tuple(interaction_view(f) for f in r.interactions),
            note=r.note,
        )
        for r in check(names)
    )
    return InteractionCheck(
        subject=KRATOM, summary=_summary(reports), reports=reports, disclaimer=DISCLAIMER
    )


def _summary(reports: tuple[InteractionReportView, ...]) -> str:
    """ "2 names checked: 1 danger, 1 caution": each name counted once, by its worst finding."""
    from mitra.vocabulary import SEVERITIES

    counts: dict[str, int] = {}
    for report in reports:
        if report.status == "unknown":
            key = "unknown to mitra"
        else:
            key = report.highest_severity or "no known interaction"
        counts[key] = counts.get(key, 0) + 1
    order = [*SEVERITIES, "no known interaction", "unknown to mitra"]
    parts = [f"{counts[k]} {k}" for k in order if k in counts]
    checked = f"{len(reports)} name{'s' if len(reports) != 1 else ''} checked"
    return f"{checked}: {', '.join(parts)}"


def interaction_view(
    finding: InteractionFinding,
    yours: tuple[str, ...] = (),
    between_yours: tuple[str, str] | None = None,
) -> InteractionView:
    """An engine's finding as its view; `yours`: the person's substances it is about, and
    `between_yours` its two ends as the person lists them."""
    return InteractionView(
        rule=finding.rule,
        title=finding.title,
        severity=finding.severity,
        evidence=finding.evidence,
        evidence_note=finding.evidence_note,
        mechanism=finding.mechanism,
        advice=finding.advice,
        substances=finding.substances,
        between=finding.between,
        between_names=(_name_of(finding.between[0]), _name_of(finding.between[1])),
        by_class=finding.by_class,
        sources=finding.sources,
        disagreements=tuple(Disagreement(t, c) for t, c in finding.disagreements),
        yours=yours,
        between_yours=between_yours,
    )


def _name_of(end: str) -> str:
    """An interaction rule's end (a substance's or a class's id) as the knowledge base names it."""
    from mitra.knowledge.substances import load_substances

    base = load_substances()
    if end in base.substances:
        return base.substances[end].name
    if end in base.classes:
        return base.classes[end].label
    return end.replace("_", " ")  # never reached: the loader checks every rule's ends
