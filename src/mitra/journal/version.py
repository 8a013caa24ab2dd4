"""The journal's version: a counter on the person that every change to their journal raises.

Reads cache their results under it (`mitra.reads.cache`). It is raised by
`alerts.refresh_after_commit`, which every writer calls after its write (in the same
transaction or after it commits), never before: a reader that sees the new version also sees
the new rows, so nothing computed from old rows is ever stored under the new version. A read
running during a write may see the journal just before it, as any concurrent read may.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from threading import Lock

from django.db import connection, transaction

from mitra.timeline import TimelinePart

from .models import Person

__all__ = ["changed_parts", "journal_changed", "journal_version"]


def journal_changed(person: Person, parts: Collection[TimelinePart] | None = None) -> int | None:
    """Raise the person's journal version (call after the change, inside its transaction); the
    version this change made (None for a person no longer stored).

    `parts`: the only kinds of entry (`mitra.timeline.TimelinePart`) the change touched, when
    the writer knows them (a check-in touches check-ins and their practices). Once the change
    commits, this process notes that the version it made differs from the one before only in
    those parts (`changed_parts`), so a cached timeline can read those parts again and keep the
    rest. Without `parts` nothing is noted, and every part is read again.
    """
    with connection.cursor() as cursor:
        # One statement raises and reads the number, so it is this change's own even when
        # another process raises it at once (a second statement could read theirs).
        cursor.execute(_RAISE_SQL, [person.pk])
        found = cursor.fetchone()
    if found is None:
        return None
    if parts is not None:
        made = (person.pk, str(person.created_at), int(found[0]))
        touched = frozenset(parts)
        # Noted only on commit: a change rolled back leaves its number to another change.
        transaction.on_commit(lambda: _note(made, touched))
    return int(found[0])


def changed_parts(person: Person, since: int, now: int) -> frozenset[TimelinePart] | None:
    """The parts of the timeline that changed from version `since` to `now`, or None when this
    process does not know of every change between them (another process made one, or a change
    did not say what it touched): then anything may have changed."""
    if now < since or now - since > _NOTES_KEPT:  # more changes than notes are kept
        return None
    out: frozenset[TimelinePart] = frozenset()
    with _lock:
        for version in range(since + 1, now + 1):
            found = _notes.get((person.pk, str(person.created_at), version))
            if found is None:
                return None
            out |= found
    return out


#: What each version differs in from the one before, by (person, creation time, version), for
#: the latest changes this process made.
_notes: OrderedDict[tuple[int, str, int], frozenset[TimelinePart]] = OrderedDict()
_lock = Lock()
_NOTES_KEPT = 256


def _note(made: tuple[int, str, int], parts: frozenset[TimelinePart]) -> None:
    with _lock:
        _notes[made] = parts
        while len(_notes) > _NOTES_KEPT:
            _notes.popitem(last=False)


def journal_version(person: Person) -> int:
    """The person's current journal version, read from the database (one indexed query).

    Every cached read asks this, several times per page: the statement is written once
    rather than compiled by the ORM at each call, which cost more than running it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [person.pk])
        found = cursor.fetchone()
    return -1 if found is None else int(found[0])


_RAISE_SQL = 'UPDATE "{0}" SET "{1}" = "{1}" + 1 WHERE "{2}" = %s RETURNING "{1}"'.format(  # noqa: S608  the model's names
    Person._meta.db_table, Person._meta.get_field("version").column, Person._meta.pk.column
)
_VERSION_SQL = 'SELECT "{}" FROM "{}" WHERE "{}" = %s'.format(  # noqa: S608  the model's names
    Person._meta.get_field("version").column, Person._meta.db_table, Person._meta.pk.column
)
