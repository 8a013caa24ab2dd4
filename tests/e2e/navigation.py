"""Going to a page as a person does: by the main navigation at the page's width, or by its
address, then waiting until the page is whole (every chart drawn)."""

from __future__ import annotations

from typing import Any

#: The page has loaded and htmx has nothing left to fetch: no chart still waits to be drawn
#: (a placeholder that loads its drawing) and no request is in flight.
SETTLED_JS = """() => document.readyState === "complete"
  && !document.querySelector("[hx-trigger='load'], .htmx-request")"""


def settled(page: Any) -> None:
    """Wait until the page is whole, as a reader sees it once every chart is drawn."""
    page.wait_for_function(SETTLED_JS)


def open_page(page: Any, path: str) -> None:
    """Open `path` on the page's server, check that it is served, and wait until it is whole."""
    response = page.goto(page.base_url + path)
    assert response.status == 200, f"{path}: {response.status}"
    settled(page)


def follow(page: Any, control: Any) -> None:
    """Click `control` (a link, or a form's button) and wait for the page it leads to, whole.
    (Not "network idle": that waits half a second past the last request, every time.)"""
    with page.expect_navigation():
        control.click()
    settled(page)


def go_to(page: Any, name: str) -> None:
    """Click the main navigation's link `name`; on a phone, open the Menu first."""
    menu = page.locator("header details.menu")
    if menu.is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def policy_violations(page: Any) -> list[str]:
    """The Content-Security-Policy violations the tab reports from now on, as a list that fills
    as they come (the tab's own: give it a tab of its own, as its init script stays with it)."""
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
    return violations
