"""Score a questionnaire: total, band, screening, subscales and safety flags, with sources."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

from mitra.instruments.catalogue import instrument
from mitra.instruments.errors import (
    AnswerCountError,
    AnswerRangeError,
    InstrumentError,
    MissingAnswersError,
)
from mitra.knowledge import load
from mitra.knowledge.instruments import Instrument

__all__ = [
    "BandResult",
    "Flag",
    "Score",
    "ScreeningResult",
    "SubscaleScore",
    "cite",
    "score",
]


def cite(source_ids: Sequence[str]) -> list[dict[str, str]]:
    """Source ids expanded to {id, citation, url, grade}, for JSON."""
    return [source.model_dump() for source in load().cite(list(source_ids))]


@dataclass(frozen=True)
class BandResult:
    """The severity band a total falls in."""

    id: str
    label: str
    meaning: str
    min: int
    max: int


@dataclass(frozen=True)
class ScreeningResult:
    """Whether a total reaches a screening cut-point; positive is not a diagnosis."""

    at_least: int
    positive: bool
    meaning: str
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "at_least": self.at_least,
            "positive": self.positive,
            "meaning": self.meaning,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class SubscaleScore:
    """A subscale's total (items are 1-based) and its screening result."""

    id: str
    label: str
    items: tuple[int, ...]
    total: int
    maximum: int
    screening: ScreeningResult

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "id": self.id,
            "label": self.label,
            "items": list(self.items),
            "total": self.total,
            "max": self.maximum,
            "screening": self.screening.as_dict(),
        }


@dataclass(frozen=True)
class Flag:
    """A safety flag: "crisis" (shown before anything else) or "seek_professional_care"."""

    id: str
    message: str
    sources: tuple[str, ...]
    item: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "id": self.id,
            "message": self.message,
            "item": self.item,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Score:
    """A scored questionnaire. `band` is None where the instrument has no bands (`band_note`)."""

    instrument: str
    name: str
    answers: tuple[int, ...]
    total: int
    maximum: int
    band: BandResult | None
    band_note: str
    screening: ScreeningResult | None
    subscales: tuple[SubscaleScore, ...]
    flags: tuple[Flag, ...]
    notes: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def crisis(self) -> bool:
        """Whether crisis resources must come first."""
        return any(flag.id == "crisis" for flag in self.flags)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON; `subscales` only where the instrument has them."""
        out: dict[str, Any] = {
            "instrument": self.instrument,
            "name": self.name,
            "answers": list(self.answers),
            "total": self.total,
            "max": self.maximum,
            "band": None
            if self.band is None
            else {
                "id": self.band.id,
                "label": self.band.label,
                "meaning": self.band.meaning,
                "min": self.band.min,
                "max": self.band.max,
            },
            "band_note": self.band_note,
            "screening": None if self.screening is None else self.screening.as_dict(),
            "flags": [flag.as_dict() for flag in self.flags],
            "notes": list(self.notes),
            "sources": cite(self.sources),
        }
        if self.subscales:
            out["subscales"] = [sub.as_dict() for sub in self.subscales]
        return out

    def to_json(self) -> str:
        """One JSON document (UTF-8 text, not ASCII-escaped)."""
        return json.dumps(self.as_dict(), ensure_ascii=False)


def _answer_values(inst: Instrument, answers: Sequence[int | None]) -> tuple[int, ...]:
    """Answers checked against the items: count, whole numbers in range, none missing."""
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise InstrumentError(f"{inst.code} answers must be a list of numbers")
    if len(answers) != len(inst.items):
        raise AnswerCountError(f"{inst.code} needs {len(inst.items)} answers, got {len(answers)}")
    values: list[int] = []
    missing: list[int] = []
    for number, answer in enumerate(answers, start=1):
        if answer is None:
            missing.append(number)
            continue
        # bool is an int in Python, but True is not an answer anyone gave.
        if isinstance(answer, bool) or not isinstance(answer, Integral):
            raise AnswerRangeError(f"item {number} answer {answer!r} is not a whole number")
        low, high = inst.item_range(number)
        if not low <= answer <= high:
            raise AnswerRangeError(f"item {number} answer {answer} is out of range {low}-{high}")
        values.append(int(answer))
    if missing:
        names = [str(n) for n in missing]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        which = f"item {listed} is" if len(names) == 1 else f"items {listed} are"
        raise MissingAnswersError(
            f"{inst.code} cannot be scored: {which} unanswered. {inst.missing_note}",
            tuple(missing),
        )
    return tuple(values)


def score(code: str, answers: Sequence[int | None]) -> Score:
    """Score answers (item 1 first; None for an unanswered item) on the instrument `code`.

    Raises an InstrumentError subclass naming the problem: unknown code, wrong number of
    answers, an answer out of range, or unanswered items (no cited source allows scoring
    a form with gaps, so none is prorated).
    """
    inst = instrument(code)
    values = _answer_values(inst, answers)
    total = sum(values)
    cited: list[str] = list(inst.sources)

    band = None
    for candidate in inst.bands:
        if candidate.min <= total <= candidate.max:
            band = BandResult(
                candidate.id, candidate.label, candidate.meaning, candidate.min, candidate.max
            )
            cited += inst.band_sources

    screening = None
    if inst.screening is not None:
        rule = inst.screening
        screening = ScreeningResult(
            rule.at_least, total >= rule.at_least, rule.meaning, rule.sources
        )
        cited += rule.sources

    subscales = []
    for sub in inst.subscales:
        sub_total = sum(values[n - 1] for n in sub.items)
        sub_max = sum(inst.item_range(n)[1] for n in sub.items)
        result = ScreeningResult(sub.at_least, sub_total >= sub.at_least, sub.meaning, sub.sources)
        subscales.append(SubscaleScore(sub.id, sub.label, sub.items, sub_total, sub_max, result))
        cited += sub.sources

    flags = []
    for flag in inst.flags:
        if flag.item is not None and flag.item_at_least is not None:
            raised = values[flag.item - 1] >= flag.item_at_least
        else:
            raised = flag.total_at_least is not None and total >= flag.total_at_least
        if raised:
            flags.append(Flag(flag.id, flag.message, flag.sources, flag.item))
            cited += flag.sources

    for note in inst.notes:
        cited += note.sources

    return Score(
        instrument=inst.code,
        name=inst.name,
        answers=values,
        total=total,
        maximum=inst.maximum,
        band=band,
        band_note="" if band else inst.bands_note,
        screening=screening,
        subscales=tuple(subscales),
        flags=tuple(flags),
        notes=tuple(note.text for note in inst.notes),
        sources=tuple(dict.fromkeys(cited)),
    )
