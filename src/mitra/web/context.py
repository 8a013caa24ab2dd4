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


def alerts(request: HttpRequest) -> dict[str, Any]:
    """`alert_banner`: the most severe unacknowledged alerts, and how many there are.

    Not on the crisis page: a person who opened it finds the lines to call first, not a list
    of alerts above them.
    """
    person = getattr(request, "person", None)
    match = getattr(request, "resolver_match", None)
    if person is None or (match is not None and match.url_name == "crisis"):
        return {}
    from mitra.reads.alerts import banner

    found = banner(person)
    return {"alert_banner": found} if found.alerts else {}
