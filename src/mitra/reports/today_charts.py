"""Today's two charts, drawn directly as SVG at a phone's and a desktop's width.

They change with every dose and check-in, so they are drawn by `svg_chart` (a few
milliseconds) rather than by the chart renderer (tens of milliseconds after every entry); each
keeps its table for screen readers and for anyone who prefers the figures.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, tzinfo

from mitra.reads.exposure import ExposureRead
from mitra.wording import day

from .charts import ANXIETY_COLOR, GRAMS_COLOR, Chart
from .svg_chart import NARROW, WIDE, Frame, Plot, nice_ticks, tick_text

__all__ = ["anxiety_and_grams_chart", "exposure_chart"]

NOW_COLOR = "#1f2430"


def exposure_chart(read: ExposureRead, zone: tzinfo, *, relative: bool = False) -> Chart:
    """The recent curve with its band, the projection dashed, the estimated peak labelled.

    With `relative`, the curve is shown against the person's 7-day average (1 = average),
    when the read has one.
    """
    relative = relative and bool(read.relative)
    times = [t.astimezone(zone).replace(tzinfo=None) for t in read.times]
    if relative:
        central, low, high = read.relative, read.relative_low, read.relative_high
        unit = "times your 7-day average"
    else:
        central, low, high = read.concentration_nM, read.low_nM, read.high_nM
        unit = "nmol/L"
    now = (read.projected_after or read.times[-1]).astimezone(zone).replace(tzinfo=None)
    past = [i for i, t in enumerate(times) if t <= now]
    here = past[-1] if past else 0
    # The read's own peak (a point of its grid); its value on the chosen scale.
    peak_at = next(
        (i for i, t in enumerate(read.times) if t == read.peak_at),
        max(range(len(central)), key=central.__getitem__),
    )
    title = "Estimated mitragynine in the body"
    if relative:
        summary = (
            f"A model's estimate, not a measurement: now about {central[here]:.1f} times your "
            f"7-day average; estimated peak {central[peak_at]:.1f} times, at "
            f"{times[peak_at]:%a %H:%M}."
        )
    else:
        summary = (
            f"A model's estimate, not a measurement: now about {central[here]:.0f} nmol/L "
            f"(range {low[here]:.0f} to {high[here]:.0f}); estimated peak {central[peak_at]:.0f} "
            f"nmol/L at {times[peak_at]:%a %H:%M}."
        )
    if read.ahead_hours:
        summary += f" The last {read.ahead_hours:g} hours are projected, with no further dose."
    drawings = [
        _exposure_drawing(frame, times, central, low, high, here, peak_at, relative=relative).svg(
            title, summary
        )
        for frame in (WIDE, NARROW)
    ]
    step = max(1, len(times) // 24)
    rows = tuple(
        (
            f"{t:%a %H:%M}" + (" (projected)" if t > now else ""),
            _figure(c, relative),
            f"{_figure(lo, relative)} to {_figure(hi, relative)}",
        )
        for t, c, lo, hi in list(zip(times, central, low, high, strict=True))[::step]
    )
    return Chart(
        svg=drawings[0],
        svg_narrow=drawings[1],
        title=title,
        summary=summary,
        columns=("Time", f"Estimate ({unit})", f"Range ({unit})"),
        rows=rows,
    )


def _figure(value: float, relative: bool) -> str:
    return f"{value:.2f}" if relative else f"{value:.0f}"


def _hours(t: datetime, origin: datetime) -> float:
    return (t - origin).total_seconds() / 3600


def _time_ticks(frame: Frame, start: datetime, end: datetime) -> list[tuple[float, str]]:
    """Ticks at local midnights and, when there is room, at noon or every 6 hours."""
    span = _hours(end, start)
    room = frame.plot_width / (frame.font_px * 4.2)  # labels such as "12:00" need this much
    step = next((h for h in (3, 6, 12, 24) if span / h <= room), 48)
    first = start.replace(minute=0, second=0, microsecond=0)
    ticks = []
    t = first
    while t <= end:
        if t >= start and t.hour % step == 0:
            label = f"{t:%a}" if t.hour == 0 else f"{t:%H:%M}"
            ticks.append((_hours(t, start), label))
        t += timedelta(hours=1)
    return ticks


def _exposure_drawing(  # noqa: PLR0917  one drawing of one read
    frame: Frame,
    times: list[datetime],
    central: list[float],
    low: list[float],
    high: list[float],
    here: int,
    peak_at: int,
    *,
    relative: bool,
) -> Plot:
    # About a point per 1.5 units of the plot's width (the peak and now always kept): a 96-hour
    # curve every 15 minutes has more points than a phone's drawing can show.
    stride = max(1, math.ceil(len(times) / (frame.plot_width / 1.5)))
    keep = sorted({*range(0, len(times), stride), here, peak_at, len(times) - 1})
    times = [times[i] for i in keep]
    central, low, high = ([values[i] for i in keep] for values in (central, low, high))
    here, peak_at = keep.index(here), keep.index(peak_at)
    xs = [_hours(t, times[0]) for t in times]
    ticks = nice_ticks(max(*high, 1.2 if relative else 1.0) * 1.05, 5)
    frame = frame.fitting(left=[tick_text(t) for t in ticks])
    plot = Plot(frame, (xs[0], xs[-1]), (0.0, ticks[-1]))
    font = frame.font_px
    plot.text(4, font + 2, "Times your 7-day average" if relative else "nmol/L (estimated)")
    plot.y_axis(ticks)
    plot.x_axis(_time_ticks(frame, times[0], times[-1]))
    split = here + 1
    plot.band(xs[:split], low[:split], high[:split], color=GRAMS_COLOR, opacity=0.25)
    plot.band(xs[here:], low[here:], high[here:], color=GRAMS_COLOR, opacity=0.12)
    if relative:
        y = plot.y(1.0)
        plot.rule(frame.left, y, frame.width - frame.right, y, color=NOW_COLOR, dash="2 3")
        plot.text(frame.width - frame.right, y - 5, "Your average", anchor="end")
    plot.line(xs[:split], central[:split], color=GRAMS_COLOR)
    plot.line(xs[here:], central[here:], color=GRAMS_COLOR, dash="6 4")
    if here < len(xs) - 1:
        x_now = plot.x(xs[here])
        plot.rule(x_now, frame.top, x_now, frame.top + frame.plot_height, color=NOW_COLOR)
        plot.text(x_now, frame.top - 6, "Now", anchor="middle", weight="bold")
    # The modelled peak, labelled as an estimate on the side where its words fit.
    px, py = plot.x(xs[peak_at]), plot.y(central[peak_at])
    plot.dot(px, py, color=GRAMS_COLOR, r=4.5)
    words = (
        f"Estimated peak {central[peak_at]:.1f}×"
        if relative
        else f"Estimated peak {central[peak_at]:.0f} nmol/L"
    )
    # On a side with room for the words (bold text is at most about 0.62 em a character);
    # where neither side has room for one line (a narrow chart, a peak near its middle), in
    # two lines on the roomier side.
    left, right = px - 8 - frame.left, frame.left + frame.plot_width - px - 8
    lines = [words]
    if max(left, right) < len(words) * font * 0.62:
        head, _, figure_words = words.rpartition(" peak ")
        lines = [f"{head} peak", figure_words]
    width = max(len(line) for line in lines) * font * 0.62
    anchor = "end" if left >= width or (right < width and left > right) else "start"
    shift = -8 if anchor == "end" else 8
    top = max(frame.top + font, py - 8 - font * 1.2 * (len(lines) - 1))
    for number, line in enumerate(lines):
        plot.text(px + shift, top + number * font * 1.2, line, anchor=anchor, weight="bold")
    _legend(plot, [("line", "Estimate"), ("dash", "Projected"), ("band", "Range")])
    return plot


def _legend(plot: Plot, keys: list[tuple[str, str]]) -> None:
    """One row of keys under the x axis."""
    frame = plot.frame
    y = frame.height - 10
    x = float(frame.left - 36)
    for kind, words in keys:
        if kind == "band":
            plot.rect(x, y - 9, 22, 10, color="#b8d6cf")
        elif kind == "bar":
            plot.rect(x + 6, y - 11, 10, 12, color=GRAMS_COLOR)
        else:
            dash = "6 4" if kind == "dash" else None
            plot.rule(x, y - 4, x + 22, y - 4, color=_key_color(kind), width=2.5, dash=dash)
            if kind == "dotted-line":
                plot.dot(x + 11, y - 4, color=ANXIETY_COLOR, r=3)
        plot.text(x + 27, y, words)
        x += 27 + len(words) * frame.font_px * 0.56 + 14


def _key_color(kind: str) -> str:
    return ANXIETY_COLOR if kind == "dotted-line" else GRAMS_COLOR


def anxiety_and_grams_chart(days: list[date], anxiety: list[float], grams: list[float]) -> Chart:
    """Daily mean anxiety (0-10, line) over daily grams of kratom leaf (bars)."""
    rated = [a for a in anxiety if not math.isnan(a)]
    dosed = [g for g in grams if g > 0]
    title = f"Anxiety and kratom, last {len(days)} days"
    if rated:
        anxiety_text = (
            f"Mean anxiety {sum(rated) / len(rated):.1f} out of 10 on {len(rated)} "
            f"day{'s' if len(rated) != 1 else ''} with a rating"
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
    rows = tuple((day(d), _fmt(a), _fmt(g)) for d, a, g in zip(days, anxiety, grams, strict=True))
    empty = not rated and not dosed
    drawings = (
        ["", ""]
        if empty
        else [_days_drawing(f, days, anxiety, grams).svg(title, summary) for f in (WIDE, NARROW)]
    )
    return Chart(
        svg=drawings[0],
        svg_narrow=drawings[1],
        title=title,
        summary=summary,
        columns=("Day", "Anxiety (0-10)", "Kratom (g)"),
        rows=rows,
        empty=empty,
    )


def _fmt(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}"


def _days_drawing(frame: Frame, days: list[date], anxiety: list[float], grams: list[float]) -> Plot:
    n = len(days)
    every = 7 if frame is NARROW or n > 40 else 5
    grams_ticks = nice_ticks(max([*grams, 1.0]), 4)
    frame = frame.fitting(left=[tick_text(t) for t in grams_ticks], right=["10"])
    plot = Plot(frame, (-0.5, n - 0.5), (0.0, 1.0))
    grams_domain = (0.0, grams_ticks[-1])
    anxiety_domain = (0.0, 10.0)
    font = frame.font_px
    plot.text(4, font + 2, "Kratom, g", color=GRAMS_COLOR, weight="bold")
    plot.text(
        frame.width - 4, font + 2, "Anxiety 0-10", anchor="end", color=ANXIETY_COLOR, weight="bold"
    )
    plot.y_axis(grams_ticks, color=GRAMS_COLOR, domain=grams_domain)
    plot.y_axis([0, 5, 10], side="right", color=ANXIETY_COLOR, domain=anxiety_domain, grid=False)
    labels = [
        (float(i), f"{d.day} {d:%b}" if (n - 1 - i) % every == 0 else "")
        for i, d in enumerate(days)
    ]
    plot.x_axis([(x, label) for x, label in labels if label])
    band = frame.plot_width / max(n, 1)
    base = plot.y(0.0, grams_domain)
    for i, g in enumerate(grams):
        if g > 0:
            top = plot.y(g, grams_domain)
            plot.rect(plot.x(i) - band * 0.35, top, band * 0.7, base - top, color=GRAMS_COLOR)
    xs = [float(i) for i in range(n)]
    values = [None if math.isnan(a) else a for a in anxiety]
    plot.line(xs, values, color=ANXIETY_COLOR, domain=anxiety_domain)
    for x, a in zip(xs, values, strict=True):
        if a is not None:
            plot.dot(plot.x(x), plot.y(a, anxiety_domain), color=ANXIETY_COLOR)
    _legend(plot, [("bar", "Kratom (g)"), ("dotted-line", "Anxiety, daily mean")])
    return plot
