"""The `mitra` Typer app and what every command group shares: refusals, the person, times."""

import hashlib
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, get_args, get_origin
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from mitra.vocabulary import ascii_digits


class _Typer(typer.Typer):
    """A Typer app whose every argument and option, in every command, refuses an empty value."""

    _command: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Made once per process: reading every command's signature and type hints takes about
        # 40 ms, paid again by each call of `main` in one process (a test's, say) otherwise.
        if self._command is None:
            command = typer.main.get_command(self)
            _refuse_empty_values(command)
            self._command = command
        return self._command(*args, **kwargs)


def _blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return any(_blank(item) for item in value)
    return False


def _refuse_empty_values(command: Any) -> None:
    """Make each parameter of `command` and its subcommands refuse an empty or blank value.

    Numbers are read with any Unicode decimal digits here too, the other rule every command
    shares.

    One place for all commands: '' given on the command line (a shell variable that was not set,
    a quoting slip) is never what the person meant, and silently taking it as "now", "no zone" or
    the current folder hides the mistake. The check runs on the raw text, before Typer converts it
    (Path('') would be '.'), and only on values that were given, not on defaults.
    """
    for param in command.params:
        param.process_value = _checked(param, param.process_value)
        param.display_type_rich = _help_type(param, param.display_type_rich)
    command.get_help_option = _flag_help(command.get_help_option)
    command.parse_args = _once_each(command, command.parse_args)
    for sub in getattr(command, "commands", {}).values():
        _refuse_empty_values(sub)


def _once_each(command: Any, parse_args: Any) -> Any:
    """A command's parsing that refuses an option taking a value given twice: Click keeps the
    last (`--note a --note b` saved "b"), and the first would be dropped in silence. Options
    meant to repeat (--practice, --symptom) are `multiple` and left alone. The arguments are
    walked as Click reads them: an option's value is never taken for an option, and a group's
    walk ends at its subcommand's name."""
    takes_value: dict[str, Any] = {}
    for param in command.params:
        if param.param_type_name != "option":
            continue
        for name in (*param.opts, *param.secondary_opts):
            takes_value[name] = None if getattr(param, "is_flag", False) else param
    group = bool(getattr(command, "commands", None))

    def parse(ctx: Any, args: list[str]) -> Any:
        seen: set[str] = set()
        words = iter(args)
        for arg in words:
            if arg == "--":
                break
            name, given_inline = (arg.split("=", 1)[0], True) if "=" in arg else (arg, False)
            if name not in takes_value:
                if group and not arg.startswith("-"):
                    break  # the subcommand's name: the rest is its own
                continue
            param = takes_value[name]
            if param is None:  # a flag
                continue
            once = not getattr(param, "multiple", False) and not getattr(param, "count", False)
            if once and param.opts[0] in seen:
                fail(f"{param.opts[0]} is given twice; give it once")
            seen.add(param.opts[0])
            if not given_inline:
                next(words, None)  # its value, whatever it looks like
        return parse_args(ctx, args)

    return parse


def _help_type(param: Any, display: Any) -> Any:
    """The value a parameter takes, as help shows it: nothing for a flag (`--json` takes no
    value; Typer would show <bool>), and one item's type for a repeatable option or a list
    argument (<str>, not <list[str]>)."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if getattr(param, "is_flag", False):
        return lambda ctx: None
    if get_origin(annotation) is list:
        item = get_args(annotation)[0]
        label = f"<{getattr(item, '__name__', item)}>"
        return lambda ctx: label + ("..." if param.param_type_name == "argument" else "")
    return display


def _flag_help(get_help_option: Any) -> Any:
    """The --help option Click adds to each command, shown as the flag it is."""

    def help_option(ctx: Any) -> Any:
        option = get_help_option(ctx)
        if option is not None:
            option.display_type_rich = lambda ctx: None
        return option

    return help_option


def _numeric(param: Any) -> bool:
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if get_origin(annotation) in {list, tuple}:
        annotation = get_args(annotation)[0]
    return annotation in {int, float}


def _ascii_digits(value: Any) -> Any:
    """Unicode decimal digits (Arabic-Indic, full-width, ...) as ASCII, in text or a list."""
    if isinstance(value, str):
        return ascii_digits(value)
    if isinstance(value, list | tuple):
        return type(value)(_ascii_digits(item) for item in value)
    return value


def _checked(param: Any, process: Any) -> Any:
    numeric = _numeric(param)

    def process_value(ctx: Any, value: Any) -> Any:
        given = ctx.get_parameter_source(param.name)
        if given is not None and given.name in {"COMMANDLINE", "ENVIRONMENT"} and _blank(value):
            if param.param_type_name == "option":
                fail(f"{param.opts[0]} is empty; give a value or leave the option out")
            fail(f"{param.name.replace('_', ' ')} is empty; give a value")
        if numeric:
            # People type with their own keyboard's digits; every number on the command line
            # (options, arguments, score's answers) means the same with any of them, as the README
            # promises. Typer's own parsing takes ASCII digits only.
            value = _ascii_digits(value)
        return process(ctx, value)

    return process_value


app = _Typer(
    help="mitra: a private journal and safety monitor for an anxiety plan that includes kratom.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Characters a terminal obeys rather than shows: C0 controls but tab and newline, DEL, C1, and
#: the bidirectional overrides that reorder what is shown after them.
_OBEYED = {c: chr(0x2400 + c) for c in range(0x20) if c not in (0x09, 0x0A)} | {
    0x7F: "\u2421",
    **dict.fromkeys(range(0x80, 0xA0), "\ufffd"),
    **dict.fromkeys((*range(0x202A, 0x202F), *range(0x2066, 0x206A)), "\ufffd"),
}


def printable(text: str, *, newlines: bool = True) -> str:
    """Text from the journal (a note, a name, an imported file's words) as a terminal should
    show it: a control character or an escape sequence is shown as its symbol (an escape as
    ␛), never obeyed, so no entry can colour, move or rewrite what the terminal shows. With
    `newlines` false, a line break is shown as ␤ (a note inside a one-line listing)."""
    shown = text.translate(_OBEYED)
    return shown if newlines else shown.replace("\n", "\u2424")


class _Shown(Console):
    """Rich's console, with every string it is given shown by `printable` (a table's cells
    included: each is rendered through `render_str`)."""

    def render_str(self, text: str, *args: Any, **kwargs: Any) -> Any:
        return super().render_str(printable(text), *args, **kwargs)


out = _Shown()
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
#: A paged list's page size and the cursor of its next page, as the API takes them.
PageLimit = Annotated[int, typer.Option(min=1, max=200, help="Items per page (1-200).")]
PageCursor = Annotated[str | None, typer.Option(help="The next_cursor of the previous page.")]


# Typer bundles its own copy of click; its usage errors derive from the base of BadParameter.
UsageError: type[Any] = typer.BadParameter.__mro__[1]


#: In the data folder while `mitra serve` answers on loopback: its address and process.
SERVING_FILE = "serving.json"


def served_url() -> str | None:
    """The address a running `mitra serve` of this data folder answers at, or None."""
    from django.conf import settings

    try:
        found = json.loads((Path(settings.DATA_DIR) / SERVING_FILE).read_text(encoding="utf-8"))
        url, pid = str(found["url"]), int(found["pid"])
        os.kill(pid, 0)  # still running (a server killed outright leaves its file behind)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if url.startswith("http://") and len(url) <= 200 else None


#: Information for the person, printed on stderr after a command succeeds.
NOTES: list[str] = []


class CommandError(Exception):
    """A refusal: printed as one line on stderr, exit status 2."""


class Stopped(Exception):
    """The person stopped a command before its end: one line on stderr, exit `status`."""

    def __init__(self, message: str, status: int) -> None:
        self.status = status
        super().__init__(message)


@contextmanager
def stopped_once_saved(what: str, *, see: str, again: str = "enter it again") -> Iterator[None]:
    """A write that Ctrl-C stopped after it was saved ends with 130, saying so: "mitra:
    interrupted" reads as nothing saved, and a questionnaire answered again is a second
    response, a step back taken again a second step. `what` names what was saved, with {} for
    its number ("check-in {}"); `see` is the command that shows it; `again`, what not to do."""
    from mitra.journal.errors import StoppedAfterSaving

    try:
        yield
    except StoppedAfterSaving as stop:
        raise Stopped(
            f"stopped once {what.format(stop.entry.pk)} was saved; it is in the journal, so "
            f"do not {again} (see it: {see})",
            130,  # as for any Ctrl-C: 128 + SIGINT
        ) from None


def fail(message: str) -> NoReturn:
    raise CommandError(message)


def progress_bar(*columns: Any) -> Any:
    """A progress bar on stderr (stdout stays the command's own output), gone once done.

    Drawn only when stderr is a terminal: elsewhere (a pipe, a log file) rich cannot move the
    cursor back over it, and what it leaves is a blank line, which stood before a refusal and
    made it two lines."""
    from rich.progress import Progress

    console = Console(stderr=True)
    return Progress(*columns, transient=True, console=console, disable=not console.is_terminal)


def subcommand_follows(ctx: typer.Context) -> bool:
    """True when a group's own command (its list: `mitra products`) is on the way to one of its
    subcommands (`mitra products add`), which it then leaves to run.

    The group's options (--json, --limit, --cursor) are the list's: given before a subcommand,
    as in `mitra products --json add ...`, they would be dropped in silence, so they are
    refused before anything runs, with where to put them instead."""
    sub = ctx.invoked_subcommand
    if sub is None:
        return False
    # By the source's name: Typer's click and the click package are not always one module.
    given = [
        p
        for p in ctx.command.params
        if p.name and getattr(ctx.get_parameter_source(p.name), "name", "") == "COMMANDLINE"
    ]
    if given:
        option = given[0].opts[0]
        find = getattr(ctx.command, "get_command", None)
        command = find(ctx, sub) if find else None
        if command is not None and any(option in p.opts for p in command.params):
            fail(f"{option} goes after '{sub}': {ctx.command_path} {sub} ... {option}")
        value = "" if getattr(given[0], "is_flag", False) else " ..."
        listing = f"{ctx.command_path} {option}{value}"
        fail(f"{option} is for the list ({listing}); '{sub}' does not take it")
    return True


_settings_module = "mitra.settings"


def settings_for(argv: Sequence[str]) -> None:
    """Choose the Django settings for the command `argv` names: a command on the journal alone
    (mitra.launcher.JOURNAL_COMMANDS) is set up without the apps only the web uses, which
    starts it about a seventh of a second sooner (see mitra.settings_journal)."""
    global _settings_module  # noqa: PLW0603  one command per process: chosen as it starts
    from mitra.launcher import JOURNAL_COMMANDS

    journal_only = bool(argv[:1]) and argv[0] in JOURNAL_COMMANDS
    _settings_module = "mitra.settings_journal" if journal_only else "mitra.settings"


def django_ready(*, database: bool = True) -> None:
    """Configure Django and bring the database schema up to date (first run creates it)."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    chosen = "DJANGO_SETTINGS_MODULE" not in os.environ
    if chosen:  # for this setup only: a process the command starts chooses its own
        os.environ["DJANGO_SETTINGS_MODULE"] = _settings_module
    try:
        django.setup()
    except ImproperlyConfigured as exc:  # settings refused the environment, e.g. MITRA_DATA_DIR
        fail(str(exc))
    finally:
        if chosen:
            del os.environ["DJANGO_SETTINGS_MODULE"]
    if not database:
        return
    _database_opens()
    if _schema_is_current():
        return
    _start_up_over()  # migrating makes garbage the collector should take, not keep frozen
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    with _migrating(connection):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", interactive=False, verbosity=0)


@contextmanager
def _migrating(connection: Any) -> Iterator[None]:
    """One process at a time brings a database file's schema up to date: `mitra serve` and a
    command started together on a new data folder both found it empty, and one of them failed
    with a traceback ("table journal_person already exists"). The second waits on a lock file
    beside the database, then finds the schema current."""
    import fcntl

    from mitra.settings import private_file

    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or not os.path.isabs(name):
        yield
        return
    with open(private_file(Path(f"{name}.migrate.lock")), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _start_up_over() -> None:
    """Where the launcher held the collector off while a command on the journal started (see
    mitra.launcher.main), it resumes once Django and the journal's services are loaded, over
    what the command makes: what start-up made (modules, classes, settings) lives as long as
    the command, and is frozen out of the collector's walks."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _database_opens() -> None:
    """Refuse in one line a database that cannot be opened: a wrong encryption key, or an
    encrypted file opened without one."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM sqlite_master")
    except ImproperlyConfigured as exc:  # the encrypted backend refused the key
        fail(str(exc))
    except DatabaseError as exc:
        if "file is not a database" in str(exc):
            fail(
                f"the database {connection.settings_dict['NAME']} cannot be read: it is "
                "encrypted (set MITRA_ENCRYPTION_KEY or MITRA_ENCRYPTION_KEY_FILE) or damaged"
            )
        fail("the database cannot be opened: " + " ".join(str(exc).split()))


# Django's setup overwrites the TZ variable with its own TIME_ZONE (UTC), so the machine's TZ is
# read once, when the command starts.
_TZ_AT_START = os.environ.get("TZ", "")


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
    """The machine's IANA time zone (TZ, then /etc/localtime, then /etc/timezone), else UTC."""
    from mitra.timeline import zone_names

    candidates = [_TZ_AT_START.removeprefix(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        candidates.append(str(localtime.resolve()).split("zoneinfo/")[-1])
    timezone_file = Path("/etc/timezone")
    if timezone_file.exists():
        candidates.append(timezone_file.read_text(encoding="utf-8").strip())
    names = set(zone_names())
    return next((c for c in candidates if c in names), "UTC")


def journal_person() -> Any:
    """The person whose journal a command reads or writes, or None before a journal exists.

    One journal (the default, and a clinic with one person): that journal. Several (a clinic
    with accounts): the account named by MITRA_USER, never a guess, so a command cannot write
    into someone else's journal.
    """
    django_ready()
    from mitra.journal import services

    _start_up_over()
    if not services.several_journals():
        return services.get_person()
    from mitra.accounts import services as accounts
    from mitra.journal.errors import NotFound

    name = os.environ.get("MITRA_USER", "").strip()
    if not name:
        fail(
            "this machine holds several journals: say whose with MITRA_USER=NAME "
            "(e.g. MITRA_USER=alice mitra checkin 4)"
        )
    try:
        person = accounts.account_named(name).person
    except NotFound:
        fail(f"MITRA_USER: there is no account {name}")
    if person is None:
        fail(f"MITRA_USER: {name} has no journal (a clinician's or an admin's account)")
    return person


def the_person(time_zone: str | None = None, day_starts: int | None = None) -> Any:
    """The journal's person; created on first use with the given or the machine's time zone.

    A time zone or day-start hour given is this person's new one (MITRA_USER's, with several
    journals, never the first journal's); both are checked before either is stored.
    """
    person = journal_person()  # Django is set up from here on
    from mitra.journal import services
    from mitra.journal.errors import EntryInvalid

    new_zone = person is None or bool(time_zone and time_zone != person.time_zone)
    new_hour = day_starts is not None and (person is None or day_starts != person.day_boundary_hour)
    if not (new_zone or new_hour):
        return person
    zone = time_zone or (person.time_zone if person is not None else system_zone())
    data = {"time_zone": zone} | ({} if day_starts is None else {"day_boundary_hour": day_starts})
    try:
        made = services.set_up_person(data, person)
    except EntryInvalid as exc:
        if "time_zone" in exc.errors:
            fail(f"--timezone {exc.errors['time_zone']}")
        refused(exc)
    if person is None and not time_zone:
        # Said on stderr once the command has succeeded (see main): stdout stays the command's
        # own output (pure JSON with --json), and a refusal stays one line.
        NOTES.append(f"using time zone {zone}; change it with 'mitra settings --timezone'")
    return made


def journal_zone() -> tuple[ZoneInfo, str | None]:
    """The zone a time typed without an offset is read in: the journal person's.

    Before a journal exists there is no person's zone, so the machine's is used; the second
    value then says so, for the command to print (it creates no person).
    """
    person = journal_person()  # Django is set up from here on
    from mitra.journal import clock

    if person is not None:
        return clock(person).zone, None
    zone = system_zone()
    return ZoneInfo(zone), (
        f"mitra: no journal yet, so times without an offset were read in this machine's time "
        f"zone, {zone}"
    )


def parse_time(text: str | None, zone: ZoneInfo, option: str) -> datetime:
    """Parse a time given on the command line; a time without offset is on the person's clock.

    As in a form: a time the clocks skip is refused; one in the hour that repeats in autumn is
    read as its earlier pass, and a line on stderr says so."""
    from mitra.timeline import SkippedTime, on_wall_clock

    if text is None:
        return datetime.now(UTC)
    if not text.strip():
        fail(f"{option} is empty; use 2026-11-25T08:30 or '2026-11-25 08:30', or leave it out")
    try:
        value = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        fail(f"{option}: '{text}' is not a time; use 2026-11-25T08:30 or '2026-11-25 08:30'")
    try:
        read, note = on_wall_clock(value, zone)
    except SkippedTime as exc:
        fail(f"{option}: {exc.fact}; give a time before or after the change")
    if note:
        NOTES.append(note)  # said once the command has succeeded, after its own output
    return read


def replay_token(*parts: object) -> str:
    """A replay token from an entry's content: the same command run twice is stored once.

    A time among `parts` counts as its instant, to the minute: '2026-11-28 10:00' on a
    journal's clock six hours behind UTC and '2026-11-28T16:00:00Z' are one dose, whichever
    way it was typed (the text, or the offset it was read with, would make them two)."""
    said = [_instant(part) if isinstance(part, datetime) else str(part) for part in parts]
    return "cli-" + hashlib.sha256("|".join(said).encode()).hexdigest()[:32]


def _instant(when: datetime) -> str:
    """The minute a time falls in, in UTC (a time without an offset is no instant: refused)."""
    if when.tzinfo is None:
        raise ValueError("a replay token's time needs its offset")
    return when.astimezone(UTC).replace(second=0, microsecond=0).isoformat()


#: The option a command takes a service's field from, where it is not the field's own name.
_FIELD_OPTIONS = {
    "at": "--at",
    "taken_at": "--at",
    "dose_text": "--dose",
    "grams_per_unit": "--grams-per-unit",
    "mitragynine_mg_per_g": "--mitragynine-mg-per-g",
    "hydroxy_mg_per_g": "--hydroxy-mg-per-g",
}


def refused(
    exc: Any, *, then: str = "", typed: Mapping[str, tuple[str, Sequence[str]]] | None = None
) -> NoReturn:
    """A service's refusal as one line: the first field and its message, then `then`.

    A field is named by the option it came from (`--at`); an item of a list, by what the person
    typed for it: `typed` maps the list's field to its option and the values given, so
    "practices.0.kind" reads "--practice 'knitting=15': kind"."""
    field, message = next(iter(exc.errors.items()))
    parts = field.split(".")
    if typed and parts[0] in typed and len(parts) > 2 and parts[1].isdigit():
        option, values = typed[parts[0]]
        index = int(parts[1])
        given = f" '{values[index]}'" if index < len(values) else ""
        name = f"{option}{given}: " + " ".join(parts[2:]).replace("_", " ")
    else:
        name = _FIELD_OPTIONS.get(field) or field.replace("_", " ").replace(".", " ")
    from mitra.journal.errors import reads_on

    fail((f"{name} {message}" if reads_on(message) else f"{name}: {message}") + then)


#: In JSON, the characters a terminal obeys that json.dumps leaves raw (it escapes C0 alone):
#: written as \uXXXX escapes, which parse to the same document.
_JSON_OBEYED = {c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F),
                                            *range(0x2066, 0x206A))}  # fmt: skip


def print_document(value: Any, kind: Any = None) -> None:
    """A read's result as JSON, exactly the document its API route returns (parsed; a character
    a terminal would obey is escaped)."""
    from mitra.reads.serialise import document_text

    sys.stdout.write(document_text(value, kind).translate(_JSON_OBEYED))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str).translate(_JSON_OBEYED) + "\n")


def short_citation(source_id: str) -> str:
    """A source as people cite it ("Tanna et al. 2022"). The knowledge base is read on first
    use, not when the command starts: `mitra --help` and the writes do not need it."""
    from mitra.knowledge import citing

    return citing.short_citation(source_id)


def readable_id(text: str) -> str:
    """`mitra.knowledge.citing.readable_id`, read on first use (see `short_citation`)."""
    from mitra.knowledge import citing

    return citing.readable_id(text)
