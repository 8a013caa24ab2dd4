"""The Taper page and Today's taper card: plan, save, live the taper, and see a hold proposed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mitra.journal import services
from mitra.reads.taper import taper_page

pytestmark = pytest.mark.django_db

WITHDRAWAL = ["restless", "yawning", "sweating"]


def plan(client: Client, action: str = "save", **fields: str) -> Any:
    data = {"to": "0", "pace": "10-per-week", "start_amount": "8g", "action": action, **fields}
    return client.post("/taper/plan", data)


def test_without_a_taper_the_page_offers_the_plan_form(client: Client, alice: Any) -> None:
    response = client.get("/taper")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Plan a taper" in text
    assert '<label for="id_to"' in text
    assert "Your taper" not in client.get("/").content.decode()


def test_a_preview_shows_the_steps_and_saves_nothing(client: Client, alice: Any) -> None:
    response = plan(client, action="preview")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Steps of the taper" in text
    assert "7.2 g" in text
    assert taper_page(alice).status.active is False


def test_a_bad_amount_is_shown_beside_its_field_with_422(client: Client, alice: Any) -> None:
    response = plan(client, to="lots")
    assert response.status_code == 422
    assert response.context["form"].errors["to"]
    assert taper_page(alice).status.active is False


def test_the_forms_errors_speak_of_its_fields_and_say_dates_as_the_page_does(
    client: Client, alice: Any
) -> None:
    """No command-line option (--to, --from, --start) and no ISO date on the web."""
    errors = plan(client, to="lots").context["form"].errors
    assert errors["to"] == ["'lots' is not an amount; write it like 2 g, 500 mg or 4 capsules."]
    long_ago = (timezone.localdate() - timedelta(days=30)).isoformat()
    errors = plan(client, starts=long_ago).context["form"].errors
    assert "is more than 7 days in the past" in errors["starts"][0]
    assert long_ago not in errors["starts"][0]
    # Nothing logged to measure: the starting amount is asked for beside its own field.
    errors = plan(client, start_amount="").context["form"].errors
    assert errors["start_amount"][0].startswith("No kratom use is logged in the 14 days before")
    assert "give the starting amount, e.g. 8 g" in errors["start_amount"][0]
    for messages in errors.values():
        assert not any("--" in m for m in messages)


def test_saving_shows_todays_allowance_on_today_and_the_taper_page(
    client: Client, alice: Any, powder: Any
) -> None:
    assert plan(client).status_code == 302
    services.log_dose(
        alice, {"product_id": powder.pk, "taken_at": timezone.now(), "amount": 2, "unit": "g"}
    )
    today = client.get("/").content.decode()
    assert "5.2 g left of today's allowance" in today
    page = client.get("/taper").content.decode()
    assert "(used 2 g)" in page  # every amount with its unit
    assert "Planned against actual use" in page
    assert "Step 1 of" in page
    assert "increase" not in page.lower()
    # Over the allowance, nothing is said to be left of it.
    services.log_dose(
        alice, {"product_id": powder.pk, "taken_at": timezone.now(), "amount": 6, "unit": "g"}
    )
    for path in ("/", "/taper"):
        html = client.get(path).content.decode()
        assert "<strong>Over today's allowance</strong>" in html, path
        assert "left of today's allowance" not in html, path
    # Gone back to the start: no "step 0", but where that is.
    assert client.post("/taper/back").status_code == 302
    for path in ("/", "/taper"):
        html = client.get(path).content.decode()
        assert "at the starting amount, before step 1 of" in html.lower(), path
        assert "step 0" not in html.lower(), path


def test_rising_withdrawal_proposes_a_hold_with_why_and_the_hold_button_holds(
    client: Client, alice: Any
) -> None:
    plan(client)
    now = timezone.now()
    # Two check-ins a moment apart, both inside the taper's first day whatever the hour (an
    # hour apart, the first fell on the day before the taper for an hour after the boundary).
    for seconds in (2, 1):
        services.add_checkin(
            alice, {"at": now - timedelta(seconds=seconds), "anxiety": 5, "symptoms": WITHDRAWAL}
        )
    for path in ("/", "/taper"):
        text = client.get(path).content.decode()
        assert "The planner proposes holding this step" in text
        assert "check-ins in a row" in text
    response = client.post("/taper/hold", {"next": "today"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert taper_page(alice).status.held is True
    assert "This step is held" in client.get("/taper").content.decode()


def test_a_choice_that_does_not_apply_is_explained(client: Client, alice: Any) -> None:
    plan(client)
    response = client.post("/taper/resume", follow=True)
    assert "The taper is not held; nothing to resume." in response.content.decode()
    assert client.post("/taper/explode").status_code == 404


def test_the_page_counts_days_over_the_allowance(alice: Any, powder: Any, client: Client) -> None:
    plan(client)
    services.log_dose(
        alice, {"product_id": powder.pk, "taken_at": timezone.now(), "amount": 9, "unit": "g"}
    )
    page = taper_page(alice)
    assert (page.days_over, page.days_within) == (1, 0)
    assert page.days[-1].used == 9.0


def test_a_capsule_taper_says_capsules_in_the_plural_wherever_it_shows_an_amount(
    client: Client, alice: Any, capsules: Any
) -> None:
    assert plan(client, start_amount="6 capsules").status_code == 302
    services.log_dose(
        alice,
        {"product_id": capsules.pk, "taken_at": timezone.now(), "amount": 1, "unit": "capsule"},
    )
    for path in ("/", "/taper"):
        text = " ".join(client.get(path).content.decode().split())
        assert "capsule a day" not in text, path
        assert "1 capsule of" in text or "(used 1 capsule)" in text, path
    assert "from 6 capsules to 0 capsules a day" in " ".join(
        client.get("/taper").content.decode().split()
    )


def test_a_taper_in_progress_is_replaced_only_when_the_box_is_ticked_and_its_history_kept(
    client: Client, alice: Any
) -> None:
    """Saving a new plan quietly ended the taper in progress, holds and all."""
    from mitra.journal.models import Taper

    assert plan(client).status_code == 302
    assert client.post("/taper/hold").status_code == 302
    page = client.get("/taper").content.decode()
    assert "a new plan replaces it only when you tick the box" in page
    assert 'name="replace"' in page
    refused = plan(client, to="2g", pace="10-per-month")
    assert refused.status_code == 422
    said = refused.context["form"].errors["replace"][0]
    assert said.startswith("A taper is in progress (8 g to 0 g a day, from ")
    assert "keeps it, with its holds and steps back" in said
    assert said.endswith("Tick this box to replace it.")
    assert "Steps of the taper" in refused.content.decode()  # the preview stays in view
    first = Taper.objects.get()
    assert first.ended_at is None
    saved = plan(client, to="2g", pace="10-per-month", replace="on")
    assert saved.status_code == 302
    page = client.get("/taper").content.decode()
    assert "The one in progress has ended, and is kept with its holds and steps back." in page
    first.refresh_from_db()
    assert first.ended_at is not None
    assert [c.action for c in first.choices.all()] == ["hold"]
    assert taper_page(alice).status.schedule.target_amount == 2.0


def test_a_taper_form_sent_twice_saves_one_taper(client: Client, alice: Any) -> None:
    from mitra.journal.models import Taper

    token = client.get("/taper").context["form"].initial["token"]
    assert plan(client, token=token).status_code == 302
    again = client.post("/taper/plan", {"to": "0", "pace": "10-per-week",
                                        "start_amount": "8g", "action": "save",
                                        "token": token}, follow=True)  # fmt: skip
    assert "That taper was already saved." in again.content.decode()
    assert Taper.objects.count() == 1
