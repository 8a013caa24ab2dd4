"""The Content-Security-Policy in a real browser: Today, Journal and Insights break no rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import tab
from .navigation import policy_violations, settled

# Read on a demo journal served by `mitra serve` on SQLite, made once per test process (see
# conftest), not on the suite's database: it runs in the SQLite run only.
pytestmark = [pytest.mark.browser, pytest.mark.once]


@pytest.fixture
def page(browser: Any, served_demo_journal: str) -> Iterator[Any]:
    """A new tab on the served demo journal, its service worker at work as on a phone."""
    yield from tab(browser, served_demo_journal)


def test_today_journal_and_insights_raise_no_policy_violation_in_a_browser(page: Any) -> None:
    violations = policy_violations(page)
    for path in ["/", "/journal", "/insights", "/questionnaires/gad7"]:
        page.goto(page.base_url + path)
        settled(page)
    # htmx is running (it loaded from our origin) and injected no style of its own.
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert violations == []
