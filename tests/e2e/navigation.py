"""Going to a page by the main navigation, as a person does at the page's width."""

from __future__ import annotations

from typing import Any


def go_to(page: Any, name: str) -> None:
    """Click the main navigation's link `name`; on a phone, open the Menu first."""
    menu = page.locator("header details.menu")
    if menu.is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()
