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
from datetime import date, timedelta
from threading import Lock
from typing import Any

import vl_convert as vlc

from mitra.wording import day, plural

from .renderer import warm_renderer

__all__ = ["Chart", "draw_later_until_warm", "keep_drawings"]

ANXIETY_COLOR = "#7a3e9d"
#: The line (with its points) that draws anxiety, on every chart of it.
ANXIETY_LINE = {
    "type": "line",
    "color": ANXIETY_COLOR,
    "point": {"color": ANXIETY_COLOR},
    "strokeWidth": 2.5,
}
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
    # The drawing for a phone-wide card (text at least 11 px there); pages show one of the two
    # by the card's width. "" where only one drawing exists (the report's PDF uses `svg`).
    svg_narrow: str = ""
    empty: bool = False  # nothing to draw yet: pages say so in words


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
        draw: Callable[[dict[str, Any]], str] | None = None,
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
            svg = (draw or vlc.vegalite_to_svg)(build())
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


def warm_up() -> None:
    """Start the chart renderer (its first use costs about a second); from then on every chart
    is drawn when asked for. Today's charts never wait for it (`today_charts` draws them)."""
    try:
        warm_renderer()
    finally:
        _cache.warming = False


def _accessible(svg: str, title: str, summary: str) -> str:
    """Give the SVG a role, title and description so screen readers announce it ("" stays "")."""
    label = f"{title}. {summary}".replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    opening = f'<svg role="img" aria-label="{label}" focusable="false" '
    # Vega names each mark container a graphics-symbol; one with nothing to draw (a chart of no
    # ratings yet) has no name, which screen-reader checks report as an image without text.
    svg = _EMPTY_MARK_ROLE.sub(r"\1\2", svg)
    # A title wrapped in lines is one text of a tspan per line, and the renderer trims each
    # line: without a space at each break, the drawing's text (copied, found in the page, read
    # aloud by a reading tool) runs the lines together ("29 Nov" and "2026" as "29 Nov2026").
    svg = svg.replace("</tspan><tspan ", " </tspan><tspan ")
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


#: Text size of a drawing, in its own units. The wide drawing (about 700 units) is shown in a
#: card of at least 520 px, the narrow one (about 340) in 260-520 px, so at 16 and 14 their text
#: is at least 11 CSS px wherever it is shown at 360 px and wider.
WIDE_FONT = 16
NARROW_FONT = 14
#: The plot's width in a narrow drawing, its axes and legend beside it.
NARROW_PLOT = 230


def _for_width(spec: dict[str, Any], *, narrow: bool) -> dict[str, Any]:
    """`spec` with text sized for where it is shown; narrow: a phone's plot, legends below."""
    font = NARROW_FONT if narrow else WIDE_FONT
    config = dict(spec.get("config", {}))
    sizes = {"labelFontSize": font, "titleFontSize": font}
    config["axis"] = config.get("axis", {}) | sizes
    # A legend's title is cut at 180 px unless told otherwise.
    config["legend"] = config.get("legend", {}) | sizes | {"titleLimit": 600}
    spec = spec | {"config": config}
    shaped: dict[str, Any] = _narrowed(spec) if narrow else _titles_wrapped(spec)
    return shaped


def _titles_wrapped(node: Any) -> Any:
    """A copy whose titles longer than a wide plot holds wrap between words (an axis title of
    a long unit ran off both edges of the forest plot)."""
    if isinstance(node, list):
        return [_titles_wrapped(n) for n in node]
    if not isinstance(node, dict):
        return node
    copy = {k: (v if k in ("data", "config") else _titles_wrapped(v)) for k, v in node.items()}
    title = copy.get("title")
    if isinstance(title, str) and len(title) > WIDE_TITLE_CHARS:
        copy["title"] = _lines(title, WIDE_TITLE_CHARS)
    return copy


def _narrowed(node: Any) -> Any:
    """A copy with every view at the narrow plot width and every legend below its plot."""
    if isinstance(node, list):
        return [_narrowed(n) for n in node]
    if not isinstance(node, dict):
        return node
    copy = {k: _narrowed(v) for k, v in node.items() if k not in ("data", "config")}
    copy.update({k: node[k] for k in ("data", "config") if k in node})
    if isinstance(copy.get("width"), int):
        copy["width"] = NARROW_PLOT
    title = copy.get("title")
    if isinstance(title, str) and len(title) > NARROW_TITLE_CHARS:
        copy["title"] = _lines(title)
    legend = copy.get("legend")
    if isinstance(legend, dict) and legend.get("orient") == "right":
        copy["legend"] = legend | {"orient": "bottom", "direction": "vertical"}
    axis = copy.get("axis")
    if isinstance(axis, dict) and "labelLimit" in axis:
        copy["axis"] = axis | {"labelLimit": 120}
    return copy


#: The longest line of an axis or legend title in a narrow drawing (longer ones wrap).
NARROW_TITLE_CHARS = 26
#: The same in a wide drawing: a 520 px plot holds about this many characters at 16 px.
WIDE_TITLE_CHARS = 56


#: A date as `mitra.wording.day` says it ("29 Nov 2026"), or a word.
_DATE_OR_WORD = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}|\S+")


def _lines(text: str, limit: int = NARROW_TITLE_CHARS) -> list[str]:
    """`text` in lines of at most `limit` characters, broken between words and never inside a
    date (a line ending "29 Nov" over one of "2026" read as "29 Nov2026")."""
    lines: list[str] = []
    for word in _DATE_OR_WORD.findall(text):
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _drawings(
    kind: str, data: Any, build: Callable[[], dict[str, Any]], title: str, summary: str
) -> tuple[str, str]:
    """The wide and the narrow drawing of one chart, each drawn once per distinct rows."""
    # The kinds name the sizes and the wrapping, so drawings kept before text was sized per
    # width, or before dates were kept whole on a line, are not reused.
    wide = _cache.render(
        f"{kind}/wide-wrapped-dates-whole", data, lambda: _for_width(build(), narrow=False)
    )
    narrow = _cache.render(
        f"{kind}/narrow-dates-whole", data, lambda: _for_width(build(), narrow=True)
    )
    return _accessible(wide, title, summary), _accessible(narrow, title, summary)


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
                        "day:T", axis={"format": "%-d %b %Y", "labelAngle": 0}, title="Date"
                    ),
                    "y": _field(
                        "total:Q",
                        scale={"domain": [0, maximum]},
                        title=f"{code} total (0-{maximum})",
                    ),
                },
            }
        )
        spec = _vega_lite({"layer": layers}, width=560, height=220)
        # Room past the legend: a browser's sans-serif can draw a band's name ("Moderate
        # anxiety") wider than the renderer measured it, past the drawing's right edge.
        spec["padding"] = {"left": 5, "right": 32, "top": 5, "bottom": 5}
        return spec

    title = f"{code} totals over time"
    first, last = totals[0], totals[-1]
    summary = (
        f"{len(totals)} responses from {day(days[0])} to {day(days[-1])}; "
        f"first total {first}, latest {last} (0-{maximum}, higher means more symptoms)."
    )
    rows = tuple((day(d), str(t)) for d, t in zip(days, totals, strict=True))
    svg, narrow = _drawings("questionnaire-history", [code, points, shaded], build, title, summary)
    return Chart(
        svg=svg,
        svg_narrow=narrow,
        title=title,
        summary=summary,
        columns=("Date", "Total"),
        rows=rows,
    )


def forest_chart(
    rows: list[tuple[str, float, float, float, bool]],
    unit: str,
    title: str = "What was associated with your anxiety",
) -> Chart:
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
        # "Mindfulness, next day" on two lines, so a phone's narrow plot keeps its words.
        axis = {"labelLimit": 200, "labelExpr": "split(datum.label, ', ')"}
        y = _field("factor:N", axis=axis, sort=order, title=None)
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
            {"layer": [rule, dots, zero]}, width=520, height=max(120, 44 * len(points))
        )
        spec["padding"] = {"left": 12, "right": 8, "top": 5, "bottom": 5}  # room for long labels
        return spec

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
    svg, narrow = _drawings("forest", points, build, title, summary)
    return Chart(
        svg=svg,
        svg_narrow=narrow,
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
            "mark": ANXIETY_LINE,
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

    # Short: the table beside the chart holds every bin.
    ratings = sum(p["n"] for p in points)
    summary = (
        f"{len(points)} groups, {ratings} ratings in all; each group's figures are in the table."
    )
    if points:
        high = max(points, key=lambda p: p["y"])
        summary = (
            f"{len(points)} groups, {ratings} ratings; the highest mean, {high['y']:.1f}, "
            f"at {high['x']:g} ({x_title.lower()}). Each group is in the table."
        )
    rows = tuple((f"{p['x']:g}", f"{p['y']:.2f}", str(p["n"])) for p in points)
    svg, narrow = _drawings("binned", [title, points], build, title, summary)
    return Chart(
        svg=svg,
        svg_narrow=narrow,
        title=title,
        summary=summary,
        columns=(x_title, y_title, "Ratings"),
        rows=rows,
    )


def _week_axis(
    period: tuple[date, date] | None, title: str, weeks: list[str] | None = None
) -> dict[str, Any]:
    """The x channel of a weekly chart: over `period` (first and last day) with a tick each
    month when given, so charts of one period line up; else over the `weeks` drawn (their
    Mondays, ISO), half a week beyond each end so no bar is cut in half, with ticks every few
    weeks, months or years as the span asks (each label names a different one)."""
    if period is None:
        mondays = [date.fromisoformat(w) for w in weeks or ()]
        if not mondays:
            return _field("week:T", axis={"format": "%b %Y", "labelAngle": 0}, title=title)
        first, last = min(mondays), max(mondays)
        span = (last - first).days + 7
        axis: dict[str, Any] = {"labelAngle": 0}
        end = last + timedelta(days=4)  # the drawn end: ticks beyond it are left out
        if span <= 16 * 7:  # a tick on every few Mondays, each with its day
            step = math.ceil(span / 7 / 6)
            ticks = [first + timedelta(weeks=k) for k in range(0, span // 7, step)]
            shown = "%-d %b"
        elif span <= 2 * 366:  # on the first of every few months
            step = math.ceil(span / 30.4 / 6)
            firsts = [
                date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1)
                for k in range(1, 26)
            ]
            ticks = [d for d in firsts if d <= end][::step]
            shown = "%b %Y"
        else:  # on the first of January of every few years
            step = math.ceil(span / 365.25 / 6)
            ticks = [date(y, 1, 1) for y in range(first.year + 1, end.year + 1)][::step]
            shown = "%Y"
        axis |= {"format": shown, "values": [t.isoformat() for t in ticks]}
        ends = [(first - timedelta(days=4)).isoformat(), (last + timedelta(days=4)).isoformat()]
        return _field("week:T", axis=axis, scale={"domain": ends}, title=title)
    first, last = period
    axis = {"format": "%b", "labelAngle": 0, "tickCount": {"interval": "month", "step": 1}}
    return _field(
        "week:T",
        axis=axis,
        scale={"domain": [first.isoformat(), last.isoformat()]},
        title=f"{title}, {day(first)} to {day(last)}",
    )


def weekly_dose_chart(
    weeks: list[dict[str, Any]],
    trend: dict[str, Any] | None,
    *,
    period: tuple[date, date] | None = None,
) -> Chart:
    """Estimated mg of mitragynine per week with its content range, and the robust trend line;
    over `period` (first and last day) when given.

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
        x = _week_axis(period, "Week", [p["week"] for p in points])
        # Two lines: in one, the title ran past the top and bottom of the 200-unit plot.
        y_title = ["Estimated mitragynine", "(mg per week)"]
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

    title = "Estimated mitragynine per week"
    summary = plural(len(points), "week") + (
        f"; trend from about {line_points[0]['mg']:.0f} mg "
        f"to {line_points[-1]['mg']:.0f} mg a week. Lines show the range of products' content."
        if line_points
        else "."
    )
    rows = tuple(
        (
            p["week"],
            f"{p['mg']:g} ({p['low']:g}–{p['high']:g})",
            f"{float(w['grams_leaf']):g}",
            str(w.get("doses_without_content", 0)),
        )
        for p, w in zip(points, weeks, strict=True)
    )
    shown = [points, line_points, [str(d) for d in period or ()]]
    svg, narrow = _drawings("weekly-mg-per-week", shown, build, title, summary)
    return Chart(
        svg=svg,
        svg_narrow=narrow,
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
        {"week": f"{start.day} {start:%b}", "percent": percent}
        for start, percent, _, _ in weeks
        if percent is not None
    ]
    labels = [f"{start.day} {start:%b}" for start, _, _, _ in weeks]

    def build() -> dict[str, Any]:
        bars = {
            "data": _data(points),
            # Without a bar the empty mark group would be an unlabelled image for screen readers.
            "mark": {"type": "bar", "aria": bool(points), "color": GRAMS_COLOR},
            "encoding": {
                "x": _field(
                    "week:O",
                    # Where eight Mondays do not fit side by side (a phone), every other one.
                    axis={"labelAngle": 0, "labelOverlap": "parity"},
                    scale={"domain": labels},
                    title="Week starting (Monday)",
                ),
                # Two lines: in one, the title ran past the top and bottom of the plot.
                "y": _field(
                    "percent:Q", scale={"domain": [0, 100]}, title=["Goals met", "(% of target)"]
                ),
            },
        }
        return _vega_lite(bars, width=360, height=180)

    title = "Weekly goals met"
    measured = [percent for _, percent, _, _ in weeks if percent is not None]
    with_goals = sum(1 for *_, count in weeks if count)
    told = plural(len(weeks), "week") + (
        f", {with_goals} of them with goals set" if 0 < with_goals < len(weeks) else ""
    )
    summary = (
        f"{told}; on average {sum(measured) / len(measured):.0f}% of the weekly "
        "targets were met (each goal counts up to 100%)."
        if measured
        else f"{told}; nothing to measure yet."
    )
    rows = tuple(
        (
            day(start),
            "–" if percent is None else f"{percent}%",
            f"{met} of {count}" if count else "no goal set yet",
        )
        for start, percent, met, count in weeks
    )
    # Nothing measured: the page says so in words, not with a chart of empty axes.
    svg, narrow = (
        _drawings("weekly-goals-met", [labels, points], build, title, summary)
        if measured
        else ("", "")
    )
    return Chart(
        svg=svg,
        svg_narrow=narrow,
        title=title,
        summary=summary,
        columns=("Week starting (Monday)", "Share of targets met", "Goals met in full"),
        rows=rows,
        empty=not measured,
    )


def weekly_anxiety_chart(
    weeks: list[tuple[date, float, float, float, int]],
    *,
    period: tuple[date, date] | None = None,
) -> Chart:
    """Mean anxiety (0-10) per week from check-ins, with the lowest and highest day's mean:
    (Monday, mean, lowest day, highest day, days rated); over `period` when given."""
    points = [
        {"week": start.isoformat(), "mean": mean, "low": low, "high": high}
        for start, mean, low, high, _ in weeks
    ]

    def build() -> dict[str, Any]:
        x = _week_axis(period, "Week", [start.isoformat() for start, *_ in weeks])
        y_title = "Mean anxiety (0-10)"
        spread = {
            "mark": {"type": "rule", "color": "#555555"},
            "encoding": {
                "x": x,
                "y": _field("low:Q", scale={"domain": [0, 10]}, title=y_title),
                "y2": _field("high"),
            },
        }
        line = {
            "mark": ANXIETY_LINE,
            "encoding": {
                "x": x,
                "y": _field("mean:Q", scale={"domain": [0, 10]}, title=y_title),
            },
        }
        return _vega_lite({"data": _data(points), "layer": [spread, line]}, width=560, height=200)

    title = "Anxiety per week, from check-ins"
    if weeks:
        summary = (
            f"{plural(len(weeks), 'week')} with check-ins from {day(weeks[0][0])} to "
            f"{day(weeks[-1][0])}; "
            f"mean {weeks[0][1]:.1f} in the first, {weeks[-1][1]:.1f} in the latest "
            "(0-10, higher means more anxious). Lines span the week's lowest and highest day."
        )
    else:
        summary = "No anxiety rating in these weeks."
    rows = tuple(
        (day(start), f"{mean:.1f}", f"{low:.1f}–{high:.1f}", str(rated))
        for start, mean, low, high, rated in weeks
    )
    svg, narrow = (
        _drawings("weekly-anxiety", [points, [str(d) for d in period or ()]], build, title, summary)
        if weeks
        else ("", "")
    )
    return Chart(
        svg=svg,
        svg_narrow=narrow,
        title=title,
        summary=summary,
        columns=(
            "Week starting (Monday)",
            "Mean anxiety (0-10)",
            "Lowest to highest day",
            "Days rated",
        ),
        rows=rows,
        empty=not weeks,
    )
