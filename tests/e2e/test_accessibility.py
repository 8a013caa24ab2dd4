"""Every page, on a phone, with a journal behind it: WCAG 2.2 AA by axe, and no sideways scroll."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390  # the page fixture's viewport: a common phone, in CSS pixels
PAGES = [
    "/",
    "/journal",
    "/journal?kind=dose&kind=response&kind=practice",
    "/insights",
    "/alerts",
    "/substances",
    "/products",
    "/questionnaires",
    "/questionnaires/GAD-7",
    "/evidence",
    "/settings",
    "/import",
    "/taper",
    "/plan",
    "/crisis",
]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def demo_alice(alice: Any) -> Any:
    """Alice with two months of synthetic journal and a listed medicine, so pages are full."""
    from mitra.journal import services
    from mitra.journal.demo import load_demo

    load_demo(alice, days=60, seed=1)
    services.add_substance(alice, {"name": "sertraline"})
    return alice


@pytest.mark.parametrize("path", PAGES)
def test_each_page_meets_wcag_22_aa_and_fits_a_phone(page: Any, demo_alice: Any, path: str) -> None:

    response = page.goto(page.base_url + path)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    _assert_wcag_22_aa_on_a_phone(page)


def _assert_wcag_22_aa_on_a_phone(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]},
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert not problems, "\n".join(problems)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


@pytest.fixture
def tapering_alice(alice: Any) -> Any:
    """Alice four weeks into the demo's taper, with a hold proposed today."""
    from mitra.journal.demo import load_demo

    load_demo(alice, days=60, seed=1, taper=True)
    return alice


@pytest.mark.parametrize("path", ["/taper", "/"])
def test_a_taper_in_progress_meets_wcag_22_aa_and_fits_a_phone(
    page: Any, tapering_alice: Any, path: str
) -> None:
    test_each_page_meets_wcag_22_aa_and_fits_a_phone(page, tapering_alice, path)


def test_the_question_about_a_large_dose_meets_wcag_22_aa_and_fits_a_phone(
    page: Any, demo_alice: Any
) -> None:
    from mitra.journal import services

    services.add_product(demo_alice, {"name": "Green powder", "unit": "g"})
    page.goto(page.base_url + "/")
    page.select_option("#dose_product_id", label="Green powder")
    page.fill("#dose_amount", "40")
    page.click("text=Save dose")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("#dose_confirm")
    assert page.input_value("#dose_amount") == "40"
    _assert_wcag_22_aa_on_a_phone(page)
