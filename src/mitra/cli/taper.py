"""`mitra taper plan`: preview a reduction schedule from current use to a lower target or zero."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from .app import JsonFlag, app, fail, out, print_document, the_person

taper_app = typer.Typer(
    help="Plan a taper: reduction only, at a sourced pace.", no_args_is_help=True
)
app.add_typer(taper_app, name="taper")


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--start: '{text}' is not a date; use 2026-11-25")


@taper_app.command("plan")
def plan(
    to: Annotated[str, typer.Option("--to", help='Target daily amount: "0", "4g", "60mg".')],
    pace: Annotated[
        str, typer.Option("--pace", help="10-per-month, 10-per-week or metered-5 (anecdotal).")
    ],
    start_amount: Annotated[
        str | None,
        typer.Option("--from", help="Starting daily amount; default: measured over 14 days."),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="First step's date (default: today).")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Preview a dated schedule of steps with their daily allowance (nothing is saved)."""
    person = the_person()
    from mitra.reads.taper import TaperPreview, taper_preview
    from mitra.taper import TaperError

    try:
        preview = taper_preview(
            person, to=to, pace=pace, start_amount=start_amount, starts=_day(start)
        )
    except TaperError as exc:
        fail(str(exc))
    if json_out:
        print_document(preview, TaperPreview)
        return
    schedule = preview.schedule
    unit = schedule.unit if schedule.unit != "capsule" else "capsules"
    source = preview.measured.text if preview.measured else "as given"
    out.print(
        f"[bold]Taper preview[/]: {schedule.pace_label}, from {schedule.start_amount:g} {unit} "
        f"a day ({source}) to {schedule.target_amount:g} {unit} by {schedule.reaches_target}.",
        highlight=False,
    )
    if schedule.pace_basis == "anecdotal":
        out.print("This pace is community practice (anecdotal), not a guideline.")
    for step in schedule.steps:
        out.print(
            f"  step {step.number:>3}  {step.text}  ({step.percent_of_start:g}% of the start)",
            highlight=False,
        )
    out.print(schedule.note, highlight=False)
    out.print("Nothing was saved.", highlight=False)
