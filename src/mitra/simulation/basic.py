"""A simple synthetic person: products, daily doses, check-ins and practices, reproducible by seed.

Anxiety follows a first-order autoregressive process around a baseline, with a weekday rhythm
and a known benefit of mindfulness on the same day. The parameters are kept in `truth`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

__all__ = ["SyntheticJournal", "synthetic_journal"]


@dataclass
class SyntheticJournal:
    """Plain records ready for the journal's services or bulk loading."""

    products: list[dict[str, Any]] = field(default_factory=list)
    doses: list[dict[str, Any]] = field(
        default_factory=list
    )  # product index, taken_at, amount, unit
    checkins: list[dict[str, Any]] = field(default_factory=list)  # with "practices"
    truth: dict[str, float] = field(default_factory=dict)


def _at(day: date, hours: float, zone: ZoneInfo) -> datetime:
    """A local wall-clock time on `day`, as UTC (so a daylight-saving day keeps its hours)."""
    minutes = int(np.clip(round(hours * 60), 4 * 60 + 5, 23 * 60 + 55))
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone).astimezone(UTC)


def synthetic_journal(
    days: int,
    *,
    seed: int = 0,
    time_zone: str = "UTC",
    end: date | None = None,
    baseline_anxiety: float = 5.0,
    mindfulness_effect: float = -0.8,
    autocorrelation: float = 0.5,
    noise_sd: float = 1.0,
) -> SyntheticJournal:
    """A journal of `days` local days ending at `end` (default: yesterday in UTC)."""
    rng = np.random.default_rng(seed)
    zone = ZoneInfo(time_zone)
    last = end or (datetime.now(UTC).date() - timedelta(days=1))
    first = last - timedelta(days=days - 1)
    out = SyntheticJournal(
        products=[
            {
                "name": "Green Maeng Da powder",
                "vendor": "Example Botanicals",
                "strain": "Maeng Da",
                "vein": "green",
                "form": "powder",
                "unit": "g",
                "mitragynine_mg_per_g": 15.0,
            },
            {
                "name": "Red Bali capsules",
                "vendor": "Example Botanicals",
                "strain": "Bali",
                "vein": "red",
                "form": "capsules",
                "unit": "capsule",
                "grams_per_unit": 0.5,
            },
        ],
        truth={
            "baseline_anxiety": baseline_anxiety,
            "mindfulness_effect": mindfulness_effect,
            "autocorrelation": autocorrelation,
            "noise_sd": noise_sd,
        },
    )
    weekday_shift = np.array([0.4, 0.2, 0.1, 0.0, -0.1, -0.4, -0.2])  # Mon..Sun
    state = 0.0
    for offset in range(days):
        day = first + timedelta(days=offset)
        mindful = rng.random() < 0.6
        exercise = rng.random() < 0.4
        state = autocorrelation * state + rng.normal(0, noise_sd)
        level = baseline_anxiety + weekday_shift[day.weekday()] + state
        level += mindfulness_effect if mindful else 0.0
        if rng.random() > 0.05:  # about one day in twenty has no dose logged
            for hour in (8.0, 14.0) + ((20.0,) if rng.random() < 0.3 else ()):
                capsules = rng.random() < 0.25
                out.doses.append(
                    {
                        "product": 1 if capsules else 0,
                        "taken_at": _at(day, hour + rng.normal(0, 0.7), zone),
                        "amount": float(rng.integers(4, 9))
                        if capsules
                        else round(float(rng.uniform(1.5, 4)), 1),
                        "unit": "capsule" if capsules else "g",
                    }
                )
        practices = []
        if mindful:
            practices.append({"kind": "mindfulness", "minutes": int(rng.integers(10, 31))})
        if exercise:
            practices.append({"kind": "exercise", "minutes": int(rng.integers(20, 61))})
        sleep = float(np.clip(rng.normal(7.0, 1.0), 3, 11))
        for index, hour in enumerate((9.5, 19.0) if rng.random() < 0.7 else (19.0,)):
            anxiety = int(np.clip(round(level + rng.normal(0, 0.7)), 0, 10))
            out.checkins.append(
                {
                    "at": _at(day, hour + rng.normal(0, 0.5), zone),
                    "anxiety": anxiety,
                    "mood": int(np.clip(round(3.5 - (anxiety - 5) / 2.5), 1, 5)),
                    "sleep_hours": round(sleep, 1) if index == 0 else None,
                    "sleep_quality": int(np.clip(round(sleep - 3.5), 1, 5)) if index == 0 else None,
                    "symptoms": [],
                    "note": "",
                    "practices": practices if hour >= 19.0 else [],
                }
            )
    return out
