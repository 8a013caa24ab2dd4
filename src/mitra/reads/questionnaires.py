"""Questionnaires: the instruments, each response with its score, change against MCID and
reliable change, the history per instrument, and responses a page at a time."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from mitra.instruments import (
    Change,
    Direction,
    change,
    fhir_questionnaire,
    instrument,
    known_codes,
    score,
)
from mitra.instruments.scoring import BandResult, ScreeningResult, SubscaleScore
from mitra.journal import clock, queries
from mitra.journal.crisis import crisis_resources
from mitra.knowledge import load as load_knowledge
from mitra.knowledge.loader import CrisisResource
from mitra.safety.interactions import Citation

from .journal import CursorInvalid
from .today import Gad7Due, gad7_due

if TYPE_CHECKING:
    from mitra.journal.models import Response

__all__ = [
    "AnswerOptionView",
    "BandView",
    "ChangeView",
    "Comparison",
    "CrisisContact",
    "CrisisResources",
    "FlagView",
    "InstrumentDetail",
    "InstrumentHistory",
    "InstrumentSummary",
    "ItemView",
    "Questionnaires",
    "ResponseDetail",
    "ResponsePage",
    "ResponseView",
    "ScoreView",
    "cite",
    "comparison",
    "instrument_detail",
    "instrument_fhir",
    "instruments",
    "questionnaires",
    "response_detail",
    "response_page",
    "score_view",
]


def cite(source_ids: tuple[str, ...] | list[str]) -> tuple[Citation, ...]:
    """Source ids as citations a person can open."""
    return tuple(Citation.of(s) for s in load_knowledge().cite(list(source_ids)))


@dataclass(frozen=True)
class InstrumentSummary:
    """A questionnaire mitra can score."""

    code: str
    name: str
    items: int
    maximum: int
    recall: str
    loinc_panel: str | None


@dataclass(frozen=True)
class AnswerOptionView:
    value: int
    label: str


@dataclass(frozen=True)
class ItemView:
    number: int
    text: str
    loinc: str | None
    options: tuple[AnswerOptionView, ...]


@dataclass(frozen=True)
class BandView:
    id: str
    label: str
    min: int
    max: int
    meaning: str


@dataclass(frozen=True)
class InstrumentDetail:
    """A questionnaire with its items, answers, bands and sources."""

    code: str
    name: str
    items: int
    maximum: int
    recall: str
    loinc_panel: str | None
    stem: str
    item_texts: tuple[ItemView, ...]
    bands: tuple[BandView, ...]
    bands_note: str | None
    sources: tuple[Citation, ...]


@dataclass(frozen=True)
class FlagView:
    """A safety flag a response raised, with its sources."""

    id: str
    message: str
    item: int | None
    sources: tuple[Citation, ...]


@dataclass(frozen=True)
class CrisisContact:
    name: str
    phone: str


@dataclass(frozen=True)
class CrisisResources:
    """Crisis lines for the person's country, their own contacts, and the sources."""

    resources: tuple[CrisisResource, ...]
    contacts: tuple[CrisisContact, ...]
    sources: tuple[Citation, ...]


@dataclass(frozen=True)
class ResponseView:
    """A saved questionnaire response with its score (time on the person's clock)."""

    id: int
    instrument: str
    name: str
    at: datetime
    answers: tuple[int, ...]
    total: int
    maximum: int
    band: BandResult | None
    band_note: str
    screening: ScreeningResult | None
    subscales: tuple[SubscaleScore, ...]
    flags: tuple[FlagView, ...]
    notes: tuple[str, ...]
    crisis: bool
    acknowledged: bool
    sources: tuple[Citation, ...]
    crisis_resources: CrisisResources | None


@dataclass(frozen=True)
class ScoreView:
    """Answers scored without saving: total, band, flags, and crisis resources when needed."""

    instrument: str
    name: str
    answers: tuple[int, ...]
    total: int
    maximum: int
    band: BandResult | None
    band_note: str
    screening: ScreeningResult | None
    subscales: tuple[SubscaleScore, ...]
    flags: tuple[FlagView, ...]
    notes: tuple[str, ...]
    crisis: bool
    sources: tuple[Citation, ...]
    crisis_resources: CrisisResources | None


@dataclass(frozen=True)
class Comparison:
    """The change between two totals of one questionnaire, against its MCID and reliable
    change (None where the literature gives no threshold; `notes` then says so)."""

    instrument: str
    before: int
    after: int
    difference: int
    direction: Direction
    mcid: int | None
    meets_mcid: bool | None
    reliable_change: int | None
    meets_reliable_change: bool | None
    notes: tuple[str, ...]
    sources: tuple[Citation, ...]
    summary: str  # "improvement" only for a reliable change; else the way it moved, and why


@dataclass(frozen=True)
class ChangeView:
    """Change of a response against an earlier one, against the MCID and reliable change."""

    label: str  # "since your previous response", "since your first response"
    before_id: int
    before_at: datetime
    change: Change


@dataclass(frozen=True)
class HistoryPoint:
    id: int
    at: datetime
    total: int
    band: str | None


@dataclass(frozen=True)
class ResponseDetail:
    """One response's page: its score, change against earlier ones, and the history."""

    response: ResponseView
    instrument: InstrumentDetail
    changes: tuple[ChangeView, ...]
    change_sources: tuple[Citation, ...]
    history: tuple[HistoryPoint, ...]


@dataclass(frozen=True)
class InstrumentHistory:
    """An instrument with the person's responses to it, oldest first."""

    code: str
    name: str
    items: int
    maximum: int
    recall: str
    history: tuple[HistoryPoint, ...]
    change_since_previous: Change | None
    change_since_first: Change | None


@dataclass(frozen=True)
class Questionnaires:
    """The Questionnaires page: each instrument's history, and whether a GAD-7 is due."""

    instruments: tuple[InstrumentHistory, ...]
    gad7: Gad7Due


@dataclass(frozen=True)
class ResponsePage:
    """Responses, oldest first, and the cursor of the next page."""

    responses: tuple[ResponseView, ...]
    next_cursor: str | None


def _summary(code: str) -> InstrumentSummary:
    d = instrument(code)
    return InstrumentSummary(
        d.code, d.name, len(d.items), d.maximum, d.recall, d.loinc_panel or None
    )


def instruments() -> list[InstrumentSummary]:
    """The questionnaires mitra can score."""
    return [_summary(code) for code in known_codes()]


def instrument_detail(code: str) -> InstrumentDetail:
    """One questionnaire in full (InstrumentError when mitra does not know it)."""
    d = instrument(code)
    s = _summary(d.code)
    return InstrumentDetail(
        code=s.code,
        name=s.name,
        items=s.items,
        maximum=s.maximum,
        recall=s.recall,
        loinc_panel=s.loinc_panel,
        stem=d.stem,
        item_texts=tuple(
            ItemView(
                n,
                item.text,
                item.loinc or None,
                tuple(AnswerOptionView(o.value, o.label) for o in d.options(n)),
            )
            for n, item in enumerate(d.items, start=1)
        ),
        bands=tuple(BandView(b.id, b.label, b.min, b.max, b.meaning) for b in d.bands),
        bands_note=d.bands_note or None,
        sources=cite(list(d.sources)),
    )


def instrument_fhir(code: str) -> dict[str, Any]:
    """One questionnaire as a FHIR R4 Questionnaire resource."""
    return fhir_questionnaire(instrument(code).code)


def _crisis(person: Any) -> CrisisResources:
    found = crisis_resources(person)
    return CrisisResources(
        resources=tuple(found["resources"]),
        contacts=tuple(CrisisContact(c["name"], c["phone"]) for c in found["contacts"]),
        sources=tuple(Citation.of(s) for s in found["sources"]),
    )


def response_view(person: Any, response: Response) -> ResponseView:
    """A saved response, scored, with crisis resources when it raised the crisis flag."""
    result = score(response.instrument, response.answers)
    return ResponseView(
        id=response.pk,
        instrument=result.instrument,
        name=result.name,
        at=response.at.astimezone(clock(person).zone),
        answers=result.answers,
        total=result.total,
        maximum=result.maximum,
        band=result.band,
        band_note=result.band_note,
        screening=result.screening,
        subscales=result.subscales,
        flags=tuple(FlagView(f.id, f.message, f.item, cite(f.sources)) for f in result.flags),
        notes=result.notes,
        crisis=response.crisis,
        acknowledged=response.acknowledged_at is not None,
        sources=cite(result.sources),
        crisis_resources=_crisis(person) if response.crisis else None,
    )


def score_view(code: str, answers: list[int | None], person: Any | None = None) -> ScoreView:
    """Answers scored without saving (InstrumentError when they cannot be scored); crisis
    resources of the person's country, and their own contacts, when the answers call for them.
    """
    result = score(code, answers)
    return ScoreView(
        instrument=result.instrument,
        name=result.name,
        answers=result.answers,
        total=result.total,
        maximum=result.maximum,
        band=result.band,
        band_note=result.band_note,
        screening=result.screening,
        subscales=result.subscales,
        flags=tuple(FlagView(f.id, f.message, f.item, cite(f.sources)) for f in result.flags),
        notes=result.notes,
        crisis=result.crisis,
        sources=cite(result.sources),
        crisis_resources=_crisis(person) if result.crisis else None,
    )


def comparison(code: str, before_total: int, after_total: int) -> Comparison:
    """The change between two totals (InstrumentError for an unknown code or a total out of
    range); on every mitra scale a higher total means more symptoms."""
    found = change(code, before_total, after_total)
    return Comparison(
        instrument=found.instrument,
        before=found.before,
        after=found.after,
        difference=found.difference,
        direction=found.direction,
        mcid=found.mcid,
        meets_mcid=found.meets_mcid,
        reliable_change=found.reliable_change,
        meets_reliable_change=found.meets_reliable_change,
        notes=found.notes,
        sources=cite(found.sources),
        summary=found.summary,
    )


def _point(response: Response, zone: Any) -> HistoryPoint:
    return HistoryPoint(
        response.pk, response.at.astimezone(zone), response.total, response.band or None
    )


def questionnaires(person: Any) -> Questionnaires:
    """Each instrument with the person's history of it and the latest change."""
    zone = clock(person).zone
    by_code: dict[str, list[Response]] = {}
    for r in queries.responses(person):
        by_code.setdefault(r.instrument, []).append(r)
    rows = []
    for code in known_codes():
        s = _summary(code)
        same = by_code.get(code, [])
        previous = change(code, same[-2].total, same[-1].total) if len(same) > 1 else None
        first = change(code, same[0].total, same[-1].total) if len(same) > 2 else None
        rows.append(
            InstrumentHistory(
                code=s.code,
                name=s.name,
                items=s.items,
                maximum=s.maximum,
                recall=s.recall,
                history=tuple(_point(r, zone) for r in same),
                change_since_previous=previous,
                change_since_first=first,
            )
        )
    return Questionnaires(tuple(rows), gad7_due(person))


def response_detail(person: Any, response_id: int) -> ResponseDetail | None:
    """One of the person's responses with its change and history, or None."""
    history = list(queries.responses(person).filter(instrument__in=known_codes()))
    response = next((r for r in history if r.pk == response_id), None)
    if response is None:
        return None
    zone = clock(person).zone
    same = [r for r in history if r.instrument == response.instrument]
    earlier = [r for r in same if (r.at, r.pk) < (response.at, response.pk)]
    changes: list[ChangeView] = []
    code = response.instrument
    for label, other in (
        ("since your previous response", earlier[-1] if earlier else None),
        ("since your first response", earlier[0] if len(earlier) > 1 else None),
    ):
        if other is not None:
            found = change(code, other.total, response.total)
            changes.append(ChangeView(label, other.pk, other.at.astimezone(zone), found))
    return ResponseDetail(
        response=response_view(person, response),
        instrument=instrument_detail(code),
        changes=tuple(changes),
        change_sources=cite(changes[0].change.sources) if changes else (),
        history=tuple(_point(r, zone) for r in same),
    )


def _encode(at: datetime, pk: int) -> str:
    text = json.dumps([at.astimezone(UTC).isoformat(), pk])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at_text, pk = json.loads(raw)
        at = datetime.fromisoformat(at_text)
        at.astimezone(UTC)
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise CursorInvalid(
            "is not a cursor this journal gave out; start from the first page"
        ) from None
    if at.tzinfo is None or not isinstance(pk, int):
        raise CursorInvalid("is not a cursor this journal gave out; start from the first page")
    return at, pk


def response_page(
    person: Any, instrument_code: str | None = None, cursor: str | None = None, *, limit: int = 50
) -> ResponsePage:
    """Responses oldest first (one instrument, or all), `limit` at a time."""
    after = _decode(cursor) if cursor else None
    rows = queries.response_rows_page(person, instrument_code, after=after, limit=limit + 1)
    page = rows[:limit]
    more = len(rows) > limit
    next_cursor = _encode(page[-1].at, page[-1].pk) if more and page else None
    return ResponsePage(tuple(response_view(person, r) for r in page), next_cursor)


def local_day(person: Any, moment: datetime) -> date:
    """The person's local day of a moment (for charts by day)."""
    return clock(person).local_day(moment)
