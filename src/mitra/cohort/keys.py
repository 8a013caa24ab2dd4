"""The study secret, each person's study key, and each person's secret shift of dates."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

__all__ = ["SECRET_BYTES", "SecretInvalid", "day_shift", "read_secret", "study_key"]

SECRET_BYTES = 32
# Dates move by 60 to 1,155 days, earlier or later: never zero, and wide enough that no
# exported day is near the real one (a date is a quasi-identifier with a clinic's records).
_SHIFT_MIN_DAYS = 60
_SHIFT_SPAN_DAYS = 1096


class SecretInvalid(ValueError):
    """The study secret file is unusable (unreadable, too short, readable by others)."""


def read_secret(path: Path, *, create: bool) -> bytes:
    """The study secret in `path` (hex); made with owner-only permissions (0600) if missing."""
    if not path.exists():
        if not create:
            raise SecretInvalid(f"{path} does not exist")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(SECRET_BYTES) + "\n")
    if path.stat().st_mode & 0o077:
        raise SecretInvalid(f"{path} can be read by others; make it private: chmod 600 {path}")
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError, OSError):
        raise SecretInvalid(f"{path} does not hold a secret in hexadecimal digits") from None
    if len(secret) < 16:
        raise SecretInvalid(f"{path} holds fewer than 16 bytes; a study secret needs 32")
    return secret


def _mac(secret: bytes, purpose: str, identity: str) -> bytes:
    return hmac.new(secret, f"{purpose}\x00{identity}".encode(), hashlib.sha256).digest()


def study_key(secret: bytes, identity: str) -> str:
    """The person's study key: HMAC-SHA256 of the secret and the person, 32 hex digits."""
    return _mac(secret, "study-key", identity).hex()[:32]


def day_shift(secret: bytes, identity: str) -> int:
    """The person's shift of dates in days (never 0), fixed by the secret."""
    value = int.from_bytes(_mac(secret, "day-shift", identity)[:8], "big")
    size = _SHIFT_MIN_DAYS + value % _SHIFT_SPAN_DAYS
    return size if (value >> 63) & 1 else -size
