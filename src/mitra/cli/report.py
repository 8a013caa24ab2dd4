"""`mitra report`: the clinician's report, as a PDF, as JSON, or as text in the terminal."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from mitra.wording import day, plural

from .app import JsonFlag, app, fail, out, print_document, the_person

#: Paper sizes (Typst's names), as mitra.reports.clinician.PAPERS; that module needs Django.
PAPERS = ("a4", "us-letter")


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` readable by its owner only (0600), whatever the umask."""
    from mitra.settings import private_file

    with open(private_file(path), "wb") as handle:
        handle.write(data)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} '{text}' is not a date; use 2026-03-31")


@app.command()
def report(
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Write the report as a PDF to this file.")
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", help="The last N days, today included (default 90).")
    ] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="First day of the period (2026-01-01).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last day of the period (default: today).")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="The name to show on the report (default: none)."),
    ] = None,
    paper: Annotated[
        str | None,
        typer.Option(
            "--paper",
            help="Paper size: a4 or us-letter (default: the one used where the journal's time "
            "zone is, as on the Report page).",
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """The clinician's report over a period (at most two years): PDF, JSON or text."""
    if paper is not None and paper not in PAPERS:
        fail(f"--paper {paper} is not available; use {' or '.join(PAPERS)}")
    first, last = _date(from_, "--from"), _date(to, "--to")
    if last is not None and first is None:
        fail("--to needs --from (or use --days)")
    if pdf is not None and not json_out:
        from mitra.reports.renderer import start_renderer

        # The chart renderer starts beside Django, the imports and the read (about 0.6 s saved).
        start_renderer()
    person = the_person()
    from mitra.reads import report as report_reads
    from mitra.reads.report import ReportPeriodInvalid, ReportRead

    try:
        read = report_reads.report(person, days=days, first=first, last=last, name=name)
    except ReportPeriodInvalid as exc:
        option = {"days": "--days", "from": "--from", "to": "--to", "name": "--name"}[exc.field]
        fail(f"{option} {exc.message}")
    if json_out:
        print_document(read, ReportRead)
        return
    if pdf is not None:
        from mitra.reports.clinician import paper_for_zone
        from mitra.reports.clinician import pdf as make_pdf

        data = make_pdf(read, paper=paper or paper_for_zone(person.time_zone))
        try:
            write_private_bytes(pdf, data)
        except OSError as exc:
            fail(f"--pdf {pdf}: {exc.strerror or exc}")
        out.print(f"Wrote {pdf} ({day(read.first)} to {day(read.last)}, {len(data) // 1024} KiB)")
        return
    from mitra.reports.clinician import sections

    doc = sections(read)
    out.print(f"[bold]{doc['title']}[/]: {doc['name']}, {doc['period']}", highlight=False)
    out.print(f"{doc['made']}. {doc['disclaimer']}", highlight=False)
    for crisis in doc["crisis"]:
        out.print(f"[bold red]Crisis answer:[/] {crisis['text']}", highlight=False)
    for q in doc["questionnaires"]:
        out.print(f"\n[bold]{q['name']}[/]: {q['latest']} {q['change']}", highlight=False)
    k = doc["kratom"]
    out.print(f"\n[bold]Kratom[/]: {k['summary']} {k['trend']}", highlight=False)
    out.print(k["seven_oh"], highlight=False)
    out.print(f"\n{plural(len(doc['alerts']), 'open alert')}. Write the PDF with --pdf FILE.")
