"""The taper chart: planned allowance against actual use, with SOWS and anxiety beneath (SVG)."""

from __future__ import annotations

from datetime import date
from typing import Any

import altair as alt

from mitra.reports.charts import ANXIETY_COLOR, GRAMS_COLOR, Chart, _accessible, _cache, _data

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

    `unit` is the taper's own unit ("g", "mg" or "capsule"); SOWS is 0-40, anxiety 0-10.
    """
    records = [
        {"day": d.isoformat(), "allowance": a, "used": u, "sows": s, "anxiety": x}
        for d, a, u, s, x in zip(days, allowance, used, sows, anxiety, strict=True)
    ]
    label = {"g": "g of leaf", "mg": "mg mitragynine", "capsule": "capsules"}.get(unit, unit)

    def build() -> dict[str, Any]:
        data = _data(records)
        x = alt.X("day:T", title="Day", axis=alt.Axis(format="%b %d", labelAngle=0, tickCount=6))
        base = alt.Chart(data).encode(x=x)
        bars = base.mark_bar(color=GRAMS_COLOR, opacity=0.55).encode(
            y=alt.Y("used:Q", title=f"Use ({label} per day)")
        )
        plan = base.mark_line(color=ALLOWANCE_COLOR, interpolate="step-after", strokeWidth=2.5)
        plan = plan.encode(y="allowance:Q")
        top = alt.layer(bars, plan).properties(width=640, height=200)
        sows_line = base.mark_line(color=SOWS_COLOR, point=True, strokeDash=[6, 3]).encode(
            y=alt.Y(
                "sows:Q",
                title="SOWS (0-40)",
                scale=alt.Scale(domain=[0, 40]),
                axis=alt.Axis(titleColor=SOWS_COLOR),
            )
        )
        anxiety_line = base.mark_line(color=ANXIETY_COLOR, point=True, strokeWidth=2.5).encode(
            y=alt.Y(
                "anxiety:Q",
                title="Anxiety (0-10)",
                scale=alt.Scale(domain=[0, 10]),
                axis=alt.Axis(titleColor=ANXIETY_COLOR),
            )
        )
        bottom = (
            alt.layer(sows_line, anxiety_line)
            .resolve_scale(y="independent")
            .properties(width=640, height=140)
        )
        chart = (
            alt.vconcat(top, bottom)
            .configure_view(strokeWidth=0)
            .configure_axis(labelFontSize=14, titleFontSize=14)
        )
        spec: dict[str, Any] = chart.to_dict()
        return spec

    svg = _cache.render("taper", records, build)
    title = (
        f"Planned against actual use, {len(days)} day{'s' if len(days) != 1 else ''} of the taper"
    )
    summary = (
        f"Use went over the day's allowance on {days_over} of {len(days)} days."
        if days
        else "The taper has not begun yet."
    )
    rows = tuple(
        (d.strftime("%a %d %b"), f"{a:g}", f"{u:g}", _cell(s, 0), _cell(x))
        for d, a, u, s, x in zip(days, allowance, used, sows, anxiety, strict=True)
    )
    return Chart(
        svg=_accessible(svg, title, summary),
        title=title,
        summary=summary,
        columns=("Day", f"Allowance ({label})", f"Used ({label})", "SOWS (0-40)", "Anxiety (0-10)"),
        rows=rows,
    )
