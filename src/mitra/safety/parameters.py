"""Load and validate safety_rules.toml: the named windows, counts and cut-offs of the safety rules.

A parameter either comes from the literature (`basis = "source"`), is a statistical convention,
or is mitra's own rule of thumb (`basis = "heuristic"`), which every alert using it says aloud.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, Literal

from pydantic import ValidationError, model_validator

from mitra.knowledge.citing import readable_tree
from mitra.knowledge.loader import KnowledgeError, Record, load, read_toml

__all__ = [
    "EVENTS",
    "HEURISTIC_NOTE",
    "Basis",
    "Event",
    "RuleParameter",
    "RuleParameters",
    "SafetyPolicy",
    "load_policy",
    "load_rule_parameters",
    "parse_policy",
    "parse_rule_parameters",
]

FILE = "safety_rules.toml"

Basis = Literal["source", "heuristic", "convention"]

#: What the person did that makes the rules look again.
Event = Literal["dose", "checkin", "intake", "response", "substance", "product", "taper"]
EVENTS: tuple[Event, ...] = (
    "dose",
    "checkin",
    "intake",
    "response",
    "substance",
    "product",
    "taper",
)

#: Said in every alert that rests on a heuristic parameter.
HEURISTIC_NOTE = "mitra's own rule of thumb, not a clinical threshold"


class RuleParameter(Record):
    """One named parameter of one rule, with its basis and the sources behind it."""

    rule: str
    name: str
    value: float | str | tuple[str, ...]
    unit: str = ""
    basis: Basis
    note: str
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _sourced_when_from_the_literature(self) -> RuleParameter:
        if self.basis == "source" and not self.sources:
            raise ValueError("a parameter whose basis is 'source' needs sources")
        return self

    @property
    def is_heuristic(self) -> bool:
        """True when the figure is mitra's own rule of thumb."""
        return self.basis == "heuristic"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in an alert's evidence."""
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {
            "name": self.name,
            "value": value,
            "unit": self.unit,
            "basis": self.basis,
            "sources": list(self.sources),
        }


class RuleParameters(Record):
    """Every rule's parameters, by (rule, name)."""

    parameters: tuple[RuleParameter, ...]

    def get(self, rule: str, name: str) -> RuleParameter:
        """A parameter; KeyError if the rule has none by that name."""
        for parameter in self.parameters:
            if parameter.rule == rule and parameter.name == name:
                return parameter
        raise KeyError(f"{FILE}: rule {rule!r} has no parameter {name!r}")

    def of(self, rule: str) -> tuple[RuleParameter, ...]:
        """A rule's parameters in the file's order."""
        return tuple(p for p in self.parameters if p.rule == rule)

    def number(self, rule: str, name: str) -> float:
        """A numeric parameter; TypeError if it is not a number."""
        value = self.get(rule, name).value
        if isinstance(value, str | tuple):
            raise TypeError(f"{FILE}: {rule}.{name} is not a number")
        return float(value)

    def count(self, rule: str, name: str) -> int:
        """A whole-number parameter (days, weeks, symptoms)."""
        value = self.number(rule, name)
        if value != int(value) or value < 1:
            raise TypeError(f"{FILE}: {rule}.{name} is not a positive whole number")
        return int(value)

    def text(self, rule: str, name: str) -> str:
        """A parameter that names something (a content row, another parameter)."""
        value = self.get(rule, name).value
        if not isinstance(value, str):
            raise TypeError(f"{FILE}: {rule}.{name} is not a name")
        return value

    def names(self, rule: str, name: str) -> tuple[str, ...]:
        """A list parameter (forms, class ids, symptom ids, a scheme and its band)."""
        value = self.get(rule, name).value
        if not isinstance(value, tuple):
            raise TypeError(f"{FILE}: {rule}.{name} is not a list")
        return value

    def evidence(self, rule: str) -> list[dict[str, Any]]:
        """A rule's parameters as stored in its alerts' evidence."""
        return [p.as_dict() for p in self.of(rule)]

    def heuristic(self, rule: str) -> bool:
        """True when any of a rule's parameters is a heuristic."""
        return any(p.is_heuristic for p in self.of(rule))


def parse_rule_parameters(data: dict[str, Any], known_sources: Iterable[str]) -> RuleParameters:
    """Validate parsed safety_rules.toml against the schema and the known source ids."""
    known = set(known_sources)
    parameters: list[RuleParameter] = []
    seen: set[tuple[str, str]] = set()
    for index, row in enumerate(data.get("parameter", [])):
        try:
            parameter = RuleParameter.model_validate(row)
        except ValidationError as exc:
            where = f"{row.get('rule', '?')}.{row.get('name', f'#{index + 1}')}"
            raise KnowledgeError(f"{FILE}: parameter {where}: {exc}") from exc
        key = (parameter.rule, parameter.name)
        if key in seen:
            raise KnowledgeError(f"{FILE}: parameter {'.'.join(key)} appears twice")
        seen.add(key)
        missing = [sid for sid in parameter.sources if sid not in known]
        if missing:
            raise KnowledgeError(f"{FILE}: {'.'.join(key)} cites unknown sources {missing}")
        parameters.append(parameter)
    return RuleParameters(parameters=tuple(parameters))


@cache
def load_rule_parameters() -> RuleParameters:
    """The validated rule parameters (parsed once per process)."""
    return parse_rule_parameters(readable_tree(read_toml(FILE)), load().sources)


class SafetyPolicy(Record):
    """When the rules run and how far back they look (the `[policy]` table)."""

    look_back_days: int
    # Rules whose finding rests on particular entries: when the rules no longer find it (the
    # entry was deleted or corrected), the alert is withdrawn. Trend rules stay as history.
    entry_rules: tuple[str, ...]
    # Rules whose alerts are dated when found, not by an entry: never outside the span looked at.
    undated_rules: tuple[str, ...] = ()
    events: dict[Event, tuple[str, ...]]

    @model_validator(mode="after")
    def _every_event_named(self) -> SafetyPolicy:
        if self.look_back_days < 1:
            raise ValueError("look_back_days must be a positive number of days")
        missing = [e for e in EVENTS if e not in self.events]
        if missing:
            raise ValueError(f"events {missing} name no rules")
        return self

    def rules_for(self, event: Event) -> tuple[str, ...]:
        """The rule ids that run after an entry of this kind is saved, changed or deleted."""
        return self.events[event]


def parse_policy(data: dict[str, Any]) -> SafetyPolicy:
    """Validate the `[policy]` table of parsed safety_rules.toml."""
    try:
        return SafetyPolicy.model_validate(data.get("policy", {}))
    except ValidationError as exc:
        raise KnowledgeError(f"{FILE}: policy: {exc}") from exc


@cache
def load_policy() -> SafetyPolicy:
    """The validated policy (parsed once per process)."""
    return parse_policy(read_toml(FILE))
