"""A taper in a real browser: start 10% a week, log rising withdrawal, see the hold proposed."""

from __future__ import annotations

from typing import Any

import pytest

from .navigation import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_taper_with_rising_withdrawal_proposes_a_hold_on_today_and_the_taper_page(
    page: Any, alice: Any
) -> None:
    from playwright.sync_api import expect

    page.goto(page.base_url + "/taper")
    page.get_by_label("Target amount per day").fill("0")
    page.get_by_label("Starting amount per day (optional)").fill("8g")
    page.get_by_label("10% of the starting dose every week").check()
    page.get_by_role("button", name="Save taper").click()
    expect(page.get_by_text("Taper saved.")).to_be_visible()
    expect(page.get_by_role("table", name="Steps of the taper")).to_be_visible()

    # Two check-ins with withdrawal-like symptoms, the second more anxious.
    for anxiety in ("5", "7"):
        go_to(page, "Today")
        page.get_by_role("group", name="Anxiety right now").get_by_label(
            anxiety, exact=True
        ).check()
        page.get_by_text("Symptoms", exact=True).click()
        for symptom in ("Restlessness", "Sweating", "Yawning"):
            page.get_by_label(symptom, exact=True).check()
        page.get_by_role("button", name="Save check-in").click()
        expect(page.get_by_text("Check-in saved.")).to_be_visible()

    expect(page.get_by_text("8 g left of today's allowance")).to_be_hidden()
    expect(page.get_by_text("7.2 g left of today's allowance")).to_be_visible()
    expect(page.get_by_text("The planner proposes holding this step.")).to_be_visible()

    go_to(page, "Taper")
    expect(page.get_by_text("The planner proposes holding this step.")).to_be_visible()
    expect(page.get_by_text("check-ins in a row").first).to_be_visible()
    page.get_by_role("button", name="Hold this step").first.click()
    expect(page.get_by_text("Step held")).to_be_visible()


def test_a_plan_with_two_goals_then_a_taper_with_rising_withdrawal_proposes_a_hold(
    page: Any, alice: Any
) -> None:
    """The issue's whole scenario in one visit: plan, goals, taper, withdrawal, hold."""
    from playwright.sync_api import expect

    page.goto(page.base_url + "/plan")
    page.get_by_label("Mindfulness or meditation, weekly goal").fill("70 min")
    page.get_by_label("Therapy session, weekly goal").fill("1")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Plan saved.")).to_be_visible()
    expect(page.get_by_text("0 of 70 min this week")).to_be_visible()

    page.goto(page.base_url + "/taper")
    page.get_by_label("Target amount per day").fill("0")
    page.get_by_label("Starting amount per day (optional)").fill("8g")
    page.get_by_label("10% of the starting dose every week").check()
    page.get_by_role("button", name="Save taper").click()
    expect(page.get_by_text("Taper saved.")).to_be_visible()

    for anxiety in ("5", "7"):
        go_to(page, "Today")
        page.get_by_role("group", name="Anxiety right now").get_by_label(
            anxiety, exact=True
        ).check()
        page.get_by_label("Mindfulness or meditation (minutes)").fill("10")
        page.get_by_text("Symptoms", exact=True).click()
        for symptom in ("Restlessness", "Sweating", "Yawning"):
            page.get_by_label(symptom, exact=True).check()
        page.get_by_role("button", name="Save check-in").click()
        expect(page.get_by_text("Check-in saved.")).to_be_visible()

    # Today: the goals' progress and the hold proposal side by side.
    expect(page.get_by_text("20 of 70 min this week")).to_be_visible()
    expect(page.get_by_text("The planner proposes holding this step.")).to_be_visible()
    go_to(page, "Taper")
    expect(page.get_by_text("The planner proposes holding this step.")).to_be_visible()
