"""Query parameters every paged list takes: `limit` (bounded) and an opaque `cursor`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from ninja import Query
from ninja.errors import HttpError

from mitra.reads.cursor import CursorInvalid
from mitra.reads.journal import MAX_PAGE

__all__ = ["Cursor", "Limit", "paged"]

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Items per page (1-{MAX_PAGE})")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="The next_cursor of the previous page")
]


def paged(read: Callable[[], T]) -> T:
    """`read()`, with a cursor mitra did not give out answered as a 422 problem."""
    try:
        return read()
    except CursorInvalid as exc:
        raise HttpError(422, f"cursor {exc}") from None
