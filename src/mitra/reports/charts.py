"""Charts as accessible SVG: a Vega-Lite spec rendered by vl-convert, no browser needed.

The specs are written as the plain Vega-Lite documents Altair would make of the same charts:
importing Altair (a third of a second) would otherwise come first in every process that draws
one, `mitra report --pdf` and a freshly started server's first page among them.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from threading import Lock
from typing import Any

import vl_convert as vlc

from mitra.wording import plural

from .renderer import warm_renderer

__all__ = ["Chart", "anxiety_and_grams_chart", "draw_later_until_warm", "keep_drawings"]

ANXIETY_COLOR = "#7a3e9d"
GRAMS_COLOR = "#2f7d6d"


@dataclass(frozen=True)
class Chart:
    """An SVG chart with its caption and a text alternative (rows of a data table).

    `svg` is empty when the chart may be drawn later and the renderer was still starting.
    """

    svg: str
    title: str
    summary: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


class _SvgCache:
    """Rendered SVG by spec digest: a journal that has not changed is not drawn again."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.items: OrderedDict[str, str] = OrderedDict()
        self.lock = Lock()
        self.kept: tuple[Load, Store] | None = None
        # While a server starts (`draw_later_until_warm` until `warm_up` has run), a chart that
        # may be drawn later and is not kept is not drawn: the renderer's start (about a
        # second) is not made the first page's wait.
        self.warming = False

    def render(
        self,
        kind: str,
        data: Any,
        build: Callable[[], dict[str, Any]],
        draw: Callable[[dict[str, Any]], str] = vlc.vegalite_to_svg,
        *,
        later: bool = False,
    ) -> str:
        """The SVG of `build()`'s spec, drawn only when `kind` and `data` were not seen lately.

        Building a spec costs more than hashing its rows, so the key is the chart's data.
        With `later`, "" while the renderer is starting and the drawing is not at hand.
        """
        text = json.dumps([kind, data], sort_keys=True, default=str)
        key = hashlib.sha256(text.encode()).hexdigest()
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        # Kept in the data folder too (when the app has said where: `keep_drawings`): after
        # a restart, a chart whose rows have not changed (Today's 30 days) is read back
        # instead of waiting for the renderer to start.
        kept = self.kept
        svg = (kept[0]("charts", key) if kept else None) or ""
        if not (svg.startswith("<svg") and svg.rstrip().endswith("</svg>")):
            if later and self.warming:
                return ""
            svg = draw(build())
            if kept:
                kept[1]("charts", key, svg)
        with self.lock:
            self.items[key] = svg
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return svg


_cache = _SvgCache()

#: Reads text kept under (kind, key), or None; keeps text under (kind, key).
Load = Callable[[str, str], "str | None"]
Store = Callable[[str, str, str], None]


def draw_later_until_warm() -> None:
    """Until `warm_up` has run, charts asked for with `later=True` are drawn only if they are
    at hand (a server starting: its first page shows their tables and fetches the drawings)."""
    _cache.warming = True


def keep_drawings(load: Load, store: Store) -> None:
    """Keep drawn charts with `store` and look for them with `load` (the web app passes its
    data folder's; charts stay free of where that is, and of Django)."""
    _cache.kept = (load, store)


class _Template:
    """A chart whose spec does not depend on its data: built and compiled
    to Vega once per process; each drawing puts its rows into the compiled spec and renders it.

    Building an Altair spec with schema validation and compiling Vega-Lite cost tens of
    milliseconds a chart, paid on Today after every write when only the rows had changed.
    """

    def __init__(self, build: Callable[[list[dict[str, Any]]], dict[str, Any]]) -> None:
        self.build = build
        self.vega: dict[str, Any] | None = None
        self.lock = Lock()

    def compiled(self) -> dict[str, Any]:
        with self.lock:
            if self.vega is None:
                spec = self.build([])
                spec["data"] = {"values": [_PLACEHOLDER]}
                self.vega = vlc.vegalite_to_vega(spec)
            return self.vega

    def spec(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """The Vega spec with `records` as its data (the rows Vega-Lite would have inlined)."""
        vega = dict(self.compiled())
        data = [dict(d) for d in vega["data"]]
        held = [d for d in data if d.get("values") == [_PLACEHOLDER]]
        if len(held) != 1:
            raise ValueError("a chart template holds its rows in one data set")
        held[0]["values"] = records
        vega["data"] = data
        return vega

    def render(self, kind: str, records: list[dict[str, Any]], *, later: bool = False) -> str:
        """The SVG of the chart with these rows (drawn once per distinct rows, as `_cache`)."""
        return _cache.render(
            kind, records, lambda: self.spec(records), vlc.vega_to_svg, later=later
        )


#: A row no chart has: marks the compiled spec's data set that takes the rows.
_PLACEHOLDER = {"__rows__": 0}


def warm_up() -> None:
    """Start the chart renderer (its first use costs about a second) and compile Today's charts;
    from then on every chart is drawn when asked for."""
    try:
        warm_renderer()
        # Each drawing of Today's two charts with rows (not kept: drawn straight to the
        # renderer): the first drawing of a chart with axes and text costs several times a
        # later one.
        day = [{"day": f"2026-01-{d:02d}", "anxiety": 4.0, "grams": 3.0} for d in range(1, 31)]
        vlc.vega_to_svg(_ANXIETY_AND_GRAMS.spec(day))
        hours = [
            {"t": f"2026-01-01T{h:02d}:00:00", "c": 50.0, "lo": 30.0, "hi": 90.0} for h in range(24)
        ]
        vlc.vega_to_svg(_EXPOSURE.spec(hours))
    finally:
        _cache.warming = False


def _accessible(svg: str, title: str, summary: str) -> str:
    """Give the SVG a role, title and description so screen readers announce it ("" stays "")."""
    label = f"{title}. {summary}".replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    opening = f'<svg role="img" aria-label="{label}" focusable="false" '
    # Vega names each mark container a graphics-symbol; one with nothing to draw (a chart of no
    # ratings yet) has no name, which screen-reader checks report as an image without text.
    svg = _EMPTY_MARK_ROLE.sub(r"\1\2", svg)
    return re.sub(r"<svg ", opening, svg, count=1)


_EMPTY_MARK_ROLE = re.compile(r'(<g [^>]*?) role="graphics-symbol"([^>]*/>)')


VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
_TYPES = {"T": "temporal", "Q": "quantitative", "N": "nominal", "O": "ordinal"}


def _data(values: list[dict[str, Any]]) -> dict[str, Any]:
    """Inline chart data."""
    return {"values": values}


def _field(shorthand: str, **more: Any) -> dict[str, Any]:
    """An encoding channel from Vega-Lite's shorthand ("day:T"; a bare name has no type)."""
    name, _, kind = shorthand.partition(":")
    channel: dict[str, Any] = {"field": name}
    if kind:
        channel["type"] = _TYPES[kind]
    return channel | more


def _vega_lite(
    body: dict[str, Any], *, width: int, height: int, axis_fonts: bool = False
) -> dict[str, Any]:
    """A top-level Vega-Lite spec around `body` (a layer, a mark or a concatenation)."""
    config: dict[str, Any] = {
        "view": {"continuousWidth": 300, "continuousHeight": 300, "strokeWidth": 0}
    }
    if axis_fonts:
        config["axis"] = {"labelFontSize": 14, "titleFontSize": 14}
    return {"$schema": VEGA_LITE_SCHEMA, "config": config, **body, "height": height, "width": width}


def _fmt(value: float, digits: int = 1) -> str:
    return "–" if math.isnan(value) else f"{value:.{digits}f}"


def _anxiety_and_grams_spec(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The Vega-Lite spec of `anxiety_and_grams_chart`."""
    x = _field("day:T", axis={"format": "%b %d", "labelAngle": 0, "tickCount": 6}, title="Day")
    bars = {
        "mark": {"type": "bar", "color": GRAMS_COLOR, "opacity": 0.55},
        "encoding": {
            "tooltip": [_field("day:T", title="Day"), _field("grams:Q", title="g")],
            "x": x,
            "y": _field(
                "grams:Q", axis={"titleColor": GRAMS_COLOR}, title="Kratom leaf (g per day)"
            ),
        },
    }
    line = {
        "mark": {
            "type": "line",
            "color": ANXIETY_COLOR,
            "point": {"color": ANXIETY_COLOR},
            "strokeWidth": 2.5,
        },
        "encoding": {
            "tooltip": [_field("day:T", title="Day"), _field("anxiety:Q", title="anxiety")],
            "x": x,
            "y": _field(
                "anxiety:Q",
                axis={"titleColor": ANXIETY_COLOR},
                scale={"domain": [0, 10]},
                title="Anxiety (0-10, daily mean)",
            ),
        },
    }
    body = {
        "layer": [bars, line],
        "data": _data(records),
        "resolve": {"scale": {"y": "independent"}},
    }
    return _vega_lite(body, width=640, height=220, axis_fonts=True)


_ANXIETY_AND_GRAMS = _Template(_anxiety_and_grams_spec)


def anxiety_and_grams_chart(
    days: list[date], anxiety: list[float], grams: list[float], *, later: bool = False
) -> Chart:
    """Daily mean anxiety (0-10, line) over daily kratom grams (bars) for the given days.

    With `later`, the drawing may be left out while a server starts (`draw_later_until_warm`).
    """
    records = [
        {
            "day": d.isoformat(),
            "anxiety": None if math.isnan(a) else round(a, 2),
            "grams": round(g, 2),
        }
        for d, a, g in zip(days, anxiety, grams, strict=True)
    ]
    svg = _ANXIETY_AND_GRAMS.render("anxiety_and_grams", records, later=later)

    rated = [a for a in anxiety if not math.isnan(a)]
    dosed = [g for g in grams if g > 0]
    title = f"Anxiety and kratom, last {len(days)} days"
    if rated:
        anxiety_text = (
            f"Mean anxiety {sum(rated) / len(rated):.1f} out of 10 on "
            f"{plural(len(rated), 'day')} with a rating"
        )
    else:
        anxiety_text = "No anxiety ratings yet"
    if dosed:
        grams_text = (
            f"kratom on {len(dosed)} of {len(days)} days, "
            f"{sum(dosed) / len(dosed):.1f} g on average on those days"
        )
    else:
        grams_text = "no kratom doses logged"
    summary = f"{anxiety_text}; {grams_text}."
    rows = tuple(
        (d.strftime("%a %d %b"), _fmt(a), _fmt(g))
        for d, a, g in zip(days, anxiety, grams, strict=True)
    )
    return Chart(
        svg=_accessible(svg, title, summary),
        title=title,
        summary=summary,
        columns=("Day", "Anxiety (0-10)", "Kratom (g)"),
        rows=rows,
    )


BAND_COLORS = ["#e8f3ec", "#fbf3d9", "#fbe3cc", "#f6d3d3", "#efc3c3"]


def questionnaire_history_chart(
    code: str,
    days: list[date],
    totals: list[int],
    bands: list[tuple[str, int, int]],
    maximum: int,
) -> Chart:
    """Totals of one instrument over time, over its severity bands shaded from low to high."""
    points = [{"day": d.isoformat(), "total": t} for d, t in zip(days, totals, strict=True)]
    shaded = [
        {"band": label, "low": low, "high": high + 1 if high < maximum else high, "order": i}
        for i, (label, low, high) in enumerate(bands)
    ]

    def build() -> dict[str, Any]:
        layers: list[dict[str, Any]] = []
        if shaded:
            layers.append(
                {
                    "data": _data(shaded),
                    "mark": {"type": "rect", "opacity": 0.8},
                    "encoding": {
                        "color": _field(
                            "band:N",
                            legend={"orient": "right", "title": "Band"},
                            scale={"range": BAND_COLORS[: len(bands)]},
                            sort=[b[0] for b in bands],
                        ),
                        "y": _field("low:Q"),
                        "y2": _field("high"),
                    },
                }
            )
        layers.append(
            {
                "data": _data(points),
                "mark": {
                    "type": "line",
                    "color": "#2f3e6d",
                    "point": {"color": "#2f3e6d"},
                    "strokeWidth": 2.5,
                },
                "encoding": {
                    "tooltip": [_field("day:T", title="Date"), _field("total:Q", title="Total")],
                    "x": _field(
                        "day:T", axis={"format": "%b %d, %Y", "labelAngle": 0}, title="Date"
                    ),
                    "y": _field(
                        "total:Q",
                        scale={"domain": [0, maximum]},
                        title=f"{code} total (0-{maximum})",
                    ),
                },
            }
        )
        return _vega_lite({"layer": layers}, width=560, height=220)

    svg = _cache.render("questionnaire_history", [code, points, shaded], build)
    title = f"{code} totals over time"
    first, last = totals[0], totals[-1]
    summary = (
        f"{len(totals)} responses from {days[0]:%d %b %Y} to {days[-1]:%d %b %Y}; "
        f"first total {first}, latest {last} (0-{maximum}, higher means more symptoms)."
    )
    rows = tuple((d.strftime("%d %b %Y"), str(t)) for d, t in zip(days, totals, strict=True))
    return Chart(
        svg=_accessible(svg, title, summary),
        title=title,
        summary=summary,
        columns=("Date", "Total"),
        rows=rows,
    )


def _exposure_spec(points: list[dict[str, Any]]) -> dict[str, Any]:
    """The Vega-Lite spec of `exposure_chart`."""
    x = _field("t:T", axis={"format": "%a %H:%M", "labelAngle": 0, "tickCount": 6}, title="Time")
    band = {
        "mark": {"type": "area", "color": GRAMS_COLOR, "opacity": 0.25},
        "encoding": {
            "x": x,
            "y": _field("lo:Q", title="Estimated mitragynine (nmol/L)"),
            "y2": _field("hi"),
        },
    }
    line = {
        "mark": {"type": "line", "color": GRAMS_COLOR, "strokeWidth": 2.5},
        "encoding": {
            "tooltip": [_field("t:T", title="Time"), _field("c:Q", title="nmol/L")],
            "x": x,
            "y": _field("c:Q"),
        },
    }
    return _vega_lite({"layer": [band, line], "data": _data(points)}, width=640, height=200)


_EXPOSURE = _Template(_exposure_spec)


def exposure_chart(
    times: list[datetime],
    central: list[float],
    low: list[float],
    high: list[float],
    *,
    later: bool = False,
) -> Chart:
    """Estimated mitragynine concentration (nmol/L) with its band, labelled as an estimate.

    With `later`, the drawing may be left out while a server starts (`draw_later_until_warm`).
    """
    points = [
        # Naive local wall-clock times: the renderer would otherwise show them in UTC.
        {
            "t": t.replace(tzinfo=None).isoformat(),
            "c": round(c, 2),
            "lo": round(lo, 2),
            "hi": round(hi, 2),
        }
        for t, c, lo, hi in zip(times, central, low, high, strict=True)
    ]
    svg = _EXPOSURE.render("exposure", points, later=later)
    peak = max(central)
    now_value = central[-1]
    title = "Estimated mitragynine in the body, last 72 hours"
    summary = (
        f"An estimate from a population model, not a measurement: now about {now_value:.0f} nmol/L "
        f"(band {low[-1]:.0f} to {high[-1]:.0f}); highest in this window about {peak:.0f} nmol/L."
    )
    step = max(1, len(times) // 24)
    rows = tuple(
        (t.strftime("%a %H:%M"), f"{c:.0f}", f"{lo:.0f}-{hi:.0f}")
        for t, c, lo, hi in list(zip(times, central, low, high, strict=True))[::step]
    )
    return Chart(
        svg=_accessible(svg, title, summary),
        title=title,
        summary=summary,
        columns=("Time", "Estimate (nmol/L)", "Band (nmol/L)"),
        rows=rows,
    )


def forest_chart(rows: list[tuple[str, float, float, float, bool]], unit: str) -> Chart:
    """Estimates with 95% intervals, one row per factor: (label, estimate, low, high, detected)."""
    points = [
        {
            "factor": label,
            "estimate": round(est, 3),
            "low": round(lo, 3),
            "high": round(hi, 3),
            "clear": "stands out" if detected else "unclear",
        }
        for label, est, lo, hi, detected in rows
    ]
    order = [r[0] for r in rows]

    def build() -> dict[str, Any]:
        y = _field("factor:N", axis={"labelLimit": 200}, sort=order, title=None)
        rule = {
            "data": _data(points),
            "mark": {"type": "rule", "color": "#2f3e6d", "strokeWidth": 2.5},
            "encoding": {
                "x": _field("low:Q", title=f"Difference in anxiety ({unit}), 95% interval"),
                "x2": _field("high"),
                "y": y,
            },
        }
        dots = {
            "data": _data(points),
            "mark": {"type": "point", "filled": True, "size": 80},
            "encoding": {
                "color": _field(
                    "clear:N",
                    legend={"orient": "bottom", "title": "After multiple-testing control"},
                    scale={"domain": ["stands out", "unclear"], "range": ["#2f3e6d", "#9aa1ad"]},
                ),
                "tooltip": [_field(f) for f in ("factor:N", "estimate:Q", "low:Q", "high:Q")],
                "x": _field("estimate:Q"),
                "y": y,
            },
        }
        zero = {
            "data": _data([{"x": 0}]),
            "mark": {"type": "rule", "color": "#a12b2b", "strokeDash": [4, 4]},
            "encoding": {"x": _field("x:Q")},
        }
        spec = _vega_lite(
            {"layer": [rule, dots, zero]}, width=520, height=max(120, 26 * len(points))
        )
        spec["padding"] = {"left": 12, "right": 8, "top": 5, "bottom": 5}  # room for long labels
        return spec

    svg = _cache.render("forest", points, build)
    title = "What was associated with your anxiety"
    clear = [r[0] for r in rows if r[4]]
    summary = (
        f"{len(rows)} factors; {len(clear)} "
        f"{'stands' if len(clear) == 1 else 'stand'} out after multiple-testing control"
        + (f": {', '.join(clear)}." if clear else ".")
        + " Left of the dashed line means lower anxiety."
    )
    table = tuple(
        (label, f"{est:+.2f}", f"{lo:+.2f} to {hi:+.2f}", "yes" if det else "no")
        for label, est, lo, hi, det in rows
    )
    return Chart(
        svg=_accessible(svg, title, summary),
        title=title,
        summary=summary,
        columns=("Factor", f"Estimate ({unit})", "95% interval", "Stands out"),
        rows=table,
    )


def binned_chart(
    bins: list[dict[str, Any]], *, x_key: str, x_title: str, y_key: str, y_title: str, title: str
) -> Chart:
    """Mean of `y_key` per bin of `x_key`, with the number of ratings in each bin."""
    points = [
        {"x": round(float(b[x_key]), 3), "y": round(float(b[y_key]), 3), "n": int(b.get("n", 0))}
        for b in bins
        if b.get(y_key) is not None
    ]

    def build() -> dict[str, Any]:
        line = {
            "data": _data(points),
            "mark": {
                "type": "line",
                "color": ANXIETY_COLOR,
                "point": {"color": ANXIETY_COLOR},
                "strokeWidth": 2.5,
            },
            "encoding": {
                "tooltip": [
                    _field("x:Q", title=x_title),
                    _field("y:Q", title=y_title),
                    _field("n:Q", title="ratings"),
                ],
                "x": _field("x:Q", title=x_title),
                "y": _field("y:Q", scale={"domain": [0, 10]}, title=y_title),
            },
        }
        return _vega_lite(line, width=520, height=200)

    svg = _cache.render("binned", [title, points], build)
    summary = (
        f"{len(points)} bins, {sum(p['n'] for p in points)} ratings. "
        + "; ".join(
            f"{x_title.lower()} {p['x']:g}: {p['y']:.1f} ({p['n']} ratings)" for p in points
        )
        + "."
    )
    rows = tuple((f"{p['x']:g}", f"{p['y']:.2f}", str(p["n"])) for p in points)
    return Chart(
        svg=_accessible(svg, title, summary),
        title=title,
        summary=summary,
        columns=(x_title, y_title, "Ratings"),
        rows=rows,
    )


def weekly_dose_chart(weeks: list[dict[str, Any]], trend: dict[str, Any] | None) -> Chart:
    """Estimated mg of mitragynine per week with its content range, and the robust trend line.

    Grams of leaf (leaf products only) are given in the table, never added to other forms.
    """
    points = [
        {
            "week": w["week_start"],
            "mg": round(float(w["mg_mitragynine"]), 1),
            "low": round(float(w["mg_low"]), 1),
            "high": round(float(w["mg_high"]), 1),
        }
        for w in weeks
    ]
    line_points = []
    if trend and points:
        line_points = [
            {"week": points[0]["week"], "mg": round(float(trend["start_mg"]), 1)},
            {"week": points[-1]["week"], "mg": round(float(trend["end_mg"]), 1)},
        ]

    def build() -> dict[str, Any]:
        axis = {"format": "%b %Y", "labelAngle": 0, "tickCount": 5}
        x = _field("week:T", axis=axis, title="Week")
        y_title = "Estimated mitragynine (mg per week)"
        bars = {
            "data": _data(points),
            "mark": {"type": "bar", "color": GRAMS_COLOR, "opacity": 0.6},
            "encoding": {"x": x, "y": _field("mg:Q", title=y_title)},
        }
        ranges = {
            "data": _data(points),
            "mark": {"type": "rule", "color": "#555555"},
            "encoding": {"x": x, "y": _field("low:Q", title=y_title), "y2": _field("high")},
        }
        layers = [bars, ranges]
        if line_points:
            layers.append(
                {
                    "data": _data(line_points),
                    "mark": {"type": "line", "color": "#a12b2b", "strokeWidth": 2.5},
                    "encoding": {"x": x, "y": _field("mg:Q")},
                }
            )
        return _vega_lite({"layer": layers}, width=560, height=200)

    svg = _cache.render("weekly-mg", [points, line_points], build)
    title = "Estimated mitragynine per week"
    summary = f"{len(points)} weeks" + (
        f"; trend from about {line_points[0]['mg']:.0f} mg "
        f"to {line_points[-1]['mg']:.0f} mg a week. Lines show the range of products' content."
        if line_points
        else "."
    )
    rows = tuple(
        (
            p["week"],
            f"{p['mg']:g} ({p['low']:g}-{p['high']:g})",
            f"{float(w['grams_leaf']):g}",
            str(w.get("doses_without_content", 0)),
        )
        for p, w in zip(points, weeks, strict=True)
    )
    return Chart(
        svg=_accessible(svg, title, summary),
        title=title,
        summary=summary,
        columns=(
            "Week starting",
            "mg of mitragynine (range)",
            "Grams of leaf (leaf products only)",
            "Doses without a content estimate",
        ),
        rows=rows,
    )


def weekly_adherence_chart(weeks: list[tuple[date, int | None, int, int]]) -> Chart:
    """The share of the plan's weekly goals met, per week: (Monday, percent, goals met, goals).

    A week without anything to measure (no goals yet, or a sleep goal without any night logged)
    has no bar and says so in the table.
    """
    # One band per week, labelled by its Monday, so the bars are wide enough to read on a phone;
    # a week without a measure keeps its place, without a bar.
    points = [
        {"week": f"{start:%d %b}", "percent": percent}
        for start, percent, _, _ in weeks
        if percent is not None
    ]
    labels = [f"{start:%d %b}" for start, _, _, _ in weeks]

    def build() -> dict[str, Any]:
        bars = {
            "data": _data(points),
            # Without a bar the empty mark group would be an unlabelled image for screen readers.
            "mark": {"type": "bar", "aria": bool(points), "color": GRAMS_COLOR},
            "encoding": {
                "x": _field(
                    "week:O",
                    axis={"labelAngle": 0},
                    scale={"domain": labels},
                    title="Week starting (Monday)",
                ),
                "y": _field(
                    "percent:Q", scale={"domain": [0, 100]}, title="Goals met (% of target)"
                ),
            },
        }
        return _vega_lite(bars, width=360, height=180)

    svg = _cache.render("weekly-adherence", [labels, points], build)
    title = "Weekly goals met"
    measured = [percent for _, percent, _, _ in weeks if percent is not None]
    summary = (
        f"{len(weeks)} weeks; on average {sum(measured) / len(measured):.0f}% of the weekly "
        "targets were met (each goal counts up to 100%)."
        if measured
        else f"{len(weeks)} weeks; nothing to measure yet."
    )
    rows = tuple(
        (
            f"{start:%d %b %Y}",
            "–" if percent is None else f"{percent}%",
            f"{met} of {count}",
        )
        for start, percent, met, count in weeks
    )
    return Chart(
        svg=_accessible(svg, title, summary),
        title=title,
        summary=summary,
        columns=("Week starting (Monday)", "Share of targets met", "Goals met in full"),
        rows=rows,
    )
