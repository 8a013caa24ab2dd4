"""Pages on a small phone (360 px): what a refused dose says reads at the form's width and is in
view, the report's actions each stand on their own line, and a new journal's Insights fit a
screen or two."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from .navigation import open_page, settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: A small phone with its keyboard open: 360 px wide, about 420 px left to see the page in.
SMALL_PHONE = {"width": 360, "height": 420}

# Boxes of the refused dose form, in CSS px of the viewport.
DOSE_BOXES_JS = """() => {
  const box = el => { const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, width: r.width }; };
  return {
    form: box(document.querySelector(".dose-form")),
    label: box(document.querySelector("label[for=dose_amount]")),
    error: box(document.getElementById("dose_amount_error")),
    amount: box(document.getElementById("dose_amount")),
    unit: box(document.getElementById("dose_unit")),
    confirm: box(document.getElementById("dose_confirm")),
    focused: document.activeElement.id,
    viewport: window.innerHeight,
  };
}"""

# Each link's box, and how many lines it was wrapped into.
LINK_BOXES_JS = """links => links.map(a => {
  const r = a.getBoundingClientRect();
  return { text: a.textContent, top: r.top, bottom: r.bottom, height: r.height,
           lines: a.getClientRects().length };
})"""


@pytest.mark.parametrize(("amount", "unit"), [("3", "mg"), ("40", "g")])
def test_a_refused_dose_says_why_at_the_forms_width_and_in_view(
    page: Any, alice: Any, powder: Any, amount: str, unit: str
) -> None:
    """The "are you sure?" about a dose's amount was squeezed into the half-width Amount column
    (sixteen bold lines on a phone, the Unit select floating level with their start), and its
    first lines were above the screen once the amount took focus. It reads at the form's width,
    the label and the whole message in view, the unit and the confirmation box after it."""
    page.set_viewport_size(SMALL_PHONE)
    open_page(page, "/")
    page.fill("#dose_amount", amount)
    page.select_option("#dose_unit", unit)
    with page.expect_navigation():
        page.click("text=Save dose")
    settled(page)
    boxes = page.evaluate(DOSE_BOXES_JS)
    assert "this amount is right" in page.inner_text("#dose_amount_error")
    assert page.get_attribute("#dose_amount", "aria-describedby") == "dose_amount_error"
    assert boxes["focused"] == "dose_amount"
    assert boxes["error"]["width"] >= boxes["form"]["width"] - 1, boxes
    # The label, the message and the field are on screen together.
    assert boxes["label"]["top"] >= 0, boxes
    assert boxes["amount"]["bottom"] <= boxes["viewport"], boxes
    # Nothing stands beside the message: the unit comes under it, then the confirmation box.
    assert boxes["unit"]["top"] >= boxes["amount"]["bottom"], boxes
    assert boxes["confirm"]["top"] > boxes["unit"]["bottom"], boxes
    assert boxes["confirm"]["top"] - boxes["error"]["bottom"] < 200, boxes


def test_the_reports_downloads_and_sharing_each_stand_on_a_line_of_their_own(
    page: Any, alice: Any
) -> None:
    """The PDF's button and the links to the journal's CSV and to sharing ran together as one
    line of links on a phone, wrapped mid-link: each is on a line of its own, none beside
    another, each a full-size target."""
    page.set_viewport_size({"width": 360, "height": 800})
    open_page(page, "/report")
    boxes = page.locator(".report-actions a").evaluate_all(LINK_BOXES_JS)
    assert [b["text"] for b in boxes] == [
        "Download the PDF",
        "Download the whole journal as CSV (zip)",
        "Download the whole journal as FHIR (for clinics)",
        "Share the report with a link",
    ]
    for above, below in itertools.pairwise(boxes):
        assert below["top"] >= above["bottom"], boxes
    assert all(b["lines"] == 1 and b["height"] >= 44 for b in boxes), boxes


def test_a_new_journals_insights_fit_a_screen_and_a_link_to_a_waiting_one_shows_it(
    page: Any, alice: Any
) -> None:
    """Insights were a wall of "Not enough data yet" cards for a new journal, 9,300 px on a
    phone. They are one fold of a line each; a link to one of them by its id opens the fold
    at its line, which is still reached as before."""
    from mitra.journal.demo import load_demo

    load_demo(alice, days=5, seed=1)
    page.set_viewport_size({"width": 360, "height": 800})
    open_page(page, "/insights")
    assert page.evaluate("document.documentElement.scrollHeight") <= 1200
    assert not page.is_visible("[id='kratom.dose_trend']")
    page.goto("about:blank")  # a link from another page, not a move within this one
    open_page(page, "/insights#kratom.dose_trend")
    line = page.locator("[id='kratom.dose_trend']")
    assert line.is_visible()
    assert line.evaluate("li => { const r = li.getBoundingClientRect();"
                         " return r.top >= 0 && r.bottom <= innerHeight; }")  # fmt: skip
