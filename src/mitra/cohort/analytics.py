"""The cohort's figures as Ibis expressions: the same expressions run on DuckDB and on Spark.

Each function takes the export's tables (Ibis tables on any backend) and returns an Ibis
expression of counts, sums and means; `report.py` executes them and adds the 95% intervals.
Nothing here knows which engine runs it.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis import _

__all__ = [
    "ESCALATION_RATIO",
    "WINDOW_DAYS",
    "checkin_adherence",
    "dose_trajectory",
    "escalation",
    "follow_up",
    "gad7_change",
    "gad7_per_person",
    "interdose_signature",
    "practice_against_gad7",
    "sows_by_days_since_step",
    "taper_outcomes",
    "taper_step_days",
]

Tables = dict[str, Any]
#: The first and the last weeks compared for escalation, in days.
WINDOW_DAYS = 28
#: Escalation: the last four weeks' mean daily grams of leaf at least this times the first's.
ESCALATION_RATIO = 1.25
_DAYS_PER_MONTH = 30


def _int(expr: Any) -> Any:
    # int32, not int64: PostgreSQL sums a bigint as numeric, which Ibis does not read back as
    # an integer; a sum of int32 is a bigint on every engine.
    return expr.cast("int32")


def _float(expr: Any) -> Any:
    # PostgreSQL's mean and sd of integers are numeric: cast first, as DuckDB and Spark do.
    return expr.cast("float64")


def follow_up(t: Tables) -> Any:
    """Persons and their days of follow-up (mean, sd)."""
    p = t["persons"]
    days = _float(p.days)
    return p.aggregate(persons=p.count(), days_mean=days.mean(), days_sd=days.std())


def checkin_adherence(t: Tables) -> Any:
    """Share of each person's days with a check-in: its mean and sd over persons."""
    days = t["checkins"].group_by("study_key").aggregate(with_checkin=_.day_index.nunique())
    p = t["persons"].left_join(days, "study_key")
    share = p.with_checkin.fill_null(0).cast("float64") / p.days.cast("float64")
    per = p.select(share=share)
    return per.aggregate(n=per.count(), mean=per.share.mean(), sd=per.share.std())


def gad7_per_person(t: Tables) -> Any:
    """Each person's first and last GAD-7 total (persons with two or more)."""
    q = t["questionnaires"].filter(_.instrument == "GAD-7")
    per = q.group_by("study_key").aggregate(
        responses=q.count(),
        first_total=q.total.argmin(q.response),
        last_total=q.total.argmax(q.response),
        first_day=q.day_index.min(),
        last_day=q.day_index.max(),
    )
    per = per.filter(_.responses >= 2)
    return per.mutate(change=per.last_total - per.first_total)


def gad7_change(t: Tables, reliable_change: int) -> Any:
    """GAD-7 change (last minus first) and how many changed reliably, either way."""
    per = gad7_per_person(t)
    return per.aggregate(
        n=per.count(),
        mean=per.change.mean(),
        sd=per.change.std(),
        improved=_int(per.change <= -reliable_change).sum(),
        deteriorated=_int(per.change >= reliable_change).sum(),
    )


def _daily_grams(t: Tables) -> Any:
    d = t["doses"]
    return d.group_by(["study_key", "day_index"]).aggregate(grams=d.grams_leaf.sum())


def dose_trajectory(t: Tables) -> Any:
    """Mean daily grams of leaf by month of follow-up (days without a dose count as 0)."""
    daily = _daily_grams(t)
    month = (daily.day_index // _DAYS_PER_MONTH).name("month")
    per = daily.group_by(["study_key", month]).aggregate(grams=daily.grams.sum())
    p = t["persons"]
    per = per.join(p.select("study_key", "days"), "study_key")
    # Days of that month the person was followed (the last month may be short).
    followed = ibis.least(_DAYS_PER_MONTH, per.days - per.month * _DAYS_PER_MONTH)
    per = per.mutate(per_day=per.grams / followed.cast("float64"))
    return (
        per.group_by("month")
        .aggregate(n=per.count(), mean=per.per_day.mean(), sd=per.per_day.std())
        .order_by("month")
    )


def escalation(t: Tables) -> Any:
    """Persons whose last four weeks' mean daily grams are 1.25 times their first four weeks'."""
    daily = _daily_grams(t)
    p = t["persons"].filter(_.days >= 2 * WINDOW_DAYS).select("study_key", "days")
    joined = daily.join(p, "study_key")
    early = ibis.ifelse(joined.day_index < WINDOW_DAYS, joined.grams, 0.0)
    late = ibis.ifelse(joined.day_index >= joined.days - WINDOW_DAYS, joined.grams, 0.0)
    per = joined.group_by("study_key").aggregate(early=early.sum(), late=late.sum())
    per = per.filter(per.early > 0)
    return per.aggregate(
        n=per.count(), escalated=_int(per.late >= ESCALATION_RATIO * per.early).sum()
    )


def taper_outcomes(t: Tables) -> Any:
    """Tapering persons: how many reached the last step, and how many held a step."""
    d = t["taper_days"]
    per = d.group_by("study_key").aggregate(
        reached=d.step.max(), steps=d.steps.max(), held_days=_int(d.held).sum()
    )
    return per.aggregate(
        n=per.count(),
        completed=_int(per.reached >= per.steps).sum(),
        held=_int(per.held_days > 0).sum(),
    )


def taper_step_days(t: Tables) -> Any:
    """Days spent per step (steps the person left, so the step's length is known)."""
    d = t["taper_days"]
    per = d.group_by(["study_key", "step"]).aggregate(days=d.count())
    last = d.group_by("study_key").aggregate(current=d.step.max())
    per = per.join(last, "study_key").filter(_.step < _.current)
    days = _float(per.days)
    return per.aggregate(n=per.count(), mean=days.mean(), sd=days.std())


def sows_by_days_since_step(t: Tables, max_days: int = 13) -> Any:
    """Mean SOWS total by days since the latest taper step began (0..max_days)."""
    q = t["questionnaires"]
    q = q.filter(
        (q.instrument == "SOWS")
        & q.days_since_taper_step.notnull()
        & (q.days_since_taper_step <= max_days)
    )
    return (
        q.group_by("days_since_taper_step")
        .aggregate(n=q.count(), mean=q.total.mean(), sd=q.total.std())
        .order_by("days_since_taper_step")
    )


def interdose_signature(t: Tables) -> Any:
    """Persons whose own insight found the interdose-withdrawal signature, among those tested."""
    p = t["persons"].filter(_.interdose_signature.notnull())
    return p.aggregate(n=p.count(), found=_int(p.interdose_signature).sum())


def practice_against_gad7(t: Tables) -> Any:
    """Sums for Pearson's r between the share of days with a practice and the GAD-7 change."""
    pr = t["practices"].group_by("study_key").aggregate(practice_days=_.day_index.nunique())
    change = gad7_per_person(t).select("study_key", "change")
    p = t["persons"].select("study_key", "days").join(change, "study_key")
    p = p.left_join(pr, "study_key")
    x = p.practice_days.fill_null(0).cast("float64") / p.days.cast("float64")
    y = p.change.cast("float64")
    per = p.select(x=x, y=y)
    return per.aggregate(
        n=per.count(),
        sx=per.x.sum(),
        sy=per.y.sum(),
        sxx=(per.x * per.x).sum(),
        syy=(per.y * per.y).sum(),
        sxy=(per.x * per.y).sum(),
    )
