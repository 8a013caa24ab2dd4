"""Today's charts drawn from a compiled template are the charts vl-convert draws from their
Vega-Lite specs, and every chart's spec is valid Vega-Lite."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import altair
import jsonschema
import pytest
import vl_convert as vlc

from mitra.reports import charts, taper_chart

# The Vega-Lite JSON Schema Altair ships with: the charts are checked against it here.
VEGA_LITE_SCHEMA_FILE = Path(altair.__file__).parent / "vegalite/v6/schema/vega-lite-schema.json"


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


def test_the_anxiety_template_draws_what_vl_convert_draws_from_its_spec() -> None:
    rows = _anxiety_rows()
    direct = vlc.vegalite_to_svg(charts._anxiety_and_grams_spec(rows))
    assert vlc.vega_to_svg(charts._ANXIETY_AND_GRAMS.spec(rows)) == direct


def test_the_exposure_template_draws_what_vl_convert_draws_from_its_spec() -> None:
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


def _drawn_specs(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """The Vega-Lite spec of every chart mitra draws, with a few rows each."""
    specs: dict[str, dict[str, Any]] = {
        "anxiety_and_grams": charts._anxiety_and_grams_spec(_anxiety_rows()),
        "exposure": charts._exposure_spec(_exposure_rows()),
    }

    def keep(kind: str, data: Any, build: Any, draw: Any = None) -> str:
        specs[f"{kind}-{len(specs)}"] = build()
        return "<svg></svg>"

    monkeypatch.setattr(charts._cache, "render", keep)
    days = [date(2026, 1, 5) + timedelta(days=i) for i in range(3)]
    bands = [("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)]
    charts.questionnaire_history_chart("GAD-7", days, [3, 5, 7], bands, 21)
    charts.questionnaire_history_chart("SDS", days, [3, 5, 7], [], 15)
    charts.forest_chart([("walk", 0.1, -0.2, 0.4, True), ("tea", -0.3, -0.5, -0.1, False)], "pt")
    bins = [{"g": 1, "m": 3.0, "n": 4}, {"g": 2, "m": 4.0, "n": 2}]
    charts.binned_chart(bins, x_key="g", x_title="Grams", y_key="m", y_title="Anxiety", title="T")
    week = {"week_start": "2026-01-05", "mg_mitragynine": 10, "mg_low": 5, "mg_high": 15}
    week["grams_leaf"] = 2
    charts.weekly_dose_chart([week], {"start_mg": 10, "end_mg": 12})
    charts.weekly_dose_chart([week], None)
    charts.weekly_adherence_chart([(date(2026, 1, 5), 50, 1, 2), (date(2026, 1, 12), None, 0, 0)])
    charts.weekly_adherence_chart([(date(2026, 1, 12), None, 0, 0)])
    taper_chart.taper_chart(
        days, [3, 3, 2], [3, 2, 2], [4, None, 5], [3, None, 2], unit="g", days_over=0
    )
    return specs


def test_every_chart_spec_is_valid_vega_lite(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = json.loads(VEGA_LITE_SCHEMA_FILE.read_text())
    specs = _drawn_specs(monkeypatch)
    assert len(specs) == 11
    for kind, spec in specs.items():
        assert spec["$schema"] == charts.VEGA_LITE_SCHEMA, kind
        errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(spec)]
        assert errors == [], (kind, errors[:3])


def test_a_spec_with_a_mistake_is_not_valid_vega_lite() -> None:
    spec = charts._exposure_spec(_exposure_rows())
    spec["layer"][0]["mark"]["type"] = "areas"
    validator = jsonschema.Draft7Validator(json.loads(VEGA_LITE_SCHEMA_FILE.read_text()))
    assert not validator.is_valid(spec)


def test_the_charts_match_the_vega_lite_version_vl_convert_draws() -> None:
    version = charts.VEGA_LITE_SCHEMA.rsplit("/v", 1)[1].removesuffix(".json")
    assert version.startswith(vlc.get_vegalite_versions()[-1].removeprefix("v").split(".")[0])
