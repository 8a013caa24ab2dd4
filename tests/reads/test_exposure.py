"""The one exposure curve: the journal's recent curve, doses typed on the command line, the API,
and their refusals; the same function and dose rules as the insights' concentration."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.test import Client

from mitra.pharmacology import content_per_gram
from tests.cli.test_commands import refused, run
from tests.reads.conftest import MixedJournal

LEAF_FORMS_SEEN = {"powder", "capsules"}


@pytest.mark.django_db
def test_the_recent_curve_counts_leaf_products_and_says_which_doses_it_cannot_count(
    mixed_journal: MixedJournal,
) -> None:
    from mitra.reads.exposure import lookback, recent_exposure

    read = recent_exposure(mixed_journal.person, mixed_journal.now)
    assert read.unit == "nmol/L"
    assert len(read.times) == len(read.concentration_nM) == len(read.low_nM) == (72 + 24) * 4 + 1
    assert all(
        lo <= c <= hi
        for lo, c, hi in zip(read.low_nM, read.concentration_nM, read.high_nM, strict=True)
    )
    assert read.concentration_nM[-1] > 0
    oldest = mixed_journal.now - timedelta(hours=72) - lookback() - timedelta(days=1)
    assert all(d.time >= oldest for d in read.dose_details)
    by_form: dict[str, list[Any]] = {}
    for d in read.dose_details:
        by_form.setdefault(d.form, []).append(d)
    # Powder (lab figure) is exact, capsules are estimated; both are leaf and count.
    assert all(d.counted and not d.estimated for d in by_form["powder"])
    assert all(d.counted and d.estimated for d in by_form["capsules"])
    assert all(
        d.mg_low < d.mg_high and d.mg_low <= d.mg_mitragynine <= d.mg_high
        for d in by_form["capsules"]
    )
    # The extract and the 7-OH product have no mitragynine estimate: not counted, never leaf.
    for form in ("extract", "7oh"):
        assert by_form[form]
        assert all(not d.counted and d.grams_leaf is None for d in by_form[form])
    assert read.doses == len(by_form["powder"]) + len(by_form["capsules"])
    assert read.estimated_doses == len(by_form["capsules"])
    assert read.skipped_doses == len(by_form["extract"]) + len(by_form["7oh"])
    assert f"{read.skipped_doses} doses of an extract, a shot or a 7-OH product" in read.note
    assert read.hours_since_last_dose == pytest.approx(4.0)  # the 07:00 powder, read at 11:00
    assert read.citations[0].url.startswith("https://")


@pytest.mark.django_db
def test_the_insights_concentration_is_the_curves_own_at_the_same_moment(
    mixed_journal: MixedJournal,
) -> None:
    from mitra.insights.daily import concentration_at
    from mitra.journal import timeline
    from mitra.reads.exposure import lookback, recent_exposure

    read = recent_exposure(mixed_journal.person, mixed_journal.now)
    # The same doses: the curve's look-back before its window, up to now.
    first = (read.times[0] - lookback()).date()
    line = timeline(mixed_journal.person, first, mixed_journal.now.date())
    seconds = np.array([t.timestamp() for t in read.times[::16]])
    np.testing.assert_allclose(
        concentration_at(line, seconds), read.concentration_nM[::16], rtol=1e-6, atol=1e-9
    )


@pytest.mark.django_db
def test_the_api_and_the_cli_give_the_same_recent_curve(
    mixed_journal: MixedJournal, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "exposure", "--recent", "--hours", "24", "--json")
    assert code == 0, err
    from_api = client.get("/api/v1/exposure", {"hours": 24})
    assert from_api.status_code == 200
    assert json.loads(out) == from_api.json()
    assert from_api.json()["doses"] > 0


@pytest.mark.django_db
@pytest.mark.parametrize("hours", ["0", "-3", "9000", "1e9", "nan", "lots"])
def test_the_api_refuses_a_span_it_cannot_draw_with_a_problem(
    alice: Any, client: Client, hours: str
) -> None:
    response = client.get("/api/v1/exposure", {"hours": hours})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"]


@pytest.mark.django_db
def test_typed_doses_follow_the_timelines_content_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "exposure", "--dose", "2026-03-10T08:00=4", "--form", "capsules", "--json"
    )
    assert code == 0, err
    dose = json.loads(out)["dose_details"][0]
    found = content_per_gram("capsules", "mitragynine")
    assert found is not None
    assert dose["mg_mitragynine"] == pytest.approx(4 * found.mg)
    assert (dose["grams_leaf"], dose["estimated"]) == (4.0, True)


@pytest.mark.django_db
def test_an_extract_with_its_lab_figure_counts_in_mg_never_as_grams_of_leaf(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ("exposure", "--dose", "2026-03-10T08:00=1", "--form", "extract", "--json")
    code, out, err = run(capsys, *argv, "--mg-per-g", "450")
    assert code == 0, err
    data = json.loads(out)
    dose = data["dose_details"][0]
    assert (dose["mg_mitragynine"], dose["grams_leaf"], dose["counted"]) == (450.0, None, True)
    assert max(data["concentration_nM"]) > 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--dose", "2026-03-10T08:00=1", "--form", "extract"], "no dose can be counted"),
        (["--dose", "2026-03-10T08:00=1", "--form", "7oh"], "no dose can be counted"),
        (["--dose", "9999-12-31T20:00=2"], "between the years 1 and 9999"),
        (["--dose", "0001-01-01T00:00=2"], "is before the year 2000"),
        (["--dose", "2026-03-10T08:00=2", "--dose", "2030-03-10T08:00=2"], "at most 366 days"),
        (
            ["--dose", "2026-03-10T08:00=2", "--until", "2027-03-01T00:00", "--step-hours", "0.01"],
            "at most 100,000",
        ),
        (["--dose", "2026-03-10T08:00=2", "--form", "resin"], "unknown form"),
        (["--dose", "2026-03-10T08:00=1e300"], "is not an amount"),
        (["--dose", "2026-03-10T08:00=200000"], "at most 100,000"),
        (["--recent", "--dose", "2026-03-10T08:00=2"], "either --dose"),
    ],
)
def test_a_curve_that_cannot_be_drawn_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert expected in refused(capsys, "exposure", *argv)


@pytest.mark.django_db
def test_recent_with_too_many_hours_is_refused_in_one_line(
    alice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "at most 8784" in refused(capsys, "exposure", "--recent", "--hours", "100000")


@pytest.mark.parametrize("estimated", [False, True], ids=["lab figures", "estimates"])
def test_the_band_is_the_low_contents_5th_and_the_high_contents_95th_percentile(
    estimated: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's band, to the last bit, whether its two contents are one (every dose's content
    known from a lab figure, computed once) or a low and a high estimate (computed apart)."""
    from mitra.pharmacology.exposure import exposure_curve
    from mitra.reads.exposure import DEFAULT_PARAMETER_SET, _curves

    hours = (0.0, 9.5, 30.25)
    mg = (45.0, 60.0, 52.5)
    low_mg, high_mg = (
        (tuple(m * 0.6 for m in mg), tuple(m * 1.4 for m in mg)) if estimated else (mg, mg)
    )
    grid = np.arange(240) * 0.25
    from mitra.reads import exposure as reads

    drawn: list[tuple[float, ...]] = []
    curve = reads.exposure_curve
    monkeypatch.setattr(
        reads, "exposure_curve", lambda h, m, *a, **k: drawn.append(m) or curve(h, m, *a, **k)
    )
    _curves.cache_clear()
    _, low, high = _curves(hours, (mg, low_mg, high_mg), 240, 0.25, DEFAULT_PARAMETER_SET, None)
    # The central curve, then one band for exact contents, two for estimates.
    assert drawn == ([mg, low_mg, high_mg] if estimated else [mg, mg])
    monkeypatch.undo()
    apart_low = exposure_curve(hours, low_mg, grid, parameter_set=DEFAULT_PARAMETER_SET)
    apart_high = exposure_curve(hours, high_mg, grid, parameter_set=DEFAULT_PARAMETER_SET)
    assert np.array_equal(low, apart_low.band_low_nM)
    assert np.array_equal(high, apart_high.band_high_nM)
    assert low[0] == high[0] == 0.0  # at the first dose's moment, nothing absorbed yet
    assert (low[1:] < high[1:]).all()
