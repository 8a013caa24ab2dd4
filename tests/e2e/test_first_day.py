"""A new user's first day, in a real browser: time zone, a product, a check-in, a dose."""

from __future__ import annotations

from typing import Any

import pytest

from .navigation import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_user_sets_up_logs_a_check_in_and_a_dose_and_sees_both(page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(page.base_url + "/")
    # First run asks only for a time zone, pre-selected from the browser's own.
    expect(page.get_by_role("heading", name="Welcome to mitra")).to_be_visible()
    expect(page.get_by_label("Your time zone")).to_have_value("Europe/Berlin")
    page.get_by_role("button", name="Start my journal").click()

    # Today asks for a product before the first dose.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    page.get_by_role("link", name="Add a product").click()
    page.get_by_label("Name").fill("Red Bali capsules")
    page.get_by_label("Form").select_option("capsules")
    page.get_by_label("Counted in").select_option("capsule")
    page.get_by_label("Grams per unit").fill("0.5")
    page.get_by_label("Lab mitragynine (mg per g)").fill("13.3")
    page.get_by_role("button", name="Add product").click()
    expect(page.get_by_text("Product added: Red Bali capsules.")).to_be_visible()
    expect(page.get_by_role("cell", name="13.3 mg/g")).to_be_visible()

    # Today offers the dose form at once, before anything else is logged.
    go_to(page, "Today")
    expect(page.get_by_role("button", name="Save dose")).to_be_visible()
    expect(page.get_by_text("Add the kratom products you use first")).to_have_count(0)

    # A check-in: anxiety 6, a practice, sleep.
    page.get_by_role("group", name="Anxiety right now").get_by_label("6", exact=True).check()
    page.get_by_label("Sleep last night (hours)").fill("7")
    page.get_by_label("Mindfulness or meditation (minutes)").fill("15")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()

    # A dose, entered with the keyboard alone: the product and unit are already chosen.
    amount = page.get_by_label("Amount")
    amount.focus()
    page.keyboard.type("6")
    expect(page.get_by_label("Unit")).to_have_value("capsule")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Dose saved: 6 Red Bali capsules (= 3 g).")).to_be_visible()

    # The chart's text alternative counts both.
    chart = page.get_by_role("img", name="Anxiety and kratom, last 30 days")
    expect(chart).to_have_attribute("role", "img")
    label = chart.get_attribute("aria-label")
    assert "Mean anxiety 6.0 out of 10 on 1 day with a rating" in label
    assert "kratom on 1 of 30 days, 3.0 g on average" in label

    # The Journal lists both, newest first.
    go_to(page, "Journal")
    entries = page.locator("li.entry strong")
    expect(entries).to_have_text(["Kratom: 6 Red Bali capsules", "Check-in: anxiety 6/10"])
    expect(page.get_by_text("Mindfulness or meditation: 15 min")).to_be_visible()


def test_settings_show_the_saved_time_zone_not_the_browsers(page: Any) -> None:
    from playwright.sync_api import expect

    from mitra.journal import services

    page.goto(page.base_url + "/")
    zone = page.get_by_label("Your time zone")
    expect(zone).to_have_value("Europe/Berlin")  # the browser's, guessed on a first visit
    zone.select_option("Asia/Tokyo")
    page.get_by_role("button", name="Start my journal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    page.goto(page.base_url + "/settings")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    # Saving another setting keeps the journal's zone.
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    person = services.get_person()
    assert person is not None
    assert person.time_zone == "Asia/Tokyo"


def test_a_refused_dose_keeps_what_was_typed_and_says_why_beside_the_field(page: Any) -> None:
    from playwright.sync_api import expect

    from mitra.journal import services

    person = services.set_up_person({"time_zone": "Europe/Berlin"})
    services.add_product(person, {"name": "Green powder"})
    page.goto(page.base_url + "/")
    page.get_by_label("Amount").fill("-2")
    page.get_by_text("Add a note").click()
    page.locator("#dose_note").fill("with breakfast")
    page.get_by_role("button", name="Save dose").click()
    amount = page.get_by_label("Amount")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_be_focused()  # the page takes the person to the field in error
    expect(page.locator("#dose_amount_error")).to_have_text("Amount must be more than 0.")
    expect(amount).to_have_value("-2")
    expect(page.locator("#dose_note")).to_have_value("with breakfast")


def test_deleting_an_entry_can_be_undone(page: Any) -> None:
    from datetime import UTC, datetime

    from playwright.sync_api import expect

    from mitra.journal import services

    person = services.set_up_person({"time_zone": "Europe/Berlin"})
    services.add_checkin(person, {"at": datetime.now(UTC), "anxiety": 3})
    page.goto(page.base_url + "/journal")
    page.get_by_role("button", name="Delete Check-in: anxiety 3/10").click()
    expect(page.get_by_role("status").filter(has_text="Check-in: anxiety 3/10")).to_contain_text(
        ": deleted."
    )
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status").filter(has_text="Check-in: anxiety 3/10")).to_contain_text(
        ": restored."
    )
    expect(page.locator("li.entry strong")).to_have_text(["Check-in: anxiety 3/10"])


def test_answering_phq9_item9_with_1_shows_the_crisis_card_first(page: Any) -> None:
    from playwright.sync_api import expect

    from mitra.journal import services

    services.set_up_person({"time_zone": "America/New_York"})  # crisis lines of the US: 988
    page.goto(page.base_url + "/questionnaires/PHQ-9")
    groups = page.locator("fieldset")
    expect(groups).to_have_count(9)
    for index in range(8):
        groups.nth(index).get_by_label("Not at all").check()
    expect(page.locator("#progress-text")).to_have_text("8 of 9")
    groups.nth(8).get_by_label("Several days").check()
    page.get_by_role("button", name="See my result").click()

    card = page.get_by_role("alert").filter(has_text="thoughts of being better off dead")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="Call 988", exact=True)).to_have_attribute(
        "href", "tel:988"
    )
    expect(card.get_by_role("link", name="Text 988", exact=True)).to_have_attribute(
        "href", "sms:988"
    )
    # The card comes before everything else on the page, the header included.
    first = page.locator("body > :not(.skip)").first
    expect(first).to_have_class("crisis-card")
    # It stays on other pages until acknowledged.
    go_to(page, "Today")
    expect(page.locator(".crisis-card")).to_be_visible()
    page.get_by_role("button", name="I have seen these resources").click()
    expect(page.locator(".crisis-card")).to_have_count(0)
    expect(page.get_by_role("link", name="Crisis help")).to_be_visible()


def test_a_long_address_or_word_in_a_note_wraps_inside_its_entry(page: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from mitra.journal import services

    from .test_accessibility import CUT_OFF_JS

    person = services.set_up_person({"time_zone": "Europe/Berlin"})
    product = services.add_product(person, {"name": "Green powder"})
    url = "https://example.com/lab-results/certificate-of-analysis/batch-2026-11-green-powder.pdf"
    for note, ago in ((url, 30), ("x" * 400, 20)):
        services.log_dose(
            person,
            {"product_id": product.pk, "amount": 2, "unit": "g", "note": note,
             "taken_at": timezone.now() - timedelta(minutes=ago)},
        )  # fmt: skip
    for path in ("/", "/journal"):
        page.goto(page.base_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert page.evaluate(CUT_OFF_JS, [True]) == [], path
