"""Today's charts, drawn as SVG in Python: what a reader sees in them, at both widths."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mitra.reads.exposure import ExposureRead
from mitra.reports.svg_chart import NARROW, WIDE, nice_ticks
from mitra.reports.today_charts import anxiety_and_grams_chart, exposure_chart

SVG = "{http://www.w3.org/2000/svg}"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


def _read(
    *, hours_before: float = 72, ahead: float = 24, dose_hours_ago: float = 0.5
) -> ExposureRead:
    """A curve with one dose `dose_hours_ago` before NOW: a rise to a peak, then a fall."""
    steps = int((hours_before + ahead) * 4)
    times = [
        NOW - timedelta(hours=hours_before) + timedelta(minutes=15 * i) for i in range(steps + 1)
    ]

    def c(t: datetime) -> float:
        h = (t - NOW).total_seconds() / 3600 + dose_hours_ago
        return 0.0 if h < 0 else 200 * (math.exp(-h / 40) - math.exp(-h / 0.5))

    central = [c(t) for t in times]
    average = 40.0
    return ExposureRead(
        alkaloid="mitragynine",
        unit="nmol/L",
        parameter_set="tanna2022_two_compartment",
        half_life_hours=45.3,
        step_hours=0.25,
        times=times,
        concentration_nM=central,
        low_nM=[x * 0.5 for x in central],
        high_nM=[x * 1.6 for x in central],
        peak_nM=max(central),
        peak_at=times[central.index(max(central))],
        tmax_hours=1.0,
        auc_nM_h=1.0,
        hours_since_last_dose=dose_hours_ago,
        doses=1,
        estimated_doses=0,
        skipped_doses=0,
        dose_details=(),
        note="1 dose counted.",
        caveats=(),
        sources=(),
        citations=(),
        projected_after=NOW,
        ahead_hours=ahead,
        average_7d_nM=average,
        relative=[x / average for x in central],
        relative_low=[x * 0.5 / average for x in central],
        relative_high=[x * 1.6 / average for x in central],
    )


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  the app's own drawing, not input from elsewhere


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in _parse(svg).iter(f"{SVG}text")]


def test_the_exposure_chart_is_one_labelled_image_at_each_width() -> None:
    chart = exposure_chart(_read(), BERLIN)
    for svg, frame in ((chart.svg, WIDE), (chart.svg_narrow, NARROW)):
        root = _parse(svg)  # well-formed
        assert root.get("role") == "img"
        assert root.get("aria-label", "").startswith("Estimated mitragynine in the body. ")
        assert root.get("viewBox") == f"0 0 {frame.width} {frame.height}"
        assert root.find(f"{SVG}title").text == chart.title
        assert root.find(f"{SVG}desc").text == chart.summary
        assert "style=" not in svg  # the pages' CSP allows no inline style
        assert {"nmol/L (estimated)", "Now", "Projected", "Estimate", "Range"} <= set(_texts(svg))
        assert all(float(t.get("font-size")) >= 14 for t in root.iter(f"{SVG}text"))


def test_the_projection_is_dashed_and_the_peak_ahead_is_labelled_an_estimate() -> None:
    read = _read()
    chart = exposure_chart(read, BERLIN)
    root = _parse(chart.svg)
    dashed = [p for p in root.iter(f"{SVG}path") if p.get("stroke-dasharray") == "6 4"]
    solid = [
        p
        for p in root.iter(f"{SVG}path")
        if p.get("stroke", "none") != "none" and not p.get("stroke-dasharray")
    ]
    assert len(dashed) == 1
    assert len(solid) == 1
    peak = f"Estimated peak {read.peak_nM:.0f} nmol/L"  # a number with its unit
    assert peak in _texts(chart.svg)
    assert f"estimated peak {read.peak_nM:.0f} nmol/L" in chart.summary
    assert "The last 24 hours are projected, with no further dose." in chart.summary
    projected = [r for r in chart.rows if r[0].endswith("(projected)")]
    assert projected
    assert len(projected) < len(chart.rows)


def test_the_relative_scale_shows_the_curve_against_the_7_day_average() -> None:
    read = _read()
    chart = exposure_chart(read, BERLIN, relative=True)
    texts = _texts(chart.svg_narrow)
    assert "Times your 7-day average" in texts
    assert "Your average" in texts
    assert f"Estimated peak {read.peak_nM / 40:.1f}×" in texts
    assert chart.columns[1] == "Estimate (times your 7-day average)"
    assert "times your 7-day average" in chart.summary


def test_without_an_average_the_relative_scale_falls_back_to_nmol_per_litre() -> None:
    read = replace(_read(), average_7d_nM=None, relative=[], relative_low=[], relative_high=[])
    chart = exposure_chart(read, BERLIN, relative=True)
    assert "nmol/L (estimated)" in _texts(chart.svg)
    assert chart.columns[1] == "Estimate (nmol/L)"


def test_the_time_axis_is_on_the_persons_clock_with_labels_that_fit() -> None:
    chart = exposure_chart(_read(), BERLIN)
    for svg, frame in ((chart.svg, WIDE), (chart.svg_narrow, NARROW)):
        labels = [t for t in _texts(svg) if t in {"Sat", "Sun", "Mon", "Tue"} or ":" in t]
        assert "Mon" in labels  # midnight of Monday 2 March in Berlin
        # About 4 font-sizes per label: the labels do not run into each other.
        assert len(labels) <= frame.plot_width / (frame.font_px * 4.2) + 1


def test_thirty_days_draw_a_bar_per_day_with_kratom_and_a_line_broken_where_no_rating() -> None:
    days = [date(2026, 2, 1) + timedelta(days=i) for i in range(30)]
    grams = [0.0 if i % 5 == 0 else 3.0 for i in range(30)]
    anxiety = [math.nan if i % 7 == 3 else 4.0 for i in range(30)]
    chart = anxiety_and_grams_chart(days, anxiety, grams)
    root = _parse(chart.svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#2f7d6d"]
    assert len(bars) == sum(g > 0 for g in grams) + 1  # and the legend's key
    line = next(p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#7a3e9d")
    assert line.get("d", "").count("M") == 1 + sum(
        1 for i in range(30) if i % 7 == 3 and 0 < i < 29
    )
    assert {"Kratom, g", "Anxiety 0-10"} <= set(_texts(chart.svg_narrow))
    assert chart.summary == (
        "Mean anxiety 4.0 out of 10 on 26 days with a rating; kratom on 24 of 30 days, "
        "3.0 g on average on those days."
    )
    assert not chart.empty


def test_thirty_empty_days_say_so_in_words_and_keep_their_table() -> None:
    days = [date(2026, 2, 1) + timedelta(days=i) for i in range(30)]
    chart = anxiety_and_grams_chart(days, [math.nan] * 30, [0.0] * 30)
    assert chart.empty
    assert chart.svg == chart.svg_narrow == ""
    assert len(chart.rows) == 30


@pytest.mark.parametrize(
    ("high", "expected"),
    [(9.4, [0, 2.5, 5, 7.5, 10]), (0.3, [0, 0.1, 0.2, 0.3]), (180, [0, 50, 100, 150, 200])],
)
def test_ticks_are_round_numbers_from_zero_past_the_highest_value(
    high: float, expected: list[float]
) -> None:
    assert nice_ticks(high, 5) == expected


@pytest.mark.parametrize("dose_hours_ago", [2, 20, 36, 40, 44, 50, 60, 70])
def test_the_peak_label_with_its_unit_stays_inside_the_narrow_chart(dose_hours_ago: float) -> None:
    chart = exposure_chart(_read(dose_hours_ago=dose_hours_ago), BERLIN)
    root = _parse(chart.svg_narrow)
    width = float(root.get("viewBox", "0 0 0 0").split()[2])
    texts = list(root.iter(f"{SVG}text"))
    first = next(i for i, t in enumerate(texts) if (t.text or "").startswith("Estimated peak"))
    # One line, or two where one would not fit: "Estimated peak" above "154 nmol/L".
    label = [texts[first]] if (texts[first].text or "").endswith(" nmol/L") else texts[first:][:2]
    assert " ".join(t.text or "" for t in label).endswith(" nmol/L")
    for line in label:
        x, size = float(line.get("x", "0")), float(line.get("font-size", "0"))
        extent = len(line.text or "") * size * 0.62  # bold: at most about 0.62 em a character
        if line.get("text-anchor") == "end":
            assert x - extent >= 0, (x, extent)
        else:
            assert x + extent <= width, (x, extent, width)
