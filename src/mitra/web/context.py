"""Template context on every page: the crisis card while a crisis answer is unacknowledged."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mitra.journal import queries
from mitra.journal.crisis import crisis_resources


def crisis(request: HttpRequest) -> dict[str, Any]:
    """`crisis_card`: the open crisis response with resources and the person's own contacts."""
    person = getattr(request, "person", None)
    if person is None:
        return {}
    response = queries.open_crisis(person)
    if response is None:
        return {}
    return {"crisis_card": crisis_resources(person) | {"response": response}}


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
