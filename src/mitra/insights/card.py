"""An insight card and the report that holds them, as plain data for pages, CLI and JSON."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

import numpy as np

__all__ = [
    "DISCLAIMER",
    "Insight",
    "Kept",
    "Report",
    "Status",
    "not_enough",
    "remembered",
    "remembered_each",
]

Status = Literal["shown", "not_enough_data"]
T = TypeVar("T")

DISCLAIMER = (
    "These are associations in your own journal, not proof of cause, and not medical advice."
)


def _number(value: float | None) -> float | None:
    """A finite float for JSON, or None."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


@dataclass(frozen=True)
class Insight:
    """One card: a sentence, an estimate with its 95% interval and sample size, and its data.

    `estimate` is in `unit`; `interval` is the 95% interval (None where none applies, as for a
    questionnaire total). `detected` says whether the association passed its test (after
    multiplicity control where several are tested together); None when nothing was tested.
    `data` holds what a chart needs (points, series), as JSON-ready lists and numbers.
    `level`: the estimate is a level (a mean), not a change or a slope, so it has no sign.
    """

    id: str
    title: str
    sentence: str
    status: Status
    method: str
    caveat: str
    n: int
    estimate: float | None = None
    interval: tuple[float, float] | None = None
    unit: str = ""
    detected: bool | None = None
    p_value: float | None = None
    q_value: float | None = None
    minimum: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    level: bool = False

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "id": self.id,
            "title": self.title,
            "sentence": self.sentence,
            "status": self.status,
            "estimate": _number(self.estimate),
            "interval": None
            if self.interval is None
            else [_number(self.interval[0]), _number(self.interval[1])],
            "unit": self.unit,
            "level": self.level,
            "n": self.n,
            "minimum": self.minimum,
            "detected": self.detected,
            "p_value": _number(self.p_value),
            "q_value": _number(self.q_value),
            "method": self.method,
            "caveat": self.caveat,
            "data": self.data,
        }


def not_enough(
    id: str,
    title: str,
    *,
    have: int,
    need: int,
    what: str,
    method: str,
    caveat: str,
    data: dict[str, Any] | None = None,
) -> Insight:
    """A card that says how much more data it needs: "Not enough data yet: 9 of 14 days"."""
    return Insight(
        id=id,
        title=title,
        sentence=f"Not enough data yet: {have} of {need} {what}.",
        status="not_enough_data",
        method=method,
        caveat=caveat,
        n=have,
        minimum=need,
        data=data or {},
    )


@dataclass(frozen=True)
class Report:
    """Every insight card for a span of the journal, in display order."""

    first: str
    last: str
    cards: tuple[Insight, ...]
    disclaimer: str = DISCLAIMER

    def card(self, id: str) -> Insight:
        """The card with this id (KeyError if there is none)."""
        for c in self.cards:
            if c.id == id:
                return c
        raise KeyError(id)

    def ids(self) -> tuple[str, ...]:
        """The cards' ids, in order."""
        return tuple(c.id for c in self.cards)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what `mitra insights --json` can print)."""
        return {
            "first": self.first,
            "last": self.last,
            "disclaimer": self.disclaimer,
            "cards": [c.as_dict() for c in self.cards],
        }


class Kept(Protocol):
    """Cards (or parts of one) computed before, by their name and a digest of everything they
    are computed from (the caller holds them; the engines only look up and add)."""

    def get(self, key: tuple[str, str]) -> Any: ...

    def __setitem__(self, key: tuple[str, str], value: Any) -> None: ...


def _digest(inputs: tuple[Any, ...]) -> str:
    h = hashlib.blake2b(digest_size=20)
    for value in inputs:
        if isinstance(value, np.ndarray):
            h.update(f"{value.dtype}{value.shape}".encode())
            h.update(np.ascontiguousarray(value).tobytes())
        else:
            h.update(repr(value).encode())
        h.update(b"\0")
    return h.hexdigest()


def remembered(kept: Kept | None, name: str, inputs: tuple[Any, ...], make: Callable[[], T]) -> T:
    """`make()`, or what it made before from equal `inputs` (all that it reads)."""
    if kept is None:
        return make()
    key = (name, _digest(inputs))
    found = kept.get(key)
    if found is None:
        found = make()
        kept[key] = found
    return found  # type: ignore[no-any-return]


def remembered_each(
    kept: Kept | None,
    name: str,
    inputs: Sequence[tuple[Any, ...]],
    make: Callable[[Sequence[tuple[Any, ...]]], Sequence[T]],
) -> list[T]:
    """`make(inputs)`, one result per inputs, with those made before from equal inputs taken
    from `kept` and only the others made, together in one call (`remembered` for parts that
    are cheaper to compute as a batch)."""
    if kept is None:
        return list(make(inputs))
    keys = [(name, _digest(one)) for one in inputs]
    found = [kept.get(key) for key in keys]
    missing = [k for k, value in enumerate(found) if value is None]
    if missing:
        for k, value in zip(missing, make([inputs[k] for k in missing]), strict=True):
            found[k] = kept[keys[k]] = value
    return found
