"""The taper chart: planned allowance against actual use, with SOWS and anxiety beneath (SVG)."""

from __future__ import annotations

from datetime import date
from typing import Any

from mitra.knowledge.instruments import load_instruments
from mitra.reports.charts import (
    ANXIETY_COLOR,
    GRAMS_COLOR,
    VEGA_LITE_SCHEMA,
    Chart,
    _data,
    _drawings,
    _field,
)
from mitra.wording import day, plural

__all__ = ["taper_chart"]

ALLOWANCE_COLOR = "#1f2430"
SOWS_COLOR = "#b3541e"


def _cell(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def taper_chart(
    days: list[date],
    allowance: list[float],
    used: list[float],
    sows: list[float | None],
    anxiety: list[float | None],
    *,
    unit: str,
    days_over: int,
) -> Chart:
    """Daily use (bars) against the step's allowance (a stepped line); SOWS and anxiety below.

    `unit` is the taper's own unit ("g", "mg" or "capsule"); SOWS is 0-64, anxiety 0-10.
    """
    records = [
        {"day": d.isoformat(), "allowance": a, "used": u, "sows": s, "anxiety": x}
        for d, a, u, s, x in zip(days, allowance, used, sows, anxiety, strict=True)
    ]
    label = {"g": "g of leaf", "mg": "mg mitragynine", "capsule": "capsules"}.get(unit, unit)

    def build() -> dict[str, Any]:
        x = _field("day:T", axis={"format": "%-d %b", "labelAngle": 0, "tickCount": 6}, title="Day")
        bars = {
            "mark": {"type": "bar", "color": GRAMS_COLOR, "opacity": 0.55},
            "encoding": {"x": x, "y": _field("used:Q", title=f"Use ({label} per day)")},
        }
        plan = {
            "mark": {
                "type": "line",
                "color": ALLOWANCE_COLOR,
                "interpolate": "step-after",
                "strokeWidth": 2.5,
                # A dash at each day's allowance: one day has no line to draw, only its dash.
                "point": {
                    "shape": "stroke",
                    "size": 160,
                    "strokeWidth": 2.5,
                    "color": ALLOWANCE_COLOR,
                    "filled": False,
                },
            },
            "encoding": {"x": x, "y": _field("allowance:Q")},
        }
        sows_line = {
            "mark": {
                "type": "line",
                "color": SOWS_COLOR,
                "point": {"color": SOWS_COLOR},
                "strokeDash": [6, 3],
            },
            "encoding": {
                "x": x,
                "y": _field(
                    "sows:Q",
                    axis={"titleColor": SOWS_COLOR},
                    scale={"domain": [0, sows_maximum()]},
                    title=f"SOWS (0-{sows_maximum()})",
                ),
            },
        }
        anxiety_line = {
            "mark": {
                "type": "line",
                "color": ANXIETY_COLOR,
                "point": {"color": ANXIETY_COLOR},
                "strokeWidth": 2.5,
            },
            "encoding": {
                "x": x,
                "y": _field(
                    "anxiety:Q",
                    axis={"titleColor": ANXIETY_COLOR},
                    scale={"domain": [0, 10]},
                    title="Anxiety (0-10)",
                ),
            },
        }
        return {
            "$schema": VEGA_LITE_SCHEMA,
            "config": {
                "view": {"continuousWidth": 300, "continuousHeight": 300, "strokeWidth": 0},
            },
            "vconcat": [
                {"layer": [bars, plan], "height": 200, "width": 640},
                {
                    "layer": [sows_line, anxiety_line],
                    "height": 140,
                    "resolve": {"scale": {"y": "independent"}},
                    "width": 640,
                },
            ],
            "data": _data(records),
        }

    title = f"Planned against actual use, {plural(len(days), 'day')} of the taper"
    summary = (
        f"Use went over the day's allowance on {days_over} of {plural(len(days), 'day')}."
        if days
        else "The taper has not begun yet."
    )
    rows = tuple(
        (day(d), f"{a:g}", f"{u:g}", _cell(s, 0), _cell(x))
        for d, a, u, s, x in zip(days, allowance, used, sows, anxiety, strict=True)
    )
    # Before the taper's first day the page says so in words, not with a chart of empty axes.
    svg, narrow = _drawings("taper", records, build, title, summary) if days else ("", "")
    return Chart(
        svg=svg,
        svg_narrow=narrow,
        title=title,
        summary=summary,
        columns=(
            "Day",
            f"Allowance ({label})",
            f"Used ({label})",
            f"SOWS (0-{sows_maximum()})",
            "Anxiety (0-10)",
        ),
        rows=rows,
        empty=not days,
    )


def sows_maximum() -> int:
    """The SOWS's highest total (16 items of 0-4: 64), from the instrument's definition."""
    return load_instruments()["SOWS"].maximum
