"""Start-up of the `mitra` command: no numeric library it does not compute with, none of the
web's apps for a command on the journal alone, no full migration planning when the schema is
current (timings are in `make bench`, not here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.journal.sessions import terminal_env

HEAVY = ("scipy", "pandas", "statsmodels", "altair", "vl_convert")

# One interpreter starts as every command starts (mitra.cli imported, Django set up, the schema
# brought up to date), then runs each command in a forked child of itself and prints which heavy
# modules the child had imported by the end: each command's own import path, observed in a
# process that imported nothing else, at the cost of one interpreter for the lot.
_CHECKER = """
import json, os, sys
from mitra.cli import main
from mitra.cli.app import django_ready

django_ready()
from django.db import connections

connections.close_all()  # a forked child must not share the parent's database connection
heavy = json.loads(sys.argv[1])
print("parent:" + json.dumps(sorted(m for m in heavy if m in sys.modules)), flush=True)
for number, args in enumerate(json.loads(sys.argv[2])):
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code or 0
        found = sorted(m for m in heavy if m in sys.modules)
        sys.stdout.flush()
        print(f"child {number}:" + json.dumps([code, found]), flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
"""


def _imported_by_each(commands: list[list[str]], data_dir: Path) -> list[set[str]]:
    """The heavy modules each `mitra` command imported, in order, on one journal."""
    env = {**os.environ, "MITRA_DATA_DIR": str(data_dir)}
    env.pop("MITRA_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", _CHECKER, json.dumps(HEAVY), json.dumps(commands)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    lines = {
        label: json.loads(rest)
        for label, _, rest in (x.partition(":") for x in done.stdout.splitlines())
        if label == "parent" or label.startswith("child ")
    }
    assert lines["parent"] == [], "starting up imported a heavy module before any command"
    found = []
    for number, args in enumerate(commands):
        code, modules = lines[f"child {number}"]
        assert code == 0, (args, done.stderr)
        found.append(set(modules))
    return found


COMMANDS = [
    ["checkin", "3"],  # the first check-in of a new journal
    ["--help"],
    ["checkin", "4", "--note", "start-up test"],
    ["today"],
    ["settings"],
    ["score", "GAD-7", "1", "2", "1", "0", "1", "2", "1"],
    ["compare", "GAD-7", "15", "10"],
    ["products", "add", "Green powder"],
    ["dose", "Green powder", "3"],
]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    data_dir = tmp_path_factory.mktemp("startup") / "data"
    found = _imported_by_each(COMMANDS, data_dir)
    return {" ".join(args): modules for args, modules in zip(COMMANDS, found, strict=True)}


@pytest.mark.parametrize(
    "command",
    [
        "checkin 3",
        "--help",
        "checkin 4 --note start-up test",
        "today",
        "settings",
        "score GAD-7 1 2 1 0 1 2 1",
        "compare GAD-7 15 10",
    ],
)
def test_a_command_that_does_not_compute_with_them_imports_no_numeric_library(
    imported: dict[str, set[str]], command: str
) -> None:
    assert imported[command] == set()


def test_a_dose_from_the_terminal_imports_no_scipy(imported: dict[str, set[str]]) -> None:
    assert "scipy" not in imported["dose Green powder 3"]


def _run_all(commands: list[list[str]], data_dir: Path) -> None:
    """Several `mitra` commands in one fresh interpreter (to seed a history quickly)."""
    script = "from mitra.cli import main\n" + "".join(
        f"try:\n    main({args!r})\nexcept SystemExit as e:\n    assert not e.code, {args!r}\n"
        for args in commands
    )
    env = {**os.environ, "MITRA_DATA_DIR": str(data_dir)}
    env.pop("MITRA_DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", script], check=True, env=env, capture_output=True)


def test_a_dose_after_weeks_of_rising_doses_imports_no_scipy_stats(tmp_path: Path) -> None:
    # Ten weeks of rising doses: the escalation rule gets to its trend test (Mann-Kendall and
    # Theil-Sen), which used to import scipy.stats on almost every dose.
    from datetime import date, timedelta

    monday = date.today() - timedelta(days=date.today().weekday() + 70)
    seed = [["products", "add", "Green powder"]] + [
        ["dose", "Green powder", str(2 + week), "--at", f"{monday + timedelta(weeks=week)} 08:00"]
        for week in range(10)
    ]
    _run_all(seed, tmp_path)
    (after,) = _imported_by_each([["dose", "Green powder", "3"]], tmp_path)
    assert "scipy" not in after


def test_a_current_schema_is_seen_without_planning(db: Any) -> None:
    from mitra.cli.app import _schema_is_current

    assert _schema_is_current()


def test_a_migration_not_yet_applied_is_left_to_django(db: Any) -> None:
    from django.db import connection

    from mitra.cli.app import _schema_is_current

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'journal'")
    assert not _schema_is_current()


# Each command as the `mitra` console command runs it (mitra.launcher.main, no command server),
# in a child forked from an interpreter that has imported mitra.launcher and nothing of Django,
# as a person's terminal starts it (no DJANGO_SETTINGS_MODULE): its status, whether it imported
# the web's passkey or lock-out apps, the settings it ran with, whether it left the variable
# set, and whether the collector runs, with how many of start-up's objects it froze.
_SETTINGS_CHECKER = """
import gc, io, json, os, sys
from mitra import launcher

for number, (args, stdin, env) in enumerate(json.loads(sys.argv[1])):
    pid = os.fork()
    if pid == 0:
        sys.stdin = io.StringIO(stdin)
        sys.argv = ["mitra", *args]
        os.environ.update(env)
        code = 0
        try:
            launcher.main()
        except SystemExit as exc:
            code = exc.code or 0
        from django.conf import settings

        from django.apps import apps
        from mitra.settings_journal import WEB_ONLY_APPS

        web = "webauthn" in sys.modules or any(apps.is_installed(a) for a in WEB_ONLY_APPS)
        left = "DJANGO_SETTINGS_MODULE" in os.environ
        collector = [gc.isenabled(), gc.get_freeze_count()]
        seen = [code, web, settings.SETTINGS_MODULE, left, collector]
        sys.stdout.flush()
        print(f"child {number}:" + json.dumps(seen), flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
"""


def test_a_journal_command_starts_without_the_web_apps_and_an_account_command_with_them(
    tmp_path: Path,
) -> None:
    password = "a long enough password 7\n"
    bob = {"MITRA_USER": "bob"}
    commands: list[tuple[list[str], str, dict[str, str]]] = [
        (["checkin", "3"], "", {}),  # the first command of a new journal makes its tables
        (["user", "add", "alice", "--password-stdin"], password, {}),
        (["user", "add", "bob", "--password-stdin"], password, {}),
        (["checkin", "5", "--note", "bob's"], "", bob),  # found by account
        (["user", "list", "--json"], "", {}),
        (["products", "add", "Green powder"], "", bob),
        (["dose", "Green powder", "2"], "", bob),
        (["today"], "", bob),
        (["alerts"], "", bob),
        # Settings chosen by the person are theirs: used, and left set.
        (["checkin", "4"], "", {**bob, "DJANGO_SETTINGS_MODULE": "mitra.settings"}),
    ]
    off = {"MITRA_COMMAND_SERVER": "off", "DJANGO_SETTINGS_MODULE": None, "MITRA_USER": None}
    env = terminal_env(tmp_path / "data", off)
    done = subprocess.run(
        [sys.executable, "-c", _SETTINGS_CHECKER, json.dumps(commands)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    seen = [
        json.loads(rest)
        for label, _, rest in (x.partition(":") for x in done.stdout.splitlines())
        if label.startswith("child ")
    ]
    journal = [0, False, "mitra.settings_journal", False, [True, True]]
    whole = [0, True, "mitra.settings", False, [True, False]]
    chosen = [0, True, "mitra.settings", True, [True, True]]
    expected = [journal, whole, whole, journal, whole, journal, journal, journal, journal, chosen]
    frozen = [child[4][1] for child in seen]
    observed = [[*child[:4], [child[4][0], child[4][1] > 0]] for child in seen]
    assert observed == expected, done.stderr
    # The first command migrated the new journal with the collector on: its start was frozen
    # before the migration's garbage, so no more than a later command's start (which includes
    # the journal's services), not with it (about twice as much).
    assert frozen[0] < frozen[3], frozen
    assert "Logged 2 g of Green powder" in done.stdout
    assert "Check-in saved (anxiety 5/10" in done.stdout
    # The account commands made and read the passkeys' table the first command left out.
    listing = done.stdout.split("\nchild 3:", 1)[1].split("\n", 1)[1].split("\nchild 4:")[0]
    assert [(a["name"], a["two_factor"]) for a in json.loads(listing)] == [
        ("alice", False),
        ("bob", False),
    ]


def test_each_journal_command_is_a_command_of_mitra() -> None:
    import typer

    from mitra.cli import app
    from mitra.launcher import JOURNAL_COMMANDS

    names = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert not JOURNAL_COMMANDS - names
