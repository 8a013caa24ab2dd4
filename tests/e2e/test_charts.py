"""Charts in Chromium: their text is readable where they are shown (at least 11 CSS px on a
360 px phone and on a 1280 px laptop), each keeps its table, and the exposure chart's scale
is chosen by a link that works without JavaScript."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .navigation import open_page

# The charts are read on a demo journal served by `mitra serve` on SQLite, made once per test
# process (see conftest), not on the suite's database: they run in the SQLite run only.
pytestmark = [pytest.mark.browser, pytest.mark.once]

SMALLEST_TEXT_PX = 11
WIDTHS = [360, 1280]
CHART_PAGES = [
    "/",
    "/?scale=relative",
    "/insights",
    "/insights/kratom.dose_trend/chart",
]

# Every text of every chart drawing on screen, with its size as drawn: its font size in the
# drawing's units times the drawing's scale on the screen (getScreenCTM: the viewBox's scale).
# A label Vega leaves out for room (at opacity 0) is not drawn, so neither read nor measured.
DRAWN_TEXT_JS = """
() => {
  const drawn = t => t.textContent.trim() && t.checkVisibility({ opacityProperty: true });
  const found = [];
  for (const figure of document.querySelectorAll("figure.chart")) {
    const shown = [...figure.querySelectorAll("svg")].filter(s => s.checkVisibility());
    const card = figure.closest(".card, main");
    found.push({
      figure: (figure.querySelector("figcaption") || figure).textContent.trim().slice(0, 40),
      drawings: shown.length,
      table: !!(card && card.querySelector("table.data caption")),
      texts: shown.flatMap(svg => [...svg.querySelectorAll("text")]
        .filter(drawn)
        .map(t => {
          const m = t.getScreenCTM();
          const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
          return [t.textContent.trim().slice(0, 30), Math.round(px * 10) / 10];
        })),
      // Text drawn past its drawing's edge is cut off where the drawing ends (an axis title
      // longer than its plot is tall runs past the top and bottom).
      cut: shown.flatMap(svg => {
        const box = svg.getBoundingClientRect();
        return [...svg.querySelectorAll("text")]
          .filter(drawn)
          .filter(t => {
            const r = t.getBoundingClientRect();
            return r.left < box.left - 1 || r.right > box.right + 1
              || r.top < box.top - 1 || r.bottom > box.bottom + 1;
          })
          .map(t => t.textContent.trim().slice(0, 40));
      }),
    });
  }
  return found;
}
"""


@pytest.mark.parametrize("path", CHART_PAGES)
def test_chart_text_is_at_least_11_px_at_a_phones_and_a_laptops_width(
    demo_page: Any, path: str
) -> None:
    _assert_readable_charts(demo_page, path)


def test_the_taper_chart_is_readable_at_a_phones_and_a_laptops_width(taper_page: Any) -> None:
    _assert_readable_charts(taper_page, "/taper")


def _assert_readable_charts(page: Any, path: str) -> None:
    """Each chart on `path` shows one drawing with text of at least 11 px, none of it cut off
    at the drawing's edge, and its table."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        open_page(page, path)
        figures = page.evaluate(DRAWN_TEXT_JS)
        assert figures, f"no chart on {path}"
        for f in figures:
            if f["drawings"] != 1:
                problems.append(f"at {width} px {f['figure']!r} shows {f['drawings']} drawings")
            if not f["table"]:
                problems.append(f"at {width} px {f['figure']!r} has no table")
            if not f["texts"]:
                problems.append(f"at {width} px {f['figure']!r} has no text")
            if f["cut"]:
                problems.append(f"at {width} px {f['figure']!r} cuts off: {f['cut'][:3]}")
            small = [(t, px) for t, px in f["texts"] if px < SMALLEST_TEXT_PX]
            if small:
                problems.append(f"at {width} px {f['figure']!r}: {small[:5]}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_tick_labels_of_large_values_fit_their_drawing_on_a_phone(
    page: Any, alice: Any, powder: Any
) -> None:
    """After a day of large doses the exposure chart's top ticks ("4,000" nmol/L, four figures
    and a comma) ran past its drawing's left edge on a phone and was cut off: the margin held
    three figures. The margin now grows with the longest label, on Today's charts at both
    widths and on both scales."""
    from mitra.journal import services

    now = datetime.now(UTC)
    for hours_ago in (30, 22, 14, 6, 2):
        services.log_dose(
            alice,
            {"product_id": powder.pk, "taken_at": now - timedelta(hours=hours_ago),
             "amount": 25, "unit": "g", "confirm": True},
        )  # fmt: skip
    page.set_viewport_size({"width": 360, "height": 900})
    open_page(page, "/")
    drawing = page.locator("#exposure-heading").locator("xpath=..").locator(".drawing-narrow svg")
    assert drawing.locator("text", has_text=re.compile(r"^\d,\d{3}$")).count() >= 2
    _assert_readable_charts(page, "/")
    _assert_readable_charts(page, "/?scale=relative")


def test_the_exposure_scale_is_switched_by_a_link_without_javascript(
    browser: Any, served_demo_journal: str
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    try:
        page = context.new_page()
        page.goto(served_demo_journal + "/")
        exposure = page.locator("#exposure-heading").locator("xpath=..")
        assert "nmol/L (estimated)" in exposure.locator(".drawing-narrow svg").inner_html()
        page.click("text=Against your 7-day average")
        assert page.url.endswith("?scale=relative#exposure-heading")
        narrow = exposure.locator(".drawing-narrow svg").inner_html()
        assert "Times your 7-day average" in narrow
        assert "Your average" in narrow
        assert page.get_attribute("a[aria-current=true]", "href").startswith("?scale=relative")
        # The caveat is in view, not folded away.
        assert exposure.locator("ul.caveats li").first.is_visible()
    finally:
        context.close()
