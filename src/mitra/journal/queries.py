"""Read-side queries for pages and commands: plain records, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from mitra.knowledge import load as load_knowledge
from mitra.pharmacology import PRODUCT_UNITS
from mitra.timeline import DayClock

from .models import (
    CheckIn,
    Dose,
    Intake,
    Person,
    Practice,
    PracticeKind,
    Product,
    Response,
    Substance,
)


@dataclass(frozen=True)
class JournalEntry:
    """One line of the journal: what kind, when, a title and details."""

    kind: str  # "dose", "checkin", "practice", "intake"
    id: int
    at: datetime
    title: str
    details: tuple[str, ...]


def products(person: Person) -> QuerySet[Product]:
    """The person's products (not deleted), by name."""
    return Product.objects.filter(person=person, deleted_at__isnull=True).order_by("name")


def substances(person: Person) -> QuerySet[Substance]:
    """The person's substances (not deleted), by name."""
    return Substance.objects.filter(person=person, deleted_at__isnull=True).order_by("name")


#: Forms whose grams are grams of leaf; extracts, shots and 7-OH products are not comparable.
LEAF_FORMS = ("powder", "capsules", "tea")


def leaf_products(person: Person) -> frozenset[int]:
    """Ids of the person's products that are leaf (powder, capsules, tea), deleted ones too."""
    return frozenset(
        Product.objects.filter(person=person, form__in=LEAF_FORMS).values_list("pk", flat=True)
    )


def other_doses_between(person: Person, start: datetime, end: datetime) -> list[str]:
    """Doses of non-leaf products (extracts, shots, 7-OH) in [start, end), as "1 shot of X"."""
    found = (
        Dose.objects.filter(
            person=person, deleted_at__isnull=True, taken_at__gte=start, taken_at__lt=end
        )
        .exclude(product__form__in=LEAF_FORMS)
        .select_related("product")
        .order_by("taken_at")
    )
    return [f"{unit_text(d.amount, d.unit)} of {d.product.name}" for d in found]


def last_dose(person: Person) -> Dose | None:
    """The most recent dose, to pre-fill the next one's product and unit."""
    return (
        Dose.objects.filter(
            person=person, deleted_at__isnull=True, product__deleted_at__isnull=True
        )
        .select_related("product")
        .order_by("-taken_at")
        .first()
    )


def _fmt_amount(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def unit_text(amount: float, unit: str) -> str:
    """An amount with its unit in words: "4 capsules", "1 capsule", "2.5 g"."""
    plural = PRODUCT_UNITS.get(unit, unit) if unit not in {"g", "mg", "ml"} else unit
    word = unit if amount == 1 or unit in {"g", "mg", "ml"} else plural
    return f"{_fmt_amount(amount)} {word}"


def _dose_entry(d: Dose) -> JournalEntry:
    amount = unit_text(d.amount, d.unit)
    grams = f"= {_fmt_amount(d.grams)} g" if d.unit != "g" else ""
    details = tuple(x for x in (grams, d.note) if x)
    if d.mg_mitragynine is not None:
        details = (f"{d.mg_mitragynine:.0f} mg mitragynine (lab figure)", *details)
    return JournalEntry("dose", d.pk, d.taken_at, f"Kratom: {amount} of {d.product.name}", details)


def _checkin_entry(c: CheckIn, practices: list[Practice]) -> JournalEntry:
    kb = load_knowledge()
    details: list[str] = []
    if c.mood is not None:
        details.append(f"mood {c.mood}/5")
    if c.sleep_hours is not None:
        quality = f", quality {c.sleep_quality}/5" if c.sleep_quality else ""
        details.append(f"slept {_fmt_amount(c.sleep_hours)} h{quality}")
    labels = dict(PracticeKind.choices)
    details.extend(f"{labels.get(p.kind, p.kind)}: {p.minutes} min" for p in practices)
    if c.symptoms:
        details.append("symptoms: " + ", ".join(kb.symptom(s).label.lower() for s in c.symptoms))
    if c.note:
        details.append(c.note)
    return JournalEntry("checkin", c.pk, c.at, f"Check-in: anxiety {c.anxiety}/10", tuple(details))


def _intake_entry(i: Intake) -> JournalEntry:
    amount = f"{_fmt_amount(i.amount)} {i.unit}".strip() if i.amount is not None else ""
    title = f"{i.substance.name}" + (f": {amount}" if amount else "")
    return JournalEntry("intake", i.pk, i.taken_at, title, tuple(x for x in (i.note,) if x))


def _collect(
    person: Person,
    *,
    start: datetime | None,
    end: datetime | None,
    limit: int | None,
    end_inclusive: bool = False,
) -> list[JournalEntry]:
    """Entries with start <= time < end (or <= end), newest first, at most `limit`.

    Entries at the same time come in a fixed order (kind, then newest id first), so a page
    boundary between them can be resumed exactly.
    """
    live: dict[str, Any] = {"person": person, "deleted_at__isnull": True}
    taken: dict[str, Any] = {}
    at: dict[str, Any] = {}
    if start is not None:
        taken["taken_at__gte"] = at["at__gte"] = start
    if end is not None:
        op = "lte" if end_inclusive else "lt"
        taken[f"taken_at__{op}"] = at[f"at__{op}"] = end
    doses = (
        Dose.objects.filter(**live, **taken).select_related("product").order_by("-taken_at", "-pk")
    )
    checkins_q = CheckIn.objects.filter(**live, **at).order_by("-at", "-pk")
    intakes = (
        Intake.objects.filter(**live, **taken)
        .select_related("substance")
        .order_by("-taken_at", "-pk")
    )
    if limit is not None:
        doses, checkins_q, intakes = doses[:limit], checkins_q[:limit], intakes[:limit]
    checkins = list(checkins_q)
    by_checkin: dict[int, list[Practice]] = {}
    for p in Practice.objects.filter(checkin__in=checkins).order_by("kind"):
        by_checkin.setdefault(p.checkin_id or 0, []).append(p)
    entries = [
        *(_dose_entry(d) for d in doses),
        *(_checkin_entry(c, by_checkin.get(c.pk, [])) for c in checkins),
        *(_intake_entry(i) for i in intakes),
    ]
    entries.sort(key=lambda e: (e.at, e.kind, e.id), reverse=True)
    return entries if limit is None else entries[:limit]


def journal_page(
    person: Person, *, before: datetime | None = None, skip: int = 0, limit: int = 50
) -> tuple[list[JournalEntry], tuple[datetime, int] | None]:
    """A page of entries, newest first, and the cursor of the next page (or None).

    The cursor is the last entry's time and how many entries at that very time were shown, so
    entries logged in the same minute are neither lost nor repeated across pages.
    """
    found = _collect(person, start=None, end=before, limit=limit + skip + 1, end_inclusive=True)
    if before is not None:
        at_cursor = [e for e in found if e.at == before][:skip]
        found = [e for e in found if e not in at_cursor]
    page = found[:limit]
    if len(found) <= limit or not page:
        return page, None
    last = page[-1].at
    shown = sum(1 for e in page if e.at == last) + (skip if last == before else 0)
    return page, (last, shown)


def entries_between(person: Person, start: datetime, end: datetime) -> list[JournalEntry]:
    """Every entry in [start, end), newest first (a day's entries for the Today page)."""
    return _collect(person, start=start, end=end, limit=None)


def open_crisis(person: Person) -> Response | None:
    """The latest response with a crisis answer that the person has not acknowledged."""
    return (
        Response.objects.filter(
            person=person, crisis=True, acknowledged_at__isnull=True, deleted_at__isnull=True
        )
        .order_by("-at")
        .first()
    )


def responses(person: Person, instrument: str | None = None) -> QuerySet[Response]:
    """The person's questionnaire responses, oldest first (one instrument, or all)."""
    found = Response.objects.filter(person=person, deleted_at__isnull=True)
    if instrument:
        found = found.filter(instrument=instrument)
    return found.order_by("at", "pk")


def latest_responses(person: Person) -> dict[str, Response]:
    """The most recent response to each instrument."""
    latest: dict[str, Response] = {}
    for response in responses(person):
        latest[response.instrument] = response
    return latest


def gad7_due(person: Person) -> dict[str, Any]:
    """Whether a GAD-7 is due (one every `gad7_every_days`), with the days since the last one."""
    last = responses(person, "GAD-7").last()
    every = person.gad7_every_days
    if last is None:
        return {"due": True, "last": None, "days_since": None, "every": every}
    clock = DayClock(person.time_zone, person.day_boundary_hour)
    days = (clock.today() - clock.local_day(last.at)).days
    return {"due": days >= every, "last": last, "days_since": days, "every": every}


def recent_intakes(person: Person, *, limit: int = 10) -> list[JournalEntry]:
    """The latest uses of the person's substances, newest first."""
    found = (
        Intake.objects.filter(person=person, deleted_at__isnull=True)
        .select_related("substance")
        .order_by("-taken_at")[:limit]
    )
    return [_intake_entry(i) for i in found]


def has_entries() -> bool:
    """Whether anything has been logged (products, doses, check-ins, responses, substances)."""
    return any(m.objects.exists() for m in (Product, Dose, CheckIn, Response, Substance))


def live_entry(person: Person, kind: str, entry_id: int) -> Dose | CheckIn | Intake | None:
    """One of the person's entries that is not deleted, by kind ("dose", "checkin", "intake")."""
    models: dict[str, Any] = {"dose": Dose, "checkin": CheckIn, "intake": Intake}
    model = models.get(kind)
    if model is None:
        return None
    found: Dose | CheckIn | Intake | None = model.objects.filter(
        person=person, pk=entry_id, deleted_at__isnull=True
    ).first()
    return found


# --- the whole journal, for export ------------------------------------------------------------

_PRODUCT_FIELDS = [
    "id", "name", "vendor", "strain", "vein", "form", "unit", "grams_per_unit",
    "mitragynine_mg_per_g", "hydroxy_mg_per_g", "notes",
]  # fmt: skip


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(queryset: Any, fields: list[str]) -> list[dict[str, Any]]:
    return [{k: _iso(v) for k, v in row.items()} for row in queryset.values(*fields)]


def journal_records(person: Person) -> dict[str, Any]:
    """Everything in the person's journal that is not deleted, as JSON-ready rows (ISO times).

    A removed product is kept, marked `removed`, when a kept dose refers to it.
    """
    live = {"person": person, "deleted_at__isnull": True}
    live_doses = Dose.objects.filter(**live)
    products = (
        Product.objects.filter(person=person)
        .filter(Q(deleted_at__isnull=True) | Q(pk__in=live_doses.values("product_id")))
        .order_by("pk")
    )
    return {
        "person": {
            "time_zone": person.time_zone,
            "day_boundary_hour": person.day_boundary_hour,
            "gad7_every_days": person.gad7_every_days,
            "crisis_contacts": person.crisis_contacts,
        },
        "products": [
            {**row, "removed": row.pop("deleted_at") is not None}
            for row in _rows(products, [*_PRODUCT_FIELDS, "deleted_at"])
        ],
        "doses": _rows(
            live_doses.order_by("taken_at"),
            [
                "id",
                "product_id",
                "taken_at",
                "amount",
                "unit",
                "grams",
                "mg_mitragynine",
                "mg_7oh",
                "note",
            ],
        ),
        "checkins": _rows(
            CheckIn.objects.filter(**live).order_by("at"),
            ["id", "at", "anxiety", "mood", "sleep_hours", "sleep_quality", "symptoms", "note"],
        ),
        "practices": _rows(
            Practice.objects.filter(**live, checkin__deleted_at__isnull=True).order_by("at"),
            ["id", "checkin_id", "at", "kind", "minutes"],
        ),
        "responses": _rows(
            Response.objects.filter(**live).order_by("at"),
            ["id", "instrument", "at", "answers", "total", "band", "flags", "crisis"],
        ),
        "substances": _rows(
            Substance.objects.filter(**live).order_by("pk"),
            ["id", "name", "knowledge_id", "dose_text", "active"],
        ),
        "intakes": _rows(
            Intake.objects.filter(**live).order_by("taken_at"),
            ["id", "substance_id", "taken_at", "amount", "unit", "note"],
        ),
    }
