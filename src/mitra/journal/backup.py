"""Backup and restore of the whole database (`mitra backup FILE`, `mitra restore FILE`).

SQLite is copied page by page through SQLite's online backup API inside one read transaction,
so the copy is the database as it was at one instant even while the server writes (WAL lets the
writers go on); an encrypted database is copied with its key and stays encrypted. PostgreSQL is
dumped with `pg_dump` when it is installed, else every journal is written as mitra's JSON export.
Every file made here is the owner's alone (0600), written under a temporary name and renamed
when complete, so a failed backup leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

from mitra.settings import private_file

__all__ = [
    "BackupError",
    "Restored",
    "backup",
    "finish",
    "forget_cached_files",
    "people",
    "restore",
    "write_json_backup",
]

#: Pages copied per step (4 MiB of 4 KiB pages): the progress bar moves between steps.
PAGES_PER_STEP = 1024

Progress = Callable[[int, int], None]  # (pages done, pages in all)


class BackupError(Exception):
    """A backup or restore that cannot be done: one line that says why (nothing was changed)."""


def _settings() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _is_sqlite() -> bool:
    return str(_settings()["ENGINE"]).endswith(("sqlite3", "sqlcipher"))


def _key() -> str | None:
    key = _settings().get("OPTIONS", {}).get("encryption_key")
    return str(key) if key else None


def _open(path: Path | str, key: str | None, **kwargs: Any) -> Any:
    """A DB-API connection to a SQLite file: SQLCipher with `key`, the standard module without."""
    if key is None:
        return sqlite3.connect(path, **kwargs)
    from .sqlcipher.base import open_keyed

    return open_keyed(str(path), key, **kwargs)


def _temporary_beside(target: Path) -> Path:
    """A new owner-only (0600) file in the target's folder, for writing before the rename."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    temporary = target.with_name(f".{target.name}.{stamp}.part")
    try:
        return private_file(temporary)
    except OSError as exc:
        raise BackupError(f"{target}: {exc.strerror or exc}") from None


def _copy_sqlite(source: Any, target: Path, key: str | None, progress: Progress | None) -> None:
    """Copy the open database `source` into the new file `target` in one read transaction."""
    temporary = _temporary_beside(target)
    try:
        with closing(_open(temporary, key)) as destination:
            source.isolation_level = None
            source.execute("BEGIN")  # one snapshot for every step (WAL: writers go on)
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
            try:
                source.backup(
                    destination,
                    pages=PAGES_PER_STEP,
                    sleep=0,
                    progress=(
                        (lambda _s, remaining, total: progress(total - remaining, total))
                        if progress
                        else None
                    ),
                )
            finally:
                source.execute("COMMIT")
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def backup(target: Path, *, progress: Progress | None = None) -> str | None:
    """Write a backup of the whole database to `target` (a new file); says what kind it is.

    None: the database is PostgreSQL and pg_dump is not installed, so the caller writes the
    journals' JSON exports instead (write_json_backup).
    """
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    if _is_sqlite():
        key = _key()
        try:
            with closing(_open(_settings()["NAME"], key, timeout=20)) as source:
                _copy_sqlite(source, target, key, progress)
        except sqlite3.Error as exc:
            raise BackupError(f"the database could not be copied: {exc}") from None
        return "SQLite, encrypted with the same key" if key else "SQLite"
    if shutil.which("pg_dump"):
        _pg_dump(target)
        return "PostgreSQL custom-format dump (restore with mitra restore or pg_restore)"
    return None


def _pg_env() -> dict[str, str]:
    db = _settings()
    env = dict(os.environ)
    for name, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(name):
            env[var] = str(db[name])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_dump(target: Path) -> None:
    temporary = _temporary_beside(target)
    try:
        done = subprocess.run(  # noqa: S603 - pg_dump found on PATH, with the database's name
            [
                shutil.which("pg_dump") or "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={temporary}",
                str(_settings()["NAME"]),
            ],
            env=_pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise BackupError(f"pg_dump failed: {last}")
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_json_backup(target: Path, journals: list[dict[str, Any]]) -> None:
    """Write the journals' JSON exports as one file (0600): one journal as the export itself,
    which `mitra import mitra-json FILE` reads, several as {"journals": [...]}."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    document: Any = journals[0] if len(journals) == 1 else {"journals": journals}
    temporary = _temporary_beside(target)
    try:
        temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def people() -> list[Any]:
    """Every person in the database, oldest first (for the JSON backup)."""
    from .models import Person

    return list(Person.objects.order_by("pk"))


# --- restore -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    """What a restore did: the database it replaced is kept aside at `kept` (if there was one).

    `versions_from`: what `finish` adds to every journal's version once the database has been
    brought up to this mitra's schema (a backup older than journal versions has none to raise
    before); 0 when they were raised already.
    """

    kept: Path | None
    migrations: int
    versions_from: int = 0


def _known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _checked(path: Path, key: str | None) -> tuple[Any, set[tuple[str, str]]]:
    """Open the backup and check it: a whole SQLite file, a mitra database, not a newer schema."""
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise BackupError(f"{path}: {exc.strerror or exc}") from None
    from .sqlcipher.base import KeyRefused

    try:
        source = _open(path, key)
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except KeyRefused:
        raise BackupError(
            f"{path} cannot be opened with this database's encryption key: it is not a SQLite "
            "backup, or it was encrypted with another key"
        ) from None
    except sqlite3.DatabaseError:
        hint = " (encrypted? set MITRA_ENCRYPTION_KEY)" if key is None else ""
        raise BackupError(f"{path} is not a SQLite database{hint}") from None
    try:
        verdict = [row[0] for row in source.execute("PRAGMA integrity_check").fetchall()]
        if verdict != ["ok"]:
            raise BackupError(f"{path} is damaged: {verdict[0]}")
        tables = {
            row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if not {"django_migrations", "journal_person"} <= tables:
            raise BackupError(f"{path} is a SQLite database, but not a mitra journal")
        applied = {
            (str(app), str(name))
            for app, name in source.execute("SELECT app, name FROM django_migrations")
        }
    except BaseException:
        source.close()
        raise
    newer = sorted(f"{app}.{name}" for app, name in applied - _known_migrations())
    if newer:
        source.close()
        raise BackupError(
            f"{path} was made by a newer mitra (its schema has {newer[0]}"
            f"{f' and {len(newer) - 1} more' if len(newer) > 1 else ''}); "
            "update mitra, then restore it"
        )
    return source, applied


def restore(path: Path, *, replace: bool, progress: Progress | None = None) -> Restored:
    """Replace the SQLite database with the backup at `path`, after checking the backup whole.

    The database it replaces is first copied aside (`mitra.sqlite3.replaced-<time>`, 0600).
    Without `replace`, a database that holds a journal is refused.
    """
    if not _is_sqlite():
        raise BackupError(
            "restore works on the SQLite database; on PostgreSQL restore a pg_dump file with "
            "pg_restore --clean --if-exists -d DATABASE FILE"
        )
    key = _key()
    live = Path(_settings()["NAME"])
    source, applied = _checked(path, key)
    try:
        has_journal = _has_journal(live, key)
        if has_journal and not replace:
            raise BackupError(
                f"{live} holds a journal that the backup would replace; add --yes to replace it "
                "(it is kept aside)"
            )
        connections.close_all()  # Django's own connection must not hold the old pages
        kept = None
        replaced_version = 0
        raised, above = False, 0
        if live.exists() and live.stat().st_size > 0:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = live.with_name(f"{live.name}.replaced-{stamp}")
            with closing(_open(live, key, timeout=20)) as current:
                _copy_sqlite(current, kept, key, None)
                replaced_version = _highest_version(current)
        try:
            with closing(_open(live, key, timeout=20)) as destination:
                source.backup(
                    destination,
                    pages=PAGES_PER_STEP,
                    sleep=0,
                    progress=(
                        (lambda _s, remaining, total: progress(total - remaining, total))
                        if progress
                        else None
                    ),
                )
                above = _versions_floor(replaced_version)
                raised = _versions_above(destination, above)
        except sqlite3.Error as exc:
            raise BackupError(
                f"the backup could not be written into {live}: {exc}"
                + (f"; the journal as it was is kept at {kept}" if kept else "")
            ) from None
    finally:
        source.close()
    forget_cached_files()
    return Restored(kept=kept, migrations=len(applied), versions_from=0 if raised else above + 1)


def finish(restored: Restored) -> None:
    """After a restore, once the database has this mitra's schema (Django's migrations ran):
    raise the versions a backup older than them could not have raised."""
    if restored.versions_from:
        from django.db.models import F

        from .models import Person

        Person.objects.update(version=F("version") + restored.versions_from)


def _highest_version(db: sqlite3.Connection) -> int:
    """The highest journal version in a database (0 without journals, or before versions)."""
    try:
        found = db.execute("SELECT MAX(version) FROM journal_person").fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(found[0] or 0)


def _versions_floor(replaced: int) -> int:
    """The number every restored journal's version is raised above: above the highest of the
    journal it replaces, and above every version a server that keeps running may have cached
    reads under, even when the replaced database held no journal (it was deleted, or empty):
    the time in milliseconds, which no count of writes reaches."""
    return max(replaced, time.time_ns() // 1_000_000)


def _versions_above(db: sqlite3.Connection, floor: int) -> bool:
    """Every restored journal's version raised above `floor`; False when the backup is older
    than journal versions (`finish` raises them once the schema has them).

    A server that keeps running caches reads under (person, version); the backup's versions
    are lower, and the writes after the restore would bring them back to numbers under which
    the server holds reads of the journal it replaced."""
    try:
        db.execute("UPDATE journal_person SET version = version + ?", (floor + 1,))
    except sqlite3.OperationalError:  # no version column yet
        return False
    db.commit()
    return True


def _has_journal(live: Path, key: str | None) -> bool:
    if not live.exists() or live.stat().st_size == 0:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM journal_person")
            return bool(cursor.fetchone()[0])
    except Exception:
        return live.stat().st_size > 0 and _unreadable(live, key)


def _unreadable(live: Path, key: str | None) -> bool:
    """A database file that exists but cannot be read counts as holding a journal."""
    try:
        with closing(_open(live, key)) as probe:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception:
        return True
    return False


def forget_cached_files() -> None:
    """Remove every result kept in the data folder's cache (they describe the old journal)."""
    folder = Path(settings.DATA_DIR) / "cache"
    if folder.is_dir():
        for kind in folder.iterdir():
            if kind.is_dir():
                for path in kind.iterdir():
                    with suppress(OSError):
                        path.unlink()
