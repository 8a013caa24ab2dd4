"""The journal as people read it: entries of every kind with their titles, pages by local day
(of chosen kinds), edit values."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mitra.instruments import instrument
from mitra.journal import clock, queries
from mitra.knowledge import load as load_knowledge
from mitra.pharmacology import content_per_gram
from mitra.safety import is_concentrated_seven_oh
from mitra.vocabulary import PRACTICE_KINDS, unit_text
from mitra.wording import amount_of, mg, mg_range

from .cursor import CursorInvalid
from .products import ProductView
from .products import view as product_view

if TYPE_CHECKING:
    from mitra.journal.models import CheckIn, Dose, Intake, Practice, Response

__all__ = [
    "ENTRY_KINDS",
    "MAX_PAGE",
    "CheckInValues",
    "CursorInvalid",
    "DeletedEntry",
    "DoseValues",
    "EntryView",
    "IntakeValues",
    "JournalDay",
    "JournalPage",
    "KindsInvalid",
    "RecentlyDeleted",
    "checkin_entry",
    "decode_cursor",
    "deleted_entry",
    "dose_entry",
    "entries_between",
    "entries_of",
    "entry_kinds",
    "entry_read",
    "entry_values",
    "intake_entry",
    "journal_page",
    "practice_entry",
    "recent_intakes",
    "recently_deleted",
    "response_entry",
]

MAX_PAGE = 200

#: Every kind of journal entry, with its name on the Journal's filter, in the filter's order.
ENTRY_KINDS: dict[str, str] = {
    "checkin": "Check-ins",
    "dose": "Kratom doses",
    "practice": "Practices",
    "response": "Questionnaires",
    "intake": "Other substances",
}
#: A filter longer than every kind named once, with commas, is not one mitra's forms make.
_MAX_KINDS_TEXT = 100


class KindsInvalid(ValueError):
    """A filter naming a kind of entry the journal does not have (or far too long)."""


def entry_kinds(values: str | list[str] | None) -> tuple[str, ...]:
    """The kinds a filter names ("dose,response", or one per value), in ENTRY_KINDS order.

    Nothing named means every kind; an unknown kind is KindsInvalid, naming the known ones.
    """
    texts = [values] if isinstance(values, str) else list(values or [])
    if len(texts) > len(ENTRY_KINDS) or sum(len(t) for t in texts) > _MAX_KINDS_TEXT:
        raise KindsInvalid(f"names too many kinds; choose from {', '.join(ENTRY_KINDS)}")
    named = {part.strip().lower() for text in texts for part in text.split(",")} - {""}
    unknown = sorted(named - ENTRY_KINDS.keys())
    if unknown:
        raise KindsInvalid(
            f"has an unknown kind {unknown[0]!r}; choose from {', '.join(ENTRY_KINDS)}"
        )
    return tuple(k for k in ENTRY_KINDS if k in named) or tuple(ENTRY_KINDS)


@dataclass(frozen=True)
class EntryView:
    """One line of the journal: its kind, time on the person's clock, a title and details."""

    kind: str  # "dose", "checkin", "practice", "response", "intake"
    id: int
    at: datetime
    title: str
    details: tuple[str, ...]
    # A practice logged with a check-in: that check-in's id (it is changed and deleted with it).
    checkin_id: int | None = None


@dataclass(frozen=True)
class JournalDay:
    """The entries of one local day, newest first."""

    day: date
    entries: tuple[EntryView, ...]


@dataclass(frozen=True)
class JournalPage:
    """A page of the journal, newest first, the cursor of the next (older) page, and the kinds of
    entry it shows (the next page is of the same kinds)."""

    days: tuple[JournalDay, ...]
    next_cursor: str | None
    kinds: tuple[str, ...] = tuple(ENTRY_KINDS)
    #: The hour the person's days start at ("04:00"), when it is not midnight: an entry made
    #: before then is on the day before (its own date is not its day's). "" at midnight.
    day_starts: str = ""


@dataclass(frozen=True)
class DoseValues:
    """A dose's current values, to fill its edit form (times on the person's clock)."""

    id: int
    product: ProductView
    amount: float
    unit: str
    taken_at: datetime
    note: str


@dataclass(frozen=True)
class IntakeValues:
    """A use of a substance's current values, to fill its edit form (times on the person's
    clock); its substance even when removed from the list since."""

    id: int
    substance_id: int
    substance_name: str
    amount: float | None
    unit: str
    taken_at: datetime
    note: str


@dataclass(frozen=True)
class CheckInValues:
    """A check-in's current values with its practices' minutes by kind, to fill its edit form."""

    id: int
    at: datetime
    anxiety: int | None
    mood: int | None
    sleep_hours: float | None
    sleep_quality: int | None
    symptoms: tuple[str, ...]
    note: str
    practices: dict[str, int]
    regular_meals: bool | None = None
    caffeine_cups: float | None = None


def practice_entry(p: Practice, zone: Any = UTC) -> EntryView:
    """A practice as a journal line: "Mindfulness: 15 min" (and, for one logged with a
    check-in, "with a check-in" and that check-in's id)."""
    labels: dict[str, str] = {str(k): v for k, v in PRACTICE_KINDS.items()}
    title = f"{labels.get(p.kind, p.kind)}: {p.minutes} min"
    if p.checkin_id is not None:
        details = ("logged with a check-in",)
        return EntryView("practice", p.pk, p.at.astimezone(zone), title, details, p.checkin_id)
    return EntryView("practice", p.pk, p.at.astimezone(zone), title, ())


def entry_read(person: Any, kind: str, row: Any) -> EntryView:
    """A just-saved entry row ("dose", "checkin", "practice", "intake") as its journal line."""
    zone = clock(person).zone
    if kind == "dose":
        return dose_entry(row, zone)
    if kind == "checkin":
        return checkin_entry(row, queries.practice_rows(row), zone)
    if kind == "practice":
        return practice_entry(row, zone)
    return intake_entry(row, zone)


def deleted_entry(
    person: Any, kind: str, entry_id: int, *, deleted: bool = True
) -> EntryView | None:
    """A deleted entry's journal line, for the Undo that names it; None if there is none.
    `deleted` False: the line of the entry as it stands in the journal (None if deleted)."""
    row = queries.deleted_entry_row(person, kind, entry_id, deleted=deleted)
    return None if row is None else entry_read(person, kind, row)


#: How far back the entries deleted are listed to be brought back, and at most how many.
DELETED_DAYS = 30
DELETED_MOST = 100


@dataclass(frozen=True)
class DeletedEntry:
    """An entry deleted, as its journal line, and when it was deleted (on the person's clock)."""

    entry: EntryView
    deleted_at: datetime


@dataclass(frozen=True)
class RecentlyDeleted:
    """The entries deleted in the last `days` days, the latest deletion first (at most `most`),
    each to be brought back as it was."""

    days: int
    most: int
    entries: tuple[DeletedEntry, ...]


def recently_deleted(person: Any) -> RecentlyDeleted:
    """What the person deleted lately, to undo a deletion after its Undo has gone."""
    zone = clock(person).zone
    since = datetime.now(UTC) - timedelta(days=DELETED_DAYS)
    rows = queries.deleted_rows(person, since, DELETED_MOST)
    practices = queries.practices_of([row for kind, row in rows if kind == "checkin"])

    def line(kind: str, row: Any) -> EntryView:
        if kind == "dose":
            return dose_entry(row, zone)
        if kind == "checkin":
            return checkin_entry(row, practices.get(row.pk, []), zone)
        if kind == "practice":
            return practice_entry(row, zone)
        return intake_entry(row, zone)

    entries = tuple(
        DeletedEntry(line(kind, row), row.deleted_at.astimezone(zone)) for kind, row in rows
    )
    return RecentlyDeleted(DELETED_DAYS, DELETED_MOST, entries)


def _amount(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def dose_entry(d: Dose, zone: Any = UTC) -> EntryView:
    """A dose as a journal line: "Kratom: 2 capsules of X", with grams and the lab figures."""
    amount = unit_text(d.amount, d.unit)
    grams = f"= {_amount(d.grams)} g" if d.unit != "g" else ""
    content: list[str] = []
    if d.mg_mitragynine is not None:
        # As Today words it: 0.045 mg is not "0 mg".
        content.append(f"{mg(d.mg_mitragynine)} mitragynine (lab figure)")
    elif (per_gram := content_per_gram(d.product.form, "mitragynine")) is not None:
        # A leaf product without a lab figure: the literature's estimate, as Today counts it.
        spread = mg_range(per_gram.low_mg * d.grams, per_gram.high_mg * d.grams)
        content.append(f"about {mg(per_gram.mg * d.grams)} mitragynine (estimate, {spread})")
    if is_concentrated_seven_oh(d.product.form, d.product.hydroxy_mg_per_g):
        # A concentrated 7-OH product (by its form or its lab figure, as the alert decides):
        # its 7-OH is the figure that counts, so it comes first.
        content.insert(0, _seven_oh(d))
    elif d.mg_7oh is not None:  # any other product's 7-OH by its lab figure, as Today shows it
        content.append(f"{mg(d.mg_7oh)} 7-OH (lab figure)")
    details = tuple(x for x in (*content, grams, d.note) if x)
    title = f"Kratom: {amount_of(amount, d.product.name)}"
    return EntryView("dose", d.pk, d.taken_at.astimezone(zone), title, details)


def _seven_oh(d: Dose) -> str:
    """A concentrated 7-OH product's dose in mg of 7-OH: its lab figure, or the measured
    products' range for its form."""
    if d.mg_7oh is not None:
        return f"{mg(d.mg_7oh)} 7-OH (lab figure)"
    per_gram = content_per_gram(d.product.form, "7-hydroxymitragynine")
    if per_gram is None:
        return "7-OH content unknown (no lab figure)"
    spread = mg_range(per_gram.low_mg * d.grams, per_gram.high_mg * d.grams)
    return f"about {mg(per_gram.mg * d.grams)} 7-OH (estimate, {spread})"


def checkin_entry(c: CheckIn, practices: list[Practice], zone: Any = UTC) -> EntryView:
    """A check-in as a journal line: anxiety, then mood, sleep, practices, symptoms and note."""
    kb = load_knowledge()
    details: list[str] = []
    if c.mood is not None:
        details.append(f"mood {c.mood}/5")
    if c.sleep_hours is not None:
        quality = f", quality {c.sleep_quality}/5" if c.sleep_quality else ""
        details.append(f"slept {_amount(c.sleep_hours)} h{quality}")
    elif c.sleep_quality:  # rated without the hours: said all the same
        details.append(f"sleep quality {c.sleep_quality}/5")
    labels: dict[str, str] = {str(k): v for k, v in PRACTICE_KINDS.items()}
    details.extend(f"{labels.get(p.kind, p.kind)}: {p.minutes} min" for p in practices)
    if c.regular_meals is not None:
        details.append("regular meals" if c.regular_meals else "meals not regular")
    if c.caffeine_cups is not None:
        details.append(
            f"caffeine: {_amount(c.caffeine_cups)} cup{'' if c.caffeine_cups == 1 else 's'}"
        )
    if c.symptoms:
        details.append("symptoms: " + ", ".join(kb.symptom(s).label.lower() for s in c.symptoms))
    if c.note:
        details.append(c.note)
    if c.anxiety is not None:
        title = f"Check-in: anxiety {c.anxiety}/10"
    elif c.mood is not None:
        title = f"Check-in: mood {c.mood}/5"
    else:
        title = "Check-in"
    return EntryView("checkin", c.pk, c.at.astimezone(zone), title, tuple(details))


def intake_entry(i: Intake, zone: Any = UTC) -> EntryView:
    """A use of a substance as a journal line: "Alcohol: 2 drinks"."""
    amount = f"{_amount(i.amount)} {i.unit}".strip() if i.amount is not None else ""
    title = f"{i.substance.name}" + (f": {amount}" if amount else "")
    details = tuple(x for x in (i.note,) if x)
    return EntryView("intake", i.pk, i.taken_at.astimezone(zone), title, details)


def response_entry(r: Response, zone: Any = UTC) -> EntryView:
    """A questionnaire response as a journal line: "PHQ-9: 5 of 27", its band and any crisis."""
    found = instrument(r.instrument)
    band = next((b.label for b in found.bands if b.id == r.band), "")
    crisis = "crisis answer" if r.crisis else ""
    details = tuple(x for x in (band, crisis) if x)
    title = f"{found.code}: {r.total} of {found.maximum}"
    return EntryView("response", r.pk, r.at.astimezone(zone), title, details)


def entries_of(rows: queries.EntryRows, zone: Any) -> list[EntryView]:
    """Rows as journal lines, newest first; same-time entries in a fixed order (kind, id)."""
    entries = [
        *(dose_entry(d, zone) for d in rows.doses),
        *(checkin_entry(c, rows.practices.get(c.pk, []), zone) for c in rows.checkins),
        *(intake_entry(i, zone) for i in rows.intakes),
        *(practice_entry(p, zone) for p in (*rows.lone_practices, *rows.checkin_practices)),
        *(response_entry(r, zone) for r in rows.responses),
    ]
    entries.sort(key=lambda e: (e.at, e.kind, e.id), reverse=True)
    return entries


def entries_between(person: Any, start: datetime, end: datetime) -> list[EntryView]:
    """Every entry in [start, end), newest first (a day's entries for the Today page)."""
    rows = queries.entry_rows(person, start=start, end=end, limit=None)
    return entries_of(rows, clock(person).zone)


def recent_intakes(person: Any, *, limit: int = 10) -> list[EntryView]:
    """The latest uses of the person's substances, newest first."""
    zone = clock(person).zone
    return [intake_entry(i, zone) for i in queries.recent_intake_rows(person, limit=limit)]


def encode_cursor(at: datetime, skip: int) -> str:
    """An opaque cursor: the last entry's time and how many entries at that time were shown."""
    text = json.dumps([at.astimezone(UTC).isoformat(), skip])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (time, skip) inside a cursor, or CursorInvalid."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at_text, skip = json.loads(raw)
        at = datetime.fromisoformat(at_text)
        at.astimezone(UTC)  # out-of-range offsets fail here, not in the query
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise CursorInvalid(
            "is not a cursor this journal gave out; start from the first page"
        ) from None
    if at.tzinfo is None or not isinstance(skip, int) or not 0 <= skip <= 10 * MAX_PAGE:
        raise CursorInvalid("is not a cursor this journal gave out; start from the first page")
    return at, skip


def journal_page(
    person: Any,
    cursor: str | None = None,
    *,
    limit: int = 50,
    kinds: tuple[str, ...] = tuple(ENTRY_KINDS),
) -> JournalPage:
    """A page of entries of these kinds, newest first, grouped by local day, and the next page's
    cursor.

    The cursor holds the last entry's time and how many entries at that very time were shown,
    so entries logged in the same minute are neither lost nor repeated across pages (of the
    same kinds: a filter changed between pages starts its own order).
    """
    before, skip = decode_cursor(cursor) if cursor else (None, 0)
    day_clock = clock(person)
    rows = queries.entry_rows(
        person,
        start=None,
        end=before,
        limit=limit + skip + 1,
        end_inclusive=True,
        kinds=frozenset(kinds),
    )
    found = entries_of(rows, day_clock.zone)
    if before is not None:
        at_cursor = [e for e in found if e.at == before][:skip]
        found = [e for e in found if e not in at_cursor]
    page = found[:limit]
    next_cursor = None
    if len(found) > limit and page:
        last = page[-1].at
        shown = sum(1 for e in page if e.at == last) + (skip if last == before else 0)
        next_cursor = encode_cursor(last, shown)
    days: list[tuple[date, list[EntryView]]] = []
    for entry in page:
        day = day_clock.local_day(entry.at)
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(entry)
    hour = person.day_boundary_hour
    return JournalPage(
        tuple(JournalDay(d, tuple(e)) for d, e in days),
        next_cursor,
        kinds,
        f"{hour:02d}:00" if hour else "",
    )


def entry_values(
    person: Any, kind: str, entry_id: int
) -> DoseValues | CheckInValues | IntakeValues | None:
    """A live dose's, check-in's or intake's current values, or None."""
    found = queries.live_entry(person, kind, entry_id)
    zone = clock(person).zone
    if found is None:
        return None
    if kind == "intake":
        intake: Intake = found  # type: ignore[assignment]
        return IntakeValues(
            id=intake.pk,
            substance_id=intake.substance_id,
            substance_name=intake.substance.name,
            amount=intake.amount,
            unit=intake.unit,
            taken_at=intake.taken_at.astimezone(zone),
            note=intake.note,
        )
    if kind == "dose":
        dose: Dose = found  # type: ignore[assignment]
        return DoseValues(
            id=dose.pk,
            product=product_view(dose.product),
            amount=dose.amount,
            unit=dose.unit,
            taken_at=dose.taken_at.astimezone(zone),
            note=dose.note,
        )
    checkin: CheckIn = found  # type: ignore[assignment]
    return CheckInValues(
        id=checkin.pk,
        at=checkin.at.astimezone(zone),
        anxiety=checkin.anxiety,
        mood=checkin.mood,
        sleep_hours=checkin.sleep_hours,
        sleep_quality=checkin.sleep_quality,
        symptoms=tuple(checkin.symptoms),
        note=checkin.note,
        practices={p.kind: p.minutes for p in queries.practice_rows(checkin)},
        regular_meals=checkin.regular_meals,
        caffeine_cups=checkin.caffeine_cups,
    )
