"""The cohort report: the analytics run on one engine, each figure with its 95% interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mitra.cohort import analytics
from mitra.cohort.intervals import correlation_interval, mean_interval, wilson_interval

__all__ = ["STATEMENT", "CohortReport", "Figure", "SeriesPoint", "cohort_report", "run_report"]

STATEMENT = (
    "These figures are observational associations in the persons who consented (or in a "
    "synthetic cohort), not effects: people who practise more, taper or escalate differ in "
    "many ways that were not measured. Intervals are 95% and analytic (Wilson for proportions, "
    "normal for means, Fisher z for correlations); they assume persons are independent."
)
_DIGITS = 6


def _r(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else round(number, _DIGITS)


@dataclass(frozen=True)
class Figure:
    """One figure: estimate, 95% interval, unit, the number it rests on, and how it was made."""

    id: str
    title: str
    estimate: float | None
    low: float | None
    high: float | None
    unit: str
    n: int
    method: str


@dataclass(frozen=True)
class SeriesPoint:
    """One point of a series (month of follow-up, days since a taper step)."""

    x: int
    estimate: float | None
    low: float | None
    high: float | None
    n: int


@dataclass(frozen=True)
class CohortReport:
    """Every figure of the cohort, with the engine that computed it and what they mean."""

    engine: str
    statement: str
    figures: tuple[Figure, ...]
    dose_trajectory: tuple[SeriesPoint, ...]
    sows_by_days_since_step: tuple[SeriesPoint, ...]


def _rows(expr: Any) -> list[dict[str, Any]]:
    # Arrow, not pandas: the figures are a few rows, and no engine's pandas conversion is needed.
    return list(expr.to_pyarrow().to_pylist())


def _one(expr: Any) -> dict[str, Any]:
    rows = _rows(expr)
    row = rows[0] if rows else {}
    return {k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
            for k, v in row.items()}  # fmt: skip


def _n(row: dict[str, Any], key: str = "n") -> int:
    return int(row.get(key) or 0)


def _figure(  # noqa: PLR0917  one call per figure, read as a row of its fields
    id: str, title: str, values: tuple[Any, Any, Any], unit: str, n: int, method: str
) -> Figure:
    est, low, high = values
    return Figure(id, title, _r(est), _r(low), _r(high), unit, n, method)


def _series(expr: Any, x: str) -> tuple[SeriesPoint, ...]:
    points = []
    for row in _rows(expr):
        n = int(row["n"])
        est, low, high = mean_interval(row["mean"], row["sd"], n)
        points.append(SeriesPoint(int(row[x]), _r(est), _r(low), _r(high), n))
    return tuple(points)


def run_report(tables: dict[str, Any], engine: str) -> CohortReport:
    """Execute every analytic expression on `tables` (one engine's) and add the intervals."""
    from mitra.instruments import change

    rc = change("GAD-7", 0, 0).reliable_change
    assert rc is not None  # the GAD-7's reliable change is in the knowledge base
    figures: list[Figure] = []
    f = _one(analytics.follow_up(tables))
    persons = _n(f, "persons")
    figures.append(Figure("persons", "Persons", float(persons), None, None, "persons", persons,
                          "Count of persons in the export."))  # fmt: skip
    figures.append(_figure(
        "follow_up_days", "Days of follow-up per person",
        mean_interval(f.get("days_mean"), f.get("days_sd"), persons), "days", persons,
        "Mean of first to last exported day, inclusive."))  # fmt: skip
    a = _one(analytics.checkin_adherence(tables))
    figures.append(
        _figure(
            "checkin_adherence",
            "Share of days with a check-in",
            mean_interval(a.get("mean"), a.get("sd"), _n(a)),
            "share of days",
            _n(a),
            "Per person, days with at least one check-in over days followed; mean over persons.",
        )
    )
    g = _one(analytics.gad7_change(tables, rc))
    n = _n(g)
    figures.append(
        _figure(
            "gad7_change",
            "GAD-7 change, last minus first",
            mean_interval(g.get("mean"), g.get("sd"), n),
            "points",
            n,
            "Persons with two or more GAD-7s; negative is improvement.",
        )
    )
    figures.append(
        _figure(
            "gad7_reliable_improvement",
            "Reliable improvement on the GAD-7",
            wilson_interval(_n(g, "improved"), n),
            "share of persons",
            n,
            f"A fall of at least {rc} points (the GAD-7's reliable change in mitra's instruments).",
        )
    )
    figures.append(
        _figure(
            "gad7_reliable_deterioration",
            "Reliable deterioration on the GAD-7",
            wilson_interval(_n(g, "deteriorated"), n),
            "share of persons",
            n,
            f"A rise of at least {rc} points.",
        )
    )
    e = _one(analytics.escalation(tables))
    figures.append(
        _figure(
            "dose_escalation",
            "Dose escalation",
            wilson_interval(_n(e, "escalated"), _n(e)),
            "share of persons",
            _n(e),
            f"Mean daily grams of leaf in the last {analytics.WINDOW_DAYS} days at least "
            f"{analytics.ESCALATION_RATIO:g} times the first {analytics.WINDOW_DAYS} days' "
            "(persons with leaf doses in the first weeks and 8 weeks of follow-up).",
        )
    )
    tp = _one(analytics.taper_outcomes(tables))
    figures.append(
        _figure(
            "taper_completed",
            "Tapers that reached their last step",
            wilson_interval(_n(tp, "completed"), _n(tp)),
            "share of tapering persons",
            _n(tp),
            "Among persons with taper days in the export, by the end of their follow-up.",
        )
    )
    figures.append(
        _figure(
            "taper_held",
            "Tapers with a held step",
            wilson_interval(_n(tp, "held"), _n(tp)),
            "share of tapering persons",
            _n(tp),
            "At least one day on which a step was held.",
        )
    )
    sd = _one(analytics.taper_step_days(tables))
    figures.append(
        _figure(
            "taper_days_per_step",
            "Days per taper step",
            mean_interval(sd.get("mean"), sd.get("sd"), _n(sd)),
            "days",
            _n(sd),
            "Completed steps (the person moved on); steps counted as independent.",
        )
    )
    s = _one(analytics.interdose_signature(tables))
    figures.append(
        _figure(
            "interdose_signature",
            "Interdose-withdrawal signature",
            wilson_interval(_n(s, "found"), _n(s)),
            "share of persons",
            _n(s),
            "Persons whose own insight (anxiety rising with hours since a dose, within days) was "
            "detected, among those with enough data for it.",
        )
    )
    pc = _one(analytics.practice_against_gad7(tables))
    figures.append(_figure(
        "practice_and_gad7_change", "Practice adherence and GAD-7 change",
        correlation_interval(_n(pc), tuple(float(pc.get(k) or 0.0)  # type: ignore[arg-type]
                                           for k in ("sx", "sy", "sxx", "syy", "sxy"))),
        "Pearson r", _n(pc),
        "Correlation between the share of days with a practice and the GAD-7 change; a "
        "negative r means more practice went with more improvement."))  # fmt: skip
    return CohortReport(
        engine=engine,
        statement=STATEMENT,
        figures=tuple(figures),
        dose_trajectory=_series(analytics.dose_trajectory(tables), "month"),
        sows_by_days_since_step=_series(
            analytics.sows_by_days_since_step(tables), "days_since_taper_step"
        ),
    )


def cohort_report(
    folder: Path | None, engine: str = "duckdb", master: str | None = None
) -> CohortReport:
    """The report of the export in `folder`, computed on `engine` (duckdb or spark), or of the
    clinic's consent-filtered research views (`engine` postgres, no folder)."""
    from mitra.cohort.engines import connect, read_tables

    backend = connect(engine, master)
    try:
        return run_report(read_tables(backend, folder, engine), engine)
    finally:
        if engine == "postgres":
            backend.disconnect()  # a clinic's connections are counted; Parquet engines stay
