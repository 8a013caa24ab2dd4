"""One person's rows for every table of the export, from their Timeline (plain data, no database).

The export of consenting persons and `mitra cohort simulate` both come through here, so a
synthetic cohort has exactly the shape of a real one. Figures are taken from the Timeline as
`journal.timeline()` built them (grams of leaf, mg of alkaloids), never worked out again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

import numpy as np

from mitra.cohort.keys import day_shift, study_key
from mitra.cohort.schema import TABLES
from mitra.timeline import Timeline

__all__ = ["AlertFact", "PersonFacts", "person_rows"]

Rows = dict[str, dict[str, list[Any]]]


@dataclass(frozen=True)
class AlertFact:
    """A safety alert as a study may see it: when, which rule, how severe."""

    at: datetime
    rule: str
    severity: str


@dataclass(frozen=True)
class PersonFacts:
    """What the export knows of one person, before de-identification."""

    identity: str  # stable and private: hashed into the study key, never written
    source: str  # "journal" or "synthetic"
    timeline: Timeline
    kinds: frozenset[str]
    taper: Any = None  # a mitra.taper.Schedule, or None
    taper_events: Sequence[Any] = ()  # mitra.taper.TaperEvent
    alerts: Sequence[AlertFact] = field(default_factory=tuple)


@cache
def _symptom_ids() -> frozenset[str]:
    from mitra.knowledge import load

    return frozenset(s.id for s in load().symptoms)


def _empty() -> Rows:
    return {name: {c: [] for c in table.names} for name, table in TABLES.items()}


def _hours(clock: Any, seconds: np.ndarray) -> list[float]:
    """Local clock time of each instant in hours (09:30 is 9.5), to 4 decimals."""
    if seconds.size == 0:
        return []
    import pandas as pd

    # One vectorised conversion to the person's zone (daylight saving included), from whole
    # microseconds as datetime.fromtimestamp rounds them.
    micros = np.round(np.asarray(seconds, dtype=np.float64) * 1e6).astype(np.int64)
    local = pd.to_datetime(micros, unit="us", utc=True).tz_convert(clock.zone)
    hours = local.hour.to_numpy() + local.minute.to_numpy() / 60.0
    # As round(h, 4): a whole minute in hours is never a tie at the fifth decimal.
    return np.round(hours, 4).tolist()  # type: ignore[no-any-return]


def _number(value: float) -> float | None:
    """A figure for Parquet: NaN (not given, not estimable) is written as empty."""
    return None if math.isnan(value) else float(value)


def _numbers(values: np.ndarray) -> list[float | None]:
    """Figures for Parquet: each NaN written as empty."""
    return [None if v != v else v for v in values.astype(np.float64).tolist()]  # noqa: PLR0124


@lru_cache(maxsize=65_536)
def _scored(code: str, answers: tuple[int | None, ...]) -> tuple[float, str]:
    """A response's total and band (cached: a cohort repeats the same answers many times)."""
    from mitra.instruments import score

    scored = score(code, answers)
    return float(scored.total), scored.band.id if scored.band is not None else ""


def _interdose(line: Timeline) -> tuple[float | None, bool | None]:
    """The person's interdose-withdrawal insight: its estimate and whether it was detected."""
    from mitra.insights.daily import prepare
    from mitra.insights.kratom import withdrawal_cards

    if line.dose_time.size == 0 or line.checkin_time.size == 0:
        return None, None
    card = withdrawal_cards(prepare(line))[0]
    if card.status != "shown":
        return None, None
    return _number(card.estimate if card.estimate is not None else float("nan")), card.detected


def _scores(line: Timeline) -> tuple[list[float], list[str]]:
    n = line.response_time.size
    if len(line.response_total) == n and len(line.response_band) == n:
        return [float(t) for t in line.response_total.tolist()], list(line.response_band)
    totals, bands = [], []
    for code, answers in zip(line.response_instrument, line.response_answers, strict=True):
        total, band = _scored(code, tuple(answers))
        totals.append(total)
        bands.append(band)
    return totals, bands


def _step_starts(schedule: Any, events: Sequence[Any], last: date) -> list[date]:
    from mitra.taper import course

    if schedule is None or schedule.starts > last:
        return []
    return sorted({d.step_began for d in course(schedule, events, last)})


def person_rows(facts: PersonFacts, secret: bytes) -> Rows:
    """The person's rows for each table, keyed and shifted; tables not consented stay empty."""
    line, kinds = facts.timeline, facts.kinds
    rows = _empty()
    key = study_key(secret, facts.identity)
    shift = timedelta(days=day_shift(secret, facts.identity))
    first = line.first

    def days(seconds: np.ndarray) -> tuple[list[date], list[int]]:
        index = line.day_of(seconds)
        return (np.datetime64(first + shift, "D") + index).tolist(), index.tolist()

    def put(table: str, count: int, **columns: Sequence[Any]) -> None:
        target = rows[table]
        target["study_key"].extend([key] * count)
        for name, values in columns.items():
            target[name].extend(values)

    # The insight is drawn from doses and anxiety ratings both: it needs consent to both.
    both = {"doses", "checkins"} <= kinds
    estimate, signature = _interdose(line) if both else (None, None)
    put(
        "persons",
        1,
        source=[facts.source],
        first_day=[first + shift],
        last_day=[line.last + shift],
        days=[line.n_days],
        consent_kinds=[",".join(sorted(kinds))],
        interdose_estimate=[estimate],
        interdose_signature=[signature],
    )
    if "doses" in kinds and line.dose_time.size:
        day, index = days(line.dose_time)
        put(
            "doses",
            len(day),
            day=day,
            day_index=index,
            hour=_hours(line.clock, line.dose_time),
            form=list(line.dose_form),
            grams_leaf=_numbers(line.dose_grams_leaf),
            mg_mitragynine=_numbers(line.dose_mg_mitragynine),
            mg_mitragynine_low=_numbers(line.dose_mg_mitragynine_low),
            mg_mitragynine_high=_numbers(line.dose_mg_mitragynine_high),
            mg_7oh=_numbers(line.dose_mg_7oh),
            content_estimated=[bool(v) for v in line.dose_mg_mitragynine_estimated.tolist()],
        )
    if "checkins" in kinds and line.checkin_time.size:
        day, index = days(line.checkin_time)
        known = _symptom_ids()
        put(
            "checkins",
            len(day),
            day=day,
            day_index=index,
            hour=_hours(line.clock, line.checkin_time),
            anxiety=_numbers(line.anxiety),
            mood=_numbers(line.mood),
            sleep_hours=_numbers(line.sleep_hours),
            sleep_quality=_numbers(line.sleep_quality),
            # Only ids of the checklist: an imported journal may carry words of its own.
            symptoms=[",".join(sorted(s & known)) for s in line.symptoms],
            caffeine_cups=_numbers(line.caffeine_cups),
        )
    if "practices" in kinds and line.practice_time.size:
        day, index = days(line.practice_time)
        put(
            "practices",
            len(day),
            day=day,
            day_index=index,
            kind=list(line.practice_kind),
            minutes=[float(v) for v in line.practice_minutes.tolist()],
        )
    steps = _step_starts(facts.taper, facts.taper_events, line.last) if "taper" in kinds else []
    if "questionnaire_totals" in kinds and line.response_time.size:
        day, index = days(line.response_time)
        totals, bands = _scores(line)
        since: list[int | None] = []
        for d in day:
            real = d - shift
            began = [s for s in steps if s <= real]
            since.append((real - began[-1]).days if began else None)
        put(
            "questionnaires",
            len(day),
            day=day,
            day_index=index,
            response=list(range(len(day))),
            instrument=list(line.response_instrument),
            total=totals,
            band=bands,
            days_since_taper_step=since,
        )
    if "questionnaire_items" in kinds and line.response_time.size:
        for number, (code, answers) in enumerate(
            zip(line.response_instrument, line.response_answers, strict=True)
        ):
            answered = [(i, a) for i, a in enumerate(answers, start=1) if a is not None]
            put(
                "questionnaire_items",
                len(answered),
                response=[number] * len(answered),
                instrument=[code] * len(answered),
                item=[i for i, _ in answered],
                answer=[int(a) for _, a in answered],
            )
    if "substances" in kinds and line.intake_time.size:
        day, index = days(line.intake_time)
        pairs = [(d, i, c) for d, i, cs in zip(day, index, line.intake_classes, strict=True)
                 for c in sorted(cs)]  # fmt: skip
        put(
            "substances",
            len(pairs),
            day=[p[0] for p in pairs],
            day_index=[p[1] for p in pairs],
            **{"class": [p[2] for p in pairs]},
        )
    if "alerts" in kinds and facts.alerts:
        seconds = np.array([a.at.timestamp() for a in facts.alerts], dtype=np.float64)
        day, index = days(seconds)
        put(
            "alerts",
            len(day),
            day=day,
            day_index=index,
            rule=[a.rule for a in facts.alerts],
            severity=[a.severity for a in facts.alerts],
        )
    if "taper" in kinds and facts.taper is not None and facts.taper.starts <= line.last:
        from mitra.taper import course

        lived = course(facts.taper, facts.taper_events, line.last)
        start = facts.taper.start_amount or 1.0
        put(
            "taper_days",
            len(lived),
            day=[d.day + shift for d in lived],
            day_index=[(d.day - first).days for d in lived],
            step=[d.step for d in lived],
            steps=[len(facts.taper.steps)] * len(lived),
            percent_of_start=[round(100.0 * d.allowance / start, 3) for d in lived],
            held=[d.held for d in lived],
        )
    return rows
