"""`mitra plan`, `mitra plan goal KIND TARGET`, `mitra plan remove KIND`, and the diet check-in."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mitra.journal.models import CheckIn
from tests.cli.test_commands import refused, run

pytestmark = pytest.mark.django_db


def test_goals_are_set_from_the_terminal_and_shown_with_this_weeks_progress(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    code, out, _ = run(capsys, "plan", "goal", "mindfulness", "70min/week")
    assert code == 0
    assert "Goal set: mindfulness, 70 min a week." in out
    assert run(capsys, "plan", "goal", "therapy", "1/week")[0] == 0
    assert run(capsys, "plan", "goal", "sleep", "7.5h")[0] == 0
    code, out, _ = run(capsys, "plan")
    assert code == 0
    assert "weeks start on Monday" in out
    assert "Mindfulness or meditation: 0 of 70 min this week (0%)" in out
    assert "Therapy session: 0 of 1 session this week" in out
    assert "no sleep logged this week (target 7.5 h a night)" in out
    document = json.loads(run(capsys, "plan", "--json")[1])
    assert [g["target_text"] for g in document["this_week"]["goals"]] == [
        "70 min a week",
        "1 session a week",
        "7.5 h a night",
    ]


def test_a_goal_is_removed_and_removing_it_again_is_refused(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    run(capsys, "plan", "goal", "yoga", "2/week")
    code, out, _ = run(capsys, "plan", "remove", "yoga")
    assert code == 0
    assert "Goal removed: yoga." in out
    assert refused(capsys, "plan", "remove", "yoga") == (
        "mitra: plan remove: there is no yoga goal in your plan"
    )


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("plan", "goal", "mindfulness", "lots"), "'lots' is not a goal; write it like 70 min or"),
        (("plan", "goal", "knitting", "1/week"), "'knitting' is not a goal; use one of"),
        (("plan", "goal", "sleep", "7/week"), "a sleep goal is hours a night"),
        (("plan", "goal", "therapy", "0/week"), "the goal must be more than 0"),
        (("plan", "goal", "mindfulness"), "Missing argument 'target'"),
    ],
)
def test_bad_goals_get_one_clear_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], alice: Any, argv: Any, says: str
) -> None:
    assert says in refused(capsys, *argv)


def test_a_check_in_takes_meals_and_caffeine(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    code, _, err = run(capsys, "checkin", "4", "--meals", "yes", "--caffeine", "2")
    assert code == 0, err
    saved = CheckIn.objects.get()
    assert (saved.regular_meals, saved.caffeine_cups) == (True, 2.0)
    assert "--meals: 'often' is not yes or no" in refused(
        capsys, "checkin", "4", "--meals", "often"
    )
    assert "caffeine cups must be" in refused(capsys, "checkin", "5", "--caffeine", "99")


def test_the_plan_shows_week_by_week_as_the_plan_page_does(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    from mitra.reads.plan import ADHERENCE_WEEKS

    code, out, _ = run(capsys, "plan")
    assert code == 0
    assert "Week by week" not in out  # no goals: nothing to show week by week
    run(capsys, "plan", "goal", "mindfulness", "70min/week")
    code, out, _ = run(capsys, "plan")
    assert "Week by week" in out
    document = json.loads(run(capsys, "plan", "--json")[1])
    weeks = document["weeks"]
    assert len(weeks) == ADHERENCE_WEEKS
    lines = [line.split() for line in out.splitlines()]
    this_week = weeks[-1]
    shown = f"{this_week['percent']}%" if this_week["percent"] is not None else "–"
    assert [shown, str(this_week["goals_met"]), "of", str(this_week["goals"])] == lines[-1][3:]
    assert sum("no goal set yet" in line for line in out.splitlines()) == ADHERENCE_WEEKS - 1
