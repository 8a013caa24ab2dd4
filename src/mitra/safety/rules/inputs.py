"""What the safety rules read: the timeline and the facts around it, as plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

import numpy as np
import numpy.typing as npt

from mitra.knowledge.loader import load
from mitra.safety.evidence import ParameterUsed, ProductSeen, moment_text
from mitra.safety.parameters import HEURISTIC_NOTE, RuleParameters, load_rule_parameters
from mitra.taper import Schedule, TaperEvent
from mitra.timeline import DayClock, Timeline
from mitra.vocabulary import ProductForm

__all__ = [
    "ProductFacts",
    "ResponseFacts",
    "SafetyInput",
    "SubstanceFacts",
    "TaperFacts",
]

HOUR = 3600.0


@dataclass(frozen=True)
class ProductFacts:
    """A kratom product as the rules need it: its form and lab figures (mg per g), if known."""

    id: int
    name: str
    form: ProductForm
    mitragynine_mg_per_g: float | None = None
    hydroxy_mg_per_g: float | None = None

    def seen(self) -> ProductSeen:
        """The product as an alert's evidence names it."""
        return ProductSeen(id=self.id, name=self.name, form=self.form)


@dataclass(frozen=True)
class SubstanceFacts:
    """One of the person's substances: its journal id and the knowledge-base id it resolved to."""

    id: int
    name: str
    knowledge_id: str | None
    active: bool = True


@dataclass(frozen=True)
class ResponseFacts:
    """A scored questionnaire response: instrument code, when, its total and its flags."""

    id: int
    instrument: str
    at: datetime
    total: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaperFacts:
    """The active taper: its saved schedule and the person's choices along it."""

    schedule: Schedule
    events: tuple[TaperEvent, ...] = ()


@dataclass(frozen=True)
class SafetyInput:
    """Everything the rules read: plain data, no database.

    `timeline.dose_product` holds keys of `products`, `timeline.intake_substance` keys of
    `substances`; `now` is an aware datetime. `parameters` defaults to safety_rules.toml.
    """

    timeline: Timeline
    products: Mapping[int, ProductFacts]
    substances: Mapping[int, SubstanceFacts]
    responses: Sequence[ResponseFacts]
    now: datetime
    parameters: RuleParameters = field(default_factory=load_rule_parameters)
    taper: TaperFacts | None = None

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        if any(r.at.tzinfo is None for r in self.responses):
            raise ValueError("every response's time must be an aware datetime")
        missing_products = {int(p) for p in self.timeline.dose_product} - set(self.products)
        if missing_products:
            raise ValueError(f"doses refer to unknown products {sorted(missing_products)}")
        missing = {int(s) for s in self.timeline.intake_substance} - set(self.substances)
        if missing:
            raise ValueError(f"intakes refer to unknown substances {sorted(missing)}")

    def used(self, rule: str) -> tuple[ParameterUsed, ...]:
        """A rule's parameters as its alerts' evidence keeps them."""
        return tuple(ParameterUsed.of(p) for p in self.parameters.of(rule))

    def local_day(self, index: int) -> date:
        """The local day at an index of the timeline's span."""
        return self.timeline.first + timedelta(days=index)

    def dose_days(self) -> npt.NDArray[np.int64]:
        """Each dose's local day index."""
        return self.timeline.day_of(self.timeline.dose_time)


# --- small shared pieces -----------------------------------------------------------------------


def utc(seconds: float) -> datetime:
    """A POSIX time as an aware UTC datetime."""
    return datetime.fromtimestamp(float(seconds), UTC)


def when(seconds: float, clock: DayClock) -> str:
    """A POSIX time on the person's wall clock, as a person reads it."""
    return moment_text(utc(seconds), clock.zone)


def iso(seconds: float) -> str:
    """A POSIX time as an ISO 8601 UTC string to the second (used in evidence keys)."""
    return utc(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_week(day: date) -> str:
    """The ISO week of a day ("2025-W27")."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def unique(ids: Iterable[str]) -> tuple[str, ...]:
    """Ids in first-seen order, without repeats."""
    return tuple(dict.fromkeys(ids))


def heuristic(what: str) -> str:
    """The sentence every alert resting on mitra's own rule of thumb says."""
    return f"{what} is {HEURISTIC_NOTE}."


def in_words(items: Sequence[str]) -> str:
    """ "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@cache
def symptoms_with_signal(signal: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Checklist symptoms that signal a concern: id -> (label, sources), in checklist order."""
    return {s.id: (s.label, s.sources) for s in load().symptoms if signal in s.signals}


def symptoms_by_day(
    data: SafetyInput, signal: str
) -> dict[int, tuple[frozenset[str], float, float]]:
    """Per local day index: the day's symptoms with `signal`, first and last check-in time."""
    wanted = set(symptoms_with_signal(signal))
    timeline = data.timeline
    days = timeline.day_of(timeline.checkin_time)
    out: dict[int, tuple[frozenset[str], float, float]] = {}
    for day, moment, symptoms in zip(days, timeline.checkin_time, timeline.symptoms, strict=True):
        found = symptoms & wanted
        if not found or not 0 <= day < timeline.n_days:
            continue
        seen, first, last = out.get(int(day), (frozenset(), float(moment), float(moment)))
        out[int(day)] = (seen | found, min(first, moment), max(last, moment))
    return out


def symptom_labels(symptom_ids: Iterable[str], signal: str) -> list[str]:
    """The labels of the symptoms, in checklist order."""
    known = symptoms_with_signal(signal)
    chosen = set(symptom_ids)
    return [known[s][0] for s in known if s in chosen]


def symptom_sources(symptom_ids: Iterable[str], signal: str) -> tuple[str, ...]:
    """The sources behind the symptoms' signal."""
    known = symptoms_with_signal(signal)
    chosen = set(symptom_ids)
    return unique(src for s in known if s in chosen for src in known[s][1])
