"""`mitra demo --taper`: a person four weeks into a taper, whose Taper page shows steps,
adherence and one proposed hold."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mitra.journal.demo import load_demo
from mitra.reads.taper import taper_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def tapering_alice(alice: Any) -> Any:
    load_demo(alice, days=60, seed=1, taper=True)
    return alice


def test_the_demo_taper_page_shows_steps_adherence_and_a_hold(tapering_alice: Any) -> None:
    page = taper_page(tapering_alice)
    status = page.status
    assert status.active
    assert status.schedule is not None
    assert status.step == 4  # three quiet weekly steps lived, the fourth begun two days ago
    assert len(page.days) == 24
    assert page.days_over == 1  # one day over the allowance
    assert page.days_within >= 20
    assert status.hold is not None
    assert status.hold.hold_proposed
    # The earlier steps were quiet: the SOWS and anxiety are on the page day by day.
    assert sum(d.sows is not None for d in page.days) >= 23


def test_the_demo_taper_page_renders_the_hold(client: Client, tapering_alice: Any) -> None:
    text = client.get("/taper").content.decode()
    assert "hold" in text.lower()
    assert "Your taper" in client.get("/").content.decode()


def test_the_demo_without_taper_saves_none(alice: Any) -> None:
    counts = load_demo(alice, days=40, seed=1)
    assert counts["tapers"] == 0
    assert taper_page(alice).status.active is False
