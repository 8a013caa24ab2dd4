"""The journal is the owner's alone: folder 0700, files 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path


def _mitra(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a mitra command as a person whose shell has the common umask 022."""
    env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
    env["MITRA_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "mitra.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        umask=0o022,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_demo_and_export_under_umask_022_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    demo = _mitra(data_dir, "demo", "--days", "3", "--timezone", "Europe/Berlin")
    assert demo.returncode == 0, demo.stderr
    export_file = tmp_path / "journal.json"
    exported = _mitra(data_dir, "export", "--output", str(export_file))
    assert exported.returncode == 0, exported.stderr

    assert _mode(data_dir) == 0o700
    written = sorted(data_dir.iterdir())
    names = {path.name for path in written}
    assert {"mitra.sqlite3", "secret_key", "demo-truth-seed0.json"} <= names
    assert {path.name: _mode(path) for path in written} == dict.fromkeys(names, 0o600)
    assert _mode(export_file) == 0o600


def test_an_older_journal_left_readable_is_made_private_on_the_next_run(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    for name in ("mitra.sqlite3", "mitra.sqlite3-wal", "mitra.sqlite3-shm"):
        (data_dir / name).touch()
        (data_dir / name).chmod(0o644)

    result = _mitra(data_dir, "alerts", "--json")
    assert result.returncode == 0, result.stderr

    assert _mode(data_dir) == 0o700
    # SQLite may remove its side files when the last connection closes; those left are private.
    assert (data_dir / "mitra.sqlite3").exists()
    for path in data_dir.iterdir():
        assert _mode(path) == 0o600, path.name


def test_an_export_over_an_existing_readable_file_becomes_private(tmp_path: Path) -> None:
    export_file = tmp_path / "journal.json"
    export_file.write_text("old", encoding="utf-8")
    export_file.chmod(0o644)
    result = _mitra(tmp_path / "data", "export", "--output", str(export_file))
    assert result.returncode == 0, result.stderr
    assert _mode(export_file) == 0o600
    assert export_file.read_text(encoding="utf-8").startswith("{")
