"""The journal's version: a counter on the person that every change to their journal raises.

Reads cache their results under it (`mitra.reads.cache`). It is raised by
`alerts.refresh_after_commit`, which every writer calls after its write (in the same
transaction or after it commits), never before: a reader that sees the new version also sees
the new rows, so nothing computed from old rows is ever stored under the new version. A read
running during a write may see the journal just before it, as any concurrent read may.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F

from .models import Person


def journal_changed(person: Person) -> None:
    """Raise the person's journal version (call after the change, inside its transaction)."""
    Person.objects.filter(pk=person.pk).update(version=F("version") + 1)


def journal_version(person: Person) -> int:
    """The person's current journal version, read from the database (one indexed query).

    Every cached read asks this, several times per page: the statement is written once
    rather than compiled by the ORM at each call, which cost more than running it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [person.pk])
        found = cursor.fetchone()
    return -1 if found is None else int(found[0])


_VERSION_SQL = 'SELECT "{}" FROM "{}" WHERE "{}" = %s'.format(  # noqa: S608  the model's names
    Person._meta.get_field("version").column, Person._meta.db_table, Person._meta.pk.column
)
