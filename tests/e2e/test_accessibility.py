"""Every page, with a journal behind it: WCAG 2.2 AA by axe at a phone's and a desktop's width,
reflow at 320 px (WCAG 1.4.10), nothing cut off, and a check-in made by keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest

from .navigation import open_page, settled

# The page matrix reads a demo journal served by `mitra serve` on SQLite, made once per test
# process (see conftest), not the suite's database: it runs in the SQLite run only.
pytestmark = [pytest.mark.browser]

REFLOW_WIDTH = 320  # WCAG 1.4.10: 1280 CSS px at 400 % zoom, no sideways scrolling
AXE_WIDTHS = [360, 1280]  # a small phone and a laptop, in CSS pixels
DESKTOP_WIDTH = 1280
PAGES = [
    "/",
    "/?scale=relative",
    "/journal",
    "/journal?kind=dose&kind=response&kind=practice",
    "/journal/deleted",
    "/insights",
    "/insights/kratom.dose_trend/chart",
    "/alerts",
    "/substances",
    "/products",
    "/questionnaires",
    "/questionnaires/GAD-7",
    "/evidence",
    "/settings",
    "/settings/delete",
    "/import",
    "/taper",
    "/plan",
    "/report",
    "/crisis",
    "/offline",
]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# What a reader cannot see whole, as lines of a report. "Cut off": every visible element whose
# content is wider than its box while its overflow is not visible (text cut off, or reachable only
# by scrolling inside a box); a data table that takes keyboard focus may scroll sideways on a phone
# (WCAG 1.4.10 exempts two-dimensional tables), nothing else may, and on a laptop nothing at all.
# "Past the edge": every visible element, outside any scroll box, that reaches past the viewport.
# "Control off screen": every link, button or field not wholly on screen, wherever it is: a
# control at the far end of a table that scrolls sideways is out of reach on a phone.
CUT_OFF_JS = """
([allowScrollingTables]) => {
  const width = document.documentElement.clientWidth;
  const shown = el => el.checkVisibility({ visibilityProperty: true })
    && !el.closest(".visually-hidden, .skip, svg");
  const text = el => (el.textContent || el.name || "").trim().replace(/\\s+/g, " ").slice(0, 30);
  const where = el => {
    const named = el.closest("[id]");
    return `${el.tagName.toLowerCase()} "${text(el)}"${named ? " in #" + named.id : ""}`;
  };
  const span = el => {
    const box = el.getBoundingClientRect();
    return `${Math.round(box.left)}-${Math.round(box.right)} px`;
  };
  const past = el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || box.left < -1);
  };
  const scrolls = el => getComputedStyle(el).overflowX !== "visible";
  const report = [];
  for (const el of document.querySelectorAll("body *")) {
    if (!shown(el) || el.closest("input, select, textarea")) continue;
    const style = getComputedStyle(el);
    if (style.clip !== "auto") continue;  // hidden for the eye, kept for screen readers
    if (scrolls(el) && el.scrollWidth > el.clientWidth + 1
        && !(allowScrollingTables && el.matches("table.data[tabindex='0']"))) {
      report.push(`cut off: ${where(el)}, ${el.scrollWidth} px of content in ${el.clientWidth} px`);
    }
    let inScrollBox = false;
    for (let p = el.parentElement; p && !inScrollBox; p = p.parentElement) inScrollBox = scrolls(p);
    if (!inScrollBox && past(el)) report.push(`past the edge: ${where(el)} at ${span(el)}`);
  }
  for (const el of document.querySelectorAll("a[href], button, input, select, textarea, summary")) {
    if (shown(el) && past(el)) report.push(`control off screen: ${where(el)} at ${span(el)}`);
  }
  return report;
}
"""


@pytest.mark.once
@pytest.mark.parametrize("path", PAGES)
def test_each_page_meets_wcag_22_aa_reflows_and_clips_nothing(demo_page: Any, path: str) -> None:
    assert_page_accessible(demo_page, path)


def assert_page_accessible(page: Any, path: str) -> None:
    """`path` is served, meets WCAG 2.2 AA at every width, reflows and clips nothing."""
    open_page(page, path)
    _assert_accessible_at_every_width(page)


def _assert_accessible_at_every_width(page: Any) -> None:
    """Axe at a phone's and a laptop's width, then reflow at 320 px; every problem in one report.

    At the phone's width every WCAG 2.2 AA rule runs over the whole page. The laptop's width has
    the same document: what its width can change is how it is laid out and painted, which the
    layout rules check over the whole page again, and which elements show at all, which every
    rule checks over the elements that show at this width but did not at the phone's."""
    # Whatever a disclosure hides is checked too, as a reader who opens it would see it.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    problems = []
    for width in AXE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        if width == AXE_WIDTHS[0]:
            problems += [f"at {width} px: {p}" for p in _axe_violations(page)]
            page.evaluate(NOTE_SHOWN_JS)
        else:
            problems += [f"at {width} px: {p}" for p in _axe_violations(page, since_shown=True)]
        if width == DESKTOP_WIDTH:
            problems += [f"at {width} px, {c}" for c in page.evaluate(CUT_OFF_JS, [False])]
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
    page_width = page.evaluate("document.documentElement.scrollWidth")
    if page_width > REFLOW_WIDTH:
        problems.append(f"at {REFLOW_WIDTH} px the page is {page_width} px wide")
    problems += [f"at {REFLOW_WIDTH} px, {c}" for c in page.evaluate(CUT_OFF_JS, [True])]
    assert not problems, "\n".join(problems)


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}

# axe-core as axe-playwright-python ships it, read once per test process.
_AXE: list[str] = []

# axe-core's run over the whole document, answering with its violations only (the passes and
# the rules that did not apply stay in the browser).
AXE_RUN_JS = """options => axe.run(document, options).then(results => results.violations.map(
  v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target) })))"""


#: The WCAG 2.2 AA rules whose outcome depends on layout and paint, not only on the document:
#: contrast (backgrounds, overlap), target size and spacing, boxes that scroll, links told apart
#: from text, and focusable content that a width could show inside an aria-hidden region.
LAYOUT_RULES = [
    "color-contrast",
    "target-size",
    "scrollable-region-focusable",
    "link-in-text-block",
    "aria-hidden-focus",
]

_SHOWN = "el => el.checkVisibility({ visibilityProperty: true, opacityProperty: true })"

#: Notes the elements shown at this width.
NOTE_SHOWN_JS = f"""() => {{
  window.__shownBefore = new WeakSet([...document.querySelectorAll("body *")].filter({_SHOWN}));
}}"""

#: The layout rules over the whole document, then every rule over the elements shown now that
#: were not when NOTE_SHOWN_JS ran (the outermost of them, each with what it holds).
AXE_SINCE_SHOWN_JS = f"""async ([options, layout]) => {{
  const found = [];
  const keep = r => found.push(...r.violations.map(
    v => ({{ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target) }})));
  keep(await axe.run(document, {{ ...options, runOnly: {{ type: "rule", values: layout }} }}));
  const fresh = [...document.querySelectorAll("body *")]
    .filter(el => ({_SHOWN})(el) && !window.__shownBefore.has(el));
  const inFresh = new Set(fresh);
  const roots = fresh.filter(el => !inFresh.has(el.parentElement));
  if (roots.length) keep(await axe.run({{ include: roots }}, options));
  return found;
}}"""


def _axe_violations(page: Any, *, since_shown: bool = False) -> list[str]:
    """Serious and critical WCAG 2.2 AA violations that axe-core finds on the page as it is;
    `since_shown`: those of the layout rules, and of every rule on what has come into view
    since NOTE_SHOWN_JS ran."""
    if not _AXE:
        from axe_playwright_python.sync_playwright import Axe

        _AXE.append(Axe().axe_script)
    # Put into each document once: a page checked at several widths keeps the first copy.
    if page.evaluate("typeof axe === 'undefined'"):
        page.evaluate(_AXE[0])
    if since_shown:
        violations = page.evaluate(AXE_SINCE_SHOWN_JS, [AXE_OPTIONS, LAYOUT_RULES])
    else:
        violations = page.evaluate(AXE_RUN_JS, AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['targets'][:3]}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.once
@pytest.mark.parametrize("path", ["/taper", "/", "/insights"])
def test_a_taper_in_progress_meets_wcag_22_aa_and_reflows(taper_page: Any, path: str) -> None:
    assert_page_accessible(taper_page, path)


@pytest.mark.once
def test_a_tapers_steps_fit_a_small_phone_without_scrolling_sideways(taper_page: Any) -> None:
    open_page(taper_page, "/taper")
    taper_page.set_viewport_size({"width": AXE_WIDTHS[0], "height": 844})
    steps = taper_page.locator("table", has=taper_page.locator("caption", has_text="Steps"))
    widths = steps.evaluate("table => [table.scrollWidth, table.clientWidth]")
    assert widths[0] <= widths[1], f"the steps table is {widths[0]} px in a {widths[1]} px box"
    assert steps.locator("tbody tr").count() >= 2


# On the served demo journal: the refused dose writes nothing, so the journal stays as the other
# tests of the process read it (a dose that were saved would fail this test's own check first).
@pytest.mark.once
def test_the_question_about_a_large_dose_meets_wcag_22_aa_and_reflows(demo_page: Any) -> None:
    open_page(demo_page, "/")
    demo_page.select_option("#dose_product_id", label="Green Maeng Da powder")
    demo_page.fill("#dose_amount", "40")
    # The unit starts as the last dose's (capsules, on some days of the demo journal).
    demo_page.select_option("#dose_unit", "g")
    with demo_page.expect_navigation():  # the refused form comes back as a new page
        demo_page.click("text=Save dose")
    settled(demo_page)
    errors = demo_page.locator(".errorlist, .error, [role=alert]").all_inner_texts()
    assert demo_page.is_visible("#dose_confirm"), errors
    assert demo_page.input_value("#dose_amount") == "40"
    _assert_accessible_at_every_width(demo_page)


@pytest.mark.once
def test_the_check_reports_a_violation_planted_in_a_page(demo_page: Any) -> None:
    open_page(demo_page, "/crisis")
    demo_page.evaluate("document.querySelector('main').append(document.createElement('button'))")
    problems = _axe_violations(demo_page)
    assert [p for p in problems if p.startswith("button-name (critical)")], problems


# Shown only on a wide screen: a button with no name, and grey text on white. The rules go into
# the page's own stylesheet (its CSP allows no new one), after its own.
_WIDE_ONLY_RULES = [
    ".planted-wide { display: none; }",
    "@media (min-width: 1000px) { .planted-wide { display: inline-block; } }",
    "@media (min-width: 1000px) { .planted-grey { color: #ddd !important; } }",
]
_PLANT_WIDE_ONLY_JS = """rules => {
  const sheet = [...document.styleSheets].find(s => s.href);
  for (const rule of rules) sheet.insertRule(rule, sheet.cssRules.length);
  const main = document.querySelector("main");
  const button = document.createElement("button");
  button.className = "planted-wide";
  const grey = document.createElement("p");
  grey.className = "planted-grey";
  grey.textContent = "Grey words on a wide screen";
  main.append(button, grey);
}"""


@pytest.mark.once
def test_the_check_finds_what_only_a_wide_screen_shows(demo_page: Any) -> None:
    open_page(demo_page, "/crisis")
    demo_page.evaluate(_PLANT_WIDE_ONLY_JS, _WIDE_ONLY_RULES)
    with pytest.raises(AssertionError) as found:
        _assert_accessible_at_every_width(demo_page)
    problems = str(found.value)
    assert "at 1280 px: button-name (critical)" in problems, problems
    assert "at 1280 px: color-contrast (serious)" in problems, problems
    assert "at 360 px" not in problems, problems
