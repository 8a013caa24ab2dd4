"""The Plan page: goals typed as people say them, errors beside the field, progress, the chart."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mitra.journal import plans, services
from mitra.journal.models import CheckIn
from mitra.plan import Goal
from tests.plan.helpers import without_since

pytestmark = pytest.mark.django_db


def test_the_plan_page_saves_goals_words_and_the_clinician(client: Client, alice: Any) -> None:
    response = client.post(
        "/plan",
        {
            "goal_mindfulness": "70 min",
            "goal_therapy": "1",
            "goal_sleep": "7.5",
            "clinician_name": "Dr Lee",
            "clinician_contact": "+49 30 1234567",
            "reasons": "Calmer mornings.",
            "warning_signs": "Skipping meals.",
        },
    )
    assert response.status_code == 302
    assert without_since(plans.goals_of(alice)) == [
        Goal("mindfulness", 70, "minutes"),
        Goal("therapy", 1, "sessions"),
        Goal("sleep", 7.5, "hours"),
    ]
    html = client.get("/plan").content.decode()
    assert "Plan saved." in html
    assert "0 of 70 min this week" in html
    assert "weeks start on Monday" in html
    assert 'value="70 min"' in html
    assert 'value="1 session"' in html
    assert 'value="7.5"' in html
    assert "Calmer mornings." in html
    assert 'value="Dr Lee"' in html
    # The adherence chart: an image with a name, a caption, and its table.
    assert re.search(r'<svg role="img" aria-label="Weekly goals met\. 8 weeks', html)
    assert '<th scope="col">Week starting (Monday)</th>' in html


def test_a_goal_mitra_cannot_read_is_refused_beside_its_field_and_the_rest_is_kept(
    client: Client, alice: Any
) -> None:
    response = client.post(
        "/plan",
        {"goal_mindfulness": "lots", "goal_yoga": "2 sessions", "clinician_name": "Dr Lee"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'id="id_goal_mindfulness_error">\s*<li>&#39;lots&#39; is not a goal', html)
    assert 'value="2 sessions"' in html
    assert 'value="Dr Lee"' in html
    assert without_since(plans.goals_of(alice)) == []


def test_a_goal_is_removed_by_its_button_or_by_emptying_its_field(
    client: Client, alice: Any
) -> None:
    plans.set_goal(alice, {"kind": "yoga", "amount": 2, "unit": "sessions"})
    plans.set_goal(alice, {"kind": "walk", "amount": 120, "unit": "minutes"})
    assert 'aria-label="Remove the yoga goal"' in client.get("/plan").content.decode()
    assert client.post("/plan/goals/yoga/remove").status_code == 302
    assert without_since(plans.goals_of(alice)) == [Goal("walk", 120, "minutes")]
    assert client.post("/plan", {"goal_walk": ""}).status_code == 302
    assert without_since(plans.goals_of(alice)) == []
    # Removing one that is gone says so, without an error page.
    response = client.post("/plan/goals/yoga/remove", follow=True)
    assert "There is no yoga goal in your plan." in response.content.decode()


def test_today_shows_this_weeks_progress_against_each_goal(client: Client, alice: Any) -> None:
    plans.set_goal(alice, {"kind": "mindfulness", "amount": 70, "unit": "minutes"})
    services.log_practice(
        alice, {"kind": "mindfulness", "minutes": 45, "at": timezone.now() - timedelta(seconds=1)}
    )
    html = client.get("/").content.decode()
    assert "This week's goals" in html
    assert "45 of 70 min this week" in html
    assert 'aria-label="Mindfulness or meditation: 64% of 70 min a week"' in html


def test_today_without_goals_points_to_the_plan(client: Client, alice: Any) -> None:
    assert "Set goals in your plan</a>" in client.get("/").content.decode()


def test_the_check_in_form_saves_meals_and_caffeine(client: Client, alice: Any) -> None:
    now = timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/checkins", {"at": now, "anxiety": "4", "regular_meals": "no", "caffeine_cups": "1.5"}
    )
    assert response.status_code == 302
    saved = CheckIn.objects.get()
    assert (saved.regular_meals, saved.caffeine_cups) == (False, 1.5)
    # Editing the check-in keeps them.
    edit = client.get(f"/journal/checkin/{saved.pk}").content.decode()
    assert re.search(r'name="regular_meals" value="no"[^>]*checked', edit)
    assert 'name="caffeine_cups" value="1.5"' in edit


def test_settings_no_longer_edit_crisis_contacts_and_point_to_the_plan(
    client: Client, alice: Any
) -> None:
    services.set_up_person({"crisis_contacts": [{"name": "Sam", "phone": "+1 555 0100"}]})
    html = client.get("/settings").content.decode()
    assert "contact_1_name" not in html
    assert 'href="/plan">plan</a>' in html
    response = client.post(
        "/settings",
        {"time_zone": "Europe/Berlin", "day_boundary_hour": "4", "gad7_every_days": "7"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.crisis_contacts == [{"name": "Sam", "phone": "+1 555 0100"}]
    assert 'value="Sam"' in client.get("/plan").content.decode()


def test_without_goals_the_plan_page_says_so_instead_of_drawing_empty_axes(
    client: Client, alice: Any
) -> None:
    html = client.get("/plan").content.decode()
    assert "No weekly goals yet" in html
    assert "<svg" not in html.split('id="adherence-heading"')[1].split("</section>")[0]
    plans.save_plan(alice, {"goals": [{"kind": "mindfulness", "amount": 70, "unit": "minutes"}]})
    html = client.get("/plan").content.decode()
    assert "No weekly goals yet" not in html
    assert "<svg" in html.split('id="adherence-heading"')[1].split("</section>")[0]


def test_weeks_before_a_goal_was_set_are_not_counted_as_missed(client: Client, alice: Any) -> None:
    from mitra.journal.timeline_builder import clock_of
    from mitra.reads.plan import plan_read

    # Hours into the person's own days, so that no clock change or day boundary moves a week.
    clock = clock_of(alice)
    today = clock.today(timezone.now())

    def within(days_ago: int) -> Any:
        return clock.day_start(today - timedelta(days=days_ago)) + timedelta(hours=8)

    services.log_practice(alice, {"kind": "yoga", "minutes": 30, "at": within(14)})
    goal = plans.set_goal(alice, {"kind": "yoga", "amount": 1, "unit": "sessions"})
    before, *_, this_week = plan_read(alice).weeks
    assert (before.percent, before.goals_met, before.goals) == (None, 0, 0)
    assert (this_week.percent, this_week.goals_met, this_week.goals) == (0, 0, 1)
    table = client.get("/plan").content.decode().split('id="adherence-heading"')[1]
    assert "no goal set yet" in table
    assert "on average 0% of the weekly targets were met" in table
    # Set three weeks ago, the goal was met two weeks ago and missed since.
    type(goal).objects.filter(pk=goal.pk).update(created_at=within(21))
    # Any write (here a walk two months ago) raises the journal's version.
    services.log_practice(alice, {"kind": "walk", "minutes": 5, "at": within(60)})
    weeks = plan_read(alice).weeks
    met = [w for w in weeks if w.goals_met]
    assert len(met) == 1
    assert met[0].percent == 100
    assert sum(w.goals for w in weeks) == 4  # three weeks ago, two, one, and this week


def test_a_goal_set_before_mitra_kept_when_is_measured_in_every_week(alice: Any) -> None:
    from mitra.reads.plan import plan_read

    goal = plans.set_goal(alice, {"kind": "yoga", "amount": 1, "unit": "sessions"})
    type(goal).objects.filter(pk=goal.pk).update(created_at=None)  # as migration 0010 left it
    long_ago = timezone.now() - timedelta(days=60)
    services.log_practice(alice, {"kind": "walk", "minutes": 5, "at": long_ago})  # a new version
    weeks = plan_read(alice).weeks
    assert [w.goals for w in weeks] == [1] * len(weeks)
    assert [w.percent for w in weeks] == [0] * len(weeks)


def _error_beside(html: str, field_id: str) -> str:
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', html, re.S)
    assert match, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_every_refusal_of_the_plan_is_shown_at_once_beside_its_field(
    client: Client, alice: Any
) -> None:
    """A sleep target mitra refuses and a crisis contact the journal refuses: both at once,
    not the contact's refusal one submit later; what was typed is kept."""
    response = client.post(
        "/plan",
        {
            "goal_sleep": "30",
            "goal_yoga": "2 sessions",
            "contact_1_name": "",
            "contact_1_phone": "not a phone!!",
            "clinician_name": "Dr Lee",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "at most 24 hours" in _error_beside(html, "id_goal_sleep")
    assert _error_beside(html, "id_contact_1_name").startswith("Contact 1: name ")
    assert _error_beside(html, "id_contact_1_phone").startswith("Contact 1: phone ")
    for kept in ('value="30"', 'value="2 sessions"', 'value="not a phone!!"', 'value="Dr Lee"'):
        assert kept in html, kept
    assert without_since(plans.goals_of(alice)) == []
    assert alice.__class__.objects.get(pk=alice.pk).crisis_contacts == []


def test_a_field_refused_by_the_form_and_the_journal_says_it_once(
    client: Client, alice: Any
) -> None:
    html = client.post("/plan", {"goal_walk": "lots", "clinician_name": "x" * 121}).content.decode()
    assert _error_beside(html, "id_clinician_name").count("too long") == 1
    assert "is not a goal" in _error_beside(html, "id_goal_walk")


@pytest.mark.parametrize(
    ("kind", "typed"), [("exercise", "lots"), ("therapy", "often"), ("sleep", "plenty")]
)
def test_a_goals_hint_and_its_refusal_give_the_same_forms(
    client: Client, alice: Any, kind: str, typed: str
) -> None:
    from mitra.plan import goal_example, parse_goal

    example = goal_example(kind)
    hint = re.search(
        rf'<div class="helptext" id="id_goal_{kind}_helptext">(.*?)</div>',
        client.get("/plan").content.decode(),
        re.S,
    )
    assert hint, "the field has its hint"
    refused = client.post("/plan", {f"goal_{kind}": typed}).content.decode()
    said = _error_beside(refused, f"id_goal_{kind}")
    assert f"Write it like {example}." in unescape(hint.group(1))
    assert f"write it like {example}." in unescape(said)
    # Each form the hint gives is one mitra reads.
    for form in re.sub(r"\s*\(.*\)$", "", example).split(" or "):
        parse_goal(kind, form)
