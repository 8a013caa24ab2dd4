"""A check-in made with the keyboard alone, on a phone: Tab, Shift-Tab, Space and Enter."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_TABS = 120  # every control on Today, and then some: a trap or a lost focus fails the test
#: On a phone the check-in comes first: past the skip link, the header (brand, Menu, crisis help)
#: and the alert banner's one line, the anxiety scale is the next stop (it took 31 presses when the
#: dose form and the whole navigation came before it).
MOST_TABS_TO_ANXIETY = 8

#: The focused element, described by its name and value or its text, and whether it is on screen.
FOCUSED_JS = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "", value: el.value || "",
    checked: !!el.checked, text: (el.textContent || "").trim(),
    onScreen: box.width > 0 && box.left >= 0 && box.right <= document.documentElement.clientWidth,
  };
}"""


RATING_BOXES_JS = """() => [...document.querySelectorAll("input[name=anxiety]")].map(i => {
  const box = i.closest("label").getBoundingClientRect();
  return { left: box.left, top: box.top, width: box.width, height: box.height };
})"""


def _tab_to(page: Any, found: Any, key: str = "Tab", most: int = MOST_TABS) -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until the focused element is the one wanted; each stop on screen."""
    for _ in range(most):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED_JS)
        assert focused["tag"] != "body", "focus was lost"
        assert focused["onScreen"], f"focus went off screen to {focused}"
        if found(focused):
            return dict(focused)
    raise AssertionError(f"{most} presses of {key} never reached the control")


def test_a_check_in_by_keyboard_alone_sets_anxiety_and_is_saved(page: Any, alice: Any) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base_url + "/")
    expect(page.get_by_role("heading", name="Check-in")).to_be_visible()
    # The eleven ratings are one row of targets at least 24 x 24 CSS px (WCAG 2.5.8), at 360 px
    # and at the 320 px of reflow.
    for width in (360, 320):
        page.set_viewport_size({"width": width, "height": 740})
        boxes = page.evaluate(RATING_BOXES_JS)
        assert len(boxes) == 11
        assert len({round(b["top"]) for b in boxes}) == 1, f"more than one row at {width} px"
        pitch = min(b2["left"] - b1["left"] for b1, b2 in pairwise(boxes))
        assert min(b["height"] for b in boxes) >= 44
        assert min(b["width"] for b in boxes) >= 24 or pitch >= 24, f"{boxes} at {width} px"
    page.set_viewport_size({"width": 360, "height": 740})

    # Tab into the anxiety scale, a few presses from the top; Space chooses the rating that has
    # focus (0, none).
    _tab_to(page, lambda f: f["name"] == "anxiety", most=MOST_TABS_TO_ANXIETY)
    page.keyboard.press("Space")
    assert page.evaluate(FOCUSED_JS)["checked"]
    # Out of the scale and back: Shift-Tab returns to the rating just chosen.
    _tab_to(page, lambda f: f["name"] not in {"anxiety", ""})
    back = _tab_to(page, lambda f: f["name"] == "anxiety", key="Shift+Tab")
    assert back["checked"]
    assert back["value"] == "0"

    # On to the form's button, and Enter saves.
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Save check-in")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Check-in saved.")).to_be_visible()

    page.goto(page.base_url + "/journal")
    expect(page.locator("li.entry strong")).to_have_text(["Check-in: anxiety 0/10"])


def test_a_refusal_of_the_whole_form_takes_the_focus(page: Any, alice: Any, powder: Any) -> None:
    """A dose form sent again after a change (its token used before) comes back with a message
    for the whole form and no field in error: nothing had the focus, so a screen reader said
    nothing of it. The message now takes the focus."""
    page.goto(page.base_url + "/")
    token = page.input_value("form.dose-form input[name=token]")
    page.select_option("#dose_product_id", label="Green powder")
    page.fill("#dose_amount", "2")
    with page.expect_navigation():
        page.click("text=Save dose")
    page.goto(page.base_url + "/")
    page.evaluate(
        "t => { document.querySelector('form.dose-form input[name=token]').value = t; }", token
    )
    page.select_option("#dose_product_id", label="Green powder")
    page.fill("#dose_amount", "3")
    with page.expect_navigation():
        page.click("text=Save dose")
    focused = page.evaluate(
        "() => [document.activeElement.className, document.activeElement.textContent.trim()]"
    )
    assert focused[0] == "errorlist nonfield"
    assert focused[1].startswith("This form was sent before with other values")
