"""Bearable (Android, iOS): its CSV export.

Columns: ``date,weekday,time of day,category,rating/amount,detail,notes``, one row per thing
tracked, every cell quoted. ``date`` reads like ``14th Jun 2024``; ``time of day`` is ``H:MM`` or
``HH:MM``, a part of the day (``pre``, ``am``, ``mid``, ``pm``, ``all day``) or blank (Sleep rows).
The file has no offsets: times are read in the journal's zone, parts of the day at ``PARTS``.

Scales, as Bearable documents them (bearable.app support: "What are all the different scales
used in Bearable?"): mood and energy 1 to 10; symptoms 0 to 4 (none, mild, moderate, severe,
unbearable), the export writing the severity in the name too ("Anxiety (Mild)"); sleep quality
1 to 5. What mitra makes of each category:

- ``Mood``: 1-10 becomes the check-in's mood 1-5 by ``mood_of`` (pairs of points: an assumption);
  the rating and its feelings ("Meh | Anxious") stay in the note.
- ``Sleep``: hours (``6:45``) become sleep hours; ``Sleep quality`` 1 to 5 its quality (the same
  scale as mitra's).
- ``Symptom``: "Anxiety" becomes the check-in's anxiety by ``ANXIETY`` (0, 3, 5, 8, 10: mitra's
  assumption, no source pairs the two scales). Others go through the mapping (``Headache`` is
  the symptom headache) or are kept in the note with their severity.
- ``Meds/Supplements``: the unit is in the name ("Sertraline (mg)", amount "50"). Kratom (any
  name the knowledge base resolves to it) in g or mg becomes a dose of a product of that name
  (made, form powder, when none has it); in another unit, or without an amount, the check-in's
  note says it was taken. Anything else becomes an intake of the named substance.
- ``Factors`` (and any other category): each name of the `` | ``-joined list goes through the
  mapping (``Exercise`` a practice, ``Coffee`` an intake of caffeine, ...), else is kept in the
  note as "Category: name"; ``Energy`` is kept in the note.

Rows of the same date and part of the day (or clock time) make one check-in; each row keeps a
source key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from mitra.safety.interactions import resolve

from . import Parsed, Row, Skipped
from .csv_file import local_time, records
from .mapping import DEFAULT_MINUTES, ActivityMap, Target

_TAKEN = ("meds/supplements", "medication", "meds", "supplements")
#: Bearable's symptom severity (0-4: none, mild, moderate, severe, unbearable) on mitra's anxiety
#: scale (0-10). No source pairs the two scales: this is mitra's assumption, shown in the README.
ANXIETY = {0: 0, 1: 3, 2: 5, 3: 8, 4: 10}
SEVERITY = ("none", "mild", "moderate", "severe", "unbearable")
#: Parts of the day and the local time mitra gives each (the file has no clock time for them).
#: Bearable names them pre, am, mid and pm (in that order) and "all day"; the hours are mitra's
#: assumption. "pre" is 06:00, not earlier, so it stays on the day the file gives it (mitra's day
#: starts at 04:00 by default). A blank time of day (Bearable's Sleep and Sleep quality rows: the
#: night that ended that morning) goes with "am".
PARTS = {"pre": time(6), "am": time(9), "morning": time(9), "mid": time(13), "pm": time(18),
         "evening": time(18), "all day": time(12), "allday": time(12)}  # fmt: skip
_SEVERITY_SUFFIX = re.compile(
    r"\s*\((?:none|mild|moderate|severe|unbearable|extreme)\)\s*$", re.IGNORECASE
)
_UNIT_SUFFIX = re.compile(
    r"^(.*?)\s*\(\s*(g|mg|mcg|µg|ml|iu|units?|drops?|tablets?|capsules?)\s*\)\s*$", re.IGNORECASE
)
_DATE = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?\s+(\d{4})\s*$")
_AMOUNT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(g|mg|grams?)?\s*$", re.IGNORECASE)
_HOURS = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?(?:[.,](\d+))?\s*h?\s*$", re.IGNORECASE)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def day_of(text: str) -> datetime | None:
    """``14th Jun 2024`` (or ``14 June 2024``) as a date; None if it is not one."""
    found = _DATE.match(text)
    month = _MONTHS.get(found[2][:3].casefold()) if found else None
    if found is None or month is None:
        return None
    try:
        return datetime(int(found[3]), month, int(found[1]))
    except ValueError:
        return None


#: What a rating or sleep row's value must be, for the reason given when it is not.
_RANGES = {
    "mood": "a rating from 1 to 10",
    "sleep": "hours from 0 to 24 (7.5, 7,5 or 7:30)",
    "sleep quality": "a rating from 1 to 5",
}


def mood_of(rating: int) -> int:
    """Bearable's mood (1 to 10) on mitra's mood scale (1 to 5): pairs of points, 1-2 -> 1 ...
    9-10 -> 5 (mitra's assumption; the original rating stays in the check-in's note)."""
    return (rating + 1) // 2


def clock(text: str) -> time | None:
    """``08:30``, or a part of the day (pre, am, mid, pm, all day) at its documented hour."""
    folded = " ".join(text.casefold().split())
    if folded in PARTS:
        return PARTS[folded]
    found = re.fullmatch(r"(\d{1,2}):(\d{2})", folded)
    if found and int(found[1]) < 24 and int(found[2]) < 60:
        return time(int(found[1]), int(found[2]))
    return None


def hours(text: str) -> float | None:
    """Sleep as ``7.5``, ``7,5`` or ``7:30`` hours; None unless 0 to 24."""
    found = _HOURS.match(text)
    if not found:
        return None
    value = int(found[1]) + (int(found[2]) / 60 if found[2] else 0)
    if found[3]:
        value += float("0." + found[3])
    return round(value, 2) if 0 <= value <= 24 else None


def _rating(text: str, top: int) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and int(text) <= top else None


class _Group:
    """One check-in being gathered from the rows of one date and time of day."""

    def __init__(self, where: str, key: str, at: datetime) -> None:
        self.where, self.key = where, key
        self.fields: dict[str, Any] = {"at": at, "symptoms": set(), "note": []}
        self.minutes: dict[str, int] = {}

    def row(self) -> Row | None:
        fields = dict(self.fields)
        fields["symptoms"] = sorted(self.fields["symptoms"])
        fields["practices"] = [{"kind": k, "minutes": min(m, 720)} for k, m in self.minutes.items()]
        fields["note"] = "\n".join(self.fields["note"])[:2000]
        recorded = any(fields.get(k) is not None for k in
                       ("anxiety", "mood", "sleep_hours", "sleep_quality"))  # fmt: skip
        if not (recorded or fields["symptoms"] or fields["practices"] or fields["note"]):
            return None
        return Row(self.where, "checkin", self.key, fields)


def parse(data: bytes, zone: ZoneInfo, overrides: Mapping[str, str]) -> Parsed:
    """Rows of a Bearable CSV export: check-ins per date and time of day, doses and intakes."""
    mapping = ActivityMap(overrides)
    parsed = Parsed()
    groups: dict[str, _Group] = {}
    counts: dict[str, int] = {}
    required = ("date", "time of day", "category", "rating/amount", "detail")
    for line, row in records(data, required, name="Bearable"):
        where = f"line {line}"
        day = day_of(row["date"])
        if day is None:
            reason = f"date {row['date'][:40]!r} is not a date like 14th Jun 2024"
            parsed.skipped.append(Skipped(where, reason))
            continue
        part = " ".join(row["time of day"].casefold().split()) or "am"
        at_clock = clock(part)
        if at_clock is None:
            reason = (f"time of day {row['time of day'][:40]!r} is not HH:MM, pre, am, mid, pm "
                      "or all day")  # fmt: skip
            parsed.skipped.append(Skipped(where, reason))
            continue
        stamp = f"{day:%Y-%m-%d} {part}"
        group = groups.get(stamp)
        if group is None:
            at = local_time(day, at_clock, zone, parsed, where)
            group = groups[stamp] = _Group(where, stamp, at)
        entry = f"{stamp}/{row['category'].strip().casefold()}/{row['detail'].strip().casefold()}"
        counts[entry] = counts.get(entry, 0) + 1
        _one(parsed, mapping, group, where=where, key=f"{entry}#{counts[entry]}", row=row)
    for group in groups.values():
        made = group.row()
        if made is not None:
            parsed.add(made)
    parsed.mapping = mapping.used
    return parsed


def _one(parsed: Parsed, mapping: ActivityMap, group: _Group, *, where: str, key: str,
         row: dict[str, str]) -> None:  # fmt: skip
    category = " ".join(row["category"].split()).casefold()
    value, detail = row["rating/amount"].strip(), row["detail"].strip()[:120]
    notes = row.get("notes", "").strip()
    note = group.fields["note"]
    if notes and category not in _TAKEN:  # a dose's or intake's notes go with it
        note.append(notes[:600])
    if category == "mood" and (mood := _rating(value, 10)) and mood >= 1:
        group.fields["mood"] = mood_of(mood)
        felt = ", ".join(f.strip() for f in detail.split("|") if f.strip())
        note.append(f"Mood {mood}/10" + (f": {felt}" if felt else ""))
    elif category == "sleep" and (slept := hours(value)) is not None:
        group.fields["sleep_hours"] = slept
    elif category == "sleep quality" and (quality := _rating(value, 5)) and quality >= 1:
        group.fields["sleep_quality"] = quality
    elif category == "symptom" and _SEVERITY_SUFFIX.sub("", detail).casefold() == "anxiety" and (
        severity := _rating(value, 4)) is not None:  # fmt: skip
        group.fields["anxiety"] = ANXIETY[severity]
    elif category in _TAKEN and detail:
        unmade = _taken(parsed, where=where, key=key, at=group.fields["at"], detail=detail,
                        value=value, notes=notes)  # fmt: skip
        if unmade:  # kept in the note, and listed: the person sees no dose was made of it
            note.append(f"{unmade}; {notes[:600]}" if notes else unmade)
            parsed.skipped.append(Skipped(where, f"{unmade}; kept in the check-in's note"))
    else:
        if category in _RANGES:  # a rating or sleep mitra cannot read: listed, and noted below
            given = f"{value[:40]!r} is not {_RANGES[category]}" if value else "has no value"
            reason = f"{row['category'].strip()[:60]} {given}; kept in the check-in's note"
            parsed.skipped.append(Skipped(where, reason))
        _noted(parsed, mapping, group, where=where, key=key, row=row, value=value, detail=detail)


def _noted(parsed: Parsed, mapping: ActivityMap, group: _Group, *, where: str, key: str,
           row: dict[str, str], value: str, detail: str) -> None:  # fmt: skip
    """A row that is no rating, sleep or dose: its factors mapped, or kept in the note."""
    if detail:
        # Bearable joins the factors of one time of day with " | " ("Walk | Shopping").
        names = [n.strip() for n in detail.split("|") if n.strip()] if "|" in detail else [detail]
        for number, name in enumerate(names):
            _mapped(parsed, mapping, group, where=where, key=key if number == 0 else
                    f"{key}/{number}", what=(row["category"].strip(), name, value))  # fmt: skip
    elif value or row["category"].strip():
        group.fields["note"].append(f"{row['category'].strip()[:60]}: {value[:60]}")


def _mapped(parsed: Parsed, mapping: ActivityMap, group: _Group, *, where: str, key: str,
            what: tuple[str, str, str]) -> None:  # fmt: skip
    category, detail, value = what
    if category.casefold() == "symptom":
        detail = _SEVERITY_SUFFIX.sub("", detail) or detail  # "Headache (Mild)": the rating says it
    found: Target = mapping(detail)
    severity = _rating(value, 4)
    if found.kind == "practice":
        minutes = found.minutes or (int(value) if value.isdigit() and 0 < int(value) <= 720
                                    else DEFAULT_MINUTES)  # fmt: skip
        group.minutes[found.value] = group.minutes.get(found.value, 0) + minutes
    elif found.kind == "symptom" and severity != 0:
        group.fields["symptoms"].add(found.value)
    elif found.kind == "intake":
        intake = {"taken_at": group.fields["at"], "amount": None, "unit": "",
                  "substance": found.value, "note": f"Bearable {category}: {detail}"}  # fmt: skip
        parsed.add(Row(where, "intake", key, intake))
    else:
        shown = f"{category}: {detail}"
        if category.casefold() == "symptom" and severity is not None:
            shown += f" ({SEVERITY[severity]})"
        elif value:
            shown += f" ({value[:40]})"
        group.fields["note"].append(shown)


def _taken(parsed: Parsed, *, where: str, key: str, at: datetime, detail: str, value: str,
           notes: str) -> str:  # fmt: skip
    """Add a dose or an intake; or, for kratom without an amount, say why no dose is made.

    Bearable writes the unit in the name ("Hydroxyzine (mg)", amount "50"); an amount may carry
    its own ("3g").
    """
    named_unit = ""
    if (unit_found := _UNIT_SUFFIX.match(detail)) is not None:
        detail, named_unit = unit_found[1].strip() or detail, unit_found[2].casefold()
    found = resolve(detail.split("(", 1)[0])
    amount = _AMOUNT.match(value)
    if found.match == "exact" and found.resolved in ("kratom", "seven_oh"):
        if amount is None:
            return f"{detail}: taken, no amount in g or mg ({value[:40] or 'none'}), so not a dose"
        written = (amount[2] or "").casefold() or named_unit or "g"
        unit = "mg" if written == "mg" else "g" if written.startswith("g") else ""
        if not unit:
            return f"{detail}: {value[:40]} {written}, not a unit mitra turns into grams"
        dose = {"taken_at": at, "amount": float(amount[1].replace(",", ".")), "unit": unit,
                "note": notes[:600], "product": detail}  # fmt: skip
        parsed.add(Row(where, "dose", key, dose))
        return ""
    number = float(amount[1].replace(",", ".")) if amount else None
    written = ((amount[2] or "").casefold() if amount else "") or named_unit
    unit = "g" if written.startswith("gram") else written[:24]
    note = "; ".join(t for t in (f"amount: {value[:40]}" if value and not amount else "",
                                 notes[:600]) if t)  # fmt: skip
    intake = {"taken_at": at, "amount": number, "unit": unit, "note": note, "substance": detail}
    parsed.add(Row(where, "intake", key, intake))
    return ""
