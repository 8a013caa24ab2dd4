"""Build a plain-data `Timeline` from the database for the engines."""

from __future__ import annotations

import gc
import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection, connections
from django.db.models import FloatField, QuerySet, TextField
from django.db.models.functions import Cast, Extract

from mitra.knowledge.substances import load_substances
from mitra.pharmacology import content_per_gram
from mitra.timeline import TIMELINE_PARTS, DayClock, Timeline, TimelinePart
from mitra.vocabulary import LEAF_FORMS

from .models import CheckIn, Dose, Intake, Person, Practice, Product, Response, Substance


def clock_of(person: Person) -> DayClock:
    """The person's day clock (time zone and day boundary)."""
    return DayClock(person.time_zone, person.day_boundary_hour)


def _seconds(values: list[Any]) -> np.ndarray:
    """Seconds since the epoch of each stored moment.

    SQLite hands back its text ("2026-01-10 08:00:00.123456", UTC), which numpy reads in one
    call to exact microseconds; PostgreSQL hands back aware datetimes.
    """
    if values and isinstance(values[0], str):
        micro = np.array(values, dtype="datetime64[us]").astype(np.int64)
        return micro / 1e6  # the same float as datetime.timestamp(): both round us / 10**6
    if values and isinstance(values[0], datetime):
        return np.array([v.timestamp() for v in values], dtype=np.float64)
    # PostgreSQL's epoch seconds (double precision): the nearest float to the exact seconds,
    # as datetime.timestamp() gives.
    return np.array(values, dtype=np.float64)


def moment(field: str) -> Any:
    """A moment's column for `_seconds` (or `moments`) to read in one call, without the driver
    parsing each value into a datetime first: SQLite's stored text, PostgreSQL's seconds since
    the epoch."""
    if connection.vendor == "sqlite":
        return Cast(field, TextField())
    # In UTC whatever time zone the request has made current: Django would otherwise take the
    # epoch of the local wall time, moving every moment by the zone's offset.
    return Cast(Extract(field, "epoch", tzinfo=UTC), FloatField())


_TEXT = frozenset({str, type(None)})


def _sets(values: list[Any]) -> tuple[frozenset[str], ...]:
    """Each stored JSON list as a set, one set per distinct value (most check-ins repeat a
    handful of symptom lists; thousands of equal sets would only burden the collector)."""
    if set(map(type, values)) <= _TEXT:  # SQLite's text (one pass in C, not a call per row)
        # Each distinct text parsed once, then every row looked up in one call.
        distinct = list(dict.fromkeys(values))
        parsed = (frozenset(v or ()) for v in json_values(distinct))
        sets = dict(zip(distinct, parsed, strict=True))
        return tuple(map(sets.__getitem__, values))
    made: dict[Any, frozenset[str]] = {}
    out = []
    for value in values:
        key = value if isinstance(value, str) or value is None else json.dumps(value)
        found = made.get(key)
        if found is None:
            found = made[key] = frozenset(json_values([value])[0] or ())
        out.append(found)
    return tuple(out)


def json_values(values: list[Any]) -> list[Any]:
    """Stored JSON values (text from the database, or already read), parsed in one call."""
    if not any(isinstance(v, str) for v in values):
        return values
    return json.loads("[" + ",".join("null" if v is None else v for v in values) + "]")  # type: ignore[no-any-return]


def _floats(values: list[Any]) -> np.ndarray:
    """Numbers (or booleans) with None as NaN, in one call: numpy reads None as NaN itself.

    A column never filled in (a 7-OH figure, the diet questions, for many journals) is made
    as NaNs at once: numpy's reading of None is its slowest case, about 0.6 ms per ten
    thousand rows.
    """
    if values and values[0] is None and values.count(None) == len(values):
        return np.full(len(values), np.nan)
    return np.array(values, dtype=np.float64)


@contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector held off while whole tables are read.

    Reading ten years of entries makes tens of thousands of tuples, none of them in a cycle,
    and each few hundred start a collection that walks the process's objects (a sixth of the
    timeline's cost). Reference counting still frees everything; the collector runs again as
    usual afterwards. Left as it was if something else had turned it off.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def columns(query: QuerySet[Any] | None, width: int) -> list[list[Any]]:
    """A values_list() query's rows as `width` columns (empty columns for no rows, or for
    None: a part of the timeline that was not asked for).

    The rows are read as the database driver returns them, without Django's per-value
    converters (a datetime parsed, a JSON text loaded, one call each): over ten years of
    entries those calls were most of the timeline's cost. `_seconds`, `moments` and
    `json_values` then read whole columns at once.
    """
    if query is None:
        return [[] for _ in range(width)]
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [list(column) for column in zip(*rows, strict=True)] or [[] for _ in range(width)]


def moments(values: list[Any]) -> list[datetime]:
    """Each stored moment of a `moment` column as an aware UTC datetime."""
    if values and isinstance(values[0], str):
        return [datetime.fromisoformat(v).replace(tzinfo=UTC) for v in values]
    # PostgreSQL's epoch seconds: a float holds today's moments to well under a microsecond,
    # so each comes back exact.
    return [datetime.fromtimestamp(v, UTC) for v in values]


def json_text(field: str) -> Any:
    """A JSON column as its text, for `json_values` to parse a whole column in one call (the
    driver would otherwise parse each value on its own)."""
    return Cast(field, TextField())


def build_timeline(
    person: Person, first: date, last: date, parts: Collection[TimelinePart] = TIMELINE_PARTS
) -> Timeline:
    """The person's journal over local days `first`..`last` (inclusive) as arrays; only the
    kinds of entry in `parts` are read, the others left empty."""
    clock = clock_of(person)
    start = clock.day_start(first)
    end = clock.day_start(last + timedelta(days=1))
    live = {"person": person, "deleted_at__isnull": True}
    doses = (
        None
        if "doses" not in parts
        else Dose.objects.filter(**live, taken_at__gte=start, taken_at__lt=end)
        .order_by("taken_at")
        .values_list(moment("taken_at"), "grams", "mg_mitragynine", "product_id", "mg_7oh")
    )
    checkins = (
        None
        if "checkins" not in parts
        else CheckIn.objects.filter(**live, at__gte=start, at__lt=end)
        .order_by("at")
        .values_list(
            moment("at"),
            "anxiety",
            "mood",
            "sleep_hours",
            "sleep_quality",
            "symptoms",
            "regular_meals",
            "caffeine_cups",
        )
    )
    practices = (
        None
        if "practices" not in parts
        else Practice.objects.filter(
            **live, at__gte=start, at__lt=end, checkin__deleted_at__isnull=True
        )
        .order_by("at")
        .values_list(moment("at"), "kind", "minutes")
    )
    intakes = (
        None
        if "intakes" not in parts
        else Intake.objects.filter(**live, taken_at__gte=start, taken_at__lt=end)
        .order_by("taken_at")
        .values_list(moment("taken_at"), "substance_id")
    )
    responses = (
        None
        if "responses" not in parts
        else Response.objects.filter(**live, at__gte=start, at__lt=end)
        .order_by("at", "pk")
        .values_list("pk", moment("at"), "instrument", "answers", "total", "band", "flags")
    )
    with _no_collection():
        d = columns(doses, 5)
        c = columns(checkins, 8)
        p = columns(practices, 3)
        i = columns(intakes, 2)
        r = columns(responses, 7)
        return _made(person, clock, first, last, d, c, p, i, r)


def _made(  # noqa: PLR0917  the five tables' columns, as read
    person: Person,
    clock: DayClock,
    first: date,
    last: date,
    d: list[list[Any]],
    c: list[list[Any]],
    p: list[list[Any]],
    i: list[list[Any]],
    r: list[list[Any]],
) -> Timeline:
    """The Timeline of the columns read by `build_timeline`."""
    grams = _floats(d[1])
    content = _dose_content(d[3], grams, _floats(d[2]), _floats(d[4]))
    return Timeline(
        clock=clock,
        first=first,
        last=last,
        dose_time=_seconds(d[0]),
        dose_grams=grams,
        dose_product=np.array(d[3], dtype=np.int64),
        **content,
        checkin_time=_seconds(c[0]),
        anxiety=_floats(c[1]),
        mood=_floats(c[2]),
        sleep_hours=_floats(c[3]),
        sleep_quality=_floats(c[4]),
        symptoms=_sets(c[5]),
        regular_meals=_floats(c[6]),
        caffeine_cups=_floats(c[7]),
        practice_time=_seconds(p[0]),
        practice_kind=tuple(p[1]),
        practice_minutes=_floats(p[2]),
        intake_time=_seconds(i[0]),
        intake_substance=np.array(i[1], dtype=np.int64),
        intake_classes=_intake_classes(person, i[1]),
        response_id=np.array(r[0], dtype=np.int64),
        response_time=_seconds(r[1]),
        response_instrument=tuple(r[2]),
        response_answers=tuple(tuple(a) for a in json_values(r[3])),
        response_total=_floats(r[4]),
        response_band=tuple(r[5]),
        response_flags=tuple(tuple(f or ()) for f in json_values(r[6])),
    )


def _dose_content(
    products: list[int],
    grams: np.ndarray,
    lab_mitragynine: np.ndarray,
    lab_7oh: np.ndarray,
) -> dict[str, Any]:
    """Form, leaf grams and alkaloid mg (central, low, high, estimated) of each dose, from its
    product's form.

    A dose's own mg (from its product's lab figure when it was logged) is exact; otherwise the
    product's form picks the literature default, per gram, once per product. The forms are
    read for the journal's few products, not joined onto each of its thousands of doses (the
    join and a text per dose were a third of reading the doses).
    """
    n = len(products)
    stored = list(dict.fromkeys(products))
    forms = dict(Product.objects.filter(pk__in=stored).values_list("pk", "form"))
    kinds = [forms[pk] or "powder" for pk in stored]
    number = {pk: k for k, pk in enumerate(stored)}
    which = np.fromiter(map(number.__getitem__, products), dtype=np.int64, count=n)
    form = tuple(map(dict(zip(stored, kinds, strict=True)).__getitem__, products))
    leaf = np.array([k in LEAF_FORMS for k in kinds], dtype=np.bool_)
    out: dict[str, Any] = {"dose_form": form, "dose_is_leaf": leaf[which]}
    out["dose_grams_leaf"] = np.where(out["dose_is_leaf"], grams, np.nan)
    for alkaloid, key, lab in (
        ("mitragynine", "mitragynine", lab_mitragynine),
        ("7-hydroxymitragynine", "7oh", lab_7oh),
    ):
        known = ~np.isnan(lab)
        central, low, high = lab.copy(), lab.copy(), lab.copy()
        estimated = np.zeros(n, dtype=np.bool_)
        for kind in set(kinds):
            found = content_per_gram(kind, alkaloid)
            of_kind = [k for k, name in enumerate(kinds) if name == kind]
            rows = np.isin(which, of_kind) & ~known
            if found is None or not rows.any():
                continue
            central[rows] = grams[rows] * found.mg
            low[rows] = grams[rows] * found.low_mg
            high[rows] = grams[rows] * found.high_mg
            estimated[rows] = found.is_estimate
        out[f"dose_mg_{key}"] = central
        out[f"dose_mg_{key}_low"] = low
        out[f"dose_mg_{key}_high"] = high
        out[f"dose_mg_{key}_estimated"] = estimated
    return out


def _intake_classes(person: Person, substance_ids: list[int]) -> tuple[frozenset[str], ...]:
    """The knowledge-base classes of each intake's substance (empty when unresolved)."""
    if not substance_ids:
        return ()
    base = load_substances()
    known = dict(Substance.objects.filter(person=person).values_list("pk", "knowledge_id"))
    classes = {
        pk: frozenset(base.substances[kid].classes) if kid in base.substances else frozenset()
        for pk, kid in known.items()
    }
    return tuple(classes.get(sid, frozenset()) for sid in substance_ids)
