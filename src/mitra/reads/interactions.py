"""Interactions of kratom with named substances, as `mitra interactions --json` and
GET /api/v1/interactions show them: the domain's check, as typed dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

from mitra.safety.interactions import MAX_NAME_LENGTH, CloseMatch, check

from .substances import Disagreement, InteractionView, interaction_view

__all__ = [
    "MAX_NAMES",
    "MAX_NAME_LENGTH",
    "Disagreement",
    "InteractionCheck",
    "InteractionReportView",
    "InteractionView",
    "interactions",
]

#: The most names one check takes (the CLI and the API refuse more).
MAX_NAMES = 20

DISCLAIMER = (
    "Not medical advice. Interactions are shown with their evidence; a name mitra does "
    "not know, or a combination with no recorded interaction, is not thereby safe."
)


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
    close_matches: tuple[CloseMatch, ...]
    highest_severity: str | None
    interactions: tuple[InteractionView, ...]
    note: str


@dataclass(frozen=True)
class InteractionCheck:
    """A check of kratom against named substances: one report per name, and what it is not."""

    subject: str
    reports: tuple[InteractionReportView, ...]
    disclaimer: str


def interactions(names: list[str]) -> InteractionCheck:
    """Each name's report (names already bounded by the caller: MAX_NAMES, MAX_NAME_LENGTH)."""
    from mitra.safety.interactions import KRATOM

    return InteractionCheck(
        subject=KRATOM,
        reports=tuple(
            InteractionReportView(
                query=r.query,
                status=r.status,
                resolved=r.resolved,
                name=r.name,
                match=r.match,
                matched_name=r.matched_name,
                classes=r.classes,
                close_matches=r.close_matches,
                highest_severity=r.highest_severity,
                interactions=tuple(interaction_view(f) for f in r.interactions),
                note=r.note,
            )
            for r in check(names)
        ),
        disclaimer=DISCLAIMER,
    )
