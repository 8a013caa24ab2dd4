"""Change between two totals: direction, and whether it is clinically important or reliable."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from mitra.instruments.catalogue import instrument
from mitra.instruments.errors import InstrumentError, TotalRangeError
from mitra.instruments.scoring import cite

__all__ = ["Change", "Direction", "change"]

Direction = Literal["improvement", "deterioration", "no change"]


@dataclass(frozen=True)
class Change:
    """The change from `before` to `after` (points of the total).

    `mcid` and `reliable_change` are thresholds in points, or None when the literature mitra
    draws on gives none; `meets_*` is then None too, and `notes` says so.
    """

    instrument: str
    before: int
    after: int
    difference: int
    direction: Direction
    mcid: int | None
    meets_mcid: bool | None
    reliable_change: int | None
    meets_reliable_change: bool | None
    sources: tuple[str, ...]
    notes: tuple[str, ...]
    # The change in words that claim no more than the thresholds allow (`_summary`).
    summary: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "instrument": self.instrument,
            "before": self.before,
            "after": self.after,
            "difference": self.difference,
            "direction": self.direction,
            "summary": self.summary,
            "mcid": self.mcid,
            "meets_mcid": self.meets_mcid,
            "reliable_change": self.reliable_change,
            "meets_reliable_change": self.meets_reliable_change,
            "notes": list(self.notes),
            "sources": cite(self.sources),
        }

    def to_json(self) -> str:
        """One JSON document."""
        return json.dumps(self.as_dict(), ensure_ascii=False)


def _total(code: str, label: str, value: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InstrumentError(f"{code} {label} total {value!r} is not a whole number")
    if not 0 <= value <= maximum:
        raise TotalRangeError(f"{code} {label} total {value} is out of range 0-{maximum}")
    return value


def _summary(
    difference: int, direction: Direction, meets_mcid: bool | None, reliable: bool | None
) -> str:
    """ "improvement" or "deterioration" only for a reliable change; otherwise which way the
    total moved, and why that is not yet a clear change."""
    if difference == 0:
        return "no change"
    if reliable:
        return f"a reliable {direction}"
    way = "lower (better)" if difference < 0 else "higher (worse)"
    if meets_mcid:
        return f"{way}, by at least the minimal clinically important difference"
    if meets_mcid is False or reliable is False:
        return f"{way}, but smaller than a clear change"
    return f"{way}; how large a change must be to count is not established"


def change(code: str, before_total: int, after_total: int) -> Change:
    """Compare two totals of the same instrument; on every mitra scale higher means worse."""
    inst = instrument(code)
    before = _total(inst.code, "before", before_total, inst.maximum)
    after = _total(inst.code, "after", after_total, inst.maximum)
    difference = after - before
    direction: Direction = (
        "no change" if difference == 0 else "improvement" if difference < 0 else "deterioration"
    )
    thresholds = inst.change
    notes = [
        f"Higher {inst.code} totals mean more symptoms, so a lower total is an improvement.",
        "Thresholds apply to the size of a change in either direction.",
    ]
    if thresholds.mcid is None:
        notes.append(
            f"A minimal clinically important difference for the {inst.code} is not established "
            "in the literature mitra draws on."
        )
    if thresholds.reliable_change is None:
        notes.append(
            f"A reliable change threshold for the {inst.code} is not established in the "
            "literature mitra draws on."
        )
    size = abs(difference)
    meets_mcid = None if thresholds.mcid is None else size >= thresholds.mcid
    reliable = None if thresholds.reliable_change is None else size >= thresholds.reliable_change
    return Change(
        instrument=inst.code,
        before=before,
        after=after,
        difference=difference,
        direction=direction,
        mcid=thresholds.mcid,
        meets_mcid=meets_mcid,
        reliable_change=thresholds.reliable_change,
        meets_reliable_change=reliable,
        sources=(*thresholds.mcid_sources, *thresholds.reliable_change_sources),
        notes=tuple(notes),
        summary=_summary(difference, direction, meets_mcid, reliable),
    )
