"""Hand-made timelines whose answers are known, for the insights' tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from mitra.timeline import DayClock, Timeline

FIRST = date(2025, 1, 6)  # a Monday
CLOCK = DayClock("UTC")


def at(day: int, hour: float) -> float:
    """POSIX seconds of `hour` o'clock (UTC) on day index `day`."""
    start = datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=UTC) + timedelta(days=int(day))
    return (start + timedelta(hours=hour)).timestamp()


def timeline(days: int, **arrays: object) -> Timeline:
    """A timeline over `days` days from FIRST with the given arrays (numpy-converted)."""
    fields: dict[str, object] = {}
    for name, value in arrays.items():
        if name in {"practice_kind", "symptoms", "dose_form"} or name.startswith(
            ("response_instrument", "response_answers", "response_band")
        ):
            fields[name] = tuple(value)  # type: ignore[call-overload]
        elif name.endswith("_estimated"):
            fields[name] = np.asarray(value, dtype=np.bool_)
        else:
            fields[name] = np.asarray(value, dtype=np.int64 if name == "dose_product" else float)
    return Timeline(clock=CLOCK, first=FIRST, last=FIRST + timedelta(days=days - 1), **fields)  # type: ignore[arg-type]


def daily_ratings(
    anxiety: list[float], *, hour: float = 12.0, sleep: list[float] | None = None
) -> dict[str, object]:
    """One check-in a day with these ratings (and sleep hours, if given)."""
    n = len(anxiety)
    return {
        "checkin_time": [at(d, hour) for d in range(n)],
        "anxiety": anxiety,
        "mood": [3.0] * n,
        "sleep_hours": sleep if sleep is not None else [np.nan] * n,
        "sleep_quality": [np.nan] * n,
        "symptoms": [frozenset()] * n,
    }
