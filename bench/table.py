"""The benchmark table: one row per path a person waits on, with its baseline, ratio and target."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Row:
    """One measured path: mitra's figure and the baseline's, both in ms (or MB for memory).

    `ratio` is mitra / baseline (below 1: mitra is faster). `limit` is the target on mitra's
    figure, `max_ratio` the target on the ratio; a row with neither only informs.
    """

    path: str
    mitra: float
    baseline: float | None
    baseline_name: str
    unit: str = "ms"
    limit: float | None = None
    max_ratio: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline <= 0:
            return None
        return self.mitra / self.baseline

    @property
    def target(self) -> str:
        parts = []
        if self.limit is not None:
            parts.append(f"< {self.limit:g} {self.unit}")
        if self.max_ratio is not None:
            parts.append(f"ratio <= {self.max_ratio:g}")
        return " and ".join(parts) or "-"

    @property
    def met(self) -> bool | None:
        """True or False against the target; None for a row without one."""
        if self.limit is None and self.max_ratio is None:
            return None
        ok = self.limit is None or self.mitra < self.limit
        ratio = self.ratio
        if self.max_ratio is not None:
            ok = ok and ratio is not None and ratio <= self.max_ratio
        return ok

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Row:
        return cls(**json.loads(text))


def median_ms(call: Callable[[], object], runs: int) -> float:
    """The median wall time of `runs` calls, in ms."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if value < 10 else f"{value:.0f}"


def format_table(rows: Sequence[Row]) -> str:
    """The rows as one plain-text table: path, mitra, baseline, ratio, target, met."""
    head = ("path", "mitra", "baseline", "ratio", "target", "met")
    body = [
        (
            r.path,
            f"{_num(r.mitra)} {r.unit}",
            "-" if r.baseline is None else f"{_num(r.baseline)} {r.unit} ({r.baseline_name})",
            "-" if r.ratio is None else f"{r.ratio:.2f}",
            r.target,
            {True: "yes", False: "NO", None: "-"}[r.met],
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
        for line in [head, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def missed(rows: Sequence[Row]) -> list[Row]:
    """The rows whose target was missed."""
    return [r for r in rows if r.met is False]
