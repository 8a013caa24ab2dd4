"""Opaque page cursors: the sort keys of the last item shown, so the next page starts after it."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime

__all__ = ["CursorInvalid", "decode_keys", "encode_keys", "moment"]

_NOT_OURS = "is not a cursor this journal gave out; start from the first page"


class CursorInvalid(ValueError):
    """A page cursor that mitra did not make (or that was cut short)."""


def encode_keys(*keys: str | int | None) -> str:
    """An opaque cursor holding the sort keys of the last item on a page."""
    text = json.dumps(list(keys))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_keys(cursor: str, kinds: Sequence[type | tuple[type, ...]]) -> list[object]:
    """The keys inside a cursor, each an instance of its kind in `kinds`, or CursorInvalid."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        keys = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise CursorInvalid(_NOT_OURS) from None
    if not isinstance(keys, list) or len(keys) != len(kinds):
        raise CursorInvalid(_NOT_OURS)
    for key, kind in zip(keys, kinds, strict=True):
        # bool is an int to Python, never to a cursor.
        if not isinstance(key, kind) or isinstance(key, bool):
            raise CursorInvalid(_NOT_OURS)
    return keys


def moment(text: object) -> datetime:
    """A time written in a cursor (ISO 8601 with its offset), or CursorInvalid."""
    try:
        at = datetime.fromisoformat(str(text))
        at.astimezone(UTC)  # out-of-range offsets fail here, not in the query
    except (ValueError, OverflowError):
        raise CursorInvalid(_NOT_OURS) from None
    if at.tzinfo is None:
        raise CursorInvalid(_NOT_OURS)
    return at
