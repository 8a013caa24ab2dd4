"""Export the whole journal as CSV: one file per entry kind, in one zip
(`mitra export --format csv`, and the Settings page's download).

Rows are those of the JSON export (`journal.queries.journal_records`), so both exports hold the
same entries. Every column is documented in the README; a test keeps the two in step.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from mitra.journal import clock, queries

if TYPE_CHECKING:
    from mitra.journal import Person

__all__ = ["COLUMNS", "DERIVED", "export_csv_zip"]

#: Each CSV in the zip (without ".csv") and its columns, in order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "products": (
        "id", "name", "vendor", "strain", "vein", "form", "unit", "grams_per_unit",
        "mitragynine_mg_per_g", "hydroxy_mg_per_g", "notes", "removed",
    ),
    "doses": (
        "id", "product_id", "taken_at", "taken_at_local", "amount", "unit", "grams",
        "mg_mitragynine", "mg_7oh", "note",
    ),
    "checkins": (
        "id", "at", "at_local", "anxiety", "mood", "sleep_hours", "sleep_quality", "symptoms",
        "note", "regular_meals", "caffeine_cups",
    ),
    "practices": ("id", "checkin_id", "at", "at_local", "kind", "minutes"),
    "responses": (
        "id", "instrument", "at", "at_local", "answers", "total", "band", "flags", "crisis",
    ),
    "substances": ("id", "name", "knowledge_id", "dose_text", "active", "removed"),
    "intakes": ("id", "substance_id", "taken_at", "taken_at_local", "amount", "unit", "note"),
    "plan": ("clinician_name", "clinician_contact", "reasons", "warning_signs"),
    "goals": ("kind", "amount", "unit", "created_at", "created_at_local", "earlier"),
    "tapers": (
        "id", "created_at", "created_at_local", "ended_at", "ended_at_local", "pace", "unit",
        "start_amount", "target_amount", "starts", "reaches_target",
    ),
    "taper_steps": (
        "taper_id", "number", "starts", "days", "allowance", "unit", "reduction",
        "percent_of_start", "text",
    ),
    "taper_choices": ("taper_id", "day", "action", "at", "at_local"),
}  # fmt: skip

#: Columns mitra computes rather than the person types: a dose's grams (amount times the
#: product's grams per unit) and mg (grams times the lab figure), a taper step's figures.
DERIVED: dict[str, frozenset[str]] = {
    "doses": frozenset({"grams", "mg_mitragynine", "mg_7oh"}),
    "taper_steps": frozenset({"allowance", "reduction", "percent_of_start"}),
}

#: Significant digits a derived figure is written to: binary noise (0.3 * 3 is
#: 0.8999999999999999) sits in the 16th-17th digit, and no figure of a journal has 12 that mean
#: something, so 0.9 is written 0.9 and every real digit is kept.
DERIVED_DIGITS = 12

#: The suffix of a column holding the time of the column before it on the journal's clock.
LOCAL = "_local"


#: How a text cell may begin that a spreadsheet program reads as a formula (OWASP, "CSV
#: Injection"): "=HYPERLINK(...)" in a note would be run when the file is opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(text: str) -> str:
    """A text cell as a spreadsheet shows it and never runs it: one that could begin a formula
    is prefixed with a single quote, as OWASP advises."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: Any) -> Any:
    """A CSV cell: lists joined by "; " (symptoms, flags) or spaces (answers), lists of records
    as JSON, None empty; text never read as a formula (numbers are written as they are)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple) and any(isinstance(v, dict) for v in value):
        return json.dumps(value)  # records (a goal's earlier targets): as JSON
    if isinstance(value, list | tuple):
        numbers = all(isinstance(v, int | float) or v is None for v in value)
        value = (" " if numbers else "; ").join("" if v is None else str(v) for v in value)
        return value if numbers else _text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return _text(value) if isinstance(value, str) else value


def _derived(value: Any) -> Any:
    """A figure mitra computed, to DERIVED_DIGITS significant digits: 0.8999999999999999 is
    written 0.9 (the shortest text of the rounded float)."""
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.{DERIVED_DIGITS}g}")
    return value


def _local(value: Any, zone: tzinfo) -> str | None:
    """An ISO 8601 time (UTC) on the journal's clock, with its offset ("...T08:30:00-06:00")."""
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(zone).isoformat()


def _csv(kind: str, columns: tuple[str, ...], rows: list[dict[str, Any]], zone: tzinfo) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(columns)
    derived = DERIVED.get(kind, frozenset())
    for row in rows:
        writer.writerow([_cell(_value(row, c, derived, zone)) for c in columns])
    # UTF-8 with a byte-order mark, so spreadsheet programs read accents and µ right.
    return text.getvalue().encode("utf-8-sig")


def _value(row: dict[str, Any], column: str, derived: frozenset[str], zone: tzinfo) -> Any:
    """A row's value for a column: a `_local` column from the UTC time it follows, a derived
    figure without binary noise, anything else as stored (the person's figures exactly)."""
    if column.endswith(LOCAL):
        return _local(row.get(column.removesuffix(LOCAL)), zone)
    value = row.get(column)
    return _derived(value) if column in derived else value


def _tables(records: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The JSON export's records as flat tables: the plan's words one row, tapers split in three."""
    plan = records["plan"]
    tapers = records["tapers"]
    return {
        **records,
        "plan": [{k: v for k, v in plan.items() if k != "goals"}],
        "goals": plan["goals"],
        "tapers": [{**t["schedule"], **t} for t in tapers],
        "taper_steps": [{**s, "taper_id": t["id"]} for t in tapers for s in t["schedule"]["steps"]],
        "taper_choices": [{**c, "taper_id": t["id"]} for t in tapers for c in t["choices"]],
    }


def export_csv_zip(person: Person) -> bytes:
    """The person's journal as a zip of CSV files, one per entry kind (see COLUMNS)."""
    records = _tables(queries.journal_records(person))
    zone = clock(person).zone
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind, columns in COLUMNS.items():
            archive.writestr(f"{kind}.csv", _csv(kind, columns, records[kind], zone))
    return buffer.getvalue()
