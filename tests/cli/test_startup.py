"""Start-up of the `mitra` command: no numeric library it does not compute with, no full
migration planning when the schema is current (timings are in `make bench`, not here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HEAVY = ("scipy", "pandas", "statsmodels", "altair", "vl_convert")


def _imported_by(args: list[str], data_dir: Path) -> set[str]:
    """The heavy modules a `mitra` command imported, run in a fresh interpreter."""
    script = (
        "import sys\n"
        "from mitra.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        f"print('imported:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "MITRA_DATA_DIR": str(data_dir)}
    env.pop("MITRA_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("imported:"))
    return set(filter(None, line.removeprefix("imported:").split(",")))


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["checkin", "4", "--note", "start-up test"],
        ["today"],
    ],
)
def test_a_command_that_does_not_compute_with_them_imports_no_numeric_library(
    args: list[str], tmp_path: Path
) -> None:
    _imported_by(["checkin", "3"], tmp_path)  # the first run creates the database
    assert _imported_by(args, tmp_path) == set()


def test_a_dose_from_the_terminal_imports_no_scipy(tmp_path: Path) -> None:
    _imported_by(["products", "add", "Green powder"], tmp_path)
    assert "scipy" not in _imported_by(["dose", "Green powder", "3"], tmp_path)


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
    assert "scipy" not in _imported_by(["dose", "Green powder", "3"], tmp_path)


def test_a_current_schema_is_seen_without_planning(db: Any) -> None:
    from mitra.cli.app import _schema_is_current

    assert _schema_is_current()


def test_a_migration_not_yet_applied_is_left_to_django(db: Any) -> None:
    from django.db import connection

    from mitra.cli.app import _schema_is_current

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'journal'")
    assert not _schema_is_current()
