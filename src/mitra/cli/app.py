"""The `mitra` Typer app and what every command group shares: refusals, the person, times."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

app = typer.Typer(
    help="mitra: a private journal and safety monitor for an anxiety plan that includes kratom.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

out = Console()
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


# Typer bundles its own copy of click; its usage errors derive from the base of BadParameter.
UsageError: type[Any] = typer.BadParameter.__mro__[1]


class CommandError(Exception):
    """A refusal: printed as one line on stderr, exit status 2."""


def fail(message: str) -> NoReturn:
    raise CommandError(message)


def django_ready(*, database: bool = True) -> None:
    """Configure Django and bring the database schema up to date (first run creates it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitra.settings")
    import django

    django.setup()
    if not database or _schema_is_current():
        return
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


def _schema_is_current() -> bool:
    """Whether every migration file of every app is recorded as applied: one query and a
    directory listing per app, instead of importing every migration to plan (about 0.1 s).

    Anything else (a new file, a squashed migration, no table yet) leaves the answer to
    Django's own planner, so this can only skip work that is not needed.
    """
    from importlib.util import find_spec

    from django.apps import apps
    from django.db import DatabaseError, connection

    on_disk: set[tuple[str, str]] = set()
    for config in apps.get_app_configs():
        spec = find_spec(f"{config.name}.migrations")
        for folder in (spec.submodule_search_locations or []) if spec else []:
            on_disk |= {
                (config.label, name.removesuffix(".py"))
                for name in os.listdir(folder)
                if name.endswith(".py") and not name.startswith(("_", "~"))
            }
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except DatabaseError:
        return False  # no table yet: the first run
    return on_disk <= applied


def system_zone() -> str:
    from mitra.timeline import zone_names

    candidates = [os.environ.get("TZ", "")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        candidates.append(str(localtime.resolve()).split("zoneinfo/")[-1])
    timezone_file = Path("/etc/timezone")
    if timezone_file.exists():
        candidates.append(timezone_file.read_text(encoding="utf-8").strip())
    names = set(zone_names())
    return next((c for c in candidates if c in names), "UTC")


def the_person(time_zone: str | None = None) -> Any:
    """The journal's person; created on first use with the given or the machine's time zone."""
    django_ready()
    from mitra.journal import services
    from mitra.journal.errors import EntryInvalid

    person = services.get_person()
    if person is None or (time_zone and time_zone != person.time_zone):
        zone = time_zone or system_zone()
        try:
            person = services.set_up_person({"time_zone": zone})
        except EntryInvalid as exc:
            fail(f"--timezone {exc.errors.get('time_zone', 'is not valid')}")
        if not time_zone:
            # Information, not an error: stdout, so stderr stays one line when a command fails.
            print(f"mitra: using time zone {zone}; change it with 'mitra settings --timezone'")
    return person


def parse_time(text: str | None, zone: ZoneInfo, option: str) -> datetime:
    """Parse a time given on the command line; a time without offset is on the person's clock."""
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        fail(f"{option}: '{text}' is not a time; use 2026-11-25T08:30 or '2026-11-25 08:30'")
    return value if value.tzinfo else value.replace(tzinfo=zone)


def replay_token(*parts: object) -> str:
    """A replay token from an entry's content: the same command run twice is stored once."""
    return "cli-" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def refused(exc: Any) -> NoReturn:
    field, message = next(iter(exc.errors.items()))
    name = field.replace("_", " ").replace(".", " ")
    reads_on = message.startswith(("is ", "must ", "needs ", "may ", "lists "))
    fail(f"{name} {message}" if reads_on else f"{name}: {message}")


def print_document(value: Any, kind: Any = None) -> None:
    """A read's result as JSON, exactly the document its API route returns."""
    from mitra.reads.serialise import document_text

    sys.stdout.write(document_text(value, kind))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
