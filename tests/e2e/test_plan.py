"""The plan in a real browser: two goals made on the Plan page, progress seen on Today."""

from __future__ import annotations

from typing import Any

import pytest

from .navigation import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plan_with_two_goals_shows_this_weeks_progress_on_today(page: Any) -> None:
    from playwright.sync_api import expect

    from mitra.journal import services

    services.set_up_person({"time_zone": "Europe/Berlin"})
    page.goto(page.base_url + "/")
    go_to(page, "Plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan")

    # A goal mitra cannot read is refused beside its field; what was typed stays.
    page.get_by_label("Mindfulness or meditation, weekly goal").fill("70 minutes a fortnight")
    page.get_by_label("Therapy session, weekly goal").fill("1")
    page.get_by_label("Clinician's name").fill("Dr Lee")
    page.get_by_role("button", name="Save plan").click()
    mindfulness = page.get_by_label("Mindfulness or meditation, weekly goal")
    expect(mindfulness).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_goal_mindfulness_error")).to_contain_text("is not a goal")
    expect(page.get_by_label("Clinician's name")).to_have_value("Dr Lee")

    mindfulness.fill("70 min")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Plan saved.")).to_be_visible()
    expect(page.get_by_text("0 of 70 min this week")).to_be_visible()
    chart = page.get_by_role("img", name="Weekly goals met")
    expect(chart).to_be_visible()

    # A check-in with 30 minutes of mindfulness and a therapy session, with diet.
    go_to(page, "Today")
    page.get_by_role("group", name="Anxiety right now").get_by_label("4", exact=True).check()
    page.get_by_label("Mindfulness or meditation (minutes)").fill("30")
    page.get_by_label("Therapy session (minutes)").fill("50")
    page.get_by_role("group", name="Regular meals today").get_by_label("Yes").check()
    page.get_by_label("Caffeine today (cups)").fill("2")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()

    progress = page.get_by_role("region", name="This week's goals")
    expect(progress.get_by_text("30 of 70 min this week")).to_be_visible()
    expect(progress.get_by_text("1 of 1 session this week")).to_be_visible()
    expect(progress.get_by_text("(goal met)")).to_be_visible()
    bar = progress.get_by_role(
        "progressbar", name="Mindfulness or meditation: 43% of 70 min a week"
    )
    expect(bar).to_have_attribute("value", "43")
