"""Daylio (Android, iOS): its CSV export.

Columns: ``full_date,date,weekday,time,mood,activities,note_title,note``, newest entry first.
``full_date`` is ``YYYY-MM-DD``; ``time`` is the phone's clock, 12-hour (``9:15 pm``) or 24-hour
(``21:15``), local time without an offset, so it is read in the journal's time zone.
``activities`` are separated by `` | ``; the note is HTML-ish (``<br>`` for a line break).

Mapping:

- mood: Daylio's five default moods, best to worst, are ``rad, good, meh, bad, awful``; they
  become the check-in's mood 5 to 1. A mood the person renamed maps with ``--map "Happy=mood:4"``;
  until then its word is kept in the note. Daylio records no anxiety, so none is made up.
- activities go through `mapping.ActivityMap`: practices (with an assumed duration: Daylio
  records none), symptoms, intakes of caffeine or alcohol (separate entries at the entry's time,
  no amount), and everything else is kept in the note. A "kratom" activity has no amount,
  so it cannot be a dose: the note says it was ticked.
- the source key is the entry's date and time (and its place among entries at that minute), so
  editing a note in Daylio and importing again does not double the entry.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from . import Parsed, Row, Skipped
from .csv_file import local_time, records
from .mapping import DEFAULT_MINUTES, DEFAULTS, ActivityMap

MOODS: dict[str, str] = {"rad": "mood:5", "good": "mood:4", "meh": "mood:3", "bad": "mood:2",
                         "awful": "mood:1"}  # fmt: skip
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*([ap]\.?\s*m\.?)?\s*$", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,200}>")
_BREAK = re.compile(r"<\s*(br|/p|/li)\s*/?\s*>", re.IGNORECASE)


def clock(text: str) -> time | None:
    """``9:15 pm``, ``12:05 AM`` or ``21:15`` as a time; None if it is none of these."""
    found = _TIME.match(text)
    if not found:
        return None
    hour, minute, half = int(found[1]), int(found[2]), found[3]
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.casefold().startswith("p") else 0)
    elif hour > 23:
        return None
    return time(hour, minute)


def plain(text: str) -> str:
    """Daylio's note HTML as plain text: line breaks kept, tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", text))).strip()


def parse(data: bytes, zone: ZoneInfo, overrides: Mapping[str, str]) -> Parsed:
    """Rows of a Daylio CSV export: check-ins, and intakes for caffeine or alcohol activities."""
    mapping = ActivityMap(overrides, defaults={**MOODS, **DEFAULTS})
    parsed = Parsed()
    seen: dict[str, int] = {}
    for line, row in records(data, ("full_date", "time", "mood"), name="Daylio"):
        where = f"line {line}"
        try:
            day = datetime.strptime(row["full_date"].strip(), "%Y-%m-%d")
        except ValueError:
            parsed.skipped.append(Skipped(where, f"full_date {row['full_date'][:40]!r} is not "
                                                 "a date YYYY-MM-DD"))  # fmt: skip
            continue
        at_clock = clock(row["time"])
        if at_clock is None:
            parsed.skipped.append(
                Skipped(where, f"time {row['time'][:40]!r} is not a time like 9:15 pm or 21:15")
            )
            continue
        at = local_time(day, at_clock, zone, parsed, where)
        stamp = f"{day:%Y-%m-%d} {at_clock:%H:%M}"
        seen[stamp] = seen.get(stamp, 0) + 1
        key = f"{stamp}#{seen[stamp]}"
        _entry(parsed, mapping, where, key, at=at, row=row)
    parsed.mapping = mapping.used
    return parsed


def _entry(
    parsed: Parsed, mapping: ActivityMap, where: str, key: str, *, at: datetime, row: dict[str, str]
) -> None:
    fields: dict[str, Any] = {"at": at, "symptoms": [], "practices": []}
    kept: list[str] = []  # words that map to nothing: the note keeps them
    mood = row["mood"].strip()
    if mood:
        found = mapping(mood)
        if found.kind == "mood":
            fields["mood"] = int(found.value)
        else:
            kept.append(f"mood: {mood[:60]}")
    minutes: dict[str, int] = {}
    activities = [a.strip() for a in row.get("activities", "").split("|") if a.strip()]
    others: list[str] = []
    for name in activities[:100]:
        found = mapping(name)
        if found.kind == "practice":
            minutes[found.value] = minutes.get(found.value, 0) + (found.minutes or DEFAULT_MINUTES)
        elif found.kind == "symptom":
            fields["symptoms"].append(found.value)
        elif found.kind == "intake":
            intake = {"taken_at": at, "amount": None, "unit": "", "substance": found.value,
                      "note": f"Daylio activity: {name[:80]}"}  # fmt: skip
            parsed.add(Row(where, "intake", f"{key}/intake/{found.value}", intake))
        elif found.kind == "kratom":
            others.append(f"{name[:80]} (ticked in Daylio; no amount, so not a dose)")
        else:
            others.append(name[:80])
    fields["practices"] = [{"kind": k, "minutes": min(m, 720)} for k, m in minutes.items()]
    fields["symptoms"] = sorted(set(fields["symptoms"]))
    if others:
        kept.append("activities: " + ", ".join(others))
    title, body = plain(row.get("note_title", "")), plain(row.get("note", ""))
    note = "\n".join(t for t in (title, body, "; ".join(kept)) if t)
    if len(note) > 2000:
        parsed.skipped.append(Skipped(where, f"the note was cut to 2000 of {len(note)} characters"))
        note = note[:2000]
    fields["note"] = note
    if fields.get("mood") is None and not (
        fields["note"] or fields["practices"] or fields["symptoms"]
    ):
        return  # an entry of intakes only: they are stored on their own
    parsed.add(Row(where, "checkin", key, fields))
