"""`mitra cohort export`: the consenting persons' journals as de-identified Parquet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mitra.cohort.parquet import RowBuffer, prepare_folder
from mitra.cohort.rows import AlertFact, PersonFacts, person_rows

__all__ = ["ExportSummary", "consenting_facts", "export_cohort"]


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: persons, rows, and where."""

    folder: str
    persons: int
    rows: int


def consenting_facts() -> Iterator[tuple[int, PersonFacts]]:
    """Each consenting person with something written: their database id (never exported: it
    ties staged rows to consent in the clinic's database) and the facts the rows are built from,
    with only the kinds they agreed to."""
    from mitra.journal import clock, timeline
    from mitra.journal.consent import consenting_persons, research_sources

    for person, kinds in consenting_persons():
        sources = research_sources(person)
        began = sources["first_entry_at"]
        if began is None:
            continue  # nothing written yet: no rows to share
        day_clock = clock(person)
        first, last = day_clock.local_day(began), day_clock.today()
        yield (
            person.pk,
            PersonFacts(
                identity=sources["identity"],
                source="journal",
                timeline=timeline(person, first, max(first, last)),
                kinds=kinds,
                taper=sources["taper"],
                taper_events=sources["taper_events"],
                alerts=tuple(AlertFact(*a) for a in sources["alerts"]),
            ),
        )


def export_cohort(
    folder: Path, secret: bytes, *, progress: Callable[[int], None] | None = None
) -> ExportSummary:
    """Write every consenting person's rows (only the kinds they agreed to) under `folder`."""
    prepare_folder(folder)
    buffer = RowBuffer(folder, "journal")
    persons = 0
    for _, facts in consenting_facts():
        buffer.add(person_rows(facts, secret))
        persons += 1
        if progress is not None:
            progress(1)
    rows = buffer.write()
    return ExportSummary(folder=str(folder), persons=persons, rows=rows)
