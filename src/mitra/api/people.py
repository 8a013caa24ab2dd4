"""Whose journal an API request reads: the one person on a loopback install."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError

from mitra.journal import services

__all__ = ["person_of"]


def person_of(request: HttpRequest) -> Any:
    """The journal's person, or 409 when the journal is not set up yet."""
    person = getattr(request, "person", None) or services.get_person()
    if person is None:
        raise HttpError(
            409, "The journal is not set up yet: open mitra in a browser and choose a time zone."
        )
    return person
