"""The recent curve looks 24 hours ahead (a projection with no further dose) and compares itself
with the person's own 7-day average, for Today, `mitra exposure --recent` and the API alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from django.test import Client

from tests.cli.test_commands import refused, run
from tests.reads.conftest import MixedJournal

NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_recent_curve_runs_a_day_past_now_and_falls_there_without_another_dose(
    mixed_journal: MixedJournal,
) -> None:
    from mitra.reads.exposure import recent_exposure

    read = recent_exposure(mixed_journal.person, mixed_journal.now)
    assert read.projected_after == mixed_journal.now
    assert read.times[-1] == mixed_journal.now + timedelta(hours=24)
    ahead = [
        c
        for t, c in zip(read.times, read.concentration_nM, strict=True)
        if t > read.projected_after
    ]
    assert len(ahead) == 24 * 4
    # Four hours after the morning dose the curve is past its peak: with no further dose it
    # only falls.
    assert all(b < a for a, b in pairwise(ahead))


@pytest.mark.django_db
def test_a_dose_just_taken_peaks_ahead_of_now_in_the_projection(alice: Any, powder: Any) -> None:
    from mitra.journal import services
    from mitra.reads.exposure import recent_exposure

    taken = NOW - timedelta(minutes=10)
    services.log_dose(alice, {"product_id": powder.pk, "amount": 3, "unit": "g", "taken_at": taken})
    read = recent_exposure(alice, NOW)
    assert read.peak_at is not None
    assert NOW < read.peak_at < NOW + timedelta(hours=4)
    assert read.peak_nM == max(read.concentration_nM)
    # The curve does not end on its rise: it has fallen well below the peak a day later.
    assert read.concentration_nM[-1] < read.peak_nM / 2


@pytest.mark.django_db
def test_the_relative_scale_is_the_curve_against_the_persons_own_7_day_average(
    mixed_journal: MixedJournal,
) -> None:
    from mitra.reads.exposure import recent_exposure

    read = recent_exposure(mixed_journal.person, mixed_journal.now)
    assert read.average_7d_nM is not None
    week = recent_exposure(mixed_journal.person, mixed_journal.now, hours=24 * 7, ahead_hours=0)
    # The same model's mean over the 7 days before now (the trapezoids of a 15-minute grid).
    assert read.average_7d_nM == pytest.approx(float(np.mean(week.concentration_nM)), rel=0.02)
    np.testing.assert_allclose(
        np.array(read.relative) * read.average_7d_nM, read.concentration_nM, rtol=1e-9
    )
    assert all(
        lo <= r <= hi
        for lo, r, hi in zip(read.relative_low, read.relative, read.relative_high, strict=True)
    )
    # A person dosing on a steady pattern is near their own average.
    assert 0.3 < read.relative[read.times.index(mixed_journal.now)] < 3


@pytest.mark.django_db
def test_without_a_dose_there_is_no_average_and_no_relative_curve(alice: Any) -> None:
    from mitra.reads.exposure import recent_exposure

    read = recent_exposure(alice, NOW)
    assert read.average_7d_nM is None
    assert read.relative == read.relative_low == read.relative_high == []


@pytest.mark.django_db
def test_the_api_and_the_cli_give_the_same_projection(
    mixed_journal: MixedJournal, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("exposure", "--recent", "--hours", "12", "--ahead-hours", "6", "--json")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    from_api = client.get("/api/v1/exposure", {"hours": 12, "ahead_hours": 6})
    assert from_api.status_code == 200
    document = from_api.json()
    assert json.loads(out) == document
    assert len(document["times"]) == 18 * 4 + 1
    assert document["projected_after"].startswith("2026-03-02T11:00")
    assert document["average_7d_nM"] > 0
    assert len(document["relative"]) == len(document["times"])


@pytest.mark.django_db
def test_the_terminal_says_what_is_projected_and_against_which_average(
    mixed_journal: MixedJournal, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "exposure", "--recent")
    assert code == 0, err
    assert "projected for the next 24 h if no dose is added" in out
    assert "nmol/L on average over the last 7 days" in out


@pytest.mark.django_db
@pytest.mark.parametrize("ahead", ["-1", "73", "nan", "soon"])
def test_the_api_refuses_a_look_ahead_it_cannot_draw(
    alice: Any, client: Client, ahead: str
) -> None:
    response = client.get("/api/v1/exposure", {"ahead_hours": ahead})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_the_terminal_refuses_a_look_ahead_it_cannot_draw(
    alice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "between 0 and 72" in refused(capsys, "exposure", "--recent", "--ahead-hours", "100")
