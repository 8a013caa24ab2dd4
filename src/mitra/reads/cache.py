"""Reads cached on the journal's version: a result is reused only while the journal is unchanged.

The key is the person (id and creation time, so a database made again never meets an old
entry), the journal's version read from the database on every call, the read's name and its
arguments. Every write raises the version (`mitra.journal.version`), so a cached result can
never outlive the journal it was computed from; nothing here expires by time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from functools import lru_cache
from threading import Lock
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

if TYPE_CHECKING:
    from mitra.timeline import Timeline

__all__ = ["ReadCache", "cached", "clear", "held", "journal_stamp", "timeline"]

T = TypeVar("T")


class ReadCache:
    """A small least-recently-used map from keys to results, safe across threads."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = Lock()

    def get(self, key: Hashable) -> tuple[bool, Any]:
        """(True, value) when `key` is held, else (False, None)."""
        with self.lock:
            if key not in self.items:
                return False, None
            self.items.move_to_end(key)
            return True, self.items[key]

    def put(self, key: Hashable, value: Any) -> None:
        """Hold `value` under `key`, dropping the least recently used beyond `size`."""
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_reads = ReadCache()
_held: list[ReadCache] = []


def held(size: int) -> ReadCache:
    """A cache of this process that `clear()` empties too (for results keyed on their inputs)."""
    made = ReadCache(size)
    _held.append(made)
    return made


def journal_stamp(person: Any) -> tuple[Any, ...]:
    """The person's identity and journal version, read from the database now."""
    from mitra.journal.version import journal_version

    return (person.pk, str(person.created_at), journal_version(person))


def cached(
    person: Any,
    name: str,
    key: Hashable,
    compute: Callable[[], T],
    *,
    kept_as: Any = None,
) -> T:
    """`compute()`, or its result from before if the journal has not changed since.

    The version is read before computing: a write that lands during the computation raises
    it, so the result is stored under the older version and never served for the newer one.
    With `kept_as` (the result's type), the result is also kept in the data folder as JSON
    under the same key, so the first read after a restart finds it (`_kept`).
    """
    return _cached_on(journal_stamp(person), name, key, compute, kept_as=kept_as)


def _cached_on(
    stamp: tuple[Any, ...],
    name: str,
    key: Hashable,
    compute: Callable[[], T],
    *,
    kept_as: Any = None,
) -> T:
    """`cached`, with the journal's stamp read by the caller."""
    full = (stamp, name, key)
    found, value = _reads.get(full)
    if found:
        return value  # type: ignore[no-any-return]
    value = _kept(full, kept_as, compute) if kept_as is not None else compute()
    _reads.put(full, value)
    return value


@lru_cache(maxsize=32)
def _adapter(kind: Any) -> Any:
    """pydantic's reader and writer of `kind`, made once per process: building one walks the
    whole type (about 5 ms for the insights), which every kept read after a write paid."""
    from pydantic import TypeAdapter

    return TypeAdapter(kind)


def _kept(full: Hashable, kind: Any, compute: Callable[[], T]) -> T:
    """The result kept in the data folder under `full`, else computed and kept.

    A result is kept only if reading its JSON back gives an equal value (a NaN, or a time
    zone JSON cannot carry, would not), so what a restart reads is what was computed. A file
    that is unreadable, or not of `kind`, is a miss.
    """
    from pydantic import TypeAdapter, ValidationError

    from .cache_files import load_text, store_text

    adapter: TypeAdapter[T] = _adapter(kind)
    text = load_text("reads", repr(full))
    if text is not None:
        try:
            return adapter.validate_json(text)
        except (ValidationError, ValueError):
            pass
    value = compute()
    dumped = adapter.dump_json(value)
    try:
        same = adapter.validate_json(dumped) == value
    except (ValidationError, ValueError):
        same = False
    if same:
        store_text("reads", repr(full), dumped.decode())
    return value


def clear(*, kept: bool = True) -> None:
    """Forget every cached read (tests, benchmarks; never needed for correctness): in memory,
    and unless `kept` is False, the reads kept in the data folder (`kept=False` is a restart)."""
    _reads.clear()
    for other in _held:
        other.clear()
    if kept:
        from .cache_files import forget

        forget("reads")


#: The latest timeline of each span, with the version it was read at, so that after a change
#: only the parts it touched are read again (`timeline`).
_lines = held(16)


def timeline(person: Any, first: date, last: date) -> Timeline:
    """`journal.timeline(person, first, last)`, cached on the journal's version.

    After a change this process made and noted (`mitra.journal.version.changed_parts`), only
    the parts of the timeline it touched are read from the database: a check-in reads the
    check-ins and practices again and keeps ten years of doses as they were. A change this
    process does not know of reads everything.

    The Timeline is plain arrays the engines only read; its arrays are made read-only here so
    that a shared copy cannot be changed by one caller under another.
    """
    from mitra.journal.timeline_builder import build_timeline
    from mitra.journal.version import changed_parts

    on = (person.time_zone, person.day_boundary_hour)
    stamp = journal_stamp(person)
    span = (stamp[:2], first, last, on)

    def compute() -> Timeline:
        found, before = _lines.get(span)
        parts = None if not found else changed_parts(person, before[0], stamp[2])
        if parts is None:
            line = build_timeline(person, first, last)
        elif not parts:
            line = before[1]
        else:
            line = before[1].with_parts_of(build_timeline(person, first, last, parts), parts)
        for value in vars(line).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        _lines.put(span, (stamp[2], line))
        return line

    return _cached_on(stamp, "timeline", (first, last, on), compute)
