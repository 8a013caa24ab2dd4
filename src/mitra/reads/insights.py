"""The Insights page, `mitra insights` and the API's insights: the report over the whole journal.

Built from `journal.timeline()` from the journal's first entry to today; the engines in
`mitra.insights` compute the cards. Dose figures are in estimated mg of mitragynine (grams of
leaf for leaf products only); doses with no content figure or estimate are counted and said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mitra.insights import Insight, Report, analyse
from mitra.insights.report import insight as one_insight
from mitra.insights.taper import TaperPeriods
from mitra.timeline import DayClock, Timeline
from mitra.vocabulary import unit_text

from .cache import cached, held, timeline

if TYPE_CHECKING:
    from mitra.journal.models import Person

__all__ = ["InsightView", "InsightsRead", "insight", "insights"]


@dataclass(frozen=True)
class InsightView:
    """One card: its sentence, estimate with 95% interval in `unit`, sample size, method,
    caveat, and the data behind its chart. `status` is "shown" or "not_enough_data"."""

    id: str
    title: str
    sentence: str
    status: str
    estimate: float | None
    interval: tuple[float | None, float | None] | None
    unit: str
    level: bool  # the estimate is a level (a mean), not a change or a slope: no sign
    n: int
    minimum: int
    detected: bool | None
    p_value: float | None
    q_value: float | None
    method: str
    caveat: str
    data: dict[str, Any]


@dataclass(frozen=True)
class InsightsRead:
    """Every card for the journal from `first` to `last`, in display order, with how many
    doses it holds and how many of them have no mitragynine figure or estimate."""

    first: date
    last: date
    disclaimer: str
    doses: int
    doses_without_content: int
    cards: tuple[InsightView, ...]


class _KeptCards:
    """Cards (and parts of cards) by the digest of their inputs, for the engines to reuse
    (`mitra.insights.Kept`)."""

    def __init__(self, size: int) -> None:
        self.cards = held(size)

    def get(self, key: tuple[str, str]) -> Any:
        found, value = self.cards.get(key)
        return value if found else None

    def __setitem__(self, key: tuple[str, str], value: Any) -> None:
        self.cards.put(key, value)


#: Cards whose inputs are the same after a write (a check-in leaves the weekly doses and the
#: questionnaires as they were, and all but one quarter of the tolerance card's) are taken
#: from here: keyed on their inputs, not on the journal version, so they cannot go stale.
#: Room for a few journals' worth (ten years hold about forty quarters).
_cards = _KeptCards(size=256)


def _view(card: Insight) -> InsightView:
    d = card.as_dict()
    interval = d["interval"]
    return InsightView(
        id=d["id"],
        title=d["title"],
        sentence=d["sentence"],
        status=d["status"],
        estimate=d["estimate"],
        interval=None if interval is None else (interval[0], interval[1]),
        unit=d["unit"],
        level=d["level"],
        n=d["n"],
        minimum=d["minimum"],
        detected=d["detected"],
        p_value=d["p_value"],
        q_value=d["q_value"],
        method=d["method"],
        caveat=d["caveat"],
        data=d["data"],
    )


def _now() -> datetime:
    """The current moment (one place, so a test can fix it)."""
    return datetime.now(UTC)


def _today(person: Person, now: datetime | None) -> tuple[date, tuple[str, int]]:
    """The person's local day now, and the clock it was read on (part of every cache key)."""
    clock = DayClock(person.time_zone, person.day_boundary_hour)
    return clock.today(now or _now()), (person.time_zone, person.day_boundary_hour)


def _whole_journal(person: Person, today: date) -> Timeline:
    """The journal from its first entry to today (yesterday and today when it is empty)."""
    from mitra.journal import queries

    clock = DayClock(person.time_zone, person.day_boundary_hour)
    begun = queries.first_entry_at(person)
    first = min(clock.local_day(begun), today) if begun else today - timedelta(days=1)
    return timeline(person, first, today)


def _taper_periods(person: Person, today: date) -> TaperPeriods | None:
    """The active taper's steps as lived up to today (holds and steps back applied), or None."""
    from mitra.journal.tapers import active_taper, events_of, schedule_of
    from mitra.taper import course

    taper = active_taper(person)
    if taper is None:
        return None
    schedule = schedule_of(taper)
    if today < schedule.starts:
        return TaperPeriods(schedule.starts, (), {})
    changes: list[tuple[date, int]] = []
    for day in course(schedule, events_of(taper), today):
        if not changes or changes[-1][1] != day.step:
            changes.append((day.day, day.step))
    labels = {0: f"{unit_text(schedule.start_amount, schedule.unit)} a day (the starting amount)"}
    labels |= {s.number: f"{unit_text(s.allowance, schedule.unit)} a day" for s in schedule.steps}
    return TaperPeriods(schedule.starts, tuple(changes), labels)


def _insights(person: Person, today: date) -> InsightsRead:
    line = _whole_journal(person, today)
    report: Report = analyse(line, _taper_periods(person, today), kept=_cards)
    return InsightsRead(
        first=line.first,
        last=line.last,
        disclaimer=report.disclaimer,
        doses=int(line.dose_time.size),
        doses_without_content=line.doses_without_content(),
        cards=tuple(_view(c) for c in report.cards),
    )


def insights(person: Person, now: datetime | None = None) -> InsightsRead:
    """Every insight card over the person's whole journal (cached on the journal's version)."""
    today, on = _today(person, now)
    return cached(
        person, "insights", (today, on), lambda: _insights(person, today), kept_as=InsightsRead
    )


def _insight(person: Person, today: date, card_id: str) -> InsightView | None:
    taper = _taper_periods(person, today) if card_id.startswith("taper.") else None
    found = one_insight(_whole_journal(person, today), card_id, taper, kept=_cards)
    return None if found is None else _view(found)


def insight(person: Person, card_id: str, now: datetime | None = None) -> InsightView | None:
    """One card by its id (computing only what it needs), or None if there is no such card."""
    today, on = _today(person, now)
    return cached(person, "insight", (today, on, card_id), lambda: _insight(person, today, card_id))
