"""`mitra import FORMAT FILE`: bring another app's export (or mitra's own) into the journal."""

from pathlib import Path
from typing import Annotated, Any

import typer

from .app import NOTES, JsonFlag, app, fail, journal_person, out, print_json, system_zone


@app.command("import")
def import_command(
    format: Annotated[
        str,
        typer.Argument(
            help="The file's format: mitra-json, fhir, pwj, daylio, bearable, track-and-graph, "
            "herbal-tracker, tea-taper.",
            metavar="FORMAT",
        ),
    ],
    file: Annotated[Path, typer.Argument(help="The exported file.", metavar="FILE")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added; write nothing.")
    ] = False,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help='What a name in the file becomes, e.g. --map "Running=exercise:30" '
            "(repeatable; the dry run shows the mapping used).",
            metavar="NAME=TARGET",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import a file; importing the same file twice adds nothing."""
    from mitra.interop.importers import FORMATS, MAX_BYTES
    from mitra.interop.importers.mapping import parse_overrides

    if format not in FORMATS:
        fail(f"FORMAT {format!r} is not one mitra reads; use one of: {', '.join(FORMATS)}")
    try:
        overrides = parse_overrides(mapping or [])
    except ValueError as exc:
        fail(f"--map {exc}")
    try:
        if file.stat().st_size > MAX_BYTES:
            fail(f"{file}: larger than {MAX_BYTES // (1024 * 1024)} MB; is it the right file?")
        data = file.read_bytes()
    except OSError as exc:
        fail(f"{file}: {exc.strerror or exc}")
    # No journal yet: the import makes it, with the entries, and a dry run makes none.
    person = journal_person()
    zone = system_zone() if person is None else person.time_zone
    from mitra.interop.importing import ImportFileError, import_file

    try:
        report = import_file(
            person,
            format,
            data,
            dry_run=dry_run,
            mapping=overrides,
            new_journal={"time_zone": zone},
        )
    except ImportFileError as exc:
        fail(f"{file}: {exc}; nothing was imported")
    if person is None and not report.added.get("clock"):
        # The file gave no time zone: the new journal keeps (or would keep) the machine's.
        NOTES.append(
            f"no journal yet, so none was made; importing makes one with time zone {zone}"
            if dry_run
            else f"using time zone {zone}; change it with 'mitra settings --timezone'"
        )
    if as_json:
        print_json(report.document())
        return
    _print_report(report, dry_run=dry_run)


def _print_report(report: Any, *, dry_run: bool) -> None:
    """What an import added (or would add), skipped and read otherwise, a line each."""
    verb = "Would add" if dry_run else "Added"
    added = report.added_text() or "nothing"
    out.print(f"{verb}: {added}.", highlight=False)
    there = sum(report.already.values())
    if there:
        out.print(f"Already imported before: {there} entries.", highlight=False)
    if report.mapping:
        out.print("Mapping used (change with --map NAME=TARGET):", highlight=False)
        for name, target in report.mapping.items():
            out.print(f"  {name} = {target}", highlight=False, markup=False)
    for skipped in report.skipped:
        out.print(f"Skipped {skipped['where']}: {skipped['reason']}", highlight=False, markup=False)
    for adjusted in report.adjusted:
        out.print(f"Adjusted {adjusted['where']}: {adjusted['reason']}", highlight=False,
                  markup=False)  # fmt: skip
