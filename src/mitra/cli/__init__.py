"""The `mitra` command: thin faces over the journal's services and reads, one module per group."""

import os
import sys
from typing import Any

# mitra uses no pydantic plugins; without this pydantic scans every installed package's entry
# points when it builds its first model (about 25 ms of each command's start).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer  # after the variable above, which pydantic reads when it builds a model

from . import (
    accounts,
    cohort,
    command_server,
    consent,
    data,
    insights,
    interop,
    journal,
    keeping,
    plan,
    questionnaires,
    reminders,
    report,
    safety,
    serve,
    taper,
)
from .app import NOTES, CommandError, Stopped, UsageError, app, printable, settings_for

__all__ = ["app", "main"]
INTERRUPTED = 130  # 128 + SIGINT, as shells report a command Ctrl-C stopped
# The command groups register their commands on `app` when imported.
_GROUPS = (
    accounts,
    cohort,
    command_server,
    consent,
    data,
    insights,
    interop,
    journal,
    keeping,
    plan,
    questionnaires,
    reminders,
    report,
    safety,
    serve,
    taper,
)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _in_plain_words(exc: Any, args: list[str]) -> str | None:
    """A value Typer could not convert (its pydantic error), or a negative number click took
    for an option ("No such option: -1"), in the journal's words."""
    import re

    from pydantic import ValidationError

    name = getattr(exc, "option_name", None)
    if isinstance(name, str) and re.fullmatch(r"-\d", name):
        # click reads "-1.5" as the option "-1" (and "-70min/week" as "-7"): say the whole
        # word that was typed, a number first.
        typed = next((a for a in args if a.startswith(name) and _is_number(a)), None)
        typed = typed or next((a for a in args if a.startswith(name)), name)
        return f"{typed}: no number this command takes is below zero"

    from mitra.journal.errors import plain_message

    cause, param = exc.__cause__, getattr(exc, "param", None)
    if not isinstance(cause, ValidationError) or param is None or not cause.errors():
        return None
    error = cause.errors()[0]
    name = param.opts[0] if param.param_type_name == "option" else param.name.replace("_", " ")
    typed = " ".join(str(error.get("input", "")).split())[:40]
    return f"{name} {plain_message(error)}, not '{typed}'"


def main(argv: list[str] | None = None) -> None:
    """Entry point: refusals and usage errors are one line on stderr with exit status 2."""
    try:
        _main(argv)
    finally:  # said once a command has succeeded; a failed command's are dropped with it
        NOTES.clear()


def _command_path(argv: list[str]) -> str:
    """'mitra checkin' for ['checkin', '5', '--mood']: the commands the arguments name."""
    command: Any = getattr(app, "_command", None)
    path = ["mitra"]
    for token in argv:
        sub = (getattr(command, "commands", None) or {}).get(token)
        if sub is None:
            break
        path.append(token)
        command = sub
    return " ".join(path)


def _main(argv: list[str] | None) -> None:
    settings_for(sys.argv[1:] if argv is None else argv)
    try:
        # Not exiting itself, Typer returns the status of a command that ended early: 130 when
        # Ctrl-C stopped it. Left there, an interrupted command ended with 0 in silence.
        status = app(args=argv, prog_name="mitra", standalone_mode=False)
    except CommandError as exc:  # one line, whatever it quotes of the input
        print(f"mitra: {printable(str(exc), newlines=False)}", file=sys.stderr)
        raise SystemExit(2) from None
    except Stopped as exc:
        print(f"mitra: {printable(str(exc), newlines=False)}", file=sys.stderr)
        raise SystemExit(exc.status) from None
    except UsageError as exc:
        message = _in_plain_words(exc, sys.argv[1:] if argv is None else argv) or " ".join(
            exc.format_message().split()
        )
        command = exc.ctx.command_path if exc.ctx else "mitra"
        if command == "mitra":  # Click gives no context for some errors of a subcommand
            command = _command_path(sys.argv[1:] if argv is None else argv)
        said = printable(message, newlines=False)
        print(f"mitra: {said} (see: {command} --help)", file=sys.stderr)
        raise SystemExit(2) from None
    except typer.Abort:
        print("mitra: aborted", file=sys.stderr)
        raise SystemExit(INTERRUPTED) from None
    if status == INTERRUPTED:
        print("mitra: interrupted", file=sys.stderr)
        raise SystemExit(INTERRUPTED)
    if isinstance(status, int) and status:  # a command that ended by typer.Exit(status)
        raise SystemExit(status)
    for note in NOTES:
        print(f"mitra: {note}", file=sys.stderr)
