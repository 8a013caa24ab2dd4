"""PsychonautWiki Journal (Android app): its JSON export.

The export holds `experiences`, each with a title, a text and `ingestions`; an ingestion has
`substanceName`, `time` (epoch milliseconds, UTC), `dose` (null: unknown), `units`,
`isDoseAnEstimate`, `administrationRoute` and `notes`.

Mapping: an ingestion of kratom (any name the knowledge base resolves to kratom or
7-hydroxymitragynine) becomes a dose of a product named after the substance; any other
substance becomes an intake of that substance. The experience's title and text, the route and
"estimate" travel in the entry's note, so nothing is dropped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from mitra.safety.interactions import resolve
from mitra.vocabulary import DOSE_UNITS

from . import ImportFileError, Parsed, Row, Skipped, load_json

KRATOM_IDS = frozenset({"kratom", "seven_oh"})
_EARLIEST_MS = 946_684_800_000  # 2000-01-01: the journal refuses older entries anyway
_LATEST_MS = 4_102_444_800_000  # 2100-01-01


def _text(value: Any, limit: int = 600) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


@lru_cache(maxsize=1024)  # an export names a few substances thousands of times
def _is_kratom(name: str) -> bool:
    found = resolve(name)
    return found.match == "exact" and found.resolved in KRATOM_IDS


def _when(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not _EARLIEST_MS <= value <= _LATEST_MS:
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def _ingestion(parsed: Parsed, where: str, item: dict[str, Any], context: str) -> None:
    name = _text(item.get("substanceName"), 120)
    at = _when(item.get("time"))
    if not name:
        parsed.skipped.append(Skipped(where, "no substanceName"))
        return
    if at is None:
        parsed.skipped.append(Skipped(where, "time is not a time in epoch milliseconds"))
        return
    dose = item.get("dose")
    amount = dose if isinstance(dose, int | float) and not isinstance(dose, bool) else None
    units = _text(item.get("units"), 24)
    details = [
        "estimated dose" if item.get("isDoseAnEstimate") else "",
        _text(item.get("administrationRoute"), 40).lower(),
        _text(item.get("notes")),
        context,
    ]
    note = "; ".join(d for d in details if d)
    key = f"{name}@{item.get('time')}@{item.get('creationDate', '')}"
    if _is_kratom(name):
        if amount is None:
            parsed.skipped.append(Skipped(where, f"a {name} ingestion without a dose amount"))
            return
        if units not in DOSE_UNITS:
            parsed.skipped.append(
                Skipped(
                    where, f"units {units!r}: mitra turns only {', '.join(DOSE_UNITS)} into grams"
                )
            )
            return
        fields: dict[str, Any] = {
            "taken_at": at,
            "amount": amount,
            "unit": units,
            "note": note,
            "product": name,
        }
        parsed.add(Row(where, "dose", key, fields))
        return
    fields = {"taken_at": at, "amount": amount, "unit": units if amount is not None else "",
              "note": note, "substance": name}  # fmt: skip
    parsed.add(Row(where, "intake", key, fields))


def parse(data: bytes, zone: ZoneInfo) -> Parsed:
    """Rows of a PsychonautWiki Journal export."""
    document = load_json(data)
    if not isinstance(document, dict) or not isinstance(document.get("experiences"), list):
        raise ImportFileError('line 1: not a PsychonautWiki Journal export (no "experiences" list)')
    parsed = Parsed()
    for number, experience in enumerate(document["experiences"]):
        where = f"experiences[{number}]"
        if not isinstance(experience, dict):
            parsed.skipped.append(Skipped(where, "not an experience"))
            continue
        title = _text(experience.get("title"), 200)
        text = _text(experience.get("text"), 1200)
        context = " - ".join(t for t in (title, text) if t)
        ingestions = experience.get("ingestions")
        if not isinstance(ingestions, list) or not ingestions:
            if context:
                parsed.skipped.append(
                    Skipped(where, f"an experience without ingestions (its text: {context[:80]})")
                )
            continue
        for index, item in enumerate(ingestions):
            place = f"{where}.ingestions[{index}]"
            if not isinstance(item, dict):
                parsed.skipped.append(Skipped(place, "not an ingestion"))
                continue
            # The experience's words go with its first ingestion only, not repeated on each.
            _ingestion(parsed, place, item, context if index == 0 else "")
    return parsed
