"""`mitra consent`: show, give or withdraw your consent to research use of your journal."""

from typing import Annotated, Any

import typer
from rich.markup import escape

from .app import JsonFlag, app, out, print_document, refused, subcommand_follows, the_person

consent_app = typer.Typer(
    help="Research use of your journal: off unless you turn it on; withdraw at any time.",
    invoke_without_command=True,
)
app.add_typer(consent_app, name="consent")

_ACTOR = "person (cli)"


def _show(read: Any) -> None:
    state = "[bold]taking part[/]" if read.taking_part else "[bold]not taking part[/]"
    out.print(f"Research use: {state}.")
    for kind in read.kinds:
        mark = "yes" if kind.included else "no "
        out.print(f"  {mark}  {kind.kind}: {escape(kind.label)}", highlight=False)
    for change in read.changes:
        what = ", ".join(change.kinds) if change.kinds else "nothing"
        out.print(
            f"  {change.at:%Y-%m-%d %H:%M} UTC {change.action} by {change.actor}: {what}",
            highlight=False,
        )
    out.print(escape(read.statement), highlight=False)


def _render(person: Any, json_out: bool) -> None:
    from mitra.reads.consent import ConsentRead, consent_read

    read = consent_read(person)
    if json_out:
        print_document(read, ConsentRead)
        return
    _show(read)


@consent_app.callback()
def consent_show(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Show whether your journal is part of research, with which data, and each change."""
    if subcommand_follows(ctx):
        return
    _render(the_person(), json_out)


@consent_app.command("show")
def consent_show_command(json_out: JsonFlag = False) -> None:
    """Show whether your journal is part of research, with which data, and each change."""
    _render(the_person(), json_out)


@consent_app.command("grant")
def consent_grant(
    kinds: Annotated[
        list[str],
        typer.Argument(
            help="Kinds of data: doses, checkins, practices, questionnaire_totals, "
            "questionnaire_items, substances, alerts, taper (or all)."
        ),
    ],
    json_out: JsonFlag = False,
) -> None:
    """Take part in research with exactly these kinds of data (replaces an earlier choice)."""
    person = the_person()  # sets Django up: the journal's modules below import its models
    from mitra.journal.consent import grant_consent
    from mitra.journal.errors import EntryInvalid
    from mitra.vocabulary import RESEARCH_DATA_KINDS

    chosen = list(RESEARCH_DATA_KINDS) if kinds == ["all"] else kinds
    try:
        grant_consent(person, chosen, actor=_ACTOR)
    except EntryInvalid as exc:
        refused(exc)
    _render(person, json_out)


@consent_app.command("withdraw")
def consent_withdraw(json_out: JsonFlag = False) -> None:
    """Stop taking part: exports made from now on leave your journal out."""
    person = the_person()  # sets Django up before the journal's modules are imported
    from mitra.journal.consent import withdraw_consent

    withdraw_consent(person, actor=_ACTOR)
    _render(person, json_out)
