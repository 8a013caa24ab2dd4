"""A person deletes their journal: every row that is theirs, and every file kept for them.

One transaction removes the person and, through the foreign keys, everything that points at them
(entries, alerts, plans, tapers and whatever later tables hold a person). Then the files in the
data folder: their reminders feed entry (its secret token), the cached results (named by digests,
so every cached file goes: the others are only computed again), and, once no journal is left, the
demo's ground-truth files.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import ProtectedError

from .backup import forget_cached_files
from .models import Person
from .reminders import forget_person

__all__ = ["CONFIRMATION", "delete_journal"]

#: What a person types to confirm (web, CLI, API).
CONFIRMATION = "DELETE"


def _owned_tables() -> list[tuple[type[models.Model], str]]:
    """Every model with a foreign key to the person, and that key's column."""
    return [
        (model, field.attname)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Person
    ]


def delete_journal(person: Person) -> dict[str, int]:
    """Delete the person and all their data; returns how many rows went, by table."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        # Tables that point at the person are emptied of their rows first, in as many rounds as
        # their own protections need (a dose protects its product until the dose is gone).
        pending = _owned_tables()
        while pending:
            left = []
            for model, field in pending:
                try:
                    with transaction.atomic():
                        _, deleted = model._base_manager.filter(**{field: person.pk}).delete()
                except ProtectedError:
                    left.append((model, field))
                    continue
                for label, n in deleted.items():
                    counts[label] = counts.get(label, 0) + n
            if len(left) == len(pending):
                raise ProtectedError(f"rows of {left[0][0].__name__} cannot be deleted", set())
            pending = left
        _, deleted = Person.objects.filter(pk=person.pk).delete()
        for label, n in deleted.items():
            counts[label] = counts.get(label, 0) + n
    forget_person(person.pk)
    forget_cached_files()
    if not Person.objects.exists():
        for truth in Path(settings.DATA_DIR).glob("demo-truth-seed*.json"):
            truth.unlink(missing_ok=True)
    return {label.rsplit(".", 1)[-1]: n for label, n in counts.items() if n}
