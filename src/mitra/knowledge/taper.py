"""Load and validate taper.toml: the taper planner's paces and the thresholds of its hold rule."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import model_validator

from mitra.knowledge.citing import readable_tree
from mitra.knowledge.loader import (
    KnowledgeError,
    Record,
    load,
    read_toml,
    unique_ids,
    validate_rows,
)

__all__ = ["Pace", "TaperKnowledge", "TaperParameter", "load_taper", "parse_taper"]

FILE = "taper.toml"

Basis = Literal["source", "anecdotal", "heuristic"]


class Pace(Record):
    """A named pace: `fraction` of the starting or current amount off every `interval_days`."""

    id: str
    label: str
    suits: str
    fraction: float
    of: Literal["start", "current"]
    interval_days: int
    basis: Basis
    note: str
    sources: tuple[str, ...]

    @model_validator(mode="after")
    def _a_reduction_with_a_source(self) -> Pace:
        if not 0 < self.fraction < 1:
            raise ValueError("a pace takes a fraction between 0 and 1 off, never adds")
        if self.interval_days < 1:
            raise ValueError("a pace's interval is at least one day")
        if self.basis == "heuristic" or not self.sources:
            raise ValueError("a pace needs a source (a guideline or, labelled so, the community)")
        return self

    @property
    def is_anecdotal(self) -> bool:
        """True when the pace is community practice rather than a guideline."""
        return self.basis == "anecdotal"


class TaperParameter(Record):
    """One named number of the planner, with its basis and sources."""

    name: str
    value: float
    unit: str
    basis: Basis
    note: str
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _sourced_when_from_the_literature(self) -> TaperParameter:
        if self.basis == "source" and not self.sources:
            raise ValueError("a parameter whose basis is 'source' needs sources")
        return self

    @property
    def is_heuristic(self) -> bool:
        """True when the figure is mitra's own rule of thumb."""
        return self.basis == "heuristic"


class TaperKnowledge(Record):
    """Every pace and parameter of the planner."""

    borrowed_note: str
    paces: tuple[Pace, ...]
    parameters: tuple[TaperParameter, ...]

    def pace(self, pace_id: str) -> Pace:
        """A pace by id; KeyError if unknown."""
        for pace in self.paces:
            if pace.id == pace_id:
                return pace
        raise KeyError(pace_id)

    def parameter(self, name: str) -> TaperParameter:
        """A parameter by name; KeyError if unknown."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(f"{FILE}: no parameter {name!r}")

    def number(self, name: str) -> float:
        """A parameter's value."""
        return self.parameter(name).value

    def count(self, name: str) -> int:
        """A whole-number parameter (days, check-ins, steps)."""
        value = self.number(name)
        if value != int(value) or value < 1:
            raise KnowledgeError(f"{FILE}: {name} is not a positive whole number")
        return int(value)


def parse_taper(data: dict[str, object]) -> TaperKnowledge:
    """Validate taper.toml's data; every source id must exist in sources.toml."""
    paces: list[Pace] = validate_rows(FILE, "pace", list(data.get("pace", [])), Pace)  # type: ignore[call-overload]
    parameters: list[TaperParameter] = validate_rows(
        FILE,
        "parameter",
        list(data.get("parameter", [])),  # type: ignore[call-overload]
        TaperParameter,
    )
    unique_ids(FILE, [p.id for p in paces])
    unique_ids(FILE, [p.name for p in parameters])
    known = set(load().sources)
    for ident, sources in [(p.id, p.sources) for p in paces] + [
        (p.name, p.sources) for p in parameters
    ]:
        missing = [sid for sid in sources if sid not in known]
        if missing:
            raise KnowledgeError(f"{FILE}: {ident} cites unknown sources {missing}")
    return TaperKnowledge(
        borrowed_note=str(data.get("borrowed_note", "")),
        paces=tuple(paces),
        parameters=tuple(parameters),
    )


@cache
def load_taper() -> TaperKnowledge:
    """The planner's knowledge (parsed once per process)."""
    return parse_taper(readable_tree(read_toml(FILE)))
