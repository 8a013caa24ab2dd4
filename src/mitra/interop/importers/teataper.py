"""Tea Taper (a kratom-tea taper PWA): its daily CSV, one row a day.

The app's export (version 4, ``exportCsv`` in its ``app.js``) writes, every cell quoted, after a
byte-order mark: ``date`` (``YYYY-MM-DD``), ``total_ml`` (tea drunk that day), ``target_ml``,
``difference_ml``, ``status``, ``entries_count``, its fifteen ratings ``craving, withdrawal,
anxiety, mood, energy, sleepQuality, sleepHours, focus, stress, bodyPain, sweating, stomach,
appetite, hydration, productivity``, then ``triggers`` and ``helpers`` (joined with ``|``),
``relapse`` (``yes`` or blank) and ``note``. Every rating is 0 to 10 with the app's own anchors
(anxiety 0 calm, 10 very anxious; mood 0 bad, 10 excellent; sleepQuality 0 terrible, 10
excellent; sleepHours 0 "did not sleep", 10 "8+ hours"). A ``g_per_ml`` column (grams of leaf
per ml, as the person brewed it) is not in the app's export; mitra reads it when a person adds
it. Column names in German, Spanish or French (``HEADERS``) are read too.

What mitra makes of a day (a daily summary has no clock time: the check-in is placed at 21:00 in
the journal's zone, the day's tea at 12:00, both mitra's choice, not read from the file):

- tea: a dose of ``total_ml`` times ``g_per_ml`` grams of the product "Kratom tea" (form tea)
  only when the file gives ``g_per_ml``. Without it the grams are unknown and never guessed: the
  check-in's note keeps "Tea: 600 ml (target 550 ml)".
- anxiety: mitra's anxiety is 0 to 10 in the same direction, so it is taken as it is. Mood and
  sleep quality are 1 to 5 in mitra: the 0-10 rating is split into five equal bands, ``MOOD``:
  0-1 → 1, 2-3 → 2, 4-5 → 3, 6-7 → 4, 8-10 → 5 (mitra's assumption; the top band also holds 10,
  the scale's eleventh point). The original number stays in the note.
- ``sleepHours`` is a rating, not hours (the app anchors only 0 and 8+ hours): it stays in the
  note and never becomes sleep hours.
- craving above 0 ticks the symptom craving; withdrawal and every other rating go to the note
  ("withdrawal 4/10"). A rating off 0-10 stays in the note only. A relapse mark goes to the note.
- helpers go through the mapping (``walk`` a practice with the assumed minutes, ``meditation``
  mindfulness, the app's Russian names too; ``--map`` changes them); triggers, and helpers that
  map to nothing, are kept in the note. ``difference_ml``, ``status`` and ``entries_count`` are
  figures the app derives; they are not kept.

The source key is the date, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from . import ImportFileError, Parsed, Row, Skipped
from .csv_file import local_time, records
from .mapping import DEFAULT_MINUTES, ActivityMap

#: Header names in other languages (folded to lower case) and the English column they mean.
HEADERS: dict[str, str] = {
    # German
    "datum": "date", "gesamt_ml": "total_ml", "ziel_ml": "target_ml", "g_pro_ml": "g_per_ml",
    "verlangen": "craving", "entzug": "withdrawal", "angst": "anxiety", "stimmung": "mood",
    "schlaf": "sleep", "auslöser": "triggers", "helfer": "helpers", "notizen": "notes",
    # Spanish
    "fecha": "date", "objetivo_ml": "target_ml", "g_por_ml": "g_per_ml", "antojo": "craving",
    "abstinencia": "withdrawal", "ansiedad": "anxiety", "ánimo": "mood", "animo": "mood",
    "sueño": "sleep", "desencadenantes": "triggers", "ayudas": "helpers", "notas": "notes",
    # French
    "total_ml_fr": "total_ml", "cible_ml": "target_ml", "g_par_ml": "g_per_ml",
    "envie": "craving", "sevrage": "withdrawal", "anxiété": "anxiety", "humeur": "mood",
    "sommeil": "sleep", "déclencheurs": "triggers", "aides": "helpers",
    # the app's own names (version 4): its sleep quality is the rating mitra calls sleep
    "sleepquality": "sleep", "note": "notes",
}  # fmt: skip
MOOD = {0: 1, 1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 4, 7: 4, 8: 5, 9: 5, 10: 5}
CHECKIN_AT, TEA_AT = time(21), time(12)
PRODUCT = "Kratom tea"
_SPLIT = re.compile(r"[;|,]")
_KNOWN = {"date", "total_ml", "target_ml", "g_per_ml", "anxiety", "mood", "sleep", "craving",
          "triggers", "helpers", "notes", "relapse"}  # fmt: skip
#: Figures the app derives from the rest of the row: not kept.
_DERIVED = {"difference_ml", "status", "entries_count"}


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _day(text: str) -> datetime | None:
    for form in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), form)
        except ValueError:
            continue
    return None


def parse(data: bytes, zone: ZoneInfo, overrides: Mapping[str, str]) -> Parsed:
    """Rows of a Tea Taper export: a check-in a day, and a tea dose when grams per ml are given."""
    mapping = ActivityMap(overrides)
    parsed = Parsed()
    for line, raw in records(data, (), name="Tea Taper"):
        row = {HEADERS.get(k, k): v for k, v in raw.items()}
        if "date" not in row or "total_ml" not in row:
            raise ImportFileError("line 1: not a Tea Taper CSV export (no column date, total_ml)")
        where = f"line {line}"
        day = _day(row["date"])
        if day is None:
            reason = f"date {row['date'][:40]!r} is not a date YYYY-MM-DD or DD.MM.YYYY"
            parsed.skipped.append(Skipped(where, reason))
            continue
        key = f"{day:%Y-%m-%d}"
        note: list[str] = []
        _tea(parsed, row, where=where, key=key, at=local_time(day, TEA_AT, zone), note=note)
        fields: dict[str, Any] = {"at": local_time(day, CHECKIN_AT, zone), "symptoms": []}
        minutes: dict[str, int] = {}
        _ratings(row, fields, note)
        _lists(mapping, row, fields, minutes, note)
        if row.get("relapse", "").strip().casefold() in ("yes", "true", "1"):
            note.append("Marked in Tea Taper as a relapse (over the target)")
        if row.get("notes", "").strip():
            note.append(row["notes"].strip()[:600])
        fields["practices"] = [{"kind": k, "minutes": min(m, 720)} for k, m in minutes.items()]
        fields["note"] = "\n".join(note)[:2000]
        rated = any(fields.get(k) is not None for k in ("anxiety", "mood", "sleep_quality"))
        if not (rated or fields["note"] or fields["symptoms"] or fields["practices"]):
            continue
        parsed.add(Row(where, "checkin", key, fields))
    parsed.mapping = mapping.used
    return parsed


def _tea(parsed: Parsed, row: dict[str, str], *, where: str, key: str, at: datetime,
         note: list[str]) -> None:  # fmt: skip
    total, target = _number(row["total_ml"]), _number(row.get("target_ml", ""))
    strength = _number(row.get("g_per_ml", ""))
    if total is None or total <= 0:
        if row["total_ml"].strip():
            note.append(f"Tea: {row['total_ml'].strip()[:40]} (not a number of ml)")
        return
    shown = f"Tea: {total:g} ml" + (f" (target {target:g} ml)" if target is not None else "")
    if strength is None or strength <= 0:
        note.append(shown + "; no grams per ml in the file, so not a dose")
        return
    if not any(r.kind == "product" for r in parsed.rows):
        parsed.add(Row(where, "product", "product/kratom-tea", {"name": PRODUCT, "form": "tea"}))
    dose = {"taken_at": at, "amount": round(total * strength, 3), "unit": "g",
            "product": "product/kratom-tea",
            "note": f"{shown}, {strength:g} g per ml; the day's total"}  # fmt: skip
    parsed.add(Row(where, "dose", f"{key}/tea", dose))


def _ratings(row: dict[str, str], fields: dict[str, Any], note: list[str]) -> None:
    for column, text in row.items():
        if column in (_KNOWN | _DERIVED) - {"anxiety", "mood", "sleep", "craving"}:
            continue
        if not text.strip():
            continue
        value = _number(text)
        if value is None:
            if column in ("anxiety", "mood", "sleep", "craving", "withdrawal"):
                note.append(f"{column}: {text.strip()[:40]}")
            continue
        rated = int(value) if value == int(value) and 0 <= value <= 10 else None
        if rated is None:
            note.append(f"{column} {value:g} (off the 0-10 scale)")
        elif column == "anxiety":
            fields["anxiety"] = rated
        elif column in ("mood", "sleep"):
            fields["mood" if column == "mood" else "sleep_quality"] = MOOD[rated]
            note.append(f"{column} {rated}/10")
        elif column == "sleephours":
            note.append(f"sleep hours rated {rated}/10 (10: 8 hours or more)")
        elif column == "craving":
            if rated > 0:
                fields["symptoms"] = ["craving"]
            note.append(f"craving {rated}/10")
        else:
            note.append(f"{column[:40]} {rated}/10")


def _lists(mapping: ActivityMap, row: dict[str, str], fields: dict[str, Any],
           minutes: dict[str, int], note: list[str]) -> None:  # fmt: skip
    triggers = [t.strip()[:80] for t in _SPLIT.split(row.get("triggers", "")) if t.strip()]
    if triggers:
        note.append("Triggers: " + ", ".join(triggers[:50]))
    kept: list[str] = []
    for name in [h.strip()[:80] for h in _SPLIT.split(row.get("helpers", "")) if h.strip()][:50]:
        found = mapping(name)
        if found.kind == "practice":
            minutes[found.value] = minutes.get(found.value, 0) + (found.minutes or DEFAULT_MINUTES)
        elif found.kind == "symptom" and found.value not in fields["symptoms"]:
            fields["symptoms"] = sorted([*fields["symptoms"], found.value])
        else:
            kept.append(name)
    if kept:
        note.append("Helpers: " + ", ".join(kept))
