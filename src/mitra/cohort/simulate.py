"""`mitra cohort simulate`: synthetic persons from `mitra.simulation`, straight to Parquet.

Each person's parameters are drawn from the seed (baseline anxiety, dose size and its growth,
interdose withdrawal, practice habits, a taper for some), then simulated and written through
the same row builder as a real export. Chunks of persons run in worker processes; each writes
its own part file, so the output does not depend on how many workers there were.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from mitra.cohort.parquet import RowBuffer, prepare_folder
from mitra.cohort.rows import PersonFacts, person_rows
from mitra.simulation import DEFAULT_PERSON, PersonParameters, PracticeHabit, simulate
from mitra.simulation.person import TaperHabit
from mitra.vocabulary import RESEARCH_DATA_KINDS

__all__ = ["MAX_DAYS", "MAX_PERSONS", "SimulationSummary", "simulate_cohort", "synthetic_person"]

MAX_PERSONS = 1_000_000
MAX_DAYS = 3_650
_CHUNK = 50
#: The cohort's last day: fixed, so a seed gives the same cohort on any day it is run.
_END = date(2026, 6, 30)
_TAPER_MIN_DAYS = 60


@dataclass(frozen=True)
class SimulationSummary:
    """What a simulation wrote."""

    folder: str
    persons: int
    days: int
    seed: int
    rows: int
    workers: int


def synthetic_person(seed: int, index: int, days: int) -> PersonParameters:
    """The parameters of synthetic person `index` of the cohort `seed` (all synthetic)."""
    rng = np.random.default_rng([seed, index])
    kratom = DEFAULT_PERSON.kratom
    assert kratom is not None
    habit = replace(
        kratom,
        grams_median=float(rng.uniform(1.0, 5.0)),
        escalation_per_year=float(rng.choice([0.0, 0.0, 0.15, 0.4])),
    )
    taper = None
    if days >= _TAPER_MIN_DAYS and rng.random() < 0.3:
        taper = TaperHabit(starts_days_before_end=min(days - 20, int(rng.integers(21, 50))))
    return replace(
        DEFAULT_PERSON,
        baseline_anxiety=float(rng.uniform(3.0, 7.0)),
        withdrawal_per_10pct_fall=float(rng.choice([0.0, 0.4, 0.8])),
        practices=(
            PracticeHabit(
                "mindfulness",
                float(rng.uniform(0.1, 0.8)),
                (10, 30),
                same_day=float(rng.normal(-0.5, 0.3)),
                next_day=0.0,
            ),
            PracticeHabit(
                "exercise",
                float(rng.uniform(0.1, 0.6)),
                (20, 60),
                same_day=float(rng.normal(-0.2, 0.2)),
                next_day=0.0,
            ),
        ),
        kratom=habit,
        taper=taper,
    )


def _chunk(folder: str, seed: int, days: int, start: int, stop: int) -> int:
    """Simulate persons start..stop-1 and write their part; returns the rows written."""
    from mitra.cohort.keys import study_key

    secret = study_key(f"synthetic-{seed}".encode(), "secret").encode()  # not a person's secret
    kinds = frozenset(RESEARCH_DATA_KINDS)
    buffer = RowBuffer(Path(folder), f"{start:08d}")
    now = datetime.combine(_END + timedelta(days=1), datetime.min.time(), UTC)
    for index in range(start, stop):
        sim = simulate(
            days, synthetic_person(seed, index, days), seed=seed * 1_000_003 + index,
            end=_END, now=now,
        )  # fmt: skip
        course = sim.taper
        facts = PersonFacts(
            identity=f"synthetic/{seed}/{index}",
            source="synthetic",
            timeline=sim.timeline(),
            kinds=kinds,
            taper=None if course is None else course.schedule,
        )
        buffer.add(person_rows(facts, secret))
    return buffer.write()


def simulate_cohort(
    folder: Path,
    *,
    persons: int,
    days: int,
    seed: int,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationSummary:
    """Simulate `persons` persons over `days` days each into `folder`, in worker processes."""
    if not 1 <= persons <= MAX_PERSONS:
        raise ValueError(f"persons must be between 1 and {MAX_PERSONS}")
    if not 14 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 14 and {MAX_DAYS}")
    prepare_folder(folder)
    chunks = [(s, min(s + _CHUNK, persons)) for s in range(0, persons, _CHUNK)]
    count = max(1, min(workers or os.cpu_count() or 1, len(chunks)))
    rows = 0
    if count == 1:
        for start, stop in chunks:
            rows += _chunk(str(folder), seed, days, start, stop)
            if progress is not None:
                progress(stop - start)
    else:
        with ProcessPoolExecutor(max_workers=count) as pool:
            jobs = {pool.submit(_chunk, str(folder), seed, days, a, b): b - a for a, b in chunks}
            for done in as_completed(jobs):
                rows += done.result()
                if progress is not None:
                    progress(jobs[done])
    return SimulationSummary(str(folder), persons, days, seed, rows, count)
