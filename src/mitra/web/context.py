"""Template context on every page: the crisis card while a crisis answer is unacknowledged."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from mitra.journal import queries
from mitra.knowledge import load as load_knowledge
from mitra.timeline import zone_country


def crisis(request: HttpRequest) -> dict[str, Any]:
    """`crisis_card`: the open crisis response with resources and the person's own contacts."""
    person = getattr(request, "person", None)
    if person is None:
        return {}
    response = queries.open_crisis(person)
    if response is None:
        return {}
    return {"crisis_card": crisis_resources(person) | {"response": response}}


def crisis_locale(person: Any) -> str:
    """MITRA_LOCALE if set, else the country of the person's time zone, else US."""
    if settings.MITRA_LOCALE:
        return str(settings.MITRA_LOCALE)
    country = zone_country(person.time_zone) if person is not None else None
    return country or "US"


def crisis_resources(person: Any) -> dict[str, Any]:
    """Crisis lines for the configured locale, the person's own contacts, and their sources."""
    kb = load_knowledge()
    resources = kb.crisis_resources(crisis_locale(person))
    sources = kb.cite(sorted({sid for r in resources for sid in r.sources}))
    contacts = person.crisis_contacts if person is not None else []
    return {"resources": resources, "sources": sources, "contacts": contacts}


BANNER_SIZE = 3


def alerts(request: HttpRequest) -> dict[str, Any]:
    """`alert_banner`: the most severe unacknowledged alerts, and how many there are."""
    person = getattr(request, "person", None)
    if person is None:
        return {}
    from mitra.journal.alerts import open_alerts

    found = list(open_alerts(person)[: BANNER_SIZE + 1])
    if not found:
        return {}
    count = open_alerts(person).count() if len(found) > BANNER_SIZE else len(found)
    return {"alert_banner": {"alerts": found[:BANNER_SIZE], "count": count}}
