"""Errors raised for questionnaire input that cannot be scored; each message names the problem."""

from __future__ import annotations

__all__ = [
    "AnswerCountError",
    "AnswerRangeError",
    "InstrumentError",
    "MissingAnswersError",
    "TotalRangeError",
    "UnknownInstrumentError",
]


class InstrumentError(ValueError):
    """Input a questionnaire cannot be scored from; the message is fit to show a person."""


class UnknownInstrumentError(InstrumentError):
    """The instrument code is not one mitra knows."""


class AnswerCountError(InstrumentError):
    """Too many or too few answers for the instrument."""


class AnswerRangeError(InstrumentError):
    """An answer is not one of the values its item offers."""


class MissingAnswersError(InstrumentError):
    """Some items are unanswered, and the instrument's source gives no rule to score without them.

    `items` holds the 1-based numbers of the unanswered items.
    """

    def __init__(self, message: str, items: tuple[int, ...]) -> None:
        super().__init__(message)
        self.items = items


class TotalRangeError(InstrumentError):
    """A total given for comparison lies outside the instrument's range."""
