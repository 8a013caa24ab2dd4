"""The Settings page's research section, with consent given and its history shown: WCAG 2.2 AA,
reflow, and withdrawal by keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import _assert_accessible_at_every_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_research_section_with_its_history_is_accessible_and_withdraws(
    page: Any, alice: Any
) -> None:
    from mitra.journal.consent import grant_consent
    from mitra.reads.consent import consent_read

    grant_consent(alice, ["doses", "checkins", "questionnaire_totals"], actor="person (cli)")
    page.goto(page.base_url + "/settings")
    assert page.get_by_role("checkbox", name="Practices (kind and minutes)").is_visible()
    _assert_accessible_at_every_width(page)
    page.set_viewport_size({"width": 1280, "height": 844})
    page.get_by_role("button", name="Withdraw from research").focus()
    with page.expect_navigation():  # the POST answers with a redirect back to Settings
        page.keyboard.press("Enter")
    expect(page.get_by_text("You do not take part in research.")).to_be_visible()
    assert consent_read(alice).taking_part is False
