"""Whose journal an API request reads: the signed-in account's person, or the one person of a
loopback install without accounts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError

from mitra.journal import services

__all__ = ["maybe_person", "person_of", "signed_in"]


def signed_in(request: HttpRequest) -> bool:
    """Accounts are on, so the request's person is the signed-in account's (or none)."""
    return bool(getattr(request, "accounts_on", False))


def maybe_person(request: HttpRequest) -> Any:
    """The request's person, or None; never another account's journal."""
    person = getattr(request, "person", None)
    if person is None and not signed_in(request):
        person = services.get_person()
    return person


def person_of(request: HttpRequest) -> Any:
    """The request's person; 404 for an account without a journal, 409 before set-up."""
    person = maybe_person(request)
    if person is None:
        if signed_in(request):
            raise HttpError(404, "This account has no journal of its own.")
        # An API client can set it up itself: the first time zone it sends starts the journal.
        raise HttpError(
            409,
            "The journal is not set up yet: choose its time zone with PUT /api/v1/settings "
            '{"time_zone": "Europe/Berlin"}, or open mitra in a browser and choose one there.',
        )
    return person
