"""Importers: each reads one format's file into plain rows the journal's import service stores.

A parser never touches the database. It returns `Parsed`: the rows it understood (each with
where it came from and a source key, so importing the same file twice adds nothing) and the
rows it skipped, each with its place and reason. A file that cannot be read at all raises
`ImportFileError`, whose message names the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from mitra.journal.schemas import CONTROL, CONTROL_IN_LINES

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportFileError",
    "Parsed",
    "Row",
    "Skipped",
    "parse",
]

MAX_BYTES = 50 * 1024 * 1024  # larger than ten years of any of these apps' exports
MAX_ROWS = 200_000  # entries per file; 20 a day for 25 years

Kind = Literal[
    "product",
    "dose",
    "checkin",
    "practice",  # one logged on its own (mitra's own export); a check-in's come with it
    "substance",
    "intake",
    "response",
    "plan",
    "goal",
    "taper",
    "clock",
]


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong format, broken syntax, too large)."""


@dataclass(frozen=True)
class Row:
    """One entry to store: what it is, where it came from, its source key and its fields.

    `data` holds the fields of the kind's journal schema, except that a dose names its product
    by `product` (a key of a product row in the same file, or a name) and an intake its
    substance by `substance`, likewise; a product taken off the list says `removed`.
    """

    where: str  # "line 12", "doses[3]"
    kind: Kind
    key: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Skipped:
    """A row left out, with its place and the reason, shown in the dry run and the result."""

    where: str
    reason: str


@dataclass
class Parsed:
    """What a parser understood and what it left out."""

    rows: list[Row] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # Rows kept but read otherwise than written (a local time the clocks skipped), and how.
    adjusted: list[Skipped] = field(default_factory=list)
    # Each name the file used (an activity, a factor) and what it became, for the dry run.
    mapping: dict[str, str] = field(default_factory=dict)
    # mitra's own exports: the identity of the journal they came from (`journal_id`), else None.
    origin: str | None = None

    def add(self, row: Row) -> None:
        if len(self.rows) >= MAX_ROWS:
            raise ImportFileError(f"{row.where}: more than {MAX_ROWS} entries in one file")
        data, cleaned = _without_control(row.data)
        if cleaned:
            # The journal refuses control characters (no font shows them), which older exports
            # and other apps may hold: the row is kept, the characters taken out, and said.
            row = Row(row.where, row.kind, row.key, data)
            self.adjusted.append(
                Skipped(
                    row.where,
                    f"control characters taken out of {', '.join(cleaned)} (a tab in a name "
                    "became a space)",
                )
            )
        self.rows.append(row)


#: Fields of many lines, which keep their line breaks and tabs (a note).
_LINES = frozenset({"note", "notes", "reasons", "warning_signs"})


# The characters the journal refuses (mitra.journal.schemas), in a note or in a name.
_IN_LINES = re.compile(f"[{CONTROL_IN_LINES}]")
_IN_ONE_LINE = re.compile(f"[{CONTROL}]")


def _clean(text: str, *, lines: bool) -> str:
    if lines:
        return _IN_LINES.sub("", text)
    return _IN_ONE_LINE.sub("", text.replace("\t", " "))


def _without_control(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`data` with control characters taken out of its texts, and the fields that had any."""
    out: dict[str, Any] = {}
    cleaned: list[str] = []
    for name, value in data.items():
        lines = name in _LINES
        if isinstance(value, str):
            new: Any = _clean(value, lines=lines)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            new = [_clean(v, lines=lines) for v in value]
        else:
            new = value
        if new != value:
            cleaned.append(name.replace("_", " "))
        out[name] = new
    return out, cleaned


Parser = Callable[[bytes, ZoneInfo], Parsed]
MappedParser = Callable[[bytes, ZoneInfo, Mapping[str, str]], Parsed]


def _formats() -> dict[str, Parser]:
    from . import fhir, mitra_json, pwj

    return {"mitra-json": mitra_json.parse, "fhir": fhir.parse, "pwj": pwj.parse}


def _mapped_formats() -> dict[str, MappedParser]:
    """Formats whose names (activities, factors, labels) go through a changeable mapping."""
    from . import bearable, daylio, herbaltracker, teataper, trackandgraph

    return {"daylio": daylio.parse, "bearable": bearable.parse,
            "track-and-graph": trackandgraph.parse, "herbal-tracker": herbaltracker.parse,
            "tea-taper": teataper.parse}  # fmt: skip


FORMATS: tuple[str, ...] = ("mitra-json", "fhir", "pwj", "daylio", "bearable", "track-and-graph",
                            "herbal-tracker", "tea-taper")  # fmt: skip


def parse(
    format: str, data: bytes, zone: ZoneInfo, mapping: Mapping[str, str] | None = None
) -> Parsed:
    """Parse a file of a known format; raise ImportFileError when it cannot be read.

    `mapping` ("Running" -> "exercise:30") changes what a name in the file becomes, for the
    formats that have such names; see `mapping.py`.
    """
    parsers, mapped = _formats(), _mapped_formats()
    if format not in parsers and format not in mapped:
        raise ImportFileError(f"unknown format {format!r}; use one of: {', '.join(FORMATS)}")
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if format in mapped:
        return mapped[format](data, zone, mapping or {})
    return parsers[format](data, zone)


def load_json(data: bytes) -> Any:
    """JSON from bytes, or ImportFileError naming the line and column of the first fault."""
    import json

    if data.startswith(b"PK\x03\x04"):  # a zip: most likely the CSV download
        raise ImportFileError(
            "this is a zip file, not JSON (mitra's spreadsheet download is not read back: "
            "for a copy of a mitra journal, choose its JSON file, mitra-journal.json)"
        )
    try:
        text = data.decode("utf-8-sig")
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"byte {exc.start}: the file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        begins = text.lstrip()[:1]
        if begins and begins not in "{[":
            # Not JSON at all (a CSV chosen for a JSON app, say): the parser's "Expecting
            # value" at line 1 says nothing a person can act on.
            first = text.lstrip().splitlines()[0][:40]
            raise ImportFileError(
                f"this file is not JSON (it begins “{first}”); choose the app it comes from, "
                "or that app's JSON file"
            ) from None
        raise ImportFileError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ImportFileError("line 1: the JSON is nested too deeply") from None
