"""A data folder mitra cannot make private: one line naming it, exit 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# A folder whose permissions no one can change, root included: it stands for a folder owned by
# another user (which root could tighten, so a test as root could not use one).
FOREIGN = Path("/proc/1")


@pytest.mark.skipif(not FOREIGN.is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("command", [["today"], ["serve", "--port", "1"], ["alerts", "--json"]])
def test_a_data_folder_that_cannot_be_made_private_is_one_line_and_exit_2(
    command: list[str],
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
    env["MITRA_DATA_DIR"] = str(FOREIGN)
    result = subprocess.run(
        [sys.executable, "-m", "mitra.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"data folder {FOREIGN} cannot be made private" in result.stderr
    assert "MITRA_DATA_DIR" in result.stderr


@pytest.mark.once
def test_two_commands_started_together_on_a_new_data_folder_both_succeed(tmp_path: Path) -> None:
    """`mitra serve` and a command started together on a new data folder both found its
    database empty and both made its tables: one failed with a traceback ("table
    journal_person already exists", "duplicate column name: token"). One makes them while
    the other waits, then finds them made."""
    env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
    env |= {"MITRA_DATA_DIR": str(tmp_path / "data"), "MITRA_COMMAND_SERVER": "off"}
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "mitra.cli", *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in (["settings", "--json"], ["checkin", "3"], ["today", "--json"])
    ]
    for process in started:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "Traceback" not in err
    lock = tmp_path / "data" / "mitra.sqlite3.migrate.lock"
    assert lock.stat().st_mode & 0o777 == 0o600
