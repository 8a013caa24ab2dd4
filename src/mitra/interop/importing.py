"""Import a file: parse it with its format's importer, then store it in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from mitra.journal import queries
from mitra.journal.imports import import_rows

from .importers import ImportFileError, parse

if TYPE_CHECKING:
    from mitra.journal import Person

__all__ = ["ImportFileError", "ImportReport", "import_file"]


@dataclass(frozen=True)
class ImportReport:
    """What an import added (or, in a dry run, would add), found already there, and skipped."""

    format: str
    dry_run: bool
    added: dict[str, int]
    already: dict[str, int]
    skipped: list[dict[str, str]]
    # Rows kept but read otherwise than written (a local time the clocks skipped), and how.
    adjusted: list[dict[str, str]] = field(default_factory=list)
    # The names in the file (activities, factors) and what each became; empty for formats
    # without such names.
    mapping: dict[str, str] = field(default_factory=dict)

    def added_text(self) -> str:
        """What was added, in words: "2 substances, 5 check-ins" ("" for nothing)."""
        return ", ".join(_count(n, kind) for kind, n in self.added.items() if n)

    def already_count(self) -> int:
        """How many entries of the file the journal holds already."""
        return sum(self.already.values())

    def by_kind(self) -> list[tuple[str, int, int]]:
        """Each kind of entry in words, as a table's column names kinds ("Check-ins", "Tapers";
        the journal's one plan and one clock in the singular), with how many are new and how
        many were there already, in the order they are stored."""
        rows = []
        for kind, n in self.added.items():
            one, several = _words(kind)
            label = one if kind in _ONE_PER_JOURNAL else several
            rows.append((label[:1].upper() + label[1:], n, self.already.get(kind, 0)))
        return rows

    def document(self) -> dict[str, Any]:
        """The report as one JSON-ready document (`mitra import --json`, the Import page)."""
        return {
            "format": self.format,
            "dry_run": self.dry_run,
            "added": self.added,
            "already_imported": self.already,
            "skipped": self.skipped,
            "adjusted": self.adjusted,
            "mapping": self.mapping,
        }


def import_file(
    person: Person | None,
    format: str,
    data: bytes,
    *,
    dry_run: bool,
    mapping: Mapping[str, str] | None = None,
    new_journal: Mapping[str, Any] | None = None,
) -> ImportReport:
    """Import `data` in `format` into the person's journal; ImportFileError if it is unreadable.

    Local times without an offset are read in the person's time zone. mitra's own export read
    back into the journal it came from adds only the entries no longer in it. `mapping` changes
    what a name in the file (an activity, a factor) becomes; see `importers.mapping`.

    `person` None: no journal exists yet; the import makes one with the settings `new_journal`
    gives (its `time_zone`, in which local times are then read), and a dry run makes none.
    """
    settings = dict(new_journal or {})
    zone = person.time_zone if person is not None else settings.get("time_zone", "UTC")
    parsed = parse(format, data, ZoneInfo(zone), mapping)
    own = (
        person is not None
        and parsed.origin is not None
        and parsed.origin == queries.journal_id(person)
    )
    result = import_rows(
        person,
        format,
        parsed.rows,
        dry_run=dry_run,
        own=own,
        origin=parsed.origin,
        new_journal=settings,
    )
    skipped = [{"where": s.where, "reason": s.reason} for s in parsed.skipped]
    skipped += [{"where": where, "reason": reason} for where, reason in result.skipped]
    left_out = {s["where"] for s in skipped}
    adjusted = [{"where": a.where, "reason": a.reason} for a in parsed.adjusted
                if a.where not in left_out]  # fmt: skip
    return ImportReport(format, dry_run, result.added, result.already, skipped,
                        mapping=parsed.mapping, adjusted=adjusted)  # fmt: skip


#: What a journal has one of: named in the singular, whatever a file holds.
_ONE_PER_JOURNAL = frozenset({"clock", "plan"})

#: Each kind of entry an import stores, as a person reads it (one, several).
_KIND_WORDS = {
    "checkin": ("check-in", "check-ins"),
    "response": ("questionnaire response", "questionnaire responses"),
    "intake": ("substance use", "substance uses"),
    "clock": ("time zone and day boundary", "time zones and day boundaries"),
}


def _words(kind: str) -> tuple[str, str]:
    return _KIND_WORDS.get(kind, (kind, f"{kind}s"))


def _count(n: int, kind: str) -> str:
    one, several = _words(kind)
    return f"{n} {one}" if n == 1 else f"{n} {several}"
