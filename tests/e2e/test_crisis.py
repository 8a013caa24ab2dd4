"""Crisis controls in the browser: readable in every state, one card a page, and axe-clean."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from . import test_accessibility as accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: WCAG 2.2 AA, 1.4.3: text needs at least 4.5:1 against its background.
MIN_CONTRAST = 4.5
CRISIS_CONTROLS = ".crisis-button, .crisis-link, .crisis-card a, .crisis-card button, .crisis a"

#: The contrast of an element's text against the first opaque background behind it, by the
#: WCAG 2 relative luminance formula (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio).
CONTRAST_JS = """element => {
  const rgb = text => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  let node = element, background = null;
  while (node && node.nodeType === 1) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length < 4 || colour[3] === 1) { background = colour; break; }
    node = node.parentElement;
  }
  background = background || [255, 255, 255];
  const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture
def alice_in_crisis(alice: Any) -> Any:
    """Alice with a contact of her own and an unacknowledged PHQ-9 with item 9 answered."""
    from mitra.journal import services
    from mitra.journal.alerts import refresh_alerts

    services.set_up_person(
        {
            "time_zone": "America/New_York",
            "crisis_contacts": [{"name": "Sam", "phone": "+1 555 0100"}],
        }
    )
    alice.phq9 = services.submit_response(
        alice, {"instrument": "PHQ-9", "at": datetime.now(UTC), "answers": [0] * 8 + [1]}
    )
    refresh_alerts(alice)
    return alice


def _paths(alice: Any) -> list[str]:
    return ["/", "/crisis", f"/responses/{alice.phq9.pk}", "/alerts", "/no-such-page"]


def test_every_crisis_control_reads_at_4_5_to_1_at_rest_on_hover_and_on_focus(
    page: Any, alice_in_crisis: Any
) -> None:
    seen = 0
    for path in _paths(alice_in_crisis):
        page.goto(page.base_url + path)
        controls = page.locator(CRISIS_CONTROLS)
        for index in range(controls.count()):
            control = controls.nth(index)
            name = f"{path} {control.inner_text()!r}"
            assert control.evaluate(CONTRAST_JS) >= MIN_CONTRAST, f"{name} at rest"
            control.hover()
            assert control.evaluate(CONTRAST_JS) >= MIN_CONTRAST, f"{name} on hover"
            control.focus()
            page.keyboard.press("Shift")  # keyboard use, so :focus-visible applies
            assert control.evaluate(CONTRAST_JS) >= MIN_CONTRAST, f"{name} on focus"
            page.mouse.move(0, 0)
            seen += 1
    assert seen > 20  # the lines, Sam, the header link, Crisis help now, on each page


def test_each_page_in_crisis_shows_one_crisis_card_with_988_to_call_and_to_text(
    page: Any, alice_in_crisis: Any
) -> None:
    for path in _paths(alice_in_crisis):
        page.goto(page.base_url + path)
        assert page.locator(".crisis-card, .flag-crisis, .card.crisis").count() == 1, path
        assert page.locator('a[href="tel:988"]').count() == 1, path
        assert page.locator('a[href="sms:988"]').count() == 1, path
        assert page.locator("header a.crisis-link[href='/crisis']").count() == 1, path


@pytest.mark.parametrize("which", ["/", "/crisis", "response", "/alerts"])
def test_pages_in_crisis_meet_wcag_22_aa_and_reflow(
    page: Any, alice_in_crisis: Any, which: str
) -> None:
    path = f"/responses/{alice_in_crisis.phq9.pk}" if which == "response" else which
    accessibility.assert_page_accessible(page, path)


def test_on_a_phone_the_alert_banner_is_one_line_and_crisis_help_one_tap_away(
    page: Any, alice_in_crisis: Any
) -> None:
    """A danger alert folds the banner into one line on a phone, above the check-in; the list
    opens with a tap, and a laptop shows it open."""
    from playwright.sync_api import expect

    page.goto(page.base_url + "/")
    banner = page.locator("aside.alert-banner")
    summary = banner.locator("summary").locator("visible=true")
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text("safety alert")
    assert banner.locator("li").locator("visible=true").count() == 0
    assert banner.bounding_box()["height"] < 60  # one line, not the list
    expect(page.locator("header a.crisis-link")).to_be_visible()
    summary.click()
    assert banner.locator("li").locator("visible=true").count() >= 1
    page.set_viewport_size({"width": 1280, "height": 844})
    page.reload()
    assert banner.locator("li").locator("visible=true").count() >= 1
