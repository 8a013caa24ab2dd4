"""Drawn charts are kept in the data folder by their rows, so a restart need not draw them."""

from __future__ import annotations

import stat
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings

from mitra.reports import charts


def _kept() -> list[Any]:
    folder = settings.DATA_DIR / "cache" / "charts"
    return sorted(folder.glob("*.cache")) if folder.exists() else []


def _days(start: date) -> tuple[list[date], list[float], list[float]]:
    days = [start + timedelta(days=i) for i in range(30)]
    return days, [float(3 + i % 4) for i in range(30)], [2.5] * 30


@pytest.fixture
def restarted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that has drawn nothing yet: an empty memory cache."""
    monkeypatch.setattr(charts, "_cache", charts._SvgCache())


def test_a_chart_drawn_before_a_restart_is_read_back_not_drawn(
    restarted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = date(2025, 1, 1) + timedelta(days=len(_kept()))  # rows no other test draws
    first = charts.anxiety_and_grams_chart(*_days(start))
    assert _kept()
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in _kept())
    monkeypatch.setattr(charts, "_cache", charts._SvgCache())

    def not_drawn(*args: Any) -> str:
        raise AssertionError("drawn again although its rows were kept")

    monkeypatch.setattr(charts.vlc, "vega_to_svg", not_drawn)
    assert charts.anxiety_and_grams_chart(*_days(start)).svg == first.svg


def test_other_rows_are_drawn_and_a_damaged_file_is_drawn_again(
    restarted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = date(2024, 1, 1)
    first = charts.anxiety_and_grams_chart(*_days(start))
    other = charts.anxiety_and_grams_chart(*_days(start + timedelta(days=1)))
    assert other.svg != first.svg
    for path in _kept():
        path.write_text("<svg half a file")
    monkeypatch.setattr(charts, "_cache", charts._SvgCache())
    assert charts.anxiety_and_grams_chart(*_days(start)).svg == first.svg
