"""mitra's own JSON export (`mitra export --format json`, format "mitra-journal" version 1)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from mitra.interop.json_export import FORMAT, VERSION

from . import ImportFileError, Parsed, Row, Skipped, load_json

_PRODUCT = (
    "name", "vendor", "strain", "vein", "form", "unit", "grams_per_unit",
    "mitragynine_mg_per_g", "hydroxy_mg_per_g", "notes",
)  # fmt: skip


def _list(document: dict[str, Any], name: str) -> list[Any]:
    value = document.get(name, [])
    if not isinstance(value, list):
        raise ImportFileError(f"'{name}' must be a list")
    return value


def _sourced(fields: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """The row's fields with the source an entry imported into the exporting journal names
    (`imported_as`), when it has one."""
    source = item.get("imported_as")
    return {**fields, "imported_as": source} if isinstance(source, str) and source else fields


def _practices(document: dict[str, Any], parsed: Parsed) -> dict[Any, list[dict[str, Any]]]:
    """Practices logged on their own, as rows of `parsed`; the others by their check-in."""
    practices: dict[Any, list[dict[str, Any]]] = {}
    for number, item in enumerate(_list(document, "practices")):
        if not isinstance(item, dict):
            continue
        if item.get("checkin_id") is None and "id" in item:  # logged on its own: a row
            fields = _sourced({k: item.get(k) for k in ("kind", "minutes", "at")}, item)
            parsed.add(Row(f"practices[{number}]", "practice", f"practice/{item['id']}", fields))
            continue
        practices.setdefault(item.get("checkin_id"), []).append(
            {"kind": item.get("kind"), "minutes": item.get("minutes")}
        )
    return practices


def parse(data: bytes, zone: ZoneInfo) -> Parsed:
    """Rows of a mitra JSON export; entry ids become source keys."""
    document = load_json(data)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportFileError(f'line 1: not a mitra JSON export (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise ImportFileError(
            f"line 1: version {document.get('version')!r} of the export; this mitra reads {VERSION}"
        )
    origin = document.get("journal")
    parsed = Parsed(origin=origin if isinstance(origin, str) else None)
    practices = _practices(document, parsed)

    def each(name: str) -> Any:
        for number, item in enumerate(_list(document, name)):
            where = f"{name}[{number}]"
            if not isinstance(item, dict) or "id" not in item:
                parsed.skipped.append(Skipped(where, "not an entry with an id"))
                continue
            yield where, item

    for where, item in each("products"):
        fields = {k: item[k] for k in _PRODUCT if k in item}
        if item.get("removed") is True:  # taken off the list; its doses keep it
            fields["removed"] = True
        parsed.add(Row(where, "product", f"product/{item['id']}", fields))
    for where, item in each("doses"):
        fields = {k: item.get(k) for k in ("taken_at", "amount", "unit")}
        fields |= {"note": item.get("note") or "", "product": f"product/{item.get('product_id')}"}
        parsed.add(Row(where, "dose", f"dose/{item['id']}", _sourced(fields, item)))
    for where, item in each("checkins"):
        fields = {
            k: item.get(k)
            for k in ("at", "anxiety", "mood", "sleep_hours", "sleep_quality", "symptoms", "note")
        }
        # The diet fields came later in version 1; an older export simply has none.
        fields |= {k: item[k] for k in ("regular_meals", "caffeine_cups") if k in item}
        fields["symptoms"] = fields["symptoms"] or []
        fields["note"] = fields["note"] or ""
        fields["practices"] = practices.get(item["id"], [])
        parsed.add(Row(where, "checkin", f"checkin/{item['id']}", _sourced(fields, item)))
    for where, item in each("responses"):
        fields = {k: item.get(k) for k in ("instrument", "at", "answers")}
        if item.get("crisis_read_at"):  # its crisis alert was read: not raised again as news
            fields["crisis_read_at"] = item["crisis_read_at"]
        parsed.add(Row(where, "response", f"response/{item['id']}", _sourced(fields, item)))
    for where, item in each("substances"):
        fields = {k: item[k] for k in ("name", "dose_text", "active") if k in item}
        if item.get("removed") is True:  # taken off the list; its uses keep it
            fields["removed"] = True
        parsed.add(Row(where, "substance", f"substance/{item['id']}", fields))
    for where, item in each("intakes"):
        fields = {k: item.get(k) for k in ("taken_at", "amount", "unit")}
        fields |= {
            "unit": fields["unit"] or "",
            "note": item.get("note") or "",
            "substance": f"substance/{item.get('substance_id')}",
        }
        parsed.add(Row(where, "intake", f"intake/{item['id']}", _sourced(fields, item)))
    _plan_rows(document, parsed)
    _clock_row(document, parsed)
    for where, item in each("tapers"):
        fields = {k: item.get(k) for k in ("schedule", "created_at", "ended_at", "choices")}
        parsed.add(Row(where, "taper", f"taper/{item['id']}", fields))
    return parsed


def _clock_row(document: dict[str, Any], parsed: Parsed) -> None:
    """The journal's time zone and day boundary, which say on which day each entry falls."""
    person = document.get("person")
    if not isinstance(person, dict):
        return
    fields = {k: person[k] for k in ("time_zone", "day_boundary_hour") if k in person}
    if fields:
        parsed.add(Row("settings", "clock", "clock", fields))


_PLAN_WORDS = ("clinician_name", "clinician_contact", "reasons", "warning_signs")


def _plan_rows(document: dict[str, Any], parsed: Parsed) -> None:
    """The plan's words and the crisis contacts (kept on the person) as one row; each goal."""
    plan = document.get("plan")
    person = document.get("person")
    if plan is not None and not isinstance(plan, dict):
        raise ImportFileError("'plan' must be an object")
    plan = plan or {}
    contacts = person.get("crisis_contacts") if isinstance(person, dict) else None
    fields: dict[str, Any] = {k: plan[k] for k in _PLAN_WORDS if plan.get(k)}
    if contacts:
        fields["crisis_contacts"] = contacts
    if fields:
        parsed.add(Row("plan", "plan", "plan", fields))
    for number, goal in enumerate(_list(plan, "goals")):
        where = f"plan.goals[{number}]"
        if not isinstance(goal, dict) or not isinstance(goal.get("kind"), str):
            parsed.skipped.append(Skipped(where, "not a goal with a kind"))
            continue
        fields = {k: goal.get(k) for k in ("kind", "amount", "unit", "created_at", "earlier")}
        parsed.add(Row(where, "goal", f"goal/{goal['kind']}", fields))
