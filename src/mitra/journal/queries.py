"""Read-side queries: the journal's rows for `mitra.reads`, which makes what people see."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import F, Q, QuerySet

from mitra.safety import is_concentrated_seven_oh
from mitra.vocabulary import LEAF_FORMS

from .models import (
    Alert,
    CheckIn,
    Dose,
    Goal,
    Intake,
    Person,
    Plan,
    Practice,
    Product,
    Response,
    Substance,
    Taper,
)


@dataclass(frozen=True)
class EntryRows:
    """The live entries of a span, newest first: doses, check-ins (with their practices),
    intakes, and (when asked for) practices logged on their own and questionnaire responses."""

    doses: list[Dose]
    checkins: list[CheckIn]
    practices: dict[int, list[Practice]]  # by check-in id, by kind
    intakes: list[Intake]
    lone_practices: list[Practice] = dataclasses.field(default_factory=list)
    responses: list[Response] = dataclasses.field(default_factory=list)
    # Practices logged with a check-in, listed apart only when practices are shown without
    # check-ins (else each is in its check-in's line).
    checkin_practices: list[Practice] = dataclasses.field(default_factory=list)


#: The kinds of entry the Today page lists; the journal adds "practice" and "response".
DAY_KINDS = frozenset({"dose", "checkin", "intake"})


N = TypeVar("N", Product, Substance)


def products(person: Person) -> QuerySet[Product]:
    """The person's products (not deleted), by name in any case ("alcohol" before "Xanax")."""
    return _by_name(Product.objects.filter(person=person, deleted_at__isnull=True))


def product_row(person: Person, product_id: int) -> Product | None:
    """One of the person's products that is not deleted, or None."""
    return products(person).filter(pk=product_id).first()


def substances(person: Person) -> QuerySet[Substance]:
    """The person's substances (not deleted), by name in any case ("alcohol" before "Xanax")."""
    return _by_name(Substance.objects.filter(person=person, deleted_at__isnull=True))


def _by_name(rows: QuerySet[N]) -> QuerySet[N]:
    """`rows` in the order of their names as a list is read, without case or accents (the
    stored `name_order`, which the pages' cursors hold), then by id."""
    return rows.order_by("name_order", "pk")


def name_keys(row: Product | Substance) -> tuple[str, int]:
    """Where a row of `products()` or `substances()` sorts, for a page's cursor."""
    return row.name_order, row.pk


def _after_name(after: tuple[str, int] | None) -> Q:
    """Rows after the (name order, id) of the last one already seen, in that order."""
    if after is None:
        return Q()
    order, pk = after
    return Q(name_order__gt=order) | Q(name_order=order, pk__gt=pk)


def product_rows_page(
    person: Person, *, after: tuple[str, int] | None, limit: int
) -> list[Product]:
    """Up to `limit` products by name, after the (name, id) of the last one already seen."""
    return list(products(person).filter(_after_name(after))[:limit])


def substance_rows_page(
    person: Person, *, after: tuple[str, int] | None, limit: int | None
) -> list[Substance]:
    """Up to `limit` substances by name (all if None), after the (name, id) last seen."""
    found = substances(person).filter(_after_name(after))
    return list(found if limit is None else found[:limit])


@dataclass(frozen=True)
class AlertKey:
    """Where an alert sorts: read or not (and when), severity rank, time, id."""

    acknowledged_at: datetime | None
    rank: int
    at: datetime
    pk: int

    @classmethod
    def of(cls, alert: Alert) -> AlertKey:
        return cls(alert.acknowledged_at, alert.rank, alert.at, alert.pk)


def alert_rows_page(
    person: Person, *, include_read: bool, after: AlertKey | None, limit: int | None
) -> list[Alert]:
    """Up to `limit` alerts (all if None), after the one last seen.

    Open alerts come first (then read ones, in the order they were read), the most severe
    first, the newest first; the id settles alerts of one rank made at the same moment.
    """
    found = Alert.objects.filter(person=person)
    if not include_read:
        found = found.filter(acknowledged_at__isnull=True)
    if after is not None:
        later = Q(rank__gt=after.rank) | Q(rank=after.rank, at__lt=after.at)
        later |= Q(rank=after.rank, at=after.at, pk__lt=after.pk)
        if after.acknowledged_at is None:
            found = found.filter(
                Q(acknowledged_at__isnull=True) & later | Q(acknowledged_at__isnull=False)
            )
        else:
            found = found.filter(
                Q(acknowledged_at__gt=after.acknowledged_at)
                | Q(acknowledged_at=after.acknowledged_at) & later
            )
    found = found.order_by(F("acknowledged_at").asc(nulls_first=True), "rank", "-at", "-pk")
    return list(found if limit is None else found[:limit])


def open_alert_count(person: Person) -> int:
    """How many of the person's alerts are not yet read."""
    return Alert.objects.filter(person=person, acknowledged_at__isnull=True).count()


def leaf_products(person: Person) -> frozenset[int]:
    """Ids of the person's products that are leaf (powder, capsules, tea), deleted ones too."""
    return frozenset(
        Product.objects.filter(person=person, form__in=LEAF_FORMS).values_list("pk", flat=True)
    )


def concentrated_seven_oh_products(person: Person) -> frozenset[int]:
    """Ids of the person's concentrated 7-OH products, deleted ones too: by their form or their
    lab 7-OH figure, as the safety rule that warns of them decides."""
    rows = Product.objects.filter(person=person).values_list("pk", "form", "hydroxy_mg_per_g")
    return frozenset(pk for pk, form, lab in rows if is_concentrated_seven_oh(form, lab))


def last_dose(person: Person) -> Dose | None:
    """The most recent dose of a product still listed, to pre-fill the next one."""
    return (
        Dose.objects.filter(
            person=person, deleted_at__isnull=True, product__deleted_at__isnull=True
        )
        .select_related("product")
        .order_by("-taken_at")
        .first()
    )


def first_entry_at(person: Person) -> datetime | None:
    """When the journal begins: its earliest dose, check-in or questionnaire, or None."""
    live = {"person": person, "deleted_at__isnull": True}
    found = [
        model.objects.filter(**live).order_by(field).values_list(field, flat=True).first()
        for model, field in ((Dose, "taken_at"), (CheckIn, "at"), (Response, "at"))
    ]
    known = [f for f in found if f is not None]
    return min(known) if known else None


def entry_rows(
    person: Person,
    *,
    start: datetime | None,
    end: datetime | None,
    limit: int | None,
    end_inclusive: bool = False,
    kinds: frozenset[str] = DAY_KINDS,
) -> EntryRows:
    """Entries of these kinds with start <= time < end (or <= end), newest first, at most `limit`
    of each kind."""
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
    checkins = CheckIn.objects.filter(**live, **at).order_by("-at", "-pk")
    intakes = (
        Intake.objects.filter(**live, **taken)
        .select_related("substance")
        .order_by("-taken_at", "-pk")
    )
    lone = Practice.objects.filter(**live, **at, checkin__isnull=True).order_by("-at", "-pk")
    answered = Response.objects.filter(**live, **at).order_by("-at", "-pk")
    with_checkin = Practice.objects.filter(
        **live, **at, checkin__isnull=False, checkin__deleted_at__isnull=True
    ).order_by("-at", "-pk")
    if limit is not None:
        doses, checkins, intakes = doses[:limit], checkins[:limit], intakes[:limit]
        lone, answered, with_checkin = lone[:limit], answered[:limit], with_checkin[:limit]
    found = list(checkins) if "checkin" in kinds else []
    by_checkin: dict[int, list[Practice]] = {}
    if found:
        for p in Practice.objects.filter(checkin__in=found).order_by("kind"):
            by_checkin.setdefault(p.checkin_id or 0, []).append(p)
    return EntryRows(
        list(doses) if "dose" in kinds else [],
        found,
        by_checkin,
        list(intakes) if "intake" in kinds else [],
        list(lone) if "practice" in kinds else [],
        list(answered) if "response" in kinds else [],
        list(with_checkin) if "practice" in kinds and "checkin" not in kinds else [],
    )


def recent_intake_rows(person: Person, *, limit: int = 10) -> list[Intake]:
    """The latest uses of the person's substances, newest first."""
    return list(
        Intake.objects.filter(person=person, deleted_at__isnull=True)
        .select_related("substance")
        .order_by("-taken_at")[:limit]
    )


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


def response_rows_page(
    person: Person, instrument: str | None, *, after: tuple[datetime, int] | None, limit: int
) -> list[Response]:
    """Up to `limit` responses, oldest first, after the (time, id) of the last one already seen."""
    found = responses(person, instrument)
    if after is not None:
        at, pk = after
        found = found.filter(at__gt=at) | found.filter(at=at, pk__gt=pk)
    return list(found.order_by("at", "pk")[:limit])


def latest_responses(person: Person) -> dict[str, Response]:
    """The most recent response to each instrument."""
    latest: dict[str, Response] = {}
    for response in responses(person):
        latest[response.instrument] = response
    return latest


def last_response_at(person: Person, instrument: str) -> datetime | None:
    """When the person last answered an instrument, or None."""
    last = responses(person, instrument).last()
    return None if last is None else last.at


def has_entries() -> bool:
    """Whether anything has been logged (products, doses, check-ins, responses, substances)."""
    return any(m.objects.exists() for m in (Product, Dose, CheckIn, Response, Substance))


def live_entry(person: Person, kind: str, entry_id: int) -> Dose | CheckIn | Intake | None:
    """One of the person's entries that is not deleted, by kind ("dose", "checkin", "intake")."""
    models: dict[str, Any] = {"dose": Dose, "checkin": CheckIn, "intake": Intake}
    model = models.get(kind)
    if model is None:
        return None
    found: Dose | CheckIn | Intake | None = (
        model.objects.filter(person=person, pk=entry_id, deleted_at__isnull=True)
        .select_related(*{"dose": ["product"], "intake": ["substance"]}.get(kind, []))
        .first()
    )
    return found


_ENTRY_MODELS: dict[str, Any] = {
    "dose": Dose, "checkin": CheckIn, "practice": Practice, "intake": Intake
}  # fmt: skip


def deleted_entry_row(person: Person, kind: str, entry_id: int, *, deleted: bool = True) -> Any:
    """One of the person's deleted entries of this kind ("dose", "checkin", "practice",
    "intake"), for the line its Undo names; None when there is no such deleted entry.
    `deleted` False: the entry as it stands, not deleted (None if it is)."""
    model = _ENTRY_MODELS.get(kind)
    if model is None:
        return None
    rows = model.objects.filter(person=person, pk=entry_id, deleted_at__isnull=not deleted)
    related = {"dose": "product", "intake": "substance"}.get(kind)
    return (rows.select_related(related) if related else rows).first()


def deleted_rows(person: Person, since: datetime, limit: int) -> list[tuple[str, Any]]:
    """The person's entries deleted since `since`, the latest deletion first, at most `limit`:
    doses, check-ins, practices logged on their own and uses of substances, each as (kind,
    row). A practice logged with a check-in goes and comes back with it, so is not listed."""
    found: list[tuple[str, Any]] = []
    for kind, model in _ENTRY_MODELS.items():
        rows = model.objects.filter(person=person, deleted_at__gte=since)
        if kind == "practice":
            rows = rows.filter(checkin__isnull=True)
        related = {"dose": "product", "intake": "substance"}.get(kind)
        if related:
            rows = rows.select_related(related)
        found += [(kind, row) for row in rows.order_by("-deleted_at", "-pk")[:limit]]
    found.sort(key=lambda item: (item[1].deleted_at, item[1].pk), reverse=True)
    return found[:limit]


def practices_of(checkins: list[CheckIn]) -> dict[int, list[Practice]]:
    """The practices of several check-ins in one query, by check-in id, each's by kind."""
    found: dict[int, list[Practice]] = {}
    if checkins:
        for p in Practice.objects.filter(checkin__in=checkins).order_by("kind"):
            found.setdefault(p.checkin_id or 0, []).append(p)
    return found


def practice_rows(checkin: CheckIn) -> list[Practice]:
    """A check-in's practices, by kind."""
    return list(checkin.practices.order_by("kind"))


# --- the whole journal, for export ------------------------------------------------------------

_PRODUCT_FIELDS = [
    "id", "name", "vendor", "strain", "vein", "form", "unit", "grams_per_unit",
    "mitragynine_mg_per_g", "hydroxy_mg_per_g", "notes",
]  # fmt: skip


def journal_id(person: Person) -> str:
    """The journal's identity in its exports: the same for every export of this journal (a copy
    of its database included), different for another person's or a database made again.

    A digest of the person's id and creation time, so it names no one. An import compares it
    with its own to know an export's entry ids ("dose/12") as its own entries.
    """
    text = f"mitra-journal/{person.pk}/{person.created_at.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(queryset: Any, fields: list[str]) -> list[dict[str, Any]]:
    return [{k: _iso(v) for k, v in row.items()} for row in queryset.values(*fields)]


def journal_records(person: Person) -> dict[str, Any]:
    """Everything in the person's journal that is not deleted, as JSON-ready rows (ISO times).

    A removed product is kept, marked `removed`, when a kept dose refers to it, and a removed
    substance when a kept use of it does. An entry imported from another journal names its
    source (`imported_as`), so read into any journal that has it, its own included, it is
    known as there already.
    """
    live = {"person": person, "deleted_at__isnull": True}
    live_doses = Dose.objects.filter(**live)
    live_intakes = Intake.objects.filter(**live)
    products = (
        Product.objects.filter(person=person)
        .filter(Q(deleted_at__isnull=True) | Q(pk__in=live_doses.values("product_id")))
        .order_by("pk")
    )
    substances = (
        Substance.objects.filter(person=person)
        .filter(Q(deleted_at__isnull=True) | Q(pk__in=live_intakes.values("substance_id")))
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
        "doses": _sourced(live_doses.order_by("taken_at"), _DOSE_FIELDS),
        "checkins": _sourced(CheckIn.objects.filter(**live).order_by("at"), _CHECKIN_FIELDS),
        "practices": _sourced(
            Practice.objects.filter(**live, checkin__deleted_at__isnull=True).order_by("at"),
            ["id", "checkin_id", "at", "kind", "minutes"],
        ),
        "responses": _with_crisis_read(
            _sourced(Response.objects.filter(**live).order_by("at"), _RESPONSE_FIELDS)
        ),
        "substances": [
            {**row, "removed": row.pop("deleted_at") is not None}
            for row in _rows(
                substances, ["id", "name", "knowledge_id", "dose_text", "active", "deleted_at"]
            )
        ],
        "intakes": _sourced(
            live_intakes.order_by("taken_at"),
            ["id", "substance_id", "taken_at", "amount", "unit", "note"],
        ),
        "plan": _plan_record(person),
        "tapers": _taper_records(person),
    }


_DOSE_FIELDS = ["id", "product_id", "taken_at", "amount", "unit", "grams", "mg_mitragynine",
                "mg_7oh", "note"]  # fmt: skip
_CHECKIN_FIELDS = ["id", "at", "anxiety", "mood", "sleep_hours", "sleep_quality", "symptoms",
                   "note", "regular_meals", "caffeine_cups"]  # fmt: skip

#: The replay tokens an import gives the entries it stores (see mitra.journal.imports).
IMPORT_TOKEN_PREFIX = "import-"  # noqa: S105  a prefix of replay tokens, not a secret


def _sourced(queryset: Any, fields: list[str]) -> list[dict[str, Any]]:
    """The rows, each with `imported_as`: the token an import stored it with (which names the
    entry it came from in another journal's export), else None."""
    out = []
    for row in _rows(queryset, [*fields, "token"]):
        token = row.pop("token")
        imported = isinstance(token, str) and token.startswith(IMPORT_TOKEN_PREFIX)
        out.append({**row, "imported_as": token if imported else None})
    return out


_RESPONSE_FIELDS = ["id", "instrument", "at", "answers", "total", "band", "flags", "crisis",
                    "acknowledged_at"]  # fmt: skip


def _with_crisis_read(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each response row with `crisis_read_at`: when the person saw the crisis resources its
    answers called for (None: none called for, or not yet seen), so a copy read into another
    journal does not show them again as news."""
    out = []
    for row in rows:
        seen = row.pop("acknowledged_at")
        out.append({**row, "crisis_read_at": seen if row["crisis"] else None})
    return out


def _plan_record(person: Person) -> dict[str, Any]:
    """The plan's words and weekly goals (empty words before the person writes any)."""
    plan = Plan.objects.filter(person=person).first() or Plan(person=person)
    return {
        "clinician_name": plan.clinician_name,
        "clinician_contact": plan.clinician_contact,
        "reasons": plan.reasons,
        "warning_signs": plan.warning_signs,
        # Each goal with when it was set (None: before mitra kept it) and its earlier targets.
        "goals": _rows(
            Goal.objects.filter(person=person).order_by("pk"),
            ["kind", "amount", "unit", "created_at", "earlier"],
        ),
    }


def _taper_records(person: Person) -> list[dict[str, Any]]:
    """Every taper, oldest first: its saved schedule whole, and the choices made along it."""
    return [
        {
            "id": taper.pk,
            "created_at": _iso(taper.created_at),
            "ended_at": _iso(taper.ended_at),
            "schedule": taper.schedule,
            "choices": [
                {"day": _iso(c.day), "action": c.action, "at": _iso(c.at)}
                for c in taper.choices.all()
            ],
        }
        for taper in Taper.objects.filter(person=person)
        .order_by("created_at", "pk")
        .prefetch_related("choices")
    ]
