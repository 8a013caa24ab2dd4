"""Track & Graph (Android): its CSV export.

Columns: ``FeatureName,Timestamp,Value,Label,Note``, one data point a row. ``Timestamp`` is ISO
8601 with its offset (``2024-06-14T08:10:31.512+02:00``; a trailing ``[Europe/Berlin]`` is
dropped, a time without an offset is read in the journal's zone). ``Value`` is a number or, for a
duration feature, ``H:MM:SS`` (``7:45:00``). Older versions put the label inside the value,
``3:Label 1`` (as in the app's own test, ``CSVReadWriterImplTest``); both are read.

Each feature's name goes through the mapping (`mapping.ActivityMap`, change it with ``--map``):

- ``Anxiety`` is ``rating:anxiety``: a whole number 0 to 10 becomes the check-in's anxiety
  (mitra's scale; any other value stays in the note, never rescaled by guess). ``Mood`` is
  ``rating:mood`` (1 to 5), ``Sleep quality`` ``rating:sleep_quality`` (1 to 5).
- ``Sleep`` is ``sleep``: a duration (or a number of hours, 0 to 24) becomes sleep hours.
- practices (``Meditation`` is mindfulness, ``Walk``, ``Exercise``...): a duration gives the
  minutes; a number is not a duration (it may be kilometres), so the mapping's minutes or the
  assumed default are used and the number stays in the note.
- ``Kratom`` is ``kratom``: the value in grams (Track & Graph has no units; a "Kratom mg"
  feature is mapped with ``--map``... or renamed) becomes a dose of the product named by the
  label ("Kratom (Red Bali)"), made with form powder when no product has that name.
- symptoms are ticked when the value is not 0; intakes keep the value as their amount.
- anything else is kept in the note as "Feature: value (label)".

Track & Graph records each feature on its own; data points within ten minutes of the first of a
group (``GROUP_SECONDS``, in time order) make one check-in, at that first point's minute. Doses and
intakes keep their own time. Each data point's source key is its feature and timestamp, so
importing the same file twice adds nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from . import Parsed, Row, Skipped
from .csv_file import local_time, records
from .mapping import DEFAULT_MINUTES, DEFAULTS, ActivityMap, Target

FEATURES: dict[str, str] = {
    "anxiety": "rating:anxiety", "mood": "rating:mood", "sleep": "sleep",
    "sleepquality": "rating:sleep_quality", "sleepduration": "sleep",
}  # fmt: skip
GROUP_SECONDS = 10 * 60  # data points within ten minutes of a check-in's first make that check-in
_DURATION = re.compile(r"^\s*(\d{1,6}):([0-5]\d):([0-5]\d)(?:\.\d+)?\s*$")
_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_LEGACY = re.compile(rf"^\s*({_NUMBER})\s*:(.*)$", re.DOTALL)
_ZONE_ID = re.compile(r"\[[^\]]{1,60}\]\s*$")


def when(
    text: str, zone: ZoneInfo, parsed: Parsed | None = None, where: str = ""
) -> datetime | None:
    """An ISO 8601 timestamp (offset kept; none: the journal's zone, as `local_time` reads it);
    None if it is not one."""
    text = _ZONE_ID.sub("", text.strip())
    if not text or len(text) > 40:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is not None else local_time(at, at.time(), zone, parsed, where)


def value_of(text: str) -> tuple[float | None, float | None, str]:
    """(number, duration in seconds, label inside the value) of a Value cell."""
    found = _DURATION.match(text)
    if found:
        return None, int(found[1]) * 3600 + int(found[2]) * 60 + int(found[3]), ""
    legacy = _LEGACY.match(text)
    number, label = (legacy[1], legacy[2].strip()) if legacy else (text.strip(), "")
    try:
        value = float(number)
    except ValueError:
        return None, None, ""
    return (value, None, label) if math.isfinite(value) else (None, None, "")


class _Group:
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
    """Rows of a Track & Graph CSV export: check-ins per minute, doses and intakes."""
    mapping = ActivityMap(overrides, defaults={**DEFAULTS, **FEATURES})
    parsed = Parsed()
    points: list[tuple[datetime, int, _Point]] = []
    for line, row in records(data, ("featurename", "timestamp", "value"), name="Track & Graph"):
        where = f"line {line}"
        feature = " ".join(row["featurename"].split())[:120]
        if not feature:
            parsed.skipped.append(Skipped(where, "FeatureName is empty"))
            continue
        at = when(row["timestamp"], zone, parsed, where)
        if at is None:
            reason = (f"Timestamp {row['timestamp'][:40]!r} is not ISO 8601 like "
                      "2024-06-14T08:10+02:00")  # fmt: skip
            parsed.skipped.append(Skipped(where, reason))
            continue
        number, seconds, inner = value_of(row["value"])
        if number is None and seconds is None:
            reason = f"Value {row['value'][:40]!r} is not a number or a duration H:MM:SS"
            parsed.skipped.append(Skipped(where, reason))
            continue
        label = (row.get("label", "").strip() or inner)[:120]
        points.append((at, line, _Point(feature, number, seconds, label,
                                        row.get("note", "").strip()[:600])))  # fmt: skip
    groups: list[_Group] = []
    counts: dict[str, int] = {}
    points.sort(key=lambda p: (p[0].timestamp(), p[1]))
    for at, line, point in points:
        where, point.at = f"line {line}", at
        if not groups or (at - groups[-1].fields["at"]).total_seconds() > GROUP_SECONDS:
            at_minute = at.replace(second=0, microsecond=0)
            groups.append(_Group(where, at_minute.isoformat(timespec="minutes"), at_minute))
        entry = f"{at.isoformat(timespec='seconds')}/{point.feature.casefold()}"
        counts[entry] = counts.get(entry, 0) + 1
        _one(parsed, mapping(point.feature), groups[-1], where=where,
             key=f"{entry}#{counts[entry]}", point=point)  # fmt: skip
    for group in groups:
        made = group.row()
        if made is not None:
            parsed.add(made)
    parsed.mapping = mapping.used
    return parsed


class _Point:
    def __init__(self, feature: str, number: float | None, seconds: float | None, label: str,
                 note: str) -> None:  # fmt: skip
        self.feature, self.number, self.seconds, self.label, self.note = (
            feature, number, seconds, label, note)  # fmt: skip
        self.at: datetime = datetime.min

    def shown(self) -> str:
        if self.seconds is not None:
            value = f"{self.seconds // 3600}:{self.seconds // 60 % 60:02d}:{self.seconds % 60:02d}"
        else:
            value = f"{self.number:g}"
        return f"{self.feature}: {value}" + (f" ({self.label})" if self.label else "")


def _whole(number: float | None, low: int, high: int) -> int | None:
    if number is None or number != int(number) or not low <= number <= high:
        return None
    return int(number)


def _one(parsed: Parsed, found: Target, group: _Group, *, where: str, key: str,
         point: _Point) -> None:  # fmt: skip
    note: list[str] = group.fields["note"]
    at, number, seconds = point.at, point.number, point.seconds
    if found.kind == "kratom":
        if number is None or number <= 0:
            note.append(f"{point.shown()}: not an amount in grams, so not a dose")
        else:
            product = point.label if "kratom" in point.label.casefold() else (
                f"Kratom ({point.label})" if point.label else "Kratom")  # fmt: skip
            dose = {"taken_at": at, "amount": number, "unit": "g", "note": point.note,
                    "product": product}  # fmt: skip
            parsed.add(Row(where, "dose", key, dose))
        return
    if found.kind == "intake":
        intake = {"taken_at": at, "amount": number if number and number > 0 else None,
                  "unit": "", "substance": found.value,
                  "note": "; ".join(t for t in (point.shown(), point.note) if t)}  # fmt: skip
        parsed.add(Row(where, "intake", key, intake))
        return
    if point.note:
        note.append(point.note)
    limits = {"anxiety": (0, 10), "mood": (1, 5), "sleep_quality": (1, 5)}
    if found.kind == "rating" and (rated := _whole(number, *limits[found.value])) is not None:
        group.fields[found.value] = rated
    elif found.kind == "sleep" and seconds is not None and seconds <= 24 * 3600:
        group.fields["sleep_hours"] = round(seconds / 3600, 2)
    elif found.kind == "sleep" and number is not None and 0 <= number <= 24:
        group.fields["sleep_hours"] = round(number, 2)
    elif found.kind == "practice" and seconds is not None and seconds >= 60:
        group.minutes[found.value] = group.minutes.get(found.value, 0) + round(seconds / 60)
    elif found.kind == "practice" and seconds is None:
        minutes = found.minutes or DEFAULT_MINUTES
        group.minutes[found.value] = group.minutes.get(found.value, 0) + minutes
        note.append(point.shown())
    elif found.kind == "symptom" and (number is None or number != 0):
        group.fields["symptoms"].add(found.value)
    elif not (found.kind == "symptom" and number == 0):
        note.append(point.shown())
