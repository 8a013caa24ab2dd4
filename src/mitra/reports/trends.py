"""The Trends page's charts: each drawn by the chart function its own page uses, from the
trends read alone (`mitra.reads.trends`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from mitra import wording
from mitra.reads.trends import TrendsRead
from mitra.wording import day

from .charts import (
    Chart,
    weekly_adherence_chart,
    weekly_anxiety_chart,
    weekly_dose_chart,
)
from .clinician import (
    _questionnaire,
    crisis_text,
    questionnaire_charts,
    taper_choices,
    taper_now,
)
from .taper_chart import taper_chart

__all__ = ["charts", "words"]


def words(read: TrendsRead) -> dict[str, Any]:
    """The page's sentences: the period, each questionnaire as the report words it, the dose
    summary and the taper's choices."""
    taper = read.taper
    return {
        "period": (
            f"{wording.plural(read.weeks, 'complete week')} from {day(read.first)} (a Monday), "
            f"then this week so far, to {day(read.last)}"
        ),
        "made": f"Made {wording.moment(read.made_at)} ({read.made_at.tzname()})",
        "questionnaires": [_questionnaire(s) for s in read.questionnaires],
        "crisis": [crisis_text(c) for c in read.crisis],
        "doses": (
            f"{wording.plural(read.doses_logged, 'dose')} logged in the period"
            + (
                f"; {read.doses_without_content} without a mitragynine estimate (not in the "
                "figures)."
                if read.doses_without_content
                else "."
            )
        ),
        "choices": taper_choices(taper),
        "taper_now": taper_now(taper),
    }


def charts(read: TrendsRead) -> dict[str, Chart]:
    """The charts by key: an instrument's code (two responses or more), "anxiety", "dose"
    (complete weeks with an entry), "taper" (a taper begun), "adherence" (goals set)."""
    found = questionnaire_charts(read.questionnaires)
    # The weekly charts share one x axis: the whole weeks of the period.
    weeks = (read.first, read.first + timedelta(weeks=read.weeks, days=-1))
    found["anxiety"] = weekly_anxiety_chart(
        [(w.week_start, w.mean, w.lowest, w.highest, w.days_rated) for w in read.anxiety],
        period=weeks,
    )
    trend = read.dose_trend
    if trend.data.get("weekly"):
        weekly = weekly_dose_chart(trend.data["weekly"], trend.data.get("trend"), period=weeks)
        # The table says each week by its first day as people read dates, not in ISO.
        rows = tuple((day(date.fromisoformat(r[0])), *r[1:]) for r in weekly.rows)
        found["dose"] = replace(weekly, rows=rows)
    taper = read.taper
    if taper.days:
        found["taper"] = taper_chart(
            [d.day for d in taper.days],
            [d.allowance for d in taper.days],
            [d.used for d in taper.days],
            [d.sows for d in taper.days],
            [d.anxiety for d in taper.days],
            unit=(taper.schedule.unit if taper.schedule else "g"),
            days_over=taper.days_over,
        )
    if any(w.goals for w in read.adherence):
        found["adherence"] = weekly_adherence_chart(
            [(w.week_start, w.percent, w.goals_met, w.goals) for w in read.adherence]
        )
    return found
