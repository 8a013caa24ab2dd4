"""Reading another app's CSV export: text, header, and rows with the line each starts on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from mitra import wording

from . import ImportFileError, Parsed, Skipped

__all__ = ["local_time", "records", "text_of"]


def text_of(data: bytes) -> str:
    """The file as text (UTF-8, a byte order mark dropped); ImportFileError names the line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(f"line {line}: the file is not UTF-8 text") from None


def records(
    data: bytes, required: Sequence[str], *, name: str
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by lower-case column name) for each non-blank row after the header.

    A file without the required columns, or whose quoting is broken, raises ImportFileError
    naming the line, so nothing of it is stored.
    """
    text = text_of(data)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportFileError(f"line {line}: a NUL byte; is this a {name} CSV export?")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFileError(f"line 1: the file is empty; expected a {name} CSV export")
        columns = [c.strip().casefold() for c in header]
        missing = [c for c in required if c not in columns]
        if missing:
            raise ImportFileError(
                f"line 1: not a {name} CSV export (no column {', '.join(missing)})"
            )
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            yield line, {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns)}
    except csv.Error as exc:
        raise ImportFileError(f"line {reader.line_num}: {exc}") from None


def local_time(
    day: datetime, at: time, zone: ZoneInfo, parsed: Parsed | None = None, where: str = ""
) -> datetime:
    """A wall-clock time on a day, read in the journal's zone (the earlier of a repeated hour).

    A time the clocks skipped that day (when they go forward) is read as the moment it names
    with the offset before the change, which the clock showed as a later time (02:30 as 03:30),
    and said in `parsed.adjusted`. The value keeps the time as written (its text is part of
    some formats' source keys, so a file imported before stays imported)."""
    written = datetime.combine(day.date(), at)
    found = written.replace(tzinfo=zone, fold=0)
    try:
        shown = found.astimezone(UTC).astimezone(zone)
    except OverflowError:  # year 1 or 9999: refused by the journal's bounds, not here
        return found
    if shown.replace(tzinfo=None) != written and parsed is not None:
        read_as = f"{shown:%H:%M}" + (
            f" on {wording.day(shown.date())}" if shown.date() != written.date() else ""
        )
        parsed.adjusted.append(
            Skipped(
                where,
                f"{at:%H:%M} on {wording.day(written.date())} is not a time in {zone.key} (the "
                f"clocks went forward): read as {read_as}",
            )
        )
    return found
