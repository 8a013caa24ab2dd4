"""The hold proposal: SOWS up from the baseline, symptoms in a row, anxiety above its noise."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, timedelta

import numpy as np

from mitra.taper import assess_hold, withdrawal_symptom_ids
from mitra.timeline import DayClock, Timeline

FIRST = date(2026, 1, 1)
STEP = date(2026, 1, 15)  # the step began after 14 days of baseline
CLOCK = DayClock("UTC")
QUIET = [3.0, 4.0, 3.0, 3.0, 4.0, 3.0, 2.0, 3.0, 4.0, 3.0, 3.0, 4.0, 3.0, 3.0]  # mean 3.2


def noon(day: date) -> float:
    return CLOCK.day_start(day).timestamp() + 8 * 3600


def journal(
    anxiety: list[float],
    symptoms: list[frozenset[str]] | None = None,
    sows: dict[int, float] | None = None,
) -> Timeline:
    days = [FIRST + timedelta(days=i) for i in range(len(anxiety))]
    sows = sows or {}
    return Timeline(
        clock=CLOCK,
        first=FIRST,
        last=days[-1],
        checkin_time=np.array([noon(d) for d in days]),
        anxiety=np.array(anxiety, dtype=float),
        symptoms=tuple(symptoms or [frozenset()] * len(days)),
        response_time=np.array([noon(days[i]) + 60 for i in sows]),
        response_instrument=tuple("SOWS" for _ in sows),
        response_total=np.array(list(sows.values()), dtype=float),
        response_id=np.arange(len(sows)),
    )


def last(timeline: Timeline) -> date:
    return timeline.last


def test_a_quiet_step_proposes_nothing_and_is_settled() -> None:
    timeline = journal([*QUIET, 3.0, 4.0, 3.0, 3.0])
    result = assess_hold(timeline, STEP, last(timeline))
    assert not result.hold_proposed
    assert result.settled
    assert result.reasons == ()


def test_anxiety_above_its_own_level_by_more_than_its_noise_proposes_a_hold() -> None:
    timeline = journal([*QUIET, 6.0, 7.0, 6.0])
    result = assess_hold(timeline, STEP, last(timeline))
    assert result.hold_proposed
    assert not result.settled
    (reason,) = result.reasons
    assert "anxiety 6.3 of 10" in reason
    assert "3.2 before this step" in reason


def test_a_one_point_rise_within_the_noise_proposes_nothing() -> None:
    timeline = journal([*QUIET, 4.0, 4.0, 4.0])
    assert not assess_hold(timeline, STEP, last(timeline)).hold_proposed


def test_without_a_baseline_anxiety_says_so_and_proposes_nothing() -> None:
    timeline = journal([*[np.nan] * 10, 3.0, 3.0, 3.0, 3.0, 9.0, 9.0, 9.0])
    (_, _, anxiety) = assess_hold(timeline, STEP, last(timeline)).signals
    assert not anxiety.measured
    assert not anxiety.present
    assert "4 of 7 rated days" in anxiety.text


def test_withdrawal_symptoms_on_consecutive_checkins_propose_a_hold() -> None:
    two = frozenset({"restless", "yawning"})
    symptoms = [frozenset()] * 14 + [frozenset(), two, two]
    timeline = journal([*QUIET, 3.0, 3.0, 3.0], symptoms)
    result = assess_hold(timeline, STEP, last(timeline))
    assert result.hold_proposed
    assert "2 check-ins in a row" in result.reasons[0]


def test_symptoms_that_are_not_withdrawal_like_or_not_in_a_row_propose_nothing() -> None:
    assert "nausea" not in withdrawal_symptom_ids()
    two = frozenset({"restless", "yawning"})
    other = frozenset({"nausea", "constipation"})
    timeline = journal([*QUIET, 3.0, 3.0, 3.0], [frozenset()] * 14 + [two, other, two])
    assert not assess_hold(timeline, STEP, last(timeline)).hold_proposed


def test_a_sows_total_up_from_the_steps_baseline_proposes_a_hold() -> None:
    timeline = journal([*QUIET, 3.0, 3.0, 3.0], sows={12: 8.0, 16: 16.0})
    result = assess_hold(timeline, STEP, last(timeline))
    assert result.hold_proposed
    assert "+8 from the step's baseline of 8" in result.reasons[0]


def test_a_sows_rise_below_seven_points_proposes_nothing() -> None:
    timeline = journal([*QUIET, 3.0, 3.0, 3.0], sows={12: 8.0, 16: 14.0})
    assert not assess_hold(timeline, STEP, last(timeline)).hold_proposed


def test_a_high_but_unchanged_sows_total_proposes_nothing() -> None:
    timeline = journal([*QUIET, 3.0, 3.0, 3.0], sows={12: 20.0, 16: 22.0})
    assert not assess_hold(timeline, STEP, last(timeline)).hold_proposed


def test_a_sows_during_the_step_only_is_compared_with_the_steps_first() -> None:
    timeline = journal([*QUIET, 3.0, 3.0, 3.0], sows={14: 5.0, 16: 12.0})
    assert assess_hold(timeline, STEP, last(timeline)).hold_proposed


def test_things_have_settled_only_after_quiet_days() -> None:
    two = frozenset({"restless", "yawning"})
    symptoms = [frozenset()] * 14 + [two, two, frozenset(), frozenset()]
    timeline = journal([*QUIET, 3.0, 3.0, 3.0, 3.0], symptoms)
    result = assess_hold(timeline, STEP, last(timeline))
    assert not result.hold_proposed
    assert not result.settled
    later = journal([*QUIET, 3.0, 3.0, 3.0, 3.0, 3.0], [*symptoms, frozenset()])
    assert assess_hold(later, STEP, last(later)).settled


def test_a_step_is_not_settled_before_it_has_been_seen_quiet_for_its_days() -> None:
    """A step begun today (a taper saved, a step back) has nothing measured yet: never 'quiet
    for a few days', whatever came before it."""
    two = frozenset({"restless", "yawning"})
    flare = [frozenset()] * 11 + [two, two, two, two]  # the step begins on the last of these
    timeline = journal([*QUIET[:14], 7.0], flare)
    today = last(timeline)
    assert not assess_hold(timeline, today, today).settled
    # Two quiet days into the step: still too young to have settled (three are needed).
    more = journal([*QUIET[:14], 3.0, 3.0], [*flare, frozenset()])
    assert not assess_hold(more, today, last(more)).settled
    # Three days each seen quiet (symptoms are measured from a step's third check-in on).
    seen = journal([*QUIET[:14], 7.0, *[3.0] * 4], [*flare, *[frozenset()] * 4])
    assert assess_hold(seen, today, last(seen)).settled


def test_the_word_increase_is_never_in_an_assessment() -> None:
    two = frozenset({"restless", "yawning"})
    timeline = journal(
        [*QUIET, 7.0, 8.0, 8.0], [frozenset()] * 14 + [two, two, two], sows={12: 3.0, 16: 20.0}
    )
    result = assess_hold(timeline, STEP, last(timeline))
    assert len(result.reasons) == 3
    assert "increase" not in json.dumps(asdict(result), default=str).lower()
    assert "rule of thumb" in result.note
