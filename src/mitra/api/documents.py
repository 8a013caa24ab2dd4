"""API answers made by the one serialiser, so a route and the CLI's `--json` print the same."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from mitra.reads.serialise import document_text

__all__ = ["respond"]


def respond(value: Any, kind: Any = None, *, status: int = 200) -> HttpResponse:
    """`value` (a read's result) as application/json, exactly as `mitra ... --json` prints it."""
    return HttpResponse(document_text(value, kind), status=status, content_type="application/json")
