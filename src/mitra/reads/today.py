"""Today: the day's entries and totals, the last 30 days, what is due, and recent exposure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.utils import timezone

from mitra import wording
from mitra.journal import clock, queries

# The one place Today gets its exposure curve: the same function as `mitra exposure`.
from mitra.reads.exposure import ExposureRead, recent_exposure
from mitra.vocabulary import is_leaf, unit_text

from .cache import cached, timeline
from .journal import EntryView, entries_of
from .plan import PlanProgress, plan_progress
from .taper import TaperStatus, taper_status

__all__ = ["CHART_DAYS", "ChartDay", "DayTotals", "DoseDefaults", "Gad7Due", "Today", "today"]

CHART_DAYS = 30


@dataclass(frozen=True)
class DayTotals:
    """Kratom today: grams of leaf, estimated mg mitragynine with its range, other doses."""

    grams_leaf: float
    mg_mitragynine: float
    mg_mitragynine_low: float
    mg_mitragynine_high: float
    doses_without_content: int  # extracts or shots without a lab figure: not in the mg
    other_doses: tuple[str, ...]  # non-leaf doses by name: "1 shot of X"

    @property
    def summary(self) -> str:
        """The day's kratom as every face says it: "2.5 g of leaf, about 18 mg of mitragynine
        (12-40 mg)", without the range when a lab figure makes the estimate one number."""
        middle = wording.mg(self.mg_mitragynine)
        spread = wording.mg_range(self.mg_mitragynine_low, self.mg_mitragynine_high)
        tail = "" if spread == middle else f" ({spread})"
        return f"{self.grams_leaf:g} g of leaf, about {middle} of mitragynine{tail}"


@dataclass(frozen=True)
class ChartDay:
    """One day of the 30-day chart: mean anxiety (None without a rating) and grams of leaf."""

    day: date
    anxiety: float | None
    grams_leaf: float


@dataclass(frozen=True)
class Gad7Due:
    """Whether a GAD-7 is due (one every `every_days`), with the days since the last one."""

    due: bool
    days_since: int | None
    every_days: int


@dataclass(frozen=True)
class DoseDefaults:
    """What a new dose form starts with: the last dose's product and unit, or the first product."""

    product_id: int | None
    unit: str | None


@dataclass(frozen=True)
class Today:
    """The Today page."""

    day: date
    has_products: bool
    entries: tuple[EntryView, ...]
    totals: DayTotals
    chart: tuple[ChartDay, ...]
    gad7: Gad7Due
    exposure: ExposureRead
    taper: TaperStatus
    plan: PlanProgress  # this week's progress against each goal of the plan


def gad7_due(person: Any, day: date | None = None) -> Gad7Due:
    """Whether a GAD-7 is due on `day` (default today), on the person's clock."""
    every = person.gad7_every_days
    last = queries.last_response_at(person, "GAD-7")
    if last is None:
        return Gad7Due(due=True, days_since=None, every_days=every)
    day_clock = clock(person)
    days = ((day or day_clock.today()) - day_clock.local_day(last)).days
    return Gad7Due(due=days >= every, days_since=days, every_days=every)


def dose_defaults(person: Any) -> DoseDefaults:
    """The last dose's product and unit, else the first product in its own unit."""
    last = queries.last_dose(person)
    if last is not None:
        return DoseDefaults(last.product_id, last.unit)
    first = queries.products(person).first()
    return DoseDefaults(None, None) if first is None else DoseDefaults(first.pk, first.unit)


def today(person: Any, now: datetime | None = None) -> Today:
    """The Today page's figures for the person's current local day.

    All but the exposure curve (which moves with the clock) are cached on the journal's version.
    """
    now = now or timezone.now()
    day = clock(person).today(now)
    on = (person.time_zone, person.day_boundary_hour)
    fields = cached(person, "today", (day, on), lambda: _of_the_day(person, day))
    return Today(
        **fields,
        exposure=recent_exposure(person, now),
        taper=taper_status(person, now),
        plan=plan_progress(person, now),
    )


_EVERY_KIND = frozenset({*queries.DAY_KINDS, "practice", "response"})


def _of_the_day(person: Any, day: date) -> dict[str, Any]:
    """Today's fields but its exposure curve."""
    day_clock = clock(person)
    first = day - timedelta(days=CHART_DAYS - 1)
    line = timeline(person, first, day)
    grams = line.daily_grams_leaf()
    anxiety = line.daily_anxiety()
    mg, mg_low, mg_high = line.daily_mg_mitragynine()
    start, end = day_clock.day_span(day)
    # Every entry of the day: a practice logged on its own and a questionnaire too (the card
    # said "Nothing logged yet today" beside the plan's progress that counted a practice).
    rows = queries.entry_rows(person, start=start, end=end, limit=None, kinds=_EVERY_KIND)
    other = tuple(
        f"{unit_text(d.amount, d.unit)} of {d.product.name}"
        # A 7-OH product's lab figure says what it holds: mg of 7-OH, not grams of leaf.
        + (f" ({wording.mg(d.mg_7oh)} 7-OH)" if d.mg_7oh is not None else "")
        for d in sorted(rows.doses, key=lambda d: d.taken_at)
        if not is_leaf(d.product.form)
    )
    today_doses = line.day_of(line.dose_time) == CHART_DAYS - 1
    without = int(np.isnan(line.dose_mg_mitragynine[today_doses]).sum())
    totals = DayTotals(
        grams_leaf=float(grams[-1]),
        mg_mitragynine=float(mg[-1]),
        mg_mitragynine_low=float(mg_low[-1]),
        mg_mitragynine_high=float(mg_high[-1]),
        doses_without_content=without,
        other_doses=other,
    )
    chart = tuple(
        ChartDay(
            first + timedelta(days=i),
            None if math.isnan(anxiety[i]) else float(anxiety[i]),
            float(grams[i]),
        )
        for i in range(CHART_DAYS)
    )
    return {
        "day": day,
        "has_products": queries.products(person).exists(),
        "entries": tuple(entries_of(rows, day_clock.zone)),
        "totals": totals,
        "chart": chart,
        "gad7": gad7_due(person, day),
    }
