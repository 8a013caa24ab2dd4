"""Today's charts drawn from a compiled template are the charts Altair and vl-convert draw."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import vl_convert as vlc

from mitra.reports import charts


def _anxiety_rows() -> list[dict[str, object]]:
    first = date(2026, 2, 1)
    return [
        {
            "day": (first + timedelta(days=i)).isoformat(),
            "anxiety": None if i % 7 == 3 else round(3 + math.sin(i), 2),
            "grams": round(2.5 + (i % 4) * 0.5, 2),
        }
        for i in range(30)
    ]


def _exposure_rows() -> list[dict[str, object]]:
    start = datetime(2026, 2, 27, 11, 0)
    return [
        {
            "t": (start + timedelta(minutes=15 * i)).isoformat(),
            "c": round(100 * math.exp(-i / 40), 2),
            "lo": round(60 * math.exp(-i / 40), 2),
            "hi": round(150 * math.exp(-i / 40), 2),
        }
        for i in range(289)
    ]


def test_the_anxiety_template_draws_what_altair_and_vl_convert_draw() -> None:
    rows = _anxiety_rows()
    direct = vlc.vegalite_to_svg(charts._anxiety_and_grams_spec(rows))
    assert vlc.vega_to_svg(charts._ANXIETY_AND_GRAMS.spec(rows)) == direct


def test_the_exposure_template_draws_what_altair_and_vl_convert_draw() -> None:
    rows = _exposure_rows()
    direct = vlc.vegalite_to_svg(charts._exposure_spec(rows))
    assert vlc.vega_to_svg(charts._EXPOSURE.spec(rows)) == direct


def test_a_template_keeps_no_rows_of_an_earlier_chart() -> None:
    rows = _anxiety_rows()
    charts._ANXIETY_AND_GRAMS.spec(rows)
    assert charts._PLACEHOLDER in charts._ANXIETY_AND_GRAMS.compiled()["data"][0]["values"]


def test_a_chart_with_nothing_to_draw_names_no_empty_mark_as_an_image() -> None:
    import re

    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(30)]
    svg = charts.anxiety_and_grams_chart(days, [math.nan] * 30, [0.0] * 30).svg
    empty_marks = re.findall(r"<g [^>]*/>", svg)
    assert empty_marks  # the line's points: nothing to draw without ratings
    assert not [g for g in empty_marks if "graphics-symbol" in g]
    assert svg.startswith('<svg role="img" aria-label="')
