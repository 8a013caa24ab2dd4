"""Every chart drawn through Vega-Lite has a valid spec, wide and narrow."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import altair
import jsonschema
import pytest
import vl_convert as vlc

from mitra.reports import charts, taper_chart

# The Vega-Lite JSON Schema Altair ships with: the charts are checked against it here.
VEGA_LITE_SCHEMA_FILE = Path(altair.__file__).parent / "vegalite/v6/schema/vega-lite-schema.json"


def test_a_vega_chart_with_nothing_to_draw_names_no_empty_mark_as_an_image() -> None:
    empty = '<svg class="marks"><g class="mark-line" role="graphics-symbol" aria-x="1"/></svg>'
    svg = charts._accessible(empty, "T", "S")
    assert svg.startswith('<svg role="img" aria-label="T. S"')
    assert "graphics-symbol" not in svg


def _drawn_specs(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """The Vega-Lite spec of every chart mitra draws, with a few rows each."""
    specs: dict[str, dict[str, Any]] = {}

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
    nothing = charts.weekly_adherence_chart([(date(2026, 1, 12), None, 0, 0)])
    assert nothing.empty  # said in words, not drawn
    taper_chart.taper_chart(
        days, [3, 3, 2], [3, 2, 2], [4, None, 5], [3, None, 2], unit="g", days_over=0
    )
    return specs


def test_every_chart_spec_is_valid_vega_lite(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = json.loads(VEGA_LITE_SCHEMA_FILE.read_text())
    specs = _drawn_specs(monkeypatch)
    assert len(specs) == 16  # eight charts, each drawn wide and narrow
    for kind, spec in specs.items():
        assert spec["$schema"] == charts.VEGA_LITE_SCHEMA, kind
        errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(spec)]
        assert errors == [], (kind, errors[:3])


def test_a_spec_with_a_mistake_is_not_valid_vega_lite(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = next(s for k, s in _drawn_specs(monkeypatch).items() if k.startswith("forest"))
    spec["layer"][0]["mark"]["type"] = "areas"
    validator = jsonschema.Draft7Validator(json.loads(VEGA_LITE_SCHEMA_FILE.read_text()))
    assert not validator.is_valid(spec)


def test_the_charts_match_the_vega_lite_version_vl_convert_draws() -> None:
    version = charts.VEGA_LITE_SCHEMA.rsplit("/v", 1)[1].removesuffix(".json")
    assert version.startswith(vlc.get_vegalite_versions()[-1].removeprefix("v").split(".")[0])


def test_the_taper_chart_draws_sows_on_its_whole_scale_of_0_to_64(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    specs = _drawn_specs(monkeypatch)
    taper = next(s for k, s in specs.items() if k.startswith("taper"))
    scales = [
        layer["encoding"]["y"]
        for layer in _layers(taper)
        if layer.get("encoding", {}).get("y", {}).get("field") == "sows"
    ]
    assert scales
    assert all(y["scale"]["domain"] == [0, 64] for y in scales)
    assert all(y["title"] == "SOWS (0-64)" for y in scales)
    days = [date(2026, 1, 5)]
    chart = taper_chart.taper_chart(days, [3], [3], [52], [4], unit="g", days_over=0)
    assert "SOWS (0-64)" in chart.columns


def test_a_taper_of_one_day_is_counted_as_one_day() -> None:
    """ "1 day of the taper", never "1 days"."""
    from mitra.reports import taper_chart

    chart = taper_chart.taper_chart([date(2026, 1, 5)], [3], [3], [5], [4], unit="g", days_over=0)
    assert chart.title == "Planned against actual use, 1 day of the taper"
    assert chart.summary == "Use went over the day's allowance on 0 of 1 day."


def _layers(spec: Any) -> list[dict[str, Any]]:
    """Every unit spec inside `spec` (layers, concatenations), flattened."""
    found = []
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for part in spec.get(key, []):
            found += _layers(part)
    return found + ([spec] if "mark" in spec else [])


def test_date_axes_read_day_month_year_as_the_pages_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """'20 Sep 2026', as every other date mitra shows, never 'Sep 20, 2026'."""
    import re

    days = [date(2026, 9, 1) + timedelta(days=i * 10) for i in range(3)]
    chart = charts.questionnaire_history_chart("GAD-7", days, [3, 5, 7], [], 21)
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", chart.svg)
    assert any(re.fullmatch(r"\d{1,2} (Sep|Oct) 2026", label) for label in labels), labels
    assert not any(re.search(r"[A-Z][a-z]{2} \d{2}, \d{4}", label) for label in labels), labels
    specs = _drawn_specs(monkeypatch)
    formats = [
        layer["encoding"]["x"]["axis"]["format"]
        for spec in specs.values()
        for layer in spec.get("layer", [spec])
        if "axis" in layer.get("encoding", {}).get("x", {})
        and "format" in layer["encoding"]["x"]["axis"]
    ]
    assert formats
    assert all(not f.startswith("%b %d") for f in formats), formats


def test_the_first_day_of_a_taper_draws_its_allowance_and_colours_its_points() -> None:
    """One day has no line to step along: its allowance is a dash the width of a few bars,
    and the SOWS and anxiety points take their axes' colours (no default blue)."""
    import re

    from mitra.reports.charts import ANXIETY_COLOR
    from mitra.reports.taper_chart import ALLOWANCE_COLOR, SOWS_COLOR

    chart = taper_chart.taper_chart(
        [date(2026, 12, 1)], [7.2], [5.5], [32.0], [5.3], unit="g", days_over=0
    )
    for svg in (chart.svg, chart.svg_narrow):
        dash = re.findall(rf'aria-roledescription="point"[^>]*d="M(-?[\d.]+),0L([\d.]+),0"'
                          rf'[^>]*stroke="{ALLOWANCE_COLOR}"', svg)  # fmt: skip
        assert dash, "no dash at the day's allowance"
        assert float(dash[0][1]) - float(dash[0][0]) >= 10  # wide enough to see
        points = re.findall(r'aria-roledescription="point"[^>]*fill="(#[0-9a-f]{6})"', svg)
        assert SOWS_COLOR in points
        assert ANXIETY_COLOR in points
        assert "#4c78a8" not in svg  # Vega's default blue
