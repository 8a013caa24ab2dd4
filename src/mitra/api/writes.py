"""How the API takes a write: JSON bodies only, a replay token, 201 with the entry's read."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema
from ninja.errors import HttpError
from pydantic import AwareDatetime, BeforeValidator, ConfigDict

from mitra.journal.errors import DuplicateSubmission
from mitra.journal.schemas import LINES_PATTERN, ONE_LINE_PATTERN
from mitra.journal.services import TOKEN_LENGTH

from .documents import respond
from .people import person_of

__all__ = [
    "DAY_WORDS",
    "LINES",
    "ONE_LINE",
    "PROBLEMS",
    "TIME_WORDS",
    "WRITE_PROBLEMS",
    "At",
    "Body",
    "Day",
    "NoBody",
    "Problem",
    "Token",
    "When",
    "change",
    "create",
    "require_json",
]


def _token_length(value: Any) -> Any:
    """An empty token is a token of the wrong length, not a missing field (it is optional)."""
    if isinstance(value, str) and not 1 <= len(value) <= TOKEN_LENGTH:
        raise ValueError(f"must be 1 to {TOKEN_LENGTH} characters")
    return value


# The body schemas say what the journal's schemas will accept, so the OpenAPI document promises
# no more than the server takes: text without control characters (a note may hold line breaks
# and tabs), a time with its offset (the API never guesses a zone: a time without one is
# refused, 422), a bounded token.
ONE_LINE = ONE_LINE_PATTERN
LINES = LINES_PATTERN
Token = Annotated[
    Annotated[str, Field(min_length=1, max_length=TOKEN_LENGTH, pattern=ONE_LINE)] | None,
    BeforeValidator(_token_length),
    Field(None, description="Replay token: a repeat is stored once."),
]


# Text that is a number: pydantic reads "1700000000" (and "2026", "-5", "1.5") as a Unix time.
_NUMBER_TEXT = re.compile(r"[+-]?[0-9]+(\.[0-9]*)?")
# What a time the API cannot read is told: the form it takes, with an example.
TIME_WORDS = "must be a date and time with its offset, like 2026-11-25T08:30:00+01:00"


def _iso_text(value: Any) -> Any:
    """A time is written as ISO 8601 text: a number (a Unix time, 0 for 1970), or text that is
    only a number ("1700000000"), is refused."""
    if value is not None and (not isinstance(value, str) or _NUMBER_TEXT.fullmatch(value)):
        raise ValueError(TIME_WORDS)
    return value


When = Annotated[
    # JSON has no time type: ISO 8601 text, parsed (not strict), and only text (_iso_text).
    Annotated[AwareDatetime, Field(strict=False)] | None,
    BeforeValidator(_iso_text),
    Field(
        None,
        description="With its offset, e.g. 2026-11-25T08:30:00+01:00 (a time without one is "
        "refused). Default: now.",
    ),
]


# A changed entry's time, which an edit always states (a default of now would move the entry).
At = Annotated[
    Annotated[AwareDatetime, Field(strict=False)],
    BeforeValidator(_iso_text),
    Field(..., description="With its offset, e.g. 2026-11-25T08:30:00+01:00."),
]

DAY_WORDS = "must be a date, like 2026-11-25"


def _iso_day(value: Any) -> Any:
    """A day is written as ISO 8601 text: a number, or text that is only a number, is refused
    (pydantic reads "1704067200" as the Unix time of 2024-01-01 and "0" as 1970-01-01, and
    says of "20240101" that datetimes given to dates must be exact)."""
    if value is not None and (not isinstance(value, str) or _NUMBER_TEXT.fullmatch(value)):
        raise ValueError(DAY_WORDS)
    return value


#: A local day, e.g. 2026-11-25 (a query's or a body's).
Day = Annotated[
    Annotated[date, Field(strict=False)] | None,
    BeforeValidator(_iso_day),
    Field(None, description="A date, e.g. 2026-11-25."),
]


class Body(Schema):
    """A write's JSON body, taken as written: a key it does not have is refused (a dose's `at`
    for `taken_at` would otherwise be dropped and the dose logged now), and a number, an id or
    a yes-or-no must be a JSON number or boolean (`true` is not 1 g, `"yes"` not a yes)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class NoBody(Body):
    """The body of a route that takes none: nothing, or {}; a key in it is refused, by name."""


@dataclass(frozen=True)
class Problem:
    """An error as RFC 9457 problem details (served as application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = None


# The error answers every route may give, for the OpenAPI document.
PROBLEMS: dict[int, Any] = {404: Problem, 409: Problem, 422: Problem}
# A write also answers 400 (a JSON body that does not parse) and 415 (a body that is not JSON).
WRITE_PROBLEMS: dict[int, Any] = {**PROBLEMS, 400: Problem, 415: Problem}

NOT_JSON = "Send the body as application/json."


def require_json(request: HttpRequest) -> None:
    """Refuse any body but JSON (415)."""
    # A web page elsewhere cannot send JSON to this loopback server without a CORS preflight,
    # which mitra never grants; a form or text/plain post is refused here.
    if request.content_type != "application/json":
        raise HttpError(415, NOT_JSON)


def create(
    request: HttpRequest,
    service: Callable[..., Any],
    data: Mapping[str, Any],
    token: str | None,
    render: Callable[[Any, Any], Any],
) -> HttpResponse:
    """Call a journal service; answer 201 with the entry's read, or 200 when `token` replays."""
    require_json(request)
    person = person_of(request)
    status = 201
    try:
        entry = service(person, data, token=token)
    except DuplicateSubmission as exc:
        entry, status = exc.entry, 200
        if getattr(entry, "deleted_at", None) is not None:
            # The same submission, deleted since: not answered as if it stood in the journal.
            kind = type(entry).__name__.lower()
            again = (
                f"to bring it back: POST /api/v1/entries/{kind}/{entry.pk}/restore"
                if kind in {"dose", "checkin", "practice", "intake"}
                else "send it with a new token to add it again"
            )
            raise HttpError(
                409, f"This {kind} was sent before and deleted since ({kind} {entry.pk}); {again}"
            ) from None
    return respond(render(person, entry), status=status)


def change(
    request: HttpRequest,
    service: Callable[[Any, int, Mapping[str, Any]], Any],
    entry_id: int,
    data: Mapping[str, Any],
    render: Callable[[Any, Any], Any],
) -> HttpResponse:
    """Call a journal service that changes one entry; answer 200 with its read (404 for an id
    that is not this journal's, or deleted)."""
    require_json(request)
    person = person_of(request)
    return respond(render(person, service(person, entry_id, data)))
