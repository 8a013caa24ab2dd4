"""Research consent: opt in with chosen kinds of data, change them, withdraw (each one transaction).

Nobody takes part by default. Each change is kept as a `ConsentEvent` (who, what, when), so a
study can show what a person agreed to at any time; a withdrawal removes the person from every
export made after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from mitra.vocabulary import RESEARCH_DATA_KINDS

from .errors import EntryInvalid
from .models import ConsentEvent, Person, ResearchConsent

__all__ = [
    "CONSENT_ACTORS",
    "consent_counts",
    "consent_events",
    "consent_of",
    "consent_sql_names",
    "consenting_persons",
    "grant_consent",
    "research_sources",
    "withdraw_consent",
]

#: Who changed a consent: the person, through which face. Accounts will add staff here.
CONSENT_ACTORS = ("person (web)", "person (cli)", "person (api)")
_MAX_KINDS = len(RESEARCH_DATA_KINDS)


def consent_of(person: Person) -> ResearchConsent:
    """The person's consent; an unsaved one that takes no part before they ever choose."""
    found = ResearchConsent.objects.filter(person=person).first()
    return found or ResearchConsent(person=person, opted_in=False, kinds=[])


def consent_events(person: Person) -> list[ConsentEvent]:
    """Every change of the person's consent, oldest first."""
    return list(ConsentEvent.objects.filter(person=person).order_by("at", "pk"))


def _kinds(kinds: Iterable[Any]) -> list[str]:
    given = list(kinds)
    if len(given) > _MAX_KINDS * 2:
        raise EntryInvalid({"kinds": f"lists more than {_MAX_KINDS * 2} kinds of data"})
    unknown = [k for k in given if not isinstance(k, str) or k not in RESEARCH_DATA_KINDS]
    if unknown:
        shown = ", ".join(repr(k)[:40] for k in unknown[:3])
        known = ", ".join(RESEARCH_DATA_KINDS)
        raise EntryInvalid({"kinds": f"{shown} is not a kind of data; choose from {known}"})
    if not given:
        raise EntryInvalid({"kinds": "needs at least one kind of data to share with research"})
    return sorted(set(given))


def _actor(actor: str) -> str:
    if actor not in CONSENT_ACTORS:
        raise ValueError(f"unknown consent actor {actor!r}")  # a programming error, not input
    return actor


@transaction.atomic
def grant_consent(person: Person, kinds: Iterable[Any], *, actor: str) -> ResearchConsent:
    """Take part in research with exactly these kinds of data (a later grant replaces them)."""
    chosen = _kinds(kinds)
    who = _actor(actor)
    consent, _ = ResearchConsent.objects.select_for_update().get_or_create(person=person)
    consent.opted_in = True
    consent.kinds = chosen
    consent.save()
    ConsentEvent.objects.create(
        person=person, action="grant", kinds=chosen, actor=who, at=timezone.now()
    )
    return consent


@transaction.atomic
def withdraw_consent(person: Person, *, actor: str) -> ResearchConsent:
    """Stop taking part: no later export includes the person. Withdrawing twice is harmless."""
    who = _actor(actor)
    consent, _ = ResearchConsent.objects.select_for_update().get_or_create(person=person)
    was_in = consent.opted_in
    consent.opted_in = False
    consent.kinds = []
    consent.save()
    if was_in:  # the log records changes; a repeated withdrawal changes nothing
        ConsentEvent.objects.create(
            person=person, action="withdraw", kinds=[], actor=who, at=timezone.now()
        )
    return consent


def consent_sql_names() -> dict[str, str]:
    """The SQL names of the consent table and its columns (person, opted_in, kinds): the
    research views in a clinic's PostgreSQL join them, so they follow consent as it is now."""
    meta = ResearchConsent._meta
    names = {"table": meta.db_table}
    for field in ("person", "opted_in", "kinds"):
        column = getattr(meta.get_field(field), "column", None)
        assert isinstance(column, str), field  # concrete fields all have a column
        names[field] = column
    return names


def consenting_persons() -> Iterator[tuple[Person, frozenset[str]]]:
    """Each person who takes part now, with the kinds of data they agreed to (by id)."""
    rows = ResearchConsent.objects.filter(opted_in=True).select_related("person").order_by("pk")
    for consent in rows.iterator(chunk_size=500):
        kinds = frozenset(k for k in consent.kinds if k in RESEARCH_DATA_KINDS)
        if kinds:
            yield consent.person, kinds


def consent_counts() -> tuple[int, int, int, dict[str, int]]:
    """Persons, how many take part, how many withdrew, and how many agreed to each kind."""
    people = Person.objects.count()
    taking_part = ResearchConsent.objects.filter(opted_in=True)
    # JSON containment is not portable to SQLite, so each kind is counted here (a study has
    # thousands of persons, not millions, and only the research page asks).
    per_kind = dict.fromkeys(RESEARCH_DATA_KINDS, 0)
    for kinds in taking_part.values_list("kinds", flat=True):
        for kind in kinds:
            if kind in per_kind:
                per_kind[kind] += 1
    withdrawn = ResearchConsent.objects.filter(
        opted_in=False, person__consent_events__action="withdraw"
    ).distinct()
    return people, taking_part.count(), withdrawn.count(), per_kind


def research_sources(person: Person) -> dict[str, Any]:
    """What a study export reads beside the Timeline: the journal's first entry, its latest
    taper with the person's choices, and its alerts (withdrawn ones left out), oldest first.

    Plain data: the export never touches the models.
    """
    from .alerts import alert_history
    from .queries import first_entry_at, journal_id
    from .tapers import events_of, schedule_of

    taper = person.tapers.order_by("-created_at", "-pk").first()
    alerts = sorted(
        (a.at, a.rule, a.severity) for a in alert_history(person) if a.withdrawn_at is None
    )
    return {
        "identity": journal_id(person),
        "first_entry_at": first_entry_at(person),
        "taper": None if taper is None else schedule_of(taper),
        "taper_events": () if taper is None else events_of(taper),
        "alerts": alerts,
    }
