"""The encryption key of the SQLite database, from the environment (no side effects: the
benchmarks and tests read it without configuring Django)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

__all__ = ["EncryptionKeyUnusable", "encryption_key"]


class EncryptionKeyUnusable(ImproperlyConfigured):
    """The encryption key is missing, empty or kept where others can read it: one line."""


def encryption_key() -> str | None:
    """The SQLite database's encryption key (MITRA_ENCRYPTION_KEY, else the key file), or None."""
    if (key := os.environ.get("MITRA_ENCRYPTION_KEY")) is not None:
        if not key.strip():
            raise EncryptionKeyUnusable("MITRA_ENCRYPTION_KEY is empty; give the key or unset it")
        return key.strip()
    path = os.environ.get("MITRA_ENCRYPTION_KEY_FILE")
    if not path:
        return None
    try:
        mode = os.stat(path).st_mode
        text = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise EncryptionKeyUnusable(
            f"MITRA_ENCRYPTION_KEY_FILE {path} cannot be read ({getattr(exc, 'strerror', exc)})"
        ) from None
    if mode & 0o077:
        raise EncryptionKeyUnusable(
            f"MITRA_ENCRYPTION_KEY_FILE {path} can be read by others (mode {mode & 0o777:o}); "
            f"make it yours alone: chmod 600 {path}"
        )
    if not text:
        raise EncryptionKeyUnusable(f"MITRA_ENCRYPTION_KEY_FILE {path} is empty")
    return text
