"""What the journal's services raise when they refuse an input."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .schemas import LINES_PATTERN, ONE_LINE_PATTERN, control_message

__all__ = [
    "ConfirmationNeeded",
    "DuplicateSubmission",
    "EntryInvalid",
    "NotFound",
    "StoppedAfterSaving",
    "TaperInProgress",
    "TokenReused",
    "from_validation_error",
    "plain_message",
]


class EntryInvalid(ValueError):
    """The input was refused; `errors` maps each field name to one plain-language message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


class ConfirmationNeeded(EntryInvalid):
    """The entry is so far beyond the knowledge base's figures that it is saved only once the
    person confirms it (`confirm`); `code` names the check for machines, `sources` its sources.
    """

    def __init__(self, code: str, field: str, message: str, sources: tuple[str, ...]) -> None:
        self.code = code
        self.sources = sources
        super().__init__({field: message})


class DuplicateSubmission(Exception):
    """The same submission (same form token) was already stored; `entry` is the stored one."""

    def __init__(self, entry: Any) -> None:
        self.entry = entry
        super().__init__(f"already saved as {type(entry).__name__.lower()} {entry.pk}")


class TokenReused(EntryInvalid):
    """A submission's token was already used for an entry with other values (a form sent
    again after it was changed, a client reusing a token): the new values are not saved, and
    are not answered as if they were; `entry` is what the token saved then."""

    def __init__(self, entry: Any, word: str) -> None:
        self.entry = entry
        self.word = word
        super().__init__(
            {
                "token": f"was sent before with other values ({word} {entry.pk} was saved "
                "then), so these were not saved; send them again with a new token"
            }
        )


class TaperInProgress(EntryInvalid):
    """A new taper was to be saved while one is in progress, without the person's choice to
    replace it: nothing is saved. `taper` is the one in progress; the message (under "taper")
    says what it is and what replacing it does, and each face adds how to choose it."""

    def __init__(self, taper: Any, message: str) -> None:
        self.taper = taper
        super().__init__({"taper": message})


class StoppedAfterSaving(KeyboardInterrupt):
    """Ctrl-C (or another stop the alert refresh holds) came once the entry had committed:
    `entry` is in the journal and its alerts are stored, so a face says so rather than
    "interrupted", which reads as nothing saved and is answered by entering it again.

    A KeyboardInterrupt still, so whatever stops on Ctrl-C stops on it."""

    def __init__(self, entry: Any) -> None:
        self.entry = entry
        super().__init__(f"stopped after {type(entry).__name__.lower()} {entry.pk} was saved")


class NotFound(LookupError):
    """No such entry in this person's journal."""


#: How a field's message begins when it reads on from the field's name: "Name is required",
#: "--at must be a date and time". Any other message ("choose one of your substances") is a
#: sentence of its own, shown without the name before it.
READS_ON = ("is ", "must ", "needs ", "may ", "lists ", "brings ")


def reads_on(message: str) -> bool:
    """True when `message` reads on from its field's name (see READS_ON)."""
    return message.startswith(READS_ON)


def _num(value: Any) -> Any:
    return f"{value:g}" if isinstance(value, float) else value


def plain_message(error: Any, *, empty_is_none: bool = True) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in a person's words.

    `empty_is_none`: a value of no type that is None is an empty form field ("is required"); an
    API body says what it means (its errors carry no input: "must be a whole number")."""
    kind = error["type"]
    ctx = {key: _num(value) for key, value in (error.get("ctx") or {}).items()}
    if empty_is_none and error.get("input") is None and kind.endswith("_type"):
        return "is required"  # an empty form field arrives as None
    messages = {
        "missing": "is required",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "greater_than": f"must be more than {ctx.get('gt')}",
        "less_than": f"must be less than {ctx.get('lt')}",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "int_type": "must be a whole number",
        "float_parsing": "must be a number",
        "float_type": "must be a number",
        "finite_number": "must be a finite number",
        "string_too_short": "is required",
        "string_too_long": f"is too long (at most {ctx.get('max_length')} characters)",
        "datetime_parsing": "must be a date and time, like 2026-11-25 08:30",
        "datetime_from_date_parsing": "must be a date and time, like 2026-11-25 08:30",
        "datetime_type": "must be a date and time, like 2026-11-25 08:30",
        "timezone_aware": "must say its time zone",
        "enum": f"must be one of: {ctx.get('expected')}",
        "literal_error": f"must be one of: {ctx.get('expected')}",
        "list_type": "must be a list",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "string_type": "must be text",
        "model_type": "must be an object",
        "dict_type": "must be an object",
        "model_attributes_type": "must be an object",
        "extra_forbidden": "is not a field here (the fields are in /api/v1/openapi.json)",
    }
    if kind in messages:
        return messages[kind]
    if kind == "string_pattern_mismatch":
        # The API's bodies refuse control characters by pattern (the input is not in their
        # errors, so the character is not named); the one other pattern is a phone number's.
        pattern = ctx.get("pattern")
        if pattern in (ONE_LINE_PATTERN, LINES_PATTERN):
            return control_message(lines=pattern == LINES_PATTERN)
        return "may hold only digits, spaces, dots and + ( ) -"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"]).lower()


def from_validation_error(exc: ValidationError) -> EntryInvalid:
    """One message per field (the first), in the schema's field order."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        # A check across fields names the field to show it beside in its context ("field").
        field = ".".join(loc) if loc else str((error.get("ctx") or {}).get("field", "__all__"))
        errors.setdefault(field, plain_message(error))
    return EntryInvalid(errors)
