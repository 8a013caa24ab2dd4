"""Typed evidence of an alert: what a rule saw, stored as tagged JSON and shown as labelled facts.

Each family of rules has its own frozen dataclass, registered by its `kind`. It is stored in an
alert with that tag and read back into the same type, and it says how it is shown: a tuple of
`Fact`s made from its typed fields, so a time is formatted because its field is a datetime,
never because a string looks like one. Evidence stored before the tags existed is shown as
plain labelled text and never parsed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, ClassVar

from pydantic import TypeAdapter, ValidationError

from mitra import wording
from mitra.knowledge.citing import readable_id
from mitra.safety.parameters import RuleParameter

__all__ = [
    "DoseSeen",
    "Evidence",
    "Fact",
    "ParameterUsed",
    "ProductSeen",
    "ResponseSeen",
    "StoredEvidence",
    "SubstanceSeen",
    "day_text",
    "evidence_from_json",
    "evidence_kinds",
    "grams_text",
    "hours_text",
    "moment_text",
    "parameters_fact",
]

_KINDS: dict[str, type[Evidence]] = {}

_BASIS = {
    "heuristic": "mitra's own rule of thumb",
    "source": "from the literature",
    "convention": "a statistical convention",
}


@dataclass(frozen=True)
class Fact:
    """One labelled fact an alert rests on, as a person reads it."""

    label: str
    text: str


# --- how typed values are written --------------------------------------------------------------


def moment_text(moment: datetime, zone: tzinfo) -> str:
    """A time on the person's wall clock ("3 Mar 2025, 21:00")."""
    return wording.moment(moment.astimezone(zone))


def day_text(day: date) -> str:
    """A local day ("3 Mar 2025")."""
    return wording.day(day)


def grams_text(value: float) -> str:
    """Grams to three significant figures below 10 g, else to a tenth."""
    return f"{value:.3g} g" if value < 10 else f"{value:.1f} g"


def hours_text(hours: float) -> str:
    """A duration in hours as hours and minutes ("2 h 30 min")."""
    minutes = round(hours * 60)
    if minutes < 60:
        return f"{minutes} min"
    whole, rest = divmod(minutes, 60)
    return f"{whole} h {rest} min" if rest else f"{whole} h"


def _number(value: float) -> str:
    return f"{value:g}"


# --- pieces shared by several families ---------------------------------------------------------


@dataclass(frozen=True)
class ParameterUsed:
    """A rule parameter as the alert used it, with its basis and sources."""

    name: str
    value: float | str | tuple[str, ...]
    unit: str
    basis: str
    sources: tuple[str, ...] = ()

    @classmethod
    def of(cls, parameter: RuleParameter) -> ParameterUsed:
        """The parameter as stored with an alert."""
        return cls(
            name=parameter.name,
            value=parameter.value,
            unit=parameter.unit,
            basis=parameter.basis,
            sources=parameter.sources,
        )

    def text(self) -> str:
        """ "window hours: 6 hours (mitra's own rule of thumb)"."""
        value = self.value
        shown = (
            ", ".join(readable_id(v) for v in value)
            if isinstance(value, tuple)
            else (_number(value) if isinstance(value, float) else readable_id(value))
        )
        unit = f" {self.unit}" if self.unit else ""
        basis = _BASIS.get(self.basis, self.basis)
        return f"{self.name.replace('_', ' ')}: {shown}{unit} ({basis})"


@dataclass(frozen=True)
class ProductSeen:
    """A kratom product as an alert names it."""

    id: int
    name: str
    form: str


@dataclass(frozen=True)
class DoseSeen:
    """A logged dose: when, how many grams of product, and of which product."""

    at: datetime
    grams: float
    product: ProductSeen

    def text(self, zone: tzinfo) -> str:
        """ "2 g of Red Bali powder at Mon 3 Mar 2025, 09:00"."""
        return f"{grams_text(self.grams)} of {self.product.name} at {moment_text(self.at, zone)}"


@dataclass(frozen=True)
class SubstanceSeen:
    """One of the person's substances and the knowledge-base id it resolved to."""

    id: int
    name: str
    knowledge_id: str | None


@dataclass(frozen=True)
class ResponseSeen:
    """A scored questionnaire response."""

    id: int
    instrument: str
    at: datetime
    total: float
    flags: tuple[str, ...] = ()

    def text(self, zone: tzinfo) -> str:
        """ "SOWS at Mon 3 Mar 2025, 09:00: total 20"."""
        return f"{self.instrument} at {moment_text(self.at, zone)}: total {_number(self.total)}"


# --- the base type and its registry ------------------------------------------------------------


_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(kind: type[Evidence]) -> TypeAdapter[Any]:
    """One pydantic adapter per evidence type (building one is slow; they are reused)."""
    if kind.__qualname__ not in _ADAPTERS:
        _ADAPTERS[kind.__qualname__] = TypeAdapter(kind)
    return _ADAPTERS[kind.__qualname__]


@dataclass(frozen=True)
class Evidence:
    """What a rule saw. Subclasses name their `kind` (`class X(Evidence, kind="x")`)."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, *, kind: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not kind:
            return
        if kind in _KINDS:
            raise TypeError(f"evidence kind {kind!r} is registered twice")
        cls.kind = kind
        _KINDS[kind] = cls

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        """The evidence as labelled facts, times on the person's clock (`zone`)."""
        raise NotImplementedError

    def parts(self) -> frozenset[str]:
        """The own keys of the smallest findings this evidence tells of, as its rule makes them
        (see `Finding.parts`); none by default."""
        return frozenset()

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form with its `kind` tag, as stored in an alert."""
        data: dict[str, Any] = _adapter(type(self)).dump_python(self, mode="json")
        return {"kind": self.kind, **data}


def parameters_fact(parameters: Iterable[ParameterUsed]) -> tuple[Fact, ...]:
    """The rule settings an alert used, as one fact (none when there are none)."""
    chosen = [p.text() for p in parameters]
    return (Fact("Rule settings", "; ".join(chosen)),) if chosen else ()


@dataclass(frozen=True)
class StoredEvidence(Evidence):
    """Evidence stored without a known tag: shown as plain labelled text, never parsed."""

    items: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, data: Any) -> StoredEvidence:
        """Each top-level entry as a label and its JSON text (a string as it is)."""
        if not isinstance(data, Mapping):
            return cls(items=(("Evidence", _plain(data)),))
        return cls(
            items=tuple(
                (str(key).replace("_", " ").capitalize(), _plain(value))
                for key, value in data.items()
            )
        )

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return tuple(Fact(label, text) for label, text in self.items)

    def to_json(self) -> dict[str, Any]:
        return dict(self.items)


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def evidence_kinds() -> dict[str, type[Evidence]]:
    """Every registered kind of evidence (the rule families register theirs on import)."""
    import mitra.safety.rules  # noqa: F401  registers the families' evidence types

    return dict(_KINDS)


def evidence_from_json(data: Any) -> Evidence:
    """Stored evidence read back into its type; untagged or unreadable evidence as plain text."""
    kinds = evidence_kinds()
    kind = data.get("kind") if isinstance(data, Mapping) else None
    chosen = kinds.get(kind) if isinstance(kind, str) else None
    if chosen is None:
        return StoredEvidence.of(data)
    fields = {k: v for k, v in data.items() if k != "kind"}
    try:
        found: Evidence = _adapter(chosen).validate_python(fields)
    except ValidationError:
        return StoredEvidence.of(data)
    return found
