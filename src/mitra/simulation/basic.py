"""The demo's synthetic person: `synthetic_journal` returns the records `mitra demo` loads.

The person is `DEFAULT_PERSON` (mitra.simulation.person): mindfulness helps, exercise is
neutral, and a mild interdose withdrawal grows with daily use. Every parameter is synthetic and
is saved in `truth` beside the data.
"""

from __future__ import annotations

from datetime import date, datetime

from mitra.simulation.model import SyntheticJournal, simulate
from mitra.simulation.person import DEFAULT_PERSON, PersonParameters

__all__ = ["SyntheticJournal", "synthetic_journal"]


def synthetic_journal(
    days: int,
    *,
    seed: int = 0,
    time_zone: str = "UTC",
    end: date | None = None,
    now: datetime | None = None,
    parameters: PersonParameters = DEFAULT_PERSON,
) -> SyntheticJournal:
    """A journal of `days` local days ending at `end` (default: today), nothing after `now`.

    Returns products, doses (product index, taken_at, amount, unit), check-ins (with their
    practices), GAD-7 responses ({"instrument", "at", "answers"}) and the truth.
    """
    return simulate(days, parameters, seed=seed, time_zone=time_zone, end=end, now=now).journal()
