"""`mitra backup` and `mitra restore`: a consistent copy while the server writes, files only the
owner reads, and a restore that checks the backup whole before it replaces anything."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from mitra.journal import services
from mitra.journal.backup import backup
from mitra.journal.sqlcipher.key import encryption_key
from tests.conftest import open_database
from tests.journal.sessions import mitra_session


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_writes_go_on_is_one_consistent_moment(
    alice: Any, tmp_path: Path
) -> None:
    """A writer thread adds check-ins, each with a practice in the same transaction, while the
    backup runs: the copy holds whole writes only, and writes went on around it."""
    from django.db import connection

    stop = threading.Event()
    written: list[int] = []
    started = threading.Event()

    def write() -> None:
        try:
            for i in range(100_000):
                if stop.is_set():
                    break
                services.add_checkin(
                    alice,
                    {
                        "anxiety": i % 11,
                        "at": f"2026-03-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
                        "practices": [{"kind": "breathing", "minutes": 5}],
                    },
                    token=f"w-{i}",
                )
                written.append(i)
                if len(written) >= 5:
                    started.set()
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert started.wait(60)
        target = tmp_path / "journal.backup"
        kind = backup(target)
        at_backup = len(written)
        # Writes go on after the backup's moment before the writer stops.
        deadline = time.monotonic() + 60
        while len(written) < at_backup + 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(60)

    assert target.stat().st_mode & 0o777 == 0o600
    if connection.vendor == "postgresql":
        assert kind is not None
        assert kind.startswith("PostgreSQL custom-format dump")
        assert target.read_bytes().startswith(b"PGDMP")
        checkins, practices = _rows_in_dump(target)
    else:
        checkins, practices = _rows_in_sqlite(target)
        if encryption_key():
            # An encrypted journal's backup is encrypted with the same key.
            assert kind is not None
            assert kind.startswith("SQLite, encrypted")
            with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
                sqlite3.connect(target).execute("SELECT count(*) FROM sqlite_master").fetchone()
        else:
            assert kind == "SQLite"
    assert 5 <= checkins < len(written)  # the copy is one moment; the writer went on after it
    assert practices == checkins  # no check-in without the practice written with it


def _rows_in_sqlite(target: Path) -> tuple[int, int]:
    db = open_database(target)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        checkins = db.execute(
            "SELECT count(*) FROM journal_checkin WHERE token LIKE 'w-%'"
        ).fetchone()[0]
        practices = db.execute(
            "SELECT count(*) FROM journal_practice p JOIN journal_checkin c ON p.checkin_id = c.id"
            " WHERE c.token LIKE 'w-%'"
        ).fetchone()[0]
    finally:
        db.close()
    return int(checkins), int(practices)


def _copy_rows(target: Path, table: str) -> list[dict[str, str]]:
    """The rows of `table` in a pg_dump file, read back with pg_restore."""
    text = subprocess.run(
        [
            shutil.which("pg_restore") or "pg_restore",
            "--data-only",
            f"--table={table}",
            "--file=-",
            str(target),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"COPY public.{table} ("))
    columns = lines[start].split("(", 1)[1].split(")", 1)[0].split(", ")
    rows = []
    for line in lines[start + 1 :]:
        if line == "\\.":
            break
        rows.append(dict(zip(columns, line.split("\t"), strict=True)))
    return rows


def _rows_in_dump(target: Path) -> tuple[int, int]:
    checkins = {
        r["id"] for r in _copy_rows(target, "journal_checkin") if r["token"].startswith("w-")
    }
    practices = [r for r in _copy_rows(target, "journal_practice") if r["checkin_id"] in checkins]
    return len(checkins), len(practices)


@pytest.mark.postgres  # once, in the PostgreSQL run (not again on SQLite, plain and encrypted)
def test_postgresql_is_backed_up_with_pg_dump_or_else_as_json(
    fresh_postgres_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    dump, export = tmp_path / "journal.dump", tmp_path / "journal.json"
    on_postgres: dict[str, str | None] = {"MITRA_DATABASE_URL": fresh_postgres_url}
    results = mitra_session(data, ["checkin", "4"], ["backup", str(dump)], env=on_postgres)
    assert [code for code, _ in results] == [0, 0], results
    assert dump.stat().st_mode & 0o777 == 0o600
    assert [r["anxiety"] for r in _copy_rows(dump, "journal_checkin")] == ["4"]
    # Without pg_dump on PATH: the journal's JSON export, which `mitra import` reads back.
    results = mitra_session(
        data, ["backup", str(export)], env={**on_postgres, "PATH": str(tmp_path / "no-tools")}
    )
    assert results[0][0] == 0, results
    assert export.stat().st_mode & 0o777 == 0o600
    document = json.loads(export.read_text(encoding="utf-8"))
    assert document["format"] == "mitra-journal"
    assert [c["anxiety"] for c in document["checkins"]] == [4]


# --- through the command, in a fresh data folder -----------------------------------------------


def _refusal(result: tuple[int, str]) -> str:
    code, err = result
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _checkins(path: Path) -> int:
    db = open_database(path)
    try:
        return int(db.execute("SELECT count(*) FROM journal_checkin").fetchone()[0])
    finally:
        db.close()


def test_backup_and_restore_through_the_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first, newer = tmp_path / "first.backup", tmp_path / "newer.backup"
    results = mitra_session(
        data,
        ["checkin", "4"],
        ["backup", str(first)],
        ["backup", str(first)],
        ["checkin", "6"],
        ["restore", str(first)],  # a journal is never replaced without --yes
        ["restore", str(first), "--yes"],
        ["checkin", "3"],  # the restored journal works on
        ["backup", str(newer)],
    )
    assert [code for code, _ in results] == [0, 0, 2, 0, 2, 0, 0, 0], results
    assert "already exists" in _refusal(results[2])
    assert "add --yes to replace it" in _refusal(results[4])
    assert first.stat().st_mode & 0o777 == 0o600
    assert _checkins(first) == 1
    assert _checkins(data / "mitra.sqlite3") == 2  # the backup's one, and the one after
    # The journal it replaced (two check-ins) is kept aside, whole and owner-only.
    kept = list(data.glob("mitra.sqlite3.replaced-*"))
    assert len(kept) == 1
    assert kept[0].stat().st_mode & 0o777 == 0o600
    assert _checkins(kept[0]) == 2

    # Refusals, each before anything is touched.
    db = open_database(newer)
    db.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('journal', '9999_x', 0)")
    db.commit()
    db.close()
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.sqlite3"
    notes = open_database(other)  # a SQLite file (with this run's key) of another app
    notes.execute("CREATE TABLE notes (x)")
    notes.commit()
    notes.close()
    results = mitra_session(
        data,
        ["restore", str(newer), "--yes"],
        ["restore", str(garbage), "--yes"],
        ["restore", str(other), "--yes"],
        ["restore", str(tmp_path / "nothing.backup")],
    )
    assert "made by a newer mitra" in _refusal(results[0])
    # Encrypted, a file of another kind cannot be told from one under another key.
    message = _refusal(results[1])
    assert "is not a SQLite database" in message or "encrypted with another key" in message
    assert "is a SQLite database, but not a mitra journal" in _refusal(results[2])
    assert "No such file" in _refusal(results[3])
    assert _checkins(data / "mitra.sqlite3") == 2
    assert len(list(data.glob("mitra.sqlite3.replaced-*"))) == 1


def test_a_refused_backup_or_restore_is_one_line_on_stderr_and_a_backup_says_nothing_there(
    tmp_path: Path,
) -> None:
    """The progress bar, drawn on no terminal, left a blank line on stderr: before a refusal it
    made two lines."""
    missing, no_folder = tmp_path / "nothing.backup", tmp_path / "no" / "dir" / "x"
    results = mitra_session(
        tmp_path / "data",
        ["restore", str(missing)],
        ["backup", str(no_folder)],
        ["settings", "--timezone", "UTC"],
        ["backup", str(tmp_path / "made.backup")],
    )
    assert results[0] == (2, f"mitra: {missing}: No such file or directory\n")
    assert results[1] == (2, f"mitra: {no_folder.parent} is not a folder\n")
    assert results[3] == (0, "")


# A running server: one process that runs each command given on its stdin and answers with
# what it printed, keeping its cached reads from one command to the next.
_SERVER = """
import contextlib, io, json, sys
from mitra.cli import main

for line in sys.stdin:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(json.loads(line))
        except SystemExit as exc:
            assert not exc.code, (line, exc.code)
    print(json.dumps(out.getvalue()), flush=True)
"""


@pytest.mark.parametrize("deleted_first", [False, True])
def test_a_read_a_server_cached_before_a_restore_is_never_served_after_it(
    tmp_path: Path, deleted_first: bool
) -> None:
    data, first = tmp_path / "data", tmp_path / "first.backup"
    env = {**os.environ, "MITRA_DATA_DIR": str(data)}
    env.pop("MITRA_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    commands, answers = server.stdin, server.stdout
    assert commands is not None
    assert answers is not None

    def run(*argv: str) -> str:
        commands.write(json.dumps(list(argv)) + "\n")
        commands.flush()
        return str(json.loads(answers.readline()))

    def today() -> list[str]:
        return sorted(e["title"] for e in json.loads(run("today", "--json"))["entries"])

    try:
        run("checkin", "4")
        run("backup", str(first))
        run("checkin", "6")
        assert today() == ["Check-in: anxiety 4/10", "Check-in: anxiety 6/10"]
        # Restored from the terminal while the server runs (after deleting the journal, when
        # the database replaced holds none); then as many changes as the journal had when the
        # server read Today.
        steps = [["delete", "--yes"]] if deleted_first else []
        steps.append(["restore", str(first), "--yes"])
        assert [code for code, _ in mitra_session(data, *steps)] == [0] * len(steps)
        run("checkin", "3")
        assert today() == ["Check-in: anxiety 3/10", "Check-in: anxiety 4/10"]
    finally:
        commands.close()
        server.wait(timeout=60)
        answers.close()


@pytest.mark.django_db
def test_a_backup_older_than_journal_versions_has_them_raised_once_migrated(
    tmp_path: Path,
) -> None:
    from mitra.journal.backup import Restored, _versions_above, finish
    from mitra.journal.models import Person

    old = sqlite3.connect(tmp_path / "old.sqlite3")
    old.execute("CREATE TABLE journal_person (id INTEGER PRIMARY KEY)")
    assert not _versions_above(old, 1000)  # nothing to raise yet: finish does it
    old.close()
    person = Person.objects.create(time_zone="UTC")
    finish(Restored(kept=None, migrations=6, versions_from=1001))
    person.refresh_from_db()
    assert person.version == 1001
