"""Each rule reads only the parts of the timeline it declares, so a refresh may build no more."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import pytest

from mitra.safety import (
    RULES,
    ResponseFacts,
    ResponsesRead,
    SafetyInput,
    TaperFacts,
    responses_read,
    rule,
)
from mitra.taper import measure_for, plan_schedule
from mitra.timeline import TIMELINE_PARTS, Timeline, TimelinePart

from .test_rules import (
    EXTRACT,
    POWDER,
    SEVEN_OH,
    XANAX,
    alice,
    at,
    days_ago,
    response,
)

#: The Timeline's fields of each kind of entry; clock, first and last belong to every part.
PART_OF: dict[str, TimelinePart] = {}
for found in fields(Timeline):
    name = found.name
    if name.startswith("dose_"):
        PART_OF[name] = "doses"
    elif name.startswith("practice_"):
        PART_OF[name] = "practices"
    elif name.startswith("intake_"):
        PART_OF[name] = "intakes"
    elif name.startswith("response_"):
        PART_OF[name] = "responses"
    elif name not in {"clock", "first", "last"}:
        PART_OF[name] = "checkins"


class _Recording:
    """A Timeline that notes every field read, its own methods' reads included."""

    def __init__(self, real: Timeline) -> None:
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "read", set())

    def __getattr__(self, name: str) -> Any:
        real = object.__getattribute__(self, "_real")
        kind = getattr(type(real), name, None)
        if isinstance(kind, property):
            return kind.fget(self) if kind.fget else None
        if callable(kind):
            return kind.__get__(self)  # the method then reads through this object too
        self.read.add(name)
        return getattr(real, name)


def _everything() -> SafetyInput:
    """A journal on which every rule has something to look at, a taper included."""
    # Daily doses that rise week by week and come more often in the last weeks.
    doses = [
        *[(at(days_ago(d), 9), 2.0 + (84 - d) / 6, POWDER) for d in range(84, 0, -1)],
        *[(at(days_ago(d), 9 + 24 * (14 - d) / 30), 3.0, POWDER) for d in range(14, 0, -1)],
        (at(days_ago(2), 21), 16.0, POWDER),
        (at(days_ago(1), 10), 2.0, SEVEN_OH),
        (at(days_ago(1), 12), 3.0, EXTRACT),
    ]
    data = alice(
        doses=doses,
        checkins=[
            (at(days_ago(d), 8), {"dark_urine", "yawning", "restless", "sweating"})
            for d in range(5)
        ],
        intakes=[(at(days_ago(1), 11), XANAX)],
        substances=[XANAX],
        responses=[
            response(1, "SOWS", 30, day=1),
            ResponseFacts(2, "PHQ-9", at(days_ago(1), 21), 5, ("crisis",)),
        ],
    )
    schedule = plan_schedule(6.0, 0.0, "10-per-week", measure_for("g"), starts=days_ago(20))
    return replace(data, taper=TaperFacts(schedule))


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_a_rule_reads_only_the_parts_of_the_timeline_it_declares(rule_id: str) -> None:
    data = _everything()
    recording = _Recording(data.timeline)
    watched = replace(data)
    object.__setattr__(watched, "timeline", recording)  # past the input's own checks
    found = rule(rule_id)(watched)
    assert found, "the journal gives the rule nothing to find, so its reads are not all seen"
    parts = {PART_OF[name] for name in recording.read if name in PART_OF}
    assert parts <= rule(rule_id).reads


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_a_rule_finds_the_same_on_a_timeline_of_its_declared_parts(rule_id: str) -> None:
    data = _everything()
    declared = rule(rule_id).reads
    kept = {f.name: getattr(data.timeline, f.name) for f in fields(Timeline)}
    partial = Timeline(
        **{name: value for name, value in kept.items() if PART_OF.get(name, "") in declared}
        | {"clock": data.timeline.clock, "first": data.timeline.first, "last": data.timeline.last}
    )
    assert rule(rule_id)(replace(data, timeline=partial)) == rule(rule_id)(data)


def test_only_the_taper_rules_need_a_taper_and_every_part_is_known() -> None:
    assert {r.id for r in RULES if r.needs_taper} == {
        "taper_step_due",
        "taper_hold_proposed",
        "taper_over_allowance",
    }
    assert all(r.reads <= TIMELINE_PARTS for r in RULES)
    assert set(PART_OF.values()) == TIMELINE_PARTS


def _declared_responses(rule_id: str, data: SafetyInput) -> SafetyInput:
    """`data` with only the responses the rule says it looks at."""
    wanted = rule(rule_id).responses
    if wanted is None:
        return data
    kept = [
        r
        for r in data.responses
        if r.instrument in wanted.instruments or set(r.flags) & wanted.flags
    ]
    return replace(data, responses=kept)


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_a_rule_finds_the_same_given_only_the_responses_it_declares(rule_id: str) -> None:
    data = _everything()
    # A month of daily GAD-7s and PHQ-9s, some flagged for care but none for a crisis: what a
    # refresh may leave unread for the SOWS and crisis rules.
    others = [
        ResponseFacts(100 + d, code, at(days_ago(d), 20), 16, ("seek_professional_care",))
        for d in range(30)
        for code in ("GAD-7", "PHQ-9")
    ]
    data = replace(data, responses=[*data.responses, *others])
    assert rule(rule_id)(_declared_responses(rule_id, data)) == rule(rule_id)(data)


def test_the_refresh_reads_every_response_when_one_rule_does_not_say_which() -> None:
    sows, crisis = rule("withdrawal_sows"), rule("crisis_answer")
    assert responses_read([sows, crisis]) == ResponsesRead(
        instruments=frozenset({"SOWS"}), flags=frozenset({"crisis"})
    )
    everything = replace(sows, id="reads_all", responses=None)
    assert responses_read([sows, everything]) is None
    # A rule that uses no responses adds nothing, whatever it says.
    assert responses_read([rule("daily_streak")]) == ResponsesRead()


@pytest.mark.parametrize("rule_id", [r.id for r in RULES if r.responses is not None])
def test_a_rule_given_none_of_its_responses_finds_nothing_on_a_full_timeline(
    rule_id: str,
) -> None:
    # What lets a refresh skip the timeline such a rule reads when none of its responses is in
    # the window.
    data = _everything()
    wanted = rule(rule_id).responses
    assert wanted is not None
    assert rule(rule_id)(data), "the journal gives the rule nothing to find"
    others = [r for r in data.responses if not wanted.selects(r)]
    assert rule(rule_id)(replace(data, responses=others)) == []
