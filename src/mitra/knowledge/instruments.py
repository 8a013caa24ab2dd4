"""Load and validate the questionnaires' items, answers, scoring, bands and thresholds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, Literal, Self

from pydantic import ValidationError, field_validator, model_validator

from mitra.knowledge.citing import readable_tree
from mitra.knowledge.loader import KnowledgeError, Record, load, read_toml

__all__ = [
    "AnswerOption",
    "Band",
    "ChangeThresholds",
    "FlagRule",
    "Instrument",
    "Item",
    "Note",
    "Screening",
    "Subscale",
    "load_instruments",
    "loinc_check_digit_ok",
    "parse_instruments",
]

FILE = "instruments.toml"
FlagId = Literal["crisis", "seek_professional_care"]

# LOINC term codes are digits, a hyphen and a mod-10 check digit; answer codes are LA...-d.
_LOINC_TERM = re.compile(r"^\d{1,7}-\d$")
_LOINC_ANSWER = re.compile(r"^LA\d{1,8}-\d$")


def loinc_check_digit_ok(code: str) -> bool:
    """Whether a LOINC term code's check digit matches its number (LOINC's mod-10 rule)."""
    if not _LOINC_TERM.match(code):
        return False
    number, check = code.split("-")
    total = 0
    # Luhn: double every other digit from the right, starting with the rightmost one.
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(check)


def _term_code(value: str) -> str:
    if value and not loinc_check_digit_ok(value):
        raise ValueError(f"{value!r} is not a LOINC code with a valid check digit")
    return value


class Note(Record):
    """Context shown beside a result (never a band or a threshold)."""

    text: str
    sources: tuple[str, ...]


class AnswerOption(Record):
    """One answer an item offers: its score value and its label."""

    value: int
    label: str
    loinc: str = ""

    @field_validator("loinc")
    @classmethod
    def _answer_code(cls, value: str) -> str:
        if value and not _LOINC_ANSWER.match(value):
            raise ValueError(f"{value!r} is not a LOINC answer code (LA...-d)")
        return value


class Item(Record):
    """One question in its published wording; `answer` overrides the instrument's options."""

    text: str
    loinc: str = ""
    answer: tuple[AnswerOption, ...] = ()

    _loinc = field_validator("loinc")(_term_code)


class Band(Record):
    """A severity band of the total, `min` to `max` inclusive."""

    id: str
    label: str
    min: int
    max: int
    meaning: str


class Screening(Record):
    """A screening cut-point: a total at or above `at_least` screens positive."""

    at_least: int
    meaning: str
    sources: tuple[str, ...]


class Subscale(Record):
    """A scored subset of items (1-based numbers) with its own screening cut-point."""

    id: str
    label: str
    items: tuple[int, ...]
    at_least: int
    meaning: str
    sources: tuple[str, ...]


class FlagRule(Record):
    """A safety flag raised by one item's answer or by the total, whichever the rule names.

    `message` speaks to the person who answered; `clinician` says what the flag means to their
    clinician, in the third person (the clinician's report)."""

    id: FlagId
    message: str
    clinician: str
    sources: tuple[str, ...]
    item: int | None = None
    item_at_least: int | None = None
    total_at_least: int | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> Self:
        by_item = self.item is not None and self.item_at_least is not None
        by_total = self.total_at_least is not None
        if by_item == by_total or (self.item is None) != (self.item_at_least is None):
            raise ValueError("a flag is raised by `item` + `item_at_least` or by `total_at_least`")
        return self


class ChangeThresholds(Record):
    """MCID and reliable change in points of the total; None means not established."""

    mcid: int | None = None
    mcid_sources: tuple[str, ...] = ()
    reliable_change: int | None = None
    reliable_change_sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _figures_cite(self) -> Self:
        if (self.mcid is None) != (not self.mcid_sources):
            raise ValueError("an mcid needs sources, and sources need an mcid")
        if (self.reliable_change is None) != (not self.reliable_change_sources):
            raise ValueError("a reliable_change needs sources, and sources need a reliable_change")
        return self


class Instrument(Record):
    """A validated questionnaire as published, with everything needed to score it."""

    code: str
    name: str
    stem: str
    recall: str
    scoring: str
    missing: Literal["refuse"]
    missing_note: str
    sources: tuple[str, ...]
    item: tuple[Item, ...]
    answer: tuple[AnswerOption, ...] = ()
    loinc_panel: str = ""
    loinc_total: str = ""
    band: tuple[Band, ...] = ()
    band_sources: tuple[str, ...] = ()
    bands_note: str = ""
    screening: Screening | None = None
    subscale: tuple[Subscale, ...] = ()
    flag: tuple[FlagRule, ...] = ()
    change: ChangeThresholds = ChangeThresholds()
    note: tuple[Note, ...] = ()
    higher_is_worse: Literal[True] = True

    _panel = field_validator("loinc_panel", "loinc_total")(_term_code)

    @property
    def items(self) -> tuple[Item, ...]:
        """The items in order (item 1 first)."""
        return self.item

    @property
    def bands(self) -> tuple[Band, ...]:
        """Severity bands from lowest to highest."""
        return self.band

    @property
    def subscales(self) -> tuple[Subscale, ...]:
        """Scored subsets of items."""
        return self.subscale

    @property
    def flags(self) -> tuple[FlagRule, ...]:
        """Safety flag rules, in the order they are shown."""
        return self.flag

    @property
    def notes(self) -> tuple[Note, ...]:
        """Context notes."""
        return self.note

    def options(self, number: int) -> tuple[AnswerOption, ...]:
        """The answers item `number` (1-based) offers."""
        return self.item[number - 1].answer or self.answer

    def item_range(self, number: int) -> tuple[int, int]:
        """Lowest and highest value item `number` (1-based) accepts."""
        values = [option.value for option in self.options(number)]
        return min(values), max(values)

    @property
    def maximum(self) -> int:
        """The highest possible total."""
        return sum(self.item_range(n)[1] for n in range(1, len(self.item) + 1))

    def cited(self) -> tuple[str, ...]:
        """Every source id this instrument cites, each once, in order of appearance."""
        ids = [*self.sources, *self.band_sources]
        ids += self.screening.sources if self.screening else ()
        for sub in self.subscale:
            ids += sub.sources
        for rule in self.flag:
            ids += rule.sources
        for note in self.note:
            ids += note.sources
        ids += (*self.change.mcid_sources, *self.change.reliable_change_sources)
        return tuple(dict.fromkeys(ids))

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if not self.item:
            raise ValueError("an instrument needs items")
        if not self.sources:
            raise ValueError("an instrument needs sources")
        for number in range(1, len(self.item) + 1):
            values = [option.value for option in self.options(number)]
            if values != list(range(len(values))) or len(values) < 2:
                raise ValueError(f"item {number}: answer values must run 0, 1, 2, ... in order")
        self._check_bands()
        count = len(self.item)
        if self.screening and not 0 < self.screening.at_least <= self.maximum:
            raise ValueError("the screening cut-point lies outside the total's range")
        for sub in self.subscale:
            if not sub.items or any(not 1 <= n <= count for n in sub.items):
                raise ValueError(f"subscale {sub.id} names items outside 1-{count}")
        for rule in self.flag:
            if rule.item is not None and not 1 <= rule.item <= count:
                raise ValueError(f"flag {rule.id} names item {rule.item}, outside 1-{count}")
            if rule.total_at_least is not None and not 0 < rule.total_at_least <= self.maximum:
                raise ValueError(f"flag {rule.id}: total_at_least lies outside the total's range")
        return self

    def _check_bands(self) -> None:
        if not self.band:
            if not self.bands_note:
                raise ValueError("an instrument without bands must say why in `bands_note`")
            if self.band_sources:
                raise ValueError("band_sources given but there are no bands")
            return
        if not self.band_sources:
            raise ValueError("bands need band_sources")
        expected = 0
        for band in self.band:
            if band.min != expected or band.max < band.min:
                raise ValueError(f"band {band.id} must start at {expected} and not end before it")
            expected = band.max + 1
        if expected != self.maximum + 1:
            raise ValueError(f"bands end at {expected - 1}, but the total reaches {self.maximum}")


def parse_instruments(data: Mapping[str, Any], known_sources: set[str]) -> dict[str, Instrument]:
    """Validate parsed TOML into instruments by code, checking every cited source id exists."""
    out: dict[str, Instrument] = {}
    for index, row in enumerate(data.get("instrument", [])):
        ident = row.get("code", f"#{index + 1}")
        try:
            instrument = Instrument.model_validate(row)
        except ValidationError as exc:
            raise KnowledgeError(f"{FILE}: instrument {ident}: {exc}") from exc
        if instrument.code in out:
            raise KnowledgeError(f"{FILE}: instrument {instrument.code!r} is defined twice")
        missing = [sid for sid in instrument.cited() if sid not in known_sources]
        if missing:
            raise KnowledgeError(f"{FILE}: {instrument.code} cites unknown sources {missing}")
        out[instrument.code] = instrument
    return out


@cache
def load_instruments() -> Mapping[str, Instrument]:
    """The validated instruments by code, e.g. "GAD-7" (parsed once per process)."""
    return MappingProxyType(parse_instruments(readable_tree(read_toml(FILE)), set(load().sources)))
