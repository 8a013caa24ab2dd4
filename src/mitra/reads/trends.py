"""A person's trends for a clinician they shared their report and data with: GAD-7 and PHQ-9
totals with their bands, weekly anxiety from check-ins, the weekly kratom dose (estimated mg of
mitragynine with its range; grams of leaf for leaf products only), the taper as lived (steps and
holds) and how the plan's weekly goals went.

One typed result, composed from the reads the person's own pages use (the report's
questionnaire sections and weekly doses, the Taper page, the Plan page's adherence), over whole
Monday-to-Sunday weeks: the faces only render it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mitra.insights.report import insight as one_insight
from mitra.journal import clock, timeline
from mitra.plan import week_start

from .insights import InsightView, _view
from .plan import ADHERENCE_WEEKS, WeekAdherence, weekly_adherence
from .questionnaires import response_view
from .report import (
    DISCLAIMER,
    CrisisAnswer,
    InstrumentSection,
    WeeklyDose,
    _analysed_from,
    _crisis_answer,
    _sections,
    _weeks,
)
from .taper import TaperTrend, taper_trend

if TYPE_CHECKING:
    from mitra.journal.models import Person

__all__ = ["TREND_PERIODS", "TREND_WEEKS", "TrendsRead", "WeeklyAnxiety", "trends"]

#: Complete weeks the trends cover by default (half a year), this week so far besides.
TREND_WEEKS = 26
#: The periods a clinician may choose, in complete weeks: a quarter, half a year, a year.
TREND_PERIODS = (13, 26, 52)


@dataclass(frozen=True)
class WeeklyAnxiety:
    """One complete week (Monday to Sunday) with check-ins: the mean of its days' mean anxiety
    ratings (0-10), the lowest and highest day's mean, and the days rated."""

    week_start: date
    mean: float
    lowest: float
    highest: float
    days_rated: int


@dataclass(frozen=True)
class TrendsRead:
    """The trends over local days `first`..`last` (both included): `weeks` complete weeks
    from the Monday `first` (the weekly figures), then this week so far (questionnaires)."""

    name: str
    first: date
    last: date
    weeks: int
    made_at: datetime
    disclaimer: str
    questionnaires: tuple[InstrumentSection, ...]
    crisis: tuple[CrisisAnswer, ...]  # responses in the period that raised the crisis flag
    anxiety: tuple[WeeklyAnxiety, ...]
    doses: tuple[WeeklyDose, ...]
    dose_trend: InsightView  # the dose-trend card: its `data` feeds the weekly chart
    doses_logged: int
    doses_without_content: int
    taper: TaperTrend
    adherence: tuple[WeekAdherence, ...]
    adherence_weeks: int


def _now() -> datetime:
    """The current moment (one place, so a test can fix it)."""
    return datetime.now(UTC)


def _anxiety_weeks(daily: Any, first: date, weeks: int) -> tuple[WeeklyAnxiety, ...]:
    found = []
    for w in range(weeks):
        rated = [float(v) for v in daily[w * 7 : w * 7 + 7] if not math.isnan(v)]
        if rated:
            found.append(
                WeeklyAnxiety(
                    week_start=first + timedelta(weeks=w),
                    mean=round(sum(rated) / len(rated), 2),
                    lowest=round(min(rated), 2),
                    highest=round(max(rated), 2),
                    days_rated=len(rated),
                )
            )
    return tuple(found)


def trends(person: Person, *, weeks: int = TREND_WEEKS, now: datetime | None = None) -> TrendsRead:
    """The person's trends over the last `weeks` complete weeks (one of `TREND_PERIODS`) and
    this week so far."""
    if weeks not in TREND_PERIODS:
        raise ValueError(f"a period of {weeks} weeks is not one of {TREND_PERIODS}")
    made_at = now or _now()
    the_clock = clock(person)
    last = the_clock.today(made_at)
    first = week_start(last) - timedelta(weeks=weeks)
    line = timeline(person, first, last)
    start, _ = the_clock.day_span(first)
    _, end = the_clock.day_span(last)

    responses, sections = _sections(person, start, end, the_clock.zone)
    # Shown first, as the report shows them: a clinician reading the trends must not miss one.
    crisis = tuple(
        _crisis_answer(response_view(person, r), the_clock.zone) for r in responses if r.crisis
    )

    # The weekly doses as the report counts them: from the journal's first day when it began
    # within the period (days before it are not days without kratom), in Monday weeks.
    begun = _analysed_from(person, the_clock, first, last)
    card = one_insight(
        line if begun == first else timeline(person, begun, last), "kratom.dose_trend"
    )
    assert card is not None  # the engines always make this card
    trend = _view(card)
    complete = line.n_days // 7  # the dose card's weeks too: on a Sunday, this one is complete
    return TrendsRead(
        name=person.name.strip(),
        first=first,
        last=last,
        weeks=complete,
        made_at=made_at.astimezone(the_clock.zone),
        disclaimer=DISCLAIMER,
        questionnaires=sections,
        crisis=crisis,
        anxiety=_anxiety_weeks(line.daily_anxiety(), first, complete),
        doses=_weeks(trend),
        dose_trend=trend,
        doses_logged=int(line.dose_time.size),
        doses_without_content=line.doses_without_content(),
        taper=taper_trend(person, made_at),
        adherence=weekly_adherence(person, made_at, ADHERENCE_WEEKS),
        adherence_weeks=ADHERENCE_WEEKS,
    )
