"""Keeping the journal safe: `mitra backup`, `mitra restore`, `mitra delete`."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .app import app, django_ready, fail, journal_person, out, progress_bar


def _bar(label: str) -> Any:
    from rich.progress import BarColumn, TaskProgressColumn, TextColumn

    return progress_bar(TextColumn(label), BarColumn(), TaskProgressColumn())


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="The new backup file.", metavar="FILE")],
) -> None:
    """Copy the whole database to FILE (readable by you only), safely while mitra runs."""
    django_ready()
    from mitra.journal.backup import BackupError, people, write_json_backup
    from mitra.journal.backup import backup as make_backup

    with _bar("Backing up") as bar:
        task = bar.add_task("backup", total=None)
        try:
            kind = make_backup(
                file, progress=lambda done, total: bar.update(task, completed=done, total=total)
            )
            if kind is None:
                from mitra.interop.json_export import export_json

                write_json_backup(file, [export_json(person) for person in people()])
                kind = "JSON export of every journal (pg_dump is not installed)"
        except BackupError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{file}: {exc.strerror or exc}")
    out.print(f"Backed up to {file} ({kind}).", highlight=False, markup=False)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by mitra backup.", metavar="FILE")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace the journal there now (it is kept aside).")
    ] = False,
) -> None:
    """Replace the database with a backup, after checking that the backup is whole."""
    django_ready()
    from mitra.journal.backup import BackupError
    from mitra.journal.backup import restore as restore_backup

    with _bar("Restoring") as bar:
        task = bar.add_task("restore", total=None)
        try:
            done = restore_backup(
                file,
                replace=yes,
                progress=lambda n, total: bar.update(task, completed=n, total=total),
            )
        except BackupError as exc:
            fail(str(exc))
    django_ready()  # a backup from an older mitra is brought up to this one's schema
    from mitra.journal.backup import finish
    from mitra.reads.cache import clear

    finish(done)
    clear()
    out.print(f"Restored the journal from {file}.", highlight=False, markup=False)
    if done.kept:
        out.print(f"The journal it replaced is kept at {done.kept}.", highlight=False, markup=False)


@app.command()
def delete(
    yes: Annotated[
        bool, typer.Option("--yes", help="Delete without asking to type DELETE.")
    ] = False,
) -> None:
    """Delete your journal and all your data from this machine (backups are not touched)."""
    person = journal_person()  # with several journals, the one MITRA_USER names
    from mitra.accounts.services import delete_journal_and_account
    from mitra.journal.erase import CONFIRMATION

    if person is None:
        fail("there is no journal to delete")
    if not yes:
        if not sys.stdin.isatty():
            fail("deleting the journal needs --yes (or run it in a terminal and type DELETE)")
        typed = typer.prompt(
            f"This deletes every entry of your journal for good. Type {CONFIRMATION} to go on"
        )
        if typed.strip() != CONFIRMATION:
            fail(f"nothing was deleted: you typed {typed.strip()[:20]!r}, not {CONFIRMATION}")
    counts = delete_journal_and_account(person)
    from mitra.reads.cache import clear

    clear()
    out.print(
        f"Deleted your journal ({sum(counts.values())} records). Backups you made are not "
        "touched: delete those files yourself.",
        highlight=False,
    )
