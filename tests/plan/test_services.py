"""The plan's services: goals set, changed and removed; the plan's words; contacts moved here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mitra.journal import plans
from mitra.journal.crisis import crisis_resources
from mitra.journal.errors import EntryInvalid, NotFound
from mitra.plan import Goal
from tests.plan.helpers import without_since

pytestmark = pytest.mark.django_db


def test_a_goal_is_set_changed_and_removed(alice: Any) -> None:
    plans.set_goal(alice, {"kind": "mindfulness", "amount": 70, "unit": "minutes"})
    plans.set_goal(alice, {"kind": "therapy", "amount": 1, "unit": "sessions"})
    plans.set_goal(alice, {"kind": "mindfulness", "amount": 90, "unit": "minutes"})
    assert without_since(plans.goals_of(alice)) == [
        Goal("mindfulness", 90, "minutes"),
        Goal("therapy", 1, "sessions"),
    ]
    plans.remove_goal(alice, "mindfulness")
    assert without_since(plans.goals_of(alice)) == [Goal("therapy", 1, "sessions")]
    with pytest.raises(NotFound, match="no mindfulness goal"):
        plans.remove_goal(alice, "mindfulness")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "knitting", "amount": 1, "unit": "sessions"}, "kind"),
        ({"kind": "sleep", "amount": 70, "unit": "minutes"}, "body"),
        ({"kind": "yoga", "amount": 7, "unit": "hours"}, "body"),
        ({"kind": "yoga", "amount": 0, "unit": "minutes"}, "amount"),
    ],
)
def test_a_goal_that_does_not_fit_is_refused(alice: Any, data: Any, field: str) -> None:
    with pytest.raises(EntryInvalid) as caught:
        plans.set_goal(alice, data)
    assert field in caught.value.errors or caught.value.errors


def test_the_plan_keeps_the_persons_words_and_the_crisis_contacts(alice: Any) -> None:
    plans.save_plan(
        alice,
        {
            "clinician_name": "Dr Lee",
            "clinician_contact": "+49 30 1234567",
            "reasons": "To sleep without needing kratom.",
            "warning_signs": "Skipping meals, pacing at night.",
            "crisis_contacts": [{"name": "Sam", "phone": "+49 170 0000000"}],
        },
    )
    plan = plans.plan_of(alice)
    assert plan.clinician_name == "Dr Lee"
    assert plan.warning_signs == "Skipping meals, pacing at night."
    # The crisis page and card read the contacts where they always did.
    assert crisis_resources(alice)["contacts"] == [{"name": "Sam", "phone": "+49 170 0000000"}]


def test_saving_the_plan_with_goals_replaces_them_and_without_keeps_them(alice: Any) -> None:
    plans.set_goal(alice, {"kind": "yoga", "amount": 2, "unit": "sessions"})
    plans.save_plan(alice, {"reasons": "calmer days"})
    assert without_since(plans.goals_of(alice)) == [Goal("yoga", 2, "sessions")]
    plans.save_plan(
        alice,
        {"goals": [{"kind": "walk", "amount": 120, "unit": "minutes"}]},
    )
    assert without_since(plans.goals_of(alice)) == [Goal("walk", 120, "minutes")]


def test_a_bad_crisis_phone_is_refused_and_nothing_is_saved(alice: Any) -> None:
    with pytest.raises(EntryInvalid) as caught:
        plans.save_plan(
            alice,
            {"clinician_name": "Dr Lee", "crisis_contacts": [{"name": "Sam", "phone": "call"}]},
        )
    assert "crisis_contacts.0.phone" in caught.value.errors
    assert plans.plan_of(alice).clinician_name == ""


def test_a_changed_goal_keeps_the_target_it_had_before(alice: Any) -> None:
    plans.set_goal(alice, {"kind": "yoga", "amount": 1, "unit": "sessions"})
    plans.set_goal(alice, {"kind": "yoga", "amount": 1, "unit": "sessions"})  # the same: kept
    plans.set_goal(alice, {"kind": "yoga", "amount": 60, "unit": "minutes"})
    (goal,) = plans.goals_of(alice)
    assert (goal.amount, goal.unit) == (60, "minutes")
    today = goal.since
    assert goal.earlier == ((today, 1, "sessions"),)
    assert goal.target_on(today - timedelta(days=1)) == (1, "sessions")  # type: ignore[operator]
    assert goal.target_on(today) == (60, "minutes")  # type: ignore[arg-type]
