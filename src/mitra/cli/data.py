"""The journal as a whole: a demo journal, and export."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from mitra.wording import plural

from .app import (
    app,
    django_ready,
    fail,
    out,
    progress_bar,
    refused,
    the_person,
)


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable by its owner only (0600), whatever the umask."""
    from mitra.settings import private_file

    with open(private_file(path), "w", encoding="utf-8") as handle:
        handle.write(text)


# --- demo and export -----------------------------------------------------------------------------


@app.command()
def demo(
    days: Annotated[int, typer.Option(help="Days of journal to make.", min=1, max=36500)] = 180,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same person).")] = 0,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="The person's time zone.")
    ] = None,
    into_existing: Annotated[
        bool,
        typer.Option("--into-existing", help="Add made-up entries to a journal that has entries."),
    ] = False,
    taper: Annotated[
        bool,
        typer.Option(
            "--taper",
            help="The person is four weeks into a 10%-a-week taper, with a hold proposed today "
            "(needs --days 38 or more).",
        ),
    ] = False,
) -> None:
    """Fill an empty journal with a synthetic person, to try mitra out."""
    if taper and days < 38:
        fail("--taper needs --days 38 or more: 24 days of taper and 14 before it")
    django_ready()
    from mitra.journal import queries

    if queries.has_entries() and not into_existing:
        fail(
            "this journal already has entries, and the demo would mix made-up ones into them; "
            "use an empty MITRA_DATA_DIR, or pass --into-existing"
        )
    person = the_person(timezone)
    from django.conf import settings

    from mitra.journal.demo import demo_journal, load_demo
    from mitra.journal.errors import EntryInvalid, TaperInProgress

    journal = demo_journal(person, days=days, seed=seed, taper=taper)
    try:
        with progress_bar() as bar:
            task = bar.add_task("Making a synthetic journal", total=None)
            counts = load_demo(
                person,
                days=days,
                seed=seed,
                journal=journal,
                progress=lambda n: bar.advance(task, n),
            )
    except TaperInProgress:  # nothing was added: the demo is one transaction
        fail("--taper: a taper is in progress in this journal, and the demo would replace it; "
             "leave out --taper")  # fmt: skip
    except EntryInvalid as exc:  # a product of the demo's name but another form, say
        refused(exc, then="; the demo was not added (it is one transaction)")
    # The synthetic person's true effects, saved beside the data so the insights can be checked.
    truth_file = Path(settings.DATA_DIR) / f"demo-truth-seed{seed}.json"
    write_private(truth_file, json.dumps(journal.truth, indent=2, default=str) + "\n")
    out.print(
        f"Added {plural(days, 'day')} on the clock of {person.time_zone} (choose another with "
        f"--timezone): {counts['doses']} doses, {counts['checkins']} check-ins, "
        f"{counts['practices']} practices, {counts['responses']} questionnaires, "
        f"{counts['products']} products{', a taper' if counts['tapers'] else ''}. "
        f"Ground truth: {truth_file}. Now run: mitra serve"
    )


@app.command()
def export(
    format: Annotated[
        str, typer.Option("--format", help="Export format: json, fhir or csv.")
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """Export the whole journal."""
    if format not in {"json", "fhir", "csv"}:
        fail(f"--format {format} is not available; use json, fhir or csv")
    if format == "csv":
        _export_csv(output)
        return
    person = the_person()
    if format == "fhir":
        from mitra.interop.fhir_export import export_fhir

        text = json.dumps(export_fhir(person), indent=2) + "\n"
    else:
        from mitra.interop.json_export import export_json

        text = json.dumps(export_json(person), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            write_private(output, text)
        except OSError as exc:
            fail(f"--output {output}: {exc.strerror or exc}")
        print(f"Wrote {output}")


def _export_csv(output: Path | None) -> None:
    """`mitra export --format csv --output FILE.zip`: one CSV per entry kind, in a zip."""
    if output is None:
        fail("--format csv writes a zip file: give --output FILE.zip")
    person = the_person()
    from mitra.interop.csv_export import export_csv_zip
    from mitra.settings import private_file

    data = export_csv_zip(person)
    try:
        with open(private_file(output), "wb") as handle:
            handle.write(data)
    except OSError as exc:
        fail(f"--output {output}: {exc.strerror or exc}")
    print(f"Wrote {output}")
