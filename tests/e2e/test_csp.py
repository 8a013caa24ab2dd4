"""The Content-Security-Policy in a real browser: Today, Journal and Insights break no rule."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_alice(alice: Any) -> Any:
    """Alice with two months of synthetic journal, so every page draws its charts."""
    from mitra.journal.demo import load_demo

    load_demo(alice, days=60, seed=1)
    return alice


def test_today_journal_and_insights_raise_no_policy_violation_in_a_browser(
    page: Any, demo_alice: Any
) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.log('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    for path in ["/", "/journal", "/insights", "/questionnaires/gad7"]:
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
    # htmx is running (it loaded from our origin) and injected no style of its own.
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert violations == []
