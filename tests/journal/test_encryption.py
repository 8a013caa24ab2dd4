"""The journal encrypted at rest (SQLCipher 4): unreadable without its key, readable with it,
and a wrong or missing key refused in one line. `make test-encrypted` runs the whole suite on an
encrypted database besides."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import pytest

from mitra.journal.sqlcipher.base import KeyRefused, open_keyed
from mitra.journal.sqlcipher.key import EncryptionKeyUnusable, encryption_key
from tests.journal.sessions import mitra_session

NO_KEY: dict[str, str | None] = {"MITRA_ENCRYPTION_KEY": None, "MITRA_ENCRYPTION_KEY_FILE": None}


def _refusal(result: tuple[int, str]) -> str:
    code, err = result
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


def test_the_file_is_unreadable_without_the_key_and_readable_with_it(tmp_path: Path) -> None:
    key = secrets.token_hex(32)
    key_file = tmp_path / "journal.key"
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    data = tmp_path / "data"
    results = mitra_session(
        data,
        ["checkin", "4"],
        ["checkin", "6"],
        env={**NO_KEY, "MITRA_ENCRYPTION_KEY_FILE": str(key_file)},
    )
    assert [code for code, _ in results] == [0, 0], results
    database = data / "mitra.sqlite3"

    # Not a byte of SQLite's own format: no header, no table names, nothing a tool can read.
    raw = database.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"journal_checkin" not in raw
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(database).execute("SELECT count(*) FROM sqlite_master").fetchone()
    # With the key, the journal is all there.
    db = open_keyed(str(database), key)
    try:
        assert db.execute("SELECT anxiety FROM journal_checkin ORDER BY id").fetchall() == [
            (4,),
            (6,),
        ]
        assert db.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
    finally:
        db.close()
    with pytest.raises(KeyRefused, match="cannot be opened with this encryption key"):
        open_keyed(str(database), secrets.token_hex(32))

    # The command refuses a wrong key, or no key, in one line.
    wrong = mitra_session(data, ["alerts"], env={**NO_KEY, "MITRA_ENCRYPTION_KEY": "not the key"})
    assert "cannot be opened with this encryption key" in _refusal(wrong[0])
    missing = mitra_session(data, ["alerts"], env=NO_KEY)
    assert "it is encrypted (set MITRA_ENCRYPTION_KEY" in _refusal(missing[0])


def test_a_passphrase_is_a_key_too(tmp_path: Path) -> None:
    path = str(tmp_path / "phrase.sqlite3")
    db = open_keyed(path, "correct horse battery staple, with 'quotes'")
    db.execute("CREATE TABLE t (x)")
    db.execute("INSERT INTO t VALUES (1)")
    db.commit()
    db.close()
    db = open_keyed(path, "correct horse battery staple, with 'quotes'")
    assert db.execute("SELECT x FROM t").fetchall() == [(1,)]
    db.close()
    with pytest.raises(KeyRefused):
        open_keyed(path, "correct horse battery staple")


def test_the_key_file_must_be_the_owners_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MITRA_ENCRYPTION_KEY", raising=False)
    key_file = tmp_path / "journal.key"
    key_file.write_text("a passphrase\n", encoding="utf-8")
    key_file.chmod(0o644)
    monkeypatch.setenv("MITRA_ENCRYPTION_KEY_FILE", str(key_file))
    with pytest.raises(
        EncryptionKeyUnusable, match=r"can be read by others \(mode 644\).*chmod 600"
    ):
        encryption_key()
    key_file.chmod(0o600)
    assert encryption_key() == "a passphrase"
    key_file.write_text("\n", encoding="utf-8")
    with pytest.raises(EncryptionKeyUnusable, match="is empty"):
        encryption_key()
    monkeypatch.setenv("MITRA_ENCRYPTION_KEY_FILE", str(tmp_path / "missing.key"))
    with pytest.raises(EncryptionKeyUnusable, match="cannot be read"):
        encryption_key()
    monkeypatch.setenv("MITRA_ENCRYPTION_KEY", "  ")
    with pytest.raises(EncryptionKeyUnusable, match="MITRA_ENCRYPTION_KEY is empty"):
        encryption_key()
