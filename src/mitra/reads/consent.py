"""Research consent as the person sees it (Settings, `mitra consent`, the API), and its counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mitra.journal.consent import consent_counts, consent_events, consent_of
from mitra.vocabulary import RESEARCH_DATA_KINDS

__all__ = [
    "ConsentChange",
    "ConsentCounts",
    "ConsentKind",
    "ConsentRead",
    "consent_counts_read",
    "consent_read",
]


@dataclass(frozen=True)
class ConsentKind:
    """One kind of data a study may use, and whether the person agreed to it."""

    kind: str
    label: str
    included: bool


@dataclass(frozen=True)
class ConsentChange:
    """One change of consent, as kept: what it became, who made it and when."""

    action: str
    kinds: tuple[str, ...]
    actor: str
    at: datetime


@dataclass(frozen=True)
class ConsentRead:
    """Whether the person takes part in research, with which data, and every change so far."""

    taking_part: bool
    kinds: tuple[ConsentKind, ...]
    changes: tuple[ConsentChange, ...]
    statement: str


STATEMENT = (
    "Research use is off unless you turn it on. When on, a study export holds only the kinds "
    "of data you tick, under a study key that is not your name or id, with dates moved by a "
    "secret number of days and never your notes. You can withdraw at any time: exports made "
    "after that leave you out (copies a study already holds cannot be called back)."
)


def consent_read(person: Any) -> ConsentRead:
    """The person's research consent and its history."""
    consent = consent_of(person)
    chosen = set(consent.kinds) if consent.opted_in else set()
    return ConsentRead(
        taking_part=bool(consent.opted_in),
        kinds=tuple(ConsentKind(k, label, k in chosen) for k, label in RESEARCH_DATA_KINDS.items()),
        changes=tuple(
            ConsentChange(e.action, tuple(e.kinds), e.actor, e.at) for e in consent_events(person)
        ),
        statement=STATEMENT,
    )


@dataclass(frozen=True)
class ConsentCounts:
    """Across the database: persons, how many take part, withdrew, and agreed to each kind."""

    persons: int
    taking_part: int
    withdrawn: int
    per_kind: dict[str, int]


def consent_counts_read() -> ConsentCounts:
    """The counts for the research page and `mitra cohort report`."""
    persons, taking_part, withdrawn, per_kind = consent_counts()
    return ConsentCounts(persons, taking_part, withdrawn, per_kind)
