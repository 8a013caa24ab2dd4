"""The import service: store rows read from another app's file, all or nothing.

Each row keeps a source key (stored as the entry's replay token, "import-" and a hash of the
format, or for mitra's own exports the journal they came from, and the row's key), so importing
the same file twice, or one journal's JSON and then its FHIR export, adds nothing. A row the
journal's schemas refuse is skipped with its place and reason; the rest is stored in one
transaction.
A dry run does the same work and rolls it back, so its counts are exactly what an import adds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from django.db import connection, models, transaction
from django.db.models import Model
from django.utils import timezone

from . import plans, services, tapers
from .alerts import refresh_after_commit
from .errors import DuplicateSubmission, EntryInvalid, TokenReused
from .models import (
    CheckIn,
    Dose,
    Goal,
    Intake,
    Person,
    Practice,
    Product,
    Response,
    Substance,
    Taper,
)
from .queries import IMPORT_TOKEN_PREFIX, journal_id
from .schemas import DoseIn, IntakeIn, PersonIn, name_key

__all__ = ["ImportResult", "SourceRow", "import_rows", "source_token"]

KINDS = ("product", "substance", "dose", "intake", "checkin", "response")
# What only mitra's own export holds (a practice logged on its own, the plan): counted when a
# file has them.
PLAN_KINDS = ("practice", "plan", "goal", "taper", "clock")
_MOST_CONTACTS = 5  # as the plan's form and schema allow
_MODELS: dict[str, Any] = {
    "product": Product, "substance": Substance, "dose": Dose, "intake": Intake,
    "checkin": CheckIn, "practice": Practice, "response": Response, "taper": Taper,
}  # fmt: skip
_BATCH = 1000
_PREFIX = IMPORT_TOKEN_PREFIX
#: An import's token as mitra makes them: "import-" and 48 hex digits (`source_token`).
_IMPORT_TOKEN = re.compile(re.escape(_PREFIX) + "[0-9a-f]{48}")
#: mitra's own formats: their rows name the journal they came from.
_OWN_FORMATS = ("mitra-json", "fhir")
#: Each kind's time, by which an entry an earlier version imported is recognised.
_MOMENTS = {"dose": "taken_at", "intake": "taken_at", "checkin": "at", "practice": "at",
            "response": "at"}  # fmt: skip


class SourceRow(Protocol):
    """A parsed row (mitra.interop.importers.Row): place, kind, source key and fields."""

    @property
    def where(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...


@dataclass
class ImportResult:
    """Per kind, how many entries were added and how many were there from an earlier import."""

    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    already: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)
    dry_run: bool = False


def source_token(format: str, key: str) -> str:
    """The replay token that marks an entry as imported from `format`'s row `key`."""
    return _PREFIX + hashlib.sha256(f"{format}\x1f{key}".encode()).hexdigest()[:48]


def _journal_source(origin: str) -> str:
    """The source of a row of mitra's own export, JSON or FHIR alike: the journal it came from
    (both name an entry by the same key), so one journal's entries read from one of its files
    and then from the other are each stored once, and two journals' "dose/12" stay two."""
    return f"mitra-journal\x1e{origin}"


def _insert(model: type[Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT rows of `model` in one executemany; each row maps the same field attnames to values.

    For rows the journal's schemas have already typed (times aware, numbers numbers): Django's
    bulk_create prepares every value through its field and builds statements of at most 999
    parameters, most of a 20,000-row import's time. Here only times and JSON are adapted to the
    database; a field the rows leave out takes its default, and created/updated are now.
    """
    if not rows:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    given = [f for f in fields if f.attname in rows[0] and f not in stamped]
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError("every row names the same fields")
    rest = [f for f in fields if f not in given]
    rest_values = [_to_db(f, now if f in stamped else f.get_default()) for f in rest]
    adapters = [(f.attname, _adapter(f)) for f in given]
    values = [
        [
            value if adapt is None or value is None else adapt(value)
            for name, adapt in adapters
            for value in (row[name],)
        ]
        + rest_values
        for row in rows
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    # A concrete field always has a column; the stubs allow None for virtual ones.
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in [*given, *rest])
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  names from the model
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _to_db(field: Any, value: Any) -> Any:
    adapt = _adapter(field)
    return value if adapt is None or value is None else adapt(value)


def _adapter(field: Any) -> Callable[[Any], Any] | None:
    """How a value of `field` is handed to the database driver (None: as it is)."""
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _reason(exc: EntryInvalid) -> str:
    return "; ".join(f"{name.replace('_', ' ')} {message}" for name, message in exc.errors.items())


class _Importer:
    def __init__(
        self,
        person: Person,
        format: str,
        result: ImportResult,
        *,
        own: bool,
        origin: str | None = None,
    ) -> None:
        self.person = person
        self.format = format
        self.origin = origin
        self.result = result
        self.own = own
        self.products: dict[str, Product] = {}
        self.substances: dict[str, Substance] = {}
        # Products of the file refused, and why: the doses that name them are skipped with it.
        self.refused: dict[str, str] = {}

    def own_id(self, kind: str, key: str) -> int | None:
        """The entry id a row of this journal's own export names ("dose/12" -> 12), else None."""
        head, _, number = key.partition("/")
        if not self.own or head != kind or not number.isdigit():
            return None
        return int(number)

    def own_ids(self, kind: str) -> set[int]:
        """The ids of the journal's entries of a kind (deleted ones too: a deletion after the
        export is the person's later word), when the file is this journal's own export."""
        if not self.own:
            return set()
        found = _MODELS[kind].objects.filter(person=self.person).values_list("pk", flat=True)
        return set(found)

    def own_entry(self, kind: str, key: str) -> Any:
        number = self.own_id(kind, key)
        if number is None:
            return None
        return _MODELS[kind].objects.filter(person=self.person, pk=number).first()

    def token(self, key: str) -> str:
        """The replay token a row's entry is stored with."""
        return source_token(_journal_source(self.origin) if self.origin else self.format, key)

    def earlier_tokens(self, key: str) -> tuple[str, ...]:
        """For a row of a mitra journal's export, the tokens an earlier version stored its
        entry with: by either of mitra's formats and the key alone, which do not say whose
        journal the row came from (so a match counts only when the entry's time is the row's)."""
        if not self.origin:
            return ()
        return tuple(source_token(format, key) for format in _OWN_FORMATS)

    def existing(self, kind: str) -> dict[str, datetime | None]:
        """The source keys of every entry of a kind imported into this journal, with the entry's
        time: one query (a journal holds at most a few hundred thousand, each 55 characters)."""
        moment = _MOMENTS.get(kind)
        found = _MODELS[kind].objects.filter(person=self.person, token__startswith=_PREFIX)
        if moment is None:
            return dict.fromkeys(found.values_list("token", flat=True))
        return dict(found.values_list("token", moment))

    def returning(self, kind: str) -> dict[str, tuple[datetime | None, bool]]:
        """The tokens this journal's own entries of a kind have in any journal they were
        imported into, each with the entry's time and whether the token alone says it is the
        entry (one keyed by this journal) or the time must agree too (an earlier version's,
        keyed by format alone): one of them in a file is one of these entries, come back."""
        mine = _journal_source(journal_id(self.person))
        moment = _MOMENTS[kind]
        found: dict[str, tuple[datetime | None, bool]] = {}
        for pk, when in _MODELS[kind].objects.filter(person=self.person).values_list(
            "pk", moment
        ):
            key = f"{kind}/{pk}"
            found[source_token(mine, key)] = (when, True)
            for format in _OWN_FORMATS:
                found[source_token(format, key)] = (when, False)
        return found

    def fresh(self, kind: str, rows: list[SourceRow]) -> list[tuple[SourceRow, str]]:
        """The rows of a kind not yet in the journal, with their tokens; repeats are skipped.

        A row that names the entry it was imported as elsewhere (`imported_as`: another
        journal's export of what it imported) keeps that name as its token, so an entry is
        known wherever it goes: back in the journal it came from, or in one that has it from
        another copy. A name that could be another entry's (an earlier version's, keyed by
        format alone) counts only at the entry's own time."""
        if not rows:
            return []
        there = self.existing(kind)
        mine = self.own_ids(kind)
        moment = _MOMENTS.get(kind, "")
        returning: dict[str, tuple[datetime | None, bool]] | None = None
        seen: dict[str, str] = {}
        fresh = []
        for row in rows:
            carried = _carried(row.data.pop("imported_as", None))
            when = row.data.get(moment)
            if carried is not None:
                if returning is None:
                    returning = self.returning(kind)
                back = returning.get(carried)
                if back is not None and (back[1] or _same_moment(back[0], when)):
                    self.result.already[kind] += 1
                    continue
                if carried in there and not _same_moment(there[carried], when):
                    carried = None  # another entry's name here: this row keeps one of its own
            token = carried or self.token(row.key)
            if token in seen:
                self.result.skipped.append((row.where, f"the same entry as {seen[token]}"))
                continue
            seen[token] = row.where
            earlier = (
                t for t in self.earlier_tokens(row.key)
                if t in there and _same_moment(there[t], row.data.get(moment))
            )  # fmt: skip
            if token in there or self.own_id(kind, row.key) in mine or any(earlier):
                self.result.already[kind] += 1
            else:
                fresh.append((row, token))
        return fresh

    def skip(self, row: SourceRow, reason: str) -> None:
        self.result.skipped.append((row.where, reason))

    # products and substances: few, stored one by one through their services

    def named(self, kind: str, rows: list[SourceRow]) -> None:
        cache: dict[str, Any] = self.products if kind == "product" else self.substances
        add: Any = services.add_product if kind == "product" else services.add_substance
        model: Any = Product if kind == "product" else Substance
        for row in rows:
            token = self.token(row.key)
            # One this file stored before, or one of the person's own of the same name in any
            # case ("xanax" is their "Xanax"): the entries that name it are put on it.
            mine = self.own_entry(kind, row.key)
            if mine is None:
                mine = self.same_name(model, row.data.get("name"))
                form = row.data.get("form")
                if mine is not None and form and getattr(mine, "form", form) != form:
                    # "Gold" the extract is not the person's "Gold" leaf powder: its doses
                    # would be counted as grams of leaf.
                    reason = (
                        f"'{row.data.get('name')}' is the name of one of your products, which is "
                        f"not of this form ({form}); rename one of them and import again"
                    )
                    self.refused[row.key] = reason
                    self.skip(row, reason)
                    continue
            if mine is not None:
                cache[row.key] = mine
                self.result.already[kind] += 1
                continue
            data = dict(row.data)
            # A product taken off the list after its doses were logged: kept for them, as it was.
            removed = bool(data.pop("removed", False))
            # The file's lab figures and names are the person's own, as they were kept: what
            # the journal would ask about when typed is imported as it stands.
            data["confirm"] = True
            try:
                cache[row.key] = add(self.person, data, token=token)
                if removed:  # taken off the list after its entries were logged: kept for them
                    remove: Any = (
                        services.delete_product if kind == "product" else services.delete_substance
                    )
                    remove(self.person, cache[row.key].pk)
                self.result.added[kind] += 1
            except (DuplicateSubmission, TokenReused) as exc:
                # Imported before (and renamed or changed since, for a TokenReused): the entries
                # that name it go on the one the journal holds.
                cache[row.key] = exc.entry
                self.result.already[kind] += 1
            except EntryInvalid as exc:
                self.skip(row, _reason(exc))
                # Its entries are skipped with it, never put on a product made from its key.
                self.refused[row.key] = f"at {row.where} was not imported"

    def same_name(self, model: Any, name: object) -> Any:
        """The person's live product or substance of this name in any case, the oldest; or None."""
        if not isinstance(name, str) or not name_key(name):
            return None
        wanted = name_key(name)
        for entry in model.objects.filter(person=self.person, deleted_at=None).order_by("pk"):
            if name_key(entry.name) == wanted:
                return entry
        return None

    def product(self, ref: str) -> Product:
        """The product a dose names: one of this file's, an earlier import's, or by name."""
        if ref in self.products:
            return self.products[ref]
        if ref in self.refused:
            raise EntryInvalid({"product": self.refused[ref]})
        token = self.token(ref)
        found = self.own_entry("product", ref) or (
            Product.objects.filter(person=self.person, token=token).first()
        )
        if found is None and _by_key(ref, "product"):
            # mitra's own formats name a product by its key in the file: one the file does not
            # hold is not a product to make up (a name like "product/999", the dose then
            # refused for a unit that was never the product's).
            raise EntryInvalid({"product": f"{ref.partition('/')[2]} is not in the file"})
        if found is None:
            found = self.same_name(Product, ref)
        if found is None:
            found = services.add_product(self.person, {"name": ref[:120]}, token=token)
            self.result.added["product"] += 1
        self.products[ref] = found
        return found

    def substance(self, ref: str) -> Substance:
        if ref in self.substances:
            return self.substances[ref]
        if ref in self.refused:
            raise EntryInvalid({"substance": self.refused[ref]})
        token = self.token(ref)
        found = self.own_entry("substance", ref) or (
            Substance.objects.filter(person=self.person, token=token).first()
        )
        if found is None and _by_key(ref, "substance"):
            raise EntryInvalid({"substance": f"{ref.partition('/')[2]} is not in the file"})
        if found is None:
            found = self.same_name(Substance, ref)
        if found is None:
            named = {"name": ref[:120], "confirm": True}  # as the file names it
            found = services.add_substance(self.person, named, token=token)
            self.result.added["substance"] += 1
        self.substances[ref] = found
        return found

    # the many: validated one by one, stored in batches

    def doses(self, rows: list[SourceRow]) -> None:
        made: list[dict[str, Any]] = []
        for row, token in self.fresh("dose", rows):
            data = dict(row.data)
            ref = str(data.pop("product", "") or "")
            if not ref:
                self.skip(row, "names no product")
                continue
            try:
                clean = services.validate(DoseIn, {**data, "product_id": 0})
                product = self.product(ref)
                fields = clean.model_dump(exclude={"product_id"})
                fields.update(services.dose_figures(clean.amount, clean.unit, product))
            except EntryInvalid as exc:
                self.skip(row, _reason(exc))
                continue
            made.append({**fields, "person_id": self.person.pk, "token": token,
                         "product_id": product.pk})  # fmt: skip
        _insert(Dose, made)
        self.result.added["dose"] += len(made)

    def intakes(self, rows: list[SourceRow]) -> None:
        made: list[dict[str, Any]] = []
        for row, token in self.fresh("intake", rows):
            data = dict(row.data)
            ref = str(data.pop("substance", "") or "")
            if not ref:
                self.skip(row, "names no substance")
                continue
            try:
                clean = services.validate(IntakeIn, {**data, "substance_id": 0})
                substance = self.substance(ref)
            except EntryInvalid as exc:
                self.skip(row, _reason(exc))
                continue
            fields = clean.model_dump(exclude={"substance_id"})
            made.append({**fields, "person_id": self.person.pk, "token": token,
                         "substance_id": substance.pk})  # fmt: skip
        _insert(Intake, made)
        self.result.added["intake"] += len(made)

    def checkins(self, rows: list[SourceRow]) -> None:
        checkins: list[CheckIn] = []
        practices: list[Practice] = []
        for row, token in self.fresh("checkin", rows):
            try:
                checkin, of_one = services.checkin_rows(self.person, row.data, token=token)
            except EntryInvalid as exc:
                self.skip(row, _reason(exc))
                continue
            checkins.append(checkin)
            practices.extend(of_one)
        CheckIn.objects.bulk_create(checkins, batch_size=_BATCH)
        for practice in practices:
            practice.checkin_id = practice.checkin.pk if practice.checkin else None
        Practice.objects.bulk_create(practices, batch_size=_BATCH)
        self.result.added["checkin"] += len(checkins)

    def practices(self, rows: list[SourceRow]) -> None:
        """Practices logged on their own (those of a check-in come with it)."""
        if not rows:
            return
        self.result.added.setdefault("practice", 0)
        self.result.already.setdefault("practice", 0)
        made: list[Practice] = []
        for row, token in self.fresh("practice", rows):
            try:
                clean = services.validate(services.PracticeAt, row.data)
            except EntryInvalid as exc:
                self.skip(row, _reason(exc))
                continue
            made.append(Practice(person=self.person, token=token, **clean.model_dump()))
        Practice.objects.bulk_create(made, batch_size=_BATCH)
        self.result.added["practice"] += len(made)

    def responses(self, rows: list[SourceRow]) -> None:
        made: list[Response] = []
        for row, token in self.fresh("response", rows):
            data = dict(row.data)
            read = data.pop("crisis_read_at", None)
            try:
                response = services.response_row(self.person, data, token=token)
            except EntryInvalid as exc:
                self.skip(row, _reason(exc))
                continue
            if response.crisis:
                # Its crisis card, seen: the refresh then stores its alert as read too.
                response.acknowledged_at = _read_time(read, response.at)
            made.append(response)
        Response.objects.bulk_create(made, batch_size=_BATCH)
        self.result.added["response"] += len(made)

    # the plan, its goals and tapers (mitra's own export): what the journal has is kept

    def count(self, kind: str, added: bool) -> None:
        tally = self.result.added if added else self.result.already
        self.result.added.setdefault(kind, 0)
        self.result.already.setdefault(kind, 0)
        tally[kind] += 1

    def clock(self, rows: list[SourceRow], *, empty: bool) -> None:
        """The file's time zone and day boundary, which place each entry on its day: taken by
        a journal with no entries yet (a backup read into a new installation); a journal
        with entries keeps its own, and the file's is named among the skipped."""
        for row in rows:
            if self.own:
                continue  # the journal's own export: its clock is the person's later word
            given = {k: row.data.get(k, getattr(self.person, k)) for k in _CLOCK}
            try:  # checked as settings are, before it is compared or said
                theirs = {k: v for k, v in services.validate(PersonIn, given).model_dump().items()
                          if k in _CLOCK}  # fmt: skip
            except EntryInvalid as exc:
                self.skip(row, _reason(exc))
                continue
            mine = {k: getattr(self.person, k) for k in _CLOCK}
            if theirs == mine:
                continue  # nothing to say: the clock the entries were logged on
            if not empty:
                self.skip(row, (
                    f"the file's time zone was not taken ({_clock_text(theirs)}): this journal "
                    f"keeps {_clock_text(mine)}, and counts the day of every entry, the file's "
                    "too, on that clock (change it in Settings or with mitra settings)"
                ))  # fmt: skip
                continue
            try:
                # The import refreshes the alerts once it has stored everything.
                services.set_up_person(theirs, self.person, refresh=False)
            except EntryInvalid as exc:
                self.skip(row, _reason(exc))
                continue
            self.count("clock", added=True)

    def plan(self, rows: list[SourceRow]) -> None:
        """Fill the plan's empty words and add crisis contacts not yet listed; words the person
        already wrote are kept (the file's are named among the skipped)."""
        for row in rows:
            if self.own:
                # This journal's own export: what it holds now is the person's later word (a
                # contact removed, words cleared since), as for its entries.
                self.count("plan", added=False)
                continue
            self.person.refresh_from_db(fields=["crisis_contacts"])
            now = plans.plan_of(self.person)
            data: dict[str, Any] = {}
            for name, value in row.data.items():
                if name == "crisis_contacts":
                    continue
                mine = getattr(now, name, "")
                if not mine:
                    data[name] = value
                elif value != mine:
                    said = name.replace("_", " ")
                    self.skip(row, f"your plan's {said} is kept; the file's is not imported")
            contacts = self.contacts(row)
            if len(contacts) != len(self.person.crisis_contacts or []):
                data["crisis_contacts"] = contacts
            if not data:
                self.count("plan", added=False)
                continue
            try:
                plans.save_plan(self.person, data)
            except EntryInvalid as exc:
                self.skip(row, _reason(exc))
                continue
            self.count("plan", added=True)

    def contacts(self, row: SourceRow) -> list[dict[str, Any]]:
        """The person's crisis contacts with the file's they do not list (by name) added, at
        most five; a listed one's other number and those past five are named as skipped."""
        contacts = list(self.person.crisis_contacts or [])
        listed = {_contact_key(c): c for c in contacts}
        for number, contact in enumerate(row.data.get("crisis_contacts") or []):
            if not isinstance(contact, dict):
                continue
            mine = listed.get(_contact_key(contact))
            if mine is not None:
                if _digits(mine.get("phone")) != _digits(contact.get("phone")):
                    self.skip(
                        row,
                        f"crisis contact {number + 1} ({contact.get('name', '')}): your "
                        "number for them is kept; the file's is not imported",
                    )
                continue
            if len(contacts) >= _MOST_CONTACTS:
                name = contact.get("name", "")
                self.skip(
                    row,
                    f"crisis contact {number + 1} ({name}) left out: a plan holds at most "
                    f"{_MOST_CONTACTS}",
                )
                continue
            contacts.append(contact)
            listed[_contact_key(contact)] = contact
        return contacts

    def goals(self, rows: list[SourceRow]) -> None:
        """Set each goal of a kind the journal has none of; the journal's own goal is kept."""
        for row in rows:
            kind = row.data.get("kind")
            mine = Goal.objects.filter(person=self.person, kind=kind).first()
            if self.own and mine is None:  # removed since this journal's export: it stays so
                self.count("goal", added=False)
                continue
            if mine is not None:
                if (mine.amount, mine.unit) == (row.data.get("amount"), row.data.get("unit")):
                    self.count("goal", added=False)
                else:
                    self.skip(row, f"your goal for {kind} is kept; the file's is not imported")
                continue
            spec = {k: row.data.get(k) for k in ("kind", "amount", "unit")}
            try:
                history = _goal_history(row.data)
                goal = plans.set_goal(self.person, spec)
            except (EntryInvalid, ValueError) as exc:
                reason = _reason(exc) if isinstance(exc, EntryInvalid) else str(exc)
                self.skip(row, reason)
                continue
            # As it was: since when it was set, and the targets it had (each past week is
            # measured against its own).
            Goal.objects.filter(pk=goal.pk).update(**history)
            self.count("goal", added=True)

    def tapers(self, rows: list[SourceRow]) -> None:
        """Each taper, its schedule whole and the choices made along it; one in progress only
        when the journal has none (a journal has at most one)."""
        for row in rows:
            data = row.data
            try:
                stored = tapers.stored_schedule(data.get("schedule"))
                created = _aware(data.get("created_at"), "created at")
                ended = _aware(data.get("ended_at"), "ended at") if data.get("ended_at") else None
                choices = [
                    (date.fromisoformat(c["day"]), c["action"], _aware(c.get("at"), "a choice"))
                    for c in data.get("choices") or []
                ]
            except (ValueError, TypeError, KeyError) as exc:
                self.skip(row, f"not a taper mitra can read ({str(exc).splitlines()[0]})")
                continue
            if any(action not in {"hold", "resume", "back"} for _, action, _ in choices):
                self.skip(row, "not a taper mitra can read (a choice that is not hold, resume "
                          "or back)")  # fmt: skip
                continue
            mine = Taper.objects.filter(person=self.person, created_at=created)
            if self.own_entry("taper", row.key) is not None or any(
                t.schedule == stored for t in mine
            ):
                self.count("taper", added=False)
                continue
            if (
                ended is None
                and Taper.objects.filter(person=self.person, ended_at__isnull=True).exists()
            ):
                self.skip(row, "a taper is in progress in this journal; the file's is not imported")
                continue
            tapers.restore_taper(
                self.person, stored, created_at=created, ended_at=ended, choices=choices
            )
            self.count("taper", added=True)


def _contact_key(contact: Mapping[str, Any]) -> str:
    """A crisis contact as compared: its name in any case (a number may change)."""
    return str(contact.get("name", "")).strip().casefold()


def _digits(phone: Any) -> str:
    return "".join(ch for ch in str(phone or "") if ch.isdigit())


def _goal_history(data: Mapping[str, Any]) -> dict[str, Any]:
    """A goal's `created_at` (None: set before mitra kept it) and `earlier` targets, as read."""
    earlier = data.get("earlier") or []
    if not isinstance(earlier, list) or not all(
        isinstance(e, dict) and {"until", "amount", "unit"} <= e.keys() for e in earlier
    ):
        raise ValueError("its earlier targets cannot be read")
    for target in earlier:
        _aware(target["until"], "an earlier target's end")
    created = data.get("created_at")
    return {"created_at": _aware(created, "when it was set") if created else None,
            "earlier": earlier}  # fmt: skip


def _carried(value: Any) -> str | None:
    """An `imported_as` a file gives: an import's token as mitra makes them, else None."""
    if isinstance(value, str) and _IMPORT_TOKEN.fullmatch(value):
        return value
    return None


def _same_moment(stored: datetime | None, given: Any) -> bool:
    """Whether a row's time (as the file gives it) is the stored entry's, to the second: an
    earlier version's FHIR export gave times in whole seconds."""
    if stored is None:
        return False
    try:
        found = given if isinstance(given, datetime) else datetime.fromisoformat(str(given))
        if found.tzinfo is None:
            return False
        return found.replace(microsecond=0) == stored.replace(microsecond=0)
    except (ValueError, OverflowError, TypeError):
        return False


def _read_time(value: Any, answered: datetime) -> datetime | None:
    """When the file says a response's crisis resources were seen: an aware time from its
    answer to now. None for none, or one outside that span or unreadable: the card and its
    alert then stand unseen (news again, rather than a warning lost)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        found = datetime.fromisoformat(value)
        if found.tzinfo is None:
            return None
        found = found.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return found if answered <= found <= timezone.now() else None


def _aware(value: Any, what: str) -> datetime:
    """An ISO time with its offset, as mitra's export writes them."""
    if not isinstance(value, str):
        raise ValueError(f"{what} is not a time")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{what} has no offset")
    return parsed


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def import_rows(
    person: Person | None,
    format: str,
    rows: Sequence[SourceRow],
    *,
    dry_run: bool = False,
    own: bool = False,
    origin: str | None = None,
    new_journal: Mapping[str, Any] | None = None,
) -> ImportResult:
    """Store the rows in one transaction (all or nothing); a dry run rolls it back.

    `own`: the file is this journal's own export, whose row keys are its entries' ids
    ("dose/12"); an entry still in the journal is then already there, and only those no longer
    in it (a backup read back after a loss) are added. `origin`: the journal a file of mitra's
    own (JSON or FHIR) came from, which keys its rows whatever the file's format.

    `person` None: there is no journal yet. One is made with the settings `new_journal` gives
    (its time zone), inside the import's transaction: an import makes it with the entries, and
    a dry run rolls it back with the rest, so it makes no journal and changes no setting.
    """
    result = ImportResult(dry_run=dry_run)
    by_kind: Mapping[str, list[SourceRow]] = {kind: [] for kind in (*KINDS, *PLAN_KINDS)}
    for row in rows:
        if row.kind in by_kind:
            by_kind[row.kind].append(row)
        else:
            result.skipped.append((row.where, f"unknown kind of entry {row.kind!r}"))
    empty = person is None or not any(
        model.objects.filter(person=person).exists()
        for model in (Dose, CheckIn, Response, Intake, Practice)
    )
    try:
        with transaction.atomic():
            journal = person or services.set_up_person(dict(new_journal or {}))
            importer = _Importer(journal, format, result, own=own, origin=origin)
            importer.clock(by_kind["clock"], empty=empty)
            importer.named("product", by_kind["product"])
            importer.named("substance", by_kind["substance"])
            importer.doses(by_kind["dose"])
            importer.intakes(by_kind["intake"])
            importer.checkins(by_kind["checkin"])
            importer.practices(by_kind["practice"])
            importer.responses(by_kind["response"])
            importer.plan(by_kind["plan"])
            importer.goals(by_kind["goal"])
            importer.tapers(by_kind["taper"])
            if dry_run:
                raise _DryRun
            if any(result.added.values()):  # nothing added: the journal, and its alerts, stand
                refresh_after_commit(journal)
    except _DryRun:
        # What the rolled-back work set on the person in memory goes with it (a journal made
        # for the dry run went with the rest).
        if person is not None:
            person.refresh_from_db(fields=["crisis_contacts", "time_zone", "day_boundary_hour"])
    result.skipped.sort(key=lambda item: _place(item[0]))
    return result


_CLOCK = ("time_zone", "day_boundary_hour")


def _clock_text(clock: Mapping[str, Any]) -> str:
    return f"{clock['time_zone']} with days from {int(clock['day_boundary_hour']):02d}:00"


def _place(where: str) -> tuple[str, int]:
    """Sort "line 9" before "line 10"."""
    head, _, number = where.rpartition(" ")
    digits = "".join(ch for ch in number if ch.isdigit())
    return (head, int(digits) if digits else 0)


def _by_key(ref: str, kind: str) -> bool:
    """Whether a row names its product or substance by a key of mitra's own formats
    ("product/12"), rather than by a name as other apps' journals do."""
    head, _, number = ref.partition("/")
    return head == kind and number.isdigit()
