"""Herbal Tracker+ (iOS, Android): its CSV export of doses.

Columns: ``date,time,iso_timestamp,strain_code,strain_name,amount_g,notes``; the file starts with a
byte order mark (dropped). Each row is one kratom dose of ``amount_g`` grams:

- when: ``iso_timestamp`` (ISO 8601 with its offset) wins when present; else ``date``
  (``YYYY-MM-DD``) and ``time`` (``21:15``, ``21:15:30`` or ``9:15 pm``), the phone's clock,
  read in the journal's zone. A row with neither is skipped, never given a made-up time.
- the product: the journal's product of the same name (``strain_name``, or ``strain_code``
  when the name is empty; case ignored), else made with form powder.
- ``amount_g`` accepts a decimal comma (``2,5``); a row without a positive amount is skipped with
  its line, as is anything the journal's dose rules refuse.

The source key is the time and strain (and the row's place among rows of both), so importing the
same file twice adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, time
from zoneinfo import ZoneInfo

from . import Parsed, Row, Skipped
from .csv_file import local_time, records
from .daylio import clock
from .trackandgraph import when

_AMOUNT = re.compile(r"^\s*(\d{1,5}(?:[.,]\d+)?)\s*(?:g|grams?)?\s*$", re.IGNORECASE)
_SECONDS = re.compile(r"^\s*(\d{1,2}):(\d{2}):(\d{2})\s*$")


def _clock(text: str) -> time | None:
    found = _SECONDS.match(text)
    if found and int(found[1]) < 24 and int(found[2]) < 60 and int(found[3]) < 60:
        return time(int(found[1]), int(found[2]), int(found[3]))
    return clock(text)


def parse(data: bytes, zone: ZoneInfo, overrides: Mapping[str, str]) -> Parsed:
    """Rows of a Herbal Tracker+ export: one kratom dose per row. It has no names to map."""
    del overrides
    parsed = Parsed()
    seen: dict[str, int] = {}
    required = ("date", "time", "iso_timestamp", "strain_name", "amount_g")
    for line, row in records(data, required, name="Herbal Tracker+"):
        where = f"line {line}"
        at = _when(row, zone, parsed, where)
        if isinstance(at, str):
            parsed.skipped.append(Skipped(where, at))
            continue
        product = " ".join((row["strain_name"].strip() or row.get("strain_code", "")).split())
        if not product:
            parsed.skipped.append(Skipped(where, "no strain_name or strain_code names the product"))
            continue
        amount = _AMOUNT.match(row["amount_g"])
        grams = float(amount[1].replace(",", ".")) if amount else 0.0
        if grams <= 0:
            reason = f"amount_g {row['amount_g'][:40]!r} is not a positive number of grams"
            parsed.skipped.append(Skipped(where, reason))
            continue
        stamp = f"{at.isoformat(timespec='seconds')}/{product.casefold()}"
        seen[stamp] = seen.get(stamp, 0) + 1
        dose = {"taken_at": at, "amount": grams, "unit": "g",
                "note": row.get("notes", "").strip()[:600], "product": product[:120]}  # fmt: skip
        parsed.add(Row(where, "dose", f"{stamp}#{seen[stamp]}", dose))
    return parsed


def _when(row: dict[str, str], zone: ZoneInfo, parsed: Parsed, where: str) -> datetime | str:
    """The row's time, or the reason it has none."""
    stamp = row["iso_timestamp"].strip()
    if stamp:
        at = when(stamp, zone, parsed, where)
        return at if at is not None else f"iso_timestamp {stamp[:40]!r} is not ISO 8601"
    try:
        day = datetime.strptime(row["date"].strip(), "%Y-%m-%d")
    except ValueError:
        return f"date {row['date'][:40]!r} is not a date YYYY-MM-DD (and no iso_timestamp)"
    at_clock = _clock(row["time"])
    if at_clock is None:
        return f"time {row['time'][:40]!r} is not a time like 21:15 (and no iso_timestamp)"
    return local_time(day, at_clock, zone, parsed, where)
