"""Crisis resources for a person: lines of their country, their own contacts, and sources."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from mitra.knowledge import load as load_knowledge
from mitra.timeline import zone_country

from .models import Person


def crisis_locale(person: Person | None) -> str:
    """MITRA_LOCALE if set, else the country of the person's time zone, else US."""
    if settings.MITRA_LOCALE:
        return str(settings.MITRA_LOCALE)
    country = zone_country(person.time_zone) if person is not None else None
    return country or "US"


def crisis_resources(person: Person | None) -> dict[str, Any]:
    """`resources` and `sources` (knowledge records) and the person's own `contacts`."""
    kb = load_knowledge()
    resources = kb.crisis_resources(crisis_locale(person))
    sources = kb.cite(sorted({sid for r in resources for sid in r.sources}))
    contacts = list(person.crisis_contacts) if person is not None else []
    return {"resources": resources, "sources": sources, "contacts": contacts}


def crisis_resources_json(person: Person | None) -> dict[str, Any]:
    """The same as plain JSON data, for the API and the CLI."""
    found = crisis_resources(person)
    return {
        "resources": [r.model_dump() for r in found["resources"]],
        "contacts": found["contacts"],
        "sources": [s.model_dump() for s in found["sources"]],
    }
