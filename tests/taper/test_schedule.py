"""The taper planner: reductions only, measurable steps, slower near the end, sourced paces."""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import asdict
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.knowledge import load
from mitra.knowledge.loader import KnowledgeError, read_toml
from mitra.knowledge.taper import load_taper, parse_taper
from mitra.taper import Measure, Schedule, TaperError, measure_for, plan_schedule

MONDAY = date(2026, 1, 5)
GRAMS = measure_for("g")


def text_of(schedule: Schedule) -> str:
    return json.dumps(asdict(schedule), default=str).lower()


def test_every_pace_is_in_the_knowledge_base_with_sources_that_resolve() -> None:
    knowledge = load_taper()
    assert {p.id for p in knowledge.paces} == {"10-per-month", "10-per-week", "metered-5"}
    sources = load().sources
    for pace in knowledge.paces:
        assert pace.sources
        assert all(sid in sources for sid in pace.sources)
    assert set(knowledge.pace("10-per-month").sources) == {"cdc2022opioids", "hhs2019tapering"}


def test_the_community_pace_is_labelled_anecdotal() -> None:
    pace = load_taper().pace("metered-5")
    assert pace.is_anecdotal
    assert "anecdotal" in pace.note.lower()
    schedule = plan_schedule(10, 0, "metered-5", GRAMS, starts=MONDAY)
    assert schedule.pace_basis == "anecdotal"


def test_every_parameter_is_sourced_or_marked_as_mitras_own() -> None:
    for parameter in load_taper().parameters:
        assert parameter.basis in {"source", "heuristic"}
        assert parameter.note


def test_ten_per_week_takes_ten_percent_of_the_start_off_each_week() -> None:
    schedule = plan_schedule(12.0, 0, "10-per-week", GRAMS, starts=MONDAY)
    first = schedule.steps[0]
    assert (first.starts, first.allowance, first.reduction) == (MONDAY, 10.8, 1.2)
    assert schedule.steps[1].starts == MONDAY + timedelta(days=7)
    assert schedule.steps[-1].allowance == 0.0


def test_ten_per_month_steps_every_four_weeks() -> None:
    schedule = plan_schedule(10.0, 5.0, "10-per-month", GRAMS, starts=MONDAY)
    assert [s.allowance for s in schedule.steps] == [9.0, 8.0, 7.0, 6.0, 5.0]
    assert [(s.starts - MONDAY).days for s in schedule.steps] == [0, 28, 56, 84, 112]
    assert schedule.reaches_target == MONDAY + timedelta(days=112)


def test_steps_get_smaller_near_the_end() -> None:
    schedule = plan_schedule(12.37, 0, "10-per-week", GRAMS, starts=MONDAY)
    sizes = [s.reduction for s in schedule.steps]
    assert sizes[0] == 1.2
    assert sizes[-2] == 0.6  # half steps below 30% of the start
    assert all(a >= b for a, b in itertools.pairwise(sizes))


def test_the_metered_pace_shrinks_with_what_is_left() -> None:
    schedule = plan_schedule(10.0, 0, "metered-5", GRAMS, starts=MONDAY)
    assert [s.allowance for s in schedule.steps[:3]] == [9.5, 9.0, 8.5]
    assert schedule.steps[-1].reduction == 0.1


def test_the_start_is_rounded_down_and_the_target_up_to_what_a_scale_reads() -> None:
    schedule = plan_schedule(8.37, 2.01, "10-per-week", GRAMS, starts=MONDAY)
    assert schedule.start_amount == 8.3
    assert schedule.target_amount == 2.1
    for step in schedule.steps:
        assert round(step.allowance * 10) == pytest.approx(step.allowance * 10, abs=1e-9)


def test_capsule_tapers_count_whole_capsules() -> None:
    capsules = measure_for("capsule", grams_per_unit=0.5)
    schedule = plan_schedule(8, 0, "10-per-week", capsules, starts=MONDAY)
    assert [s.allowance for s in schedule.steps] == [7, 6, 5, 4, 3, 2, 1, 0]
    assert schedule.steps[0].text == "5 Jan 2026: 7 capsules a day"
    assert capsules.text(1) == "1 capsule"


def test_steps_larger_than_the_pace_asks_say_why_and_others_say_nothing() -> None:
    # 10% of 6 capsules is 0.6 of one: each step is a whole capsule, 16.7% of the start.
    capsules = measure_for("capsule", grams_per_unit=0.5)
    schedule = plan_schedule(6, 0, "10-per-week", capsules, starts=MONDAY)
    assert schedule.steps_note == (
        "Some steps are larger than this pace asks: the smallest step that can be measured is "
        "1 capsule, 16.7% of the starting amount. A taper counted in grams can take smaller steps."
    )
    assert plan_schedule(8, 0, "10-per-week", measure_for("g"), starts=MONDAY).steps_note == ""


def test_a_capsule_measure_needs_the_grams_per_capsule() -> None:
    with pytest.raises(TaperError, match="grams per capsule"):
        measure_for("capsule")


def test_mg_tapers_round_to_five_mg() -> None:
    schedule = plan_schedule(123, 0, "10-per-week", measure_for("mg"), starts=MONDAY)
    assert schedule.start_amount == 120
    assert all(s.allowance % 5 == 0 for s in schedule.steps)


@pytest.mark.parametrize(("start", "target"), [(8, 8), (8, 9), (8, 8.05)])
def test_a_target_at_or_above_the_start_is_refused(start: float, target: float) -> None:
    with pytest.raises(TaperError, match="must be below the starting amount"):
        plan_schedule(start, target, "10-per-week", GRAMS, starts=MONDAY)


def test_an_unknown_pace_is_refused_with_the_known_ones_named() -> None:
    with pytest.raises(TaperError, match="10-per-month, 10-per-week, metered-5"):
        plan_schedule(8, 0, "cold-turkey", GRAMS, starts=MONDAY)


def test_nothing_measurable_to_taper_is_refused() -> None:
    with pytest.raises(TaperError, match="nothing to taper"):
        plan_schedule(0.04, 0, "10-per-week", GRAMS, starts=MONDAY)


def test_a_negative_target_is_refused() -> None:
    with pytest.raises(TaperError, match="below zero"):
        plan_schedule(8, -1, "10-per-week", GRAMS, starts=MONDAY)


def test_a_schedule_too_long_to_be_meant_is_refused() -> None:
    data = copy.deepcopy(read_toml("taper.toml"))
    for row in data["parameter"]:
        if row["name"] == "most_steps":
            row["value"] = 10
    short = parse_taper(data)
    with pytest.raises(TaperError, match="more than 10 steps"):
        plan_schedule(50, 0, "metered-5", Measure("g", 0.1), starts=MONDAY, knowledge=short)


def test_the_borrowed_guidelines_are_named_in_the_schedule() -> None:
    schedule = plan_schedule(8, 0, "10-per-month", GRAMS, starts=MONDAY)
    assert "prescribed opioids" in schedule.note
    assert schedule.step_on(MONDAY - timedelta(days=1)) is None
    assert schedule.step_on(MONDAY + timedelta(days=30)) == schedule.steps[1]


def test_the_word_increase_is_not_in_the_knowledge_or_any_schedule() -> None:
    knowledge = load_taper()
    assert "increase" not in json.dumps(knowledge.model_dump()).lower()
    for pace in knowledge.paces:
        assert "increase" not in text_of(plan_schedule(20, 0, pace.id, GRAMS, starts=MONDAY))


amounts = st.floats(min_value=0.1, max_value=60, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    start=amounts,
    fraction=st.floats(min_value=0, max_value=0.95),
    pace=st.sampled_from(["10-per-month", "10-per-week", "metered-5"]),
    unit=st.sampled_from(["g", "capsule", "mg"]),
)
def test_every_schedule_only_reduces_never_above_the_start_and_ends_at_the_target(
    start: float, fraction: float, pace: str, unit: str
) -> None:
    measure = measure_for(unit, 0.5) if unit == "capsule" else measure_for(unit)  # type: ignore[arg-type]
    start = start * (50 if unit == "mg" else 1)
    target = round(start * fraction, 1)
    if measure.ticks_up(target) >= measure.ticks_down(start):
        with pytest.raises(TaperError, match=r"below the starting amount|nothing to taper"):
            plan_schedule(start, target, pace, measure, starts=MONDAY)
        return
    schedule = plan_schedule(start, target, pace, measure, starts=MONDAY)
    allowances = [schedule.start_amount, *(s.allowance for s in schedule.steps)]
    assert schedule.start_amount <= start + 1e-9  # floating noise only
    assert all(b < a for a, b in itertools.pairwise(allowances))
    assert allowances[-1] == schedule.target_amount >= target
    assert all(s.allowance >= schedule.target_amount for s in schedule.steps)
    ticks = [round(a / measure.resolution, 6) for a in allowances]
    assert all(t == int(t) for t in ticks)
    sizes = [s.reduction for s in schedule.steps[:-1]]
    assert all(a >= b - 1e-9 for a, b in itertools.pairwise(sizes))
    assert "increase" not in text_of(schedule)


def test_a_pace_that_would_add_is_refused_when_the_knowledge_loads() -> None:
    data = copy.deepcopy(read_toml("taper.toml"))
    data["pace"][0]["fraction"] = -0.1
    with pytest.raises(KnowledgeError, match="never adds"):
        parse_taper(data)


def test_a_pace_citing_an_unknown_source_is_refused() -> None:
    data = copy.deepcopy(read_toml("taper.toml"))
    data["pace"][0]["sources"] = ["nobody2099"]
    with pytest.raises(KnowledgeError, match="unknown sources"):
        parse_taper(data)
