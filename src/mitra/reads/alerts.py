"""The journal's safety alerts, as the Alerts page and banner, `mitra alerts` and the API show them.

Each alert's evidence is read back into its typed form and shown as labelled facts; evidence
stored before it was typed is shown as plain labelled text, never parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from mitra.journal import alerts as journal_alerts
from mitra.journal import queries
from mitra.journal.crisis import crisis_resources
from mitra.knowledge import load as load_knowledge
from mitra.safety import entry_rules, evidence_from_json
from mitra.safety.interactions import Citation
from mitra.safety.rules import crisis_answer_in_a_questionnaire
from mitra.vocabulary import SEVERITY_LABELS

from .cursor import decode_keys, encode_keys, moment

if TYPE_CHECKING:
    from mitra.journal.models import Alert, Person

__all__ = [
    "AlertFact",
    "AlertList",
    "AlertView",
    "Citation",
    "CrisisHelp",
    "CrisisLine",
    "alert",
    "alerts",
    "banner",
]

#: The rule whose alert brings crisis resources with it.
_CRISIS_RULE = crisis_answer_in_a_questionnaire.id
#: Open alerts the banner on every page lists, most severe first.
BANNER_SIZE = 3


@dataclass(frozen=True)
class AlertFact:
    """One labelled fact an alert rests on."""

    label: str
    text: str


@dataclass(frozen=True)
class CrisisLine:
    """A crisis line or emergency number for the person's country."""

    name: str
    action: str
    href: str
    detail: str
    text_action: str | None = None
    text_href: str | None = None


@dataclass(frozen=True)
class CrisisHelp:
    """Crisis resources for the person: lines of their country, their own contacts, sources."""

    lines: tuple[CrisisLine, ...]
    contacts: tuple[str, ...]
    sources: tuple[Citation, ...]


@dataclass(frozen=True)
class AlertView:
    """An alert: what was seen, what to do, the facts and sources behind it, and its state."""

    id: int
    rule: str
    severity: str
    severity_label: str
    title: str
    text: str
    advice: str
    at: datetime
    evidence_grade: str
    facts: tuple[AlertFact, ...]
    sources: tuple[Citation, ...]
    acknowledged: bool
    acknowledged_at: datetime | None
    withdrawn: bool
    withdrawn_at: datetime | None
    crisis: CrisisHelp | None  # only for the crisis rule's alert
    #: Why a withdrawn alert was withdrawn, in words ("" for one that stands).
    withdrawn_because: str = ""


@dataclass(frozen=True)
class AlertList:
    """Alerts, most severe and newest first, how many are still open, and the next page's cursor."""

    alerts: tuple[AlertView, ...]
    open_count: int
    includes_read: bool
    next_cursor: str | None = None


def _citations(source_ids: list[str]) -> tuple[Citation, ...]:
    kb = load_knowledge()
    known = [sid for sid in source_ids if sid in kb.sources]
    return tuple(Citation.of(s) for s in kb.cite(known))


def _crisis(person: Person) -> CrisisHelp:
    found = crisis_resources(person)
    return CrisisHelp(
        lines=tuple(
            CrisisLine(r.name, r.action, r.href, r.detail, r.text_action, r.text_href)
            for r in found["resources"]
        ),
        contacts=tuple(str(c) for c in found["contacts"]),
        sources=_citations([s.id for s in found["sources"]]),
    )


def view(a: Alert, zone: ZoneInfo, crisis: CrisisHelp | None = None) -> AlertView:
    """One stored alert as its view; `crisis` is attached to the crisis rule's alert."""
    facts = evidence_from_json(a.evidence).facts(zone)
    return AlertView(
        id=a.pk,
        rule=a.rule,
        severity=a.severity,
        severity_label=SEVERITY_LABELS.get(a.severity, a.severity),  # type: ignore[call-overload]
        title=a.title,
        text=a.text,
        advice=a.advice,
        at=a.at,
        evidence_grade=a.evidence_grade,
        facts=tuple(AlertFact(f.label, f.text) for f in facts),
        sources=_citations(list(a.sources)),
        acknowledged=a.acknowledged_at is not None,
        acknowledged_at=a.acknowledged_at,
        withdrawn=a.withdrawn_at is not None,
        withdrawn_at=a.withdrawn_at,
        crisis=crisis if a.rule == _CRISIS_RULE else None,
        withdrawn_because="" if a.withdrawn_at is None else _withdrawn_because(a.rule),
    )


def _withdrawn_because(rule: str) -> str:
    """Why the rules no longer find an alert: what changed under it."""
    if rule == "co_use":
        return (
            "the doses or uses behind it changed (one deleted or changed, or another logged "
            "near them: a newer alert tells of them all)"
        )
    if rule == "interaction":
        return "the substances behind it changed (one taken off your list, or changed)"
    if rule in entry_rules():
        return "the entry behind it was deleted or changed"
    return (
        "the days it counted were counted anew (a new time zone or day start), and no longer "
        "show it"
    )


def _views(person: Person, found: list[Alert]) -> tuple[AlertView, ...]:
    zone = ZoneInfo(person.time_zone)
    crisis = _crisis(person) if any(a.rule == _CRISIS_RULE for a in found) else None
    return tuple(view(a, zone, crisis) for a in found)


def _encode(a: Alert) -> str:
    read = a.acknowledged_at.astimezone(UTC).isoformat() if a.acknowledged_at else None
    return encode_keys(read, a.rank, a.at.astimezone(UTC).isoformat(), a.pk)


def _decode(cursor: str) -> queries.AlertKey:
    read, rank, at, pk = decode_keys(cursor, ((str, type(None)), int, str, int))
    return queries.AlertKey(
        None if read is None else moment(read),
        rank,  # type: ignore[arg-type]
        moment(at),
        pk,  # type: ignore[arg-type]
    )


def alerts(
    person: Person,
    *,
    include_read: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> AlertList:
    """Open alerts (or the whole history, read ones last), most severe and newest first.

    `limit` alerts at a time (all when None), after the alert whose `cursor` a page gave out;
    the cursor carries the alert's place in that order (read or not, rank, time, id).
    """
    after = _decode(cursor) if cursor else None
    rows = queries.alert_rows_page(
        person, include_read=include_read, after=after, limit=None if limit is None else limit + 1
    )
    page = rows if limit is None else rows[:limit]
    next_cursor = _encode(page[-1]) if len(rows) > len(page) and page else None
    return AlertList(
        alerts=_views(person, page),
        open_count=queries.open_alert_count(person),
        includes_read=include_read,
        next_cursor=next_cursor,
    )


def alert(person: Person, alert_id: int) -> AlertView | None:
    """One of the person's alerts, or None."""
    found = journal_alerts.alert_of(person, alert_id)
    return None if found is None else _views(person, [found])[0]


def banner(person: Person) -> AlertList:
    """The most severe open alerts for the banner on every page, and how many are open."""
    found = list(journal_alerts.open_alerts(person)[: BANNER_SIZE + 1])
    count = journal_alerts.open_alerts(person).count() if len(found) > BANNER_SIZE else len(found)
    return AlertList(
        alerts=_views(person, found[:BANNER_SIZE]), open_count=count, includes_read=False
    )
