"""`mitra taper plan`: preview a reduction schedule from current use to a lower target or zero."""

from datetime import date
from typing import Annotated, Any

import typer

from .app import (
    JsonFlag,
    app,
    fail,
    out,
    print_document,
    refused,
    replay_token,
    stopped_once_saved,
    the_person,
)

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
        typer.Option(
            "--from",
            help="Starting daily amount; default: measured over 14 days, 10 of them logged.",
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="First step's date (default: today).")
    ] = None,
    save: Annotated[bool, typer.Option("--save", help="Save it as your taper.")] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="With --save: end the taper in progress and save this one instead (the one "
            "in progress is kept, with its holds and steps back).",
        ),
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """Preview a dated schedule of steps with their daily allowance; saved only with --save
    (a taper in progress is replaced only with --replace)."""
    if replace and not save:
        fail("--replace goes with --save: it replaces the taper in progress when saving")
    person = the_person()
    from mitra.reads.taper import TaperPreview, taper_preview
    from mitra.taper import TaperError

    try:
        preview = taper_preview(
            person, to=to, pace=pace, start_amount=start_amount, starts=_day(start)
        )
    except TaperError as exc:
        option = {"to": "--to", "start_amount": "--from", "starts": "--start"}.get(exc.field or "")
        fail(f"{option}: {exc}" if option else str(exc))
    from mitra.reads.taper import taper_status

    replaces = taper_status(person).active  # saving a new plan needs --replace to end this one
    if save:
        preview = _save(person, preview, replace)
    if json_out:
        print_document(preview, TaperPreview)
        return
    schedule = preview.schedule
    from mitra.vocabulary import unit_text
    from mitra.wording import day

    source = preview.measured.text if preview.measured else "as given"
    out.print(
        f"[bold]Taper preview[/]: {schedule.pace_label}, from "
        f"{unit_text(schedule.start_amount, schedule.unit)} a day ({source}) to "
        f"{unit_text(schedule.target_amount, schedule.unit)} by {day(schedule.reaches_target)}.",
        highlight=False,
    )
    if schedule.pace_basis == "anecdotal":
        out.print("This pace is community practice (anecdotal), not a guideline.")
    for step in schedule.steps:
        out.print(
            f"  step {step.number:>3}  {step.text}  ({step.percent_of_start:g}% of the start)",
            highlight=False,
        )
    if schedule.steps_note:
        out.print(schedule.steps_note, highlight=False)
    out.print(schedule.note, highlight=False)
    if preview.saved:
        said = "Saved as your taper" + (
            "; the one in progress has ended, and is kept with its holds and steps back."
            if replaces
            else "."
        )
    else:
        said = (
            "Nothing was saved (a taper is in progress: --save --replace replaces it)."
            if replaces
            else "Nothing was saved (add --save)."
        )
    out.print(said, highlight=False)


def _save(person: Any, preview: Any, replace: bool) -> Any:
    """Save a preview as the person's taper, or refuse in one line. Its replay token is what
    was asked and the first day: the same command run twice on a day saves it once."""
    from mitra.journal.errors import EntryInvalid, TaperInProgress
    from mitra.reads.taper import TaperSavedBefore, save_preview

    token = replay_token("taper", *(value for _, value in preview.asked), preview.schedule.starts)
    try:
        with stopped_once_saved("taper {}", see="mitra taper status", again="save it again"):
            return save_preview(person, preview, token=token, replace=replace)
    except TaperSavedBefore as exc:
        if exc.entry.ended_at is not None:
            fail(
                f"this taper was saved before (taper {exc.entry.pk}) and has ended since; to "
                "plan it again, give another --start"
            )
        fail(f"this taper is already saved (taper {exc.entry.pk}); see it: mitra taper status")
    except TaperInProgress as exc:
        fail(f"{exc.errors['taper']}; add --replace to replace it")
    except EntryInvalid as exc:
        refused(exc)


@taper_app.command("status")
def status(json_out: JsonFlag = False) -> None:
    """Today's step, allowance and use, and whether the planner proposes a hold, and why."""
    person = the_person()
    from mitra.reads.taper import TaperStatus, taper_status

    read = taper_status(person)
    if json_out:
        print_document(read, TaperStatus)
        return
    if not read.active or read.schedule is None:
        out.print("No taper in progress. Preview one with 'mitra taper plan'.")
        return
    from mitra.vocabulary import unit_text
    from mitra.wording import day

    unit = read.unit or ""
    out.print(
        f"[bold]Taper[/], {read.step_words}: "
        f"{unit_text(read.allowance or 0, unit)} a day" + (" (held)" if read.held else ""),
        highlight=False,
    )
    if read.used_today is not None:
        out.print(
            f"Today: {unit_text(read.used_today, unit)} used, "
            f"{unit_text(read.left_today or 0, unit)} left"
            + (" - over today's allowance" if read.over_today else "")
            + (f"; {read.not_counted_today}" if read.not_counted_today else ""),
            highlight=False,
        )
    if read.next_step and read.used_today is None:  # as the Taper page says it
        out.print(f"Your taper starts on {day(read.next_step)}.", highlight=False)
    elif read.next_step and not read.held:
        out.print(f"The next step is due on {day(read.next_step)}.", highlight=False)
    if read.held:  # as the Taper page: held already, so no proposal to hold
        settled = read.hold is not None and read.hold.settled
        out.print(
            "This step is held"
            + ("; things have been quiet for a few days, so you may resume ('mitra taper resume')"
               " when you feel ready." if settled else "; resume with 'mitra taper resume'."),
            highlight=False,
        )  # fmt: skip
    elif read.hold is not None:
        if read.hold.hold_proposed:
            out.print("[bold]Hold proposed[/]: stay at this step until things settle.")
            for reason in read.hold.reasons:
                out.print(f"  - {reason}", highlight=False)
            out.print(read.hold.note, highlight=False)
        else:
            out.print("No hold proposed.", highlight=False)


def _choose(action: str, done: str, saved_as: str) -> None:
    person = the_person()
    from mitra.journal import tapers
    from mitra.journal.errors import EntryInvalid

    try:
        with stopped_once_saved(
            saved_as, see="mitra taper status", again=f"run 'mitra taper {action}' again"
        ):
            tapers.choose(person, action)  # type: ignore[arg-type]
    except EntryInvalid as exc:
        fail(next(iter(exc.errors.values())))
    out.print(done, highlight=False)


@taper_app.command("hold")
def hold() -> None:
    """Hold the current step until you resume (later steps move later)."""
    _choose("hold", "Held: this step stays until 'mitra taper resume'.", "the hold")


@taper_app.command("resume")
def resume() -> None:
    """Resume a held taper where it stopped."""
    _choose("resume", "Resumed: the step continues with the days it had left.", "the resume")


@taper_app.command("back")
def back() -> None:
    """Go back to the previous step (never above the starting amount) and hold there."""
    _choose("back", "Back one step, and held there until 'mitra taper resume'.", "the step back")
