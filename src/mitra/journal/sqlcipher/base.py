"""Django's SQLite backend on SQLCipher 4 (the `sqlcipher3` module) instead of `sqlite3`.

Everything else is Django's own backend: only the DB-API module is swapped, and each new
connection is given its key (`PRAGMA key`) before anything else touches the file. A key of 64
hexadecimal digits is used as the raw 256-bit key; any other text is a passphrase that SQLCipher
stretches with PBKDF2-HMAC-SHA512 (256,000 rounds, about half a second per connection, so
settings.py keeps connections open while the key is a passphrase).
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Mapping
from itertools import tee
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.sqlite3 import base as sqlite_base
from django.db.backends.sqlite3._functions import register as register_functions
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from sqlcipher3 import dbapi2 as Database  # noqa: N812 - Django's name for the DB-API module

__all__ = ["DatabaseWrapper", "KeyRefused", "key_pragma"]

# The same conversions Django registers on the standard library's module.
Database.register_converter("bool", b"1".__eq__)
Database.register_converter("date", sqlite_base.decoder(parse_date))
Database.register_converter("time", sqlite_base.decoder(parse_time))
Database.register_converter("datetime", sqlite_base.decoder(parse_datetime))
Database.register_converter("timestamp", sqlite_base.decoder(parse_datetime))
Database.register_adapter(decimal.Decimal, str)
Database.register_adapter(datetime.date, sqlite_base.adapt_date)
Database.register_adapter(datetime.datetime, sqlite_base.adapt_datetime)

RAW_KEY = re.compile(r"[0-9a-fA-F]{64}")


class KeyRefused(ImproperlyConfigured):
    """The database cannot be read with the key given (or without one): one line that says so."""


def key_pragma(key: str) -> str:
    """The `PRAGMA key` statement for a raw hexadecimal key or a passphrase."""
    if RAW_KEY.fullmatch(key):
        return f"PRAGMA key = \"x'{key}'\""
    return "PRAGMA key = '" + key.replace("'", "''") + "'"


def open_keyed(path: str, key: str, **kwargs: Any) -> Any:
    """A SQLCipher connection to `path` with `key`; KeyRefused when the key does not open it."""
    conn = Database.connect(path, **kwargs)
    try:
        # SQLCipher logs a failed page check on stderr besides raising; the error is ours to say.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(key_pragma(key))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Database.DatabaseError as exc:
        conn.close()
        raise KeyRefused(
            f"the database {path} cannot be opened with this encryption key ({exc}): "
            "the key is wrong, or the file is not a mitra database encrypted with it"
        ) from None
    return conn


class CipherCursorWrapper(Database.Cursor):  # type: ignore[misc]
    """Django's cursor wrapper (format and pyformat placeholders) on SQLCipher's cursor."""

    convert_query = sqlite_base.SQLiteCursorWrapper.convert_query

    def execute(self, query: str, params: Any = None) -> Any:
        if params is None:
            return super().execute(query)
        param_names = list(params) if isinstance(params, Mapping) else None
        return super().execute(self.convert_query(query, param_names=param_names), params)

    def executemany(self, query: str, param_list: Any) -> Any:
        peekable, param_list = tee(iter(param_list))
        params = next(peekable, None)
        param_names = list(params) if params and isinstance(params, Mapping) else None
        return super().executemany(self.convert_query(query, param_names=param_names), param_list)


class DatabaseWrapper(sqlite_base.DatabaseWrapper):
    vendor = "sqlite"
    display_name = "SQLite (SQLCipher)"
    Database = Database
    init_commands: list[str]  # set by Django's get_connection_params
    encryption_key: str

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        self.encryption_key = params.pop("encryption_key", "")
        if not self.encryption_key:
            raise ImproperlyConfigured("the encrypted database backend needs a key")
        params["detect_types"] = Database.PARSE_DECLTYPES | Database.PARSE_COLNAMES
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        params = dict(conn_params)
        conn = open_keyed(str(params.pop("database")), self.encryption_key, **params)
        register_functions(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in self.init_commands:
            if init_command := init_command.strip():
                conn.execute(init_command)
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CipherCursorWrapper)
