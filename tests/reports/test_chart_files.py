"""Drawn charts are kept in the data folder by their rows, so a restart need not draw them."""

from __future__ import annotations

import re
import stat
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings

from mitra.reads.cache_files import load_text, store_text
from mitra.reports import charts


def _kept() -> list[Any]:
    folder = settings.DATA_DIR / "cache" / "charts"
    return sorted(folder.glob("*.cache")) if folder.exists() else []


def _weeks(start: date) -> list[tuple[date, int | None, int, int]]:
    return [(start + timedelta(days=7 * i), 25 * (i % 5), i % 3, 2) for i in range(8)]


def _fresh() -> charts._SvgCache:
    """The drawings of a process that has drawn nothing yet, kept where the pages keep them."""
    fresh = charts._SvgCache()
    fresh.kept = (load_text, store_text)
    return fresh


@pytest.fixture
def restarted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "_cache", _fresh())


def test_a_chart_drawn_before_a_restart_is_read_back_not_drawn(
    restarted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = date(2025, 1, 6) + timedelta(days=7 * len(_kept()))  # rows no other test draws
    first = charts.weekly_adherence_chart(_weeks(start))
    assert _kept()
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in _kept())
    monkeypatch.setattr(charts, "_cache", _fresh())

    def not_drawn(*args: Any) -> str:
        raise AssertionError("drawn again although its rows were kept")

    monkeypatch.setattr(charts.vlc, "vegalite_to_svg", not_drawn)
    assert charts.weekly_adherence_chart(_weeks(start)).svg == first.svg


def test_other_rows_are_drawn_and_a_damaged_file_is_drawn_again(
    restarted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = date(2024, 1, 1)
    first = charts.weekly_adherence_chart(_weeks(start))
    other = charts.weekly_adherence_chart(_weeks(start + timedelta(days=1)))
    assert other.svg != first.svg
    assert other.svg_narrow != first.svg_narrow
    for path in _kept():
        path.write_text("<svg half a file")
    monkeypatch.setattr(charts, "_cache", _fresh())
    assert charts.weekly_adherence_chart(_weeks(start)).svg == first.svg


def test_the_pages_keep_their_charts_in_the_data_folder() -> None:
    import mitra.web.views  # noqa: F401  the pages say where charts are kept

    assert charts._cache.kept == (load_text, store_text)


def _week_labels(svg: str) -> list[str]:
    """The x axis's labels that show (Vega keeps those it hides for room, at opacity 0)."""
    texts = re.findall(r"<text([^>]*)>([^<]*)</text>", svg)
    names = [text for _, text in texts]
    shown = texts[: names.index("Week")]  # the x axis's labels come before its title
    return [text for attrs, text in shown if 'opacity="0"' not in attrs]


@pytest.mark.parametrize("weeks", [2, 7, 30, 105, 260, 520])
def test_a_weekly_charts_labels_each_name_a_different_time(weeks: int) -> None:
    start = date(2026, 11, 30) - timedelta(weeks=weeks - 1)
    rows = [
        {
            "week_start": (start + timedelta(weeks=i)).isoformat(),
            "mg_mitragynine": 300.0,
            "mg_low": 200.0,
            "mg_high": 400.0,
            "grams_leaf": 20.0,
            "doses_without_content": 0,
        }
        for i in range(weeks)
    ]
    chart = charts.weekly_dose_chart(rows, None)
    for svg in (chart.svg, chart.svg_narrow):
        labels = _week_labels(svg)
        assert labels, svg[:300]
        assert len(set(labels)) == len(labels), labels
        assert len(labels) >= 2, labels
        if weeks > 104:  # years, none after the last week's
            assert max(labels) <= "2026", labels
    if weeks <= 7:  # a few weeks: their Mondays, by day ("12 Oct"), from the first
        assert _week_labels(chart.svg)[0] == f"{start.day} {start:%b}"


def test_the_goals_chart_says_how_many_of_its_weeks_had_goals() -> None:
    monday = date(2026, 11, 2)
    weeks = [(monday + timedelta(weeks=k), None, 0, 0) for k in range(3)]
    weeks.append((monday + timedelta(weeks=3), 50, 1, 2))
    chart = charts.weekly_adherence_chart(weeks)
    assert chart.summary.startswith(
        "4 weeks, 1 of them with goals set; on average 50% of the weekly targets were met"
    )
    assert [row[2] for row in chart.rows] == ["no goal set yet"] * 3 + ["1 of 2"]
