"""Export the whole journal as one JSON document (`mitra export --format json`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import mitra
from mitra.journal import queries

if TYPE_CHECKING:
    from mitra.journal import Person

FORMAT = "mitra-journal"
VERSION = 1  # raised when a field changes meaning or goes away; importers check it


def export_json(person: Person) -> dict[str, Any]:
    """The person's journal (entries not deleted, settings) with the format's header."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "app_version": mitra.__version__,
        "exported_at": datetime.now(UTC).isoformat(),
        # Which journal this is: read back into it, its entries are recognised as already there.
        "journal": queries.journal_id(person),
        **queries.journal_records(person),
    }
