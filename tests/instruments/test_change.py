"""Change between two totals: direction, and the GAD-7's MCID (4) and reliable change (6)."""

from __future__ import annotations

import json

import pytest

from mitra.instruments import InstrumentError, TotalRangeError, change


@pytest.mark.parametrize(
    ("before", "after", "direction", "meets_mcid", "meets_reliable"),
    [
        (12, 9, "improvement", False, False),
        (12, 8, "improvement", True, False),
        (12, 7, "improvement", True, False),
        (12, 6, "improvement", True, True),
        (9, 12, "deterioration", False, False),
        (8, 12, "deterioration", True, False),
        (7, 12, "deterioration", True, False),
        (6, 12, "deterioration", True, True),
    ],
)
def test_gad7_change_meets_mcid_at_4_points_and_reliable_change_at_6_in_either_direction(
    before: int, after: int, direction: str, meets_mcid: bool, meets_reliable: bool
) -> None:
    result = change("GAD-7", before, after)
    assert result.difference == after - before
    assert result.direction == direction
    assert (result.mcid, result.reliable_change) == (4, 6)
    assert (result.meets_mcid, result.meets_reliable_change) == (meets_mcid, meets_reliable)
    assert result.sources == ("toussaint2020", "bischoff2020")


def test_the_same_total_twice_is_no_change() -> None:
    result = change("GAD-7", 10, 10)
    assert (result.difference, result.direction, result.meets_mcid) == (0, "no change", False)


def test_a_lower_total_is_an_improvement_because_higher_is_worse() -> None:
    assert change("SOWS", 30, 10).direction == "improvement"
    assert change("SDS", 2, 9).direction == "deterioration"


@pytest.mark.parametrize("code", ["PHQ-9", "GAD-2", "PHQ-2", "PHQ-4", "SOWS", "SDS"])
def test_without_thresholds_in_the_literature_change_says_not_established(code: str) -> None:
    result = change(code, 0, 6)
    assert result.direction == "deterioration"
    assert (result.mcid, result.meets_mcid) == (None, None)
    assert (result.reliable_change, result.meets_reliable_change) == (None, None)
    assert result.sources == ()
    assert sum("not established" in note for note in result.notes) == 2


def test_a_total_outside_the_range_is_named() -> None:
    with pytest.raises(TotalRangeError, match=r"^GAD-7 after total 22 is out of range 0-21$"):
        change("GAD-7", 10, 22)
    with pytest.raises(TotalRangeError, match=r"^PHQ-9 before total -1 is out of range 0-27$"):
        change("PHQ-9", -1, 3)


def test_a_total_that_is_not_a_whole_number_is_refused() -> None:
    with pytest.raises(InstrumentError, match="not a whole number"):
        change("GAD-7", 10.5, 3)  # type: ignore[arg-type]


def test_change_json_has_thresholds_and_cited_sources() -> None:
    data = json.loads(change("GAD-7", 15, 9).to_json())
    assert data["difference"] == -6
    assert data["meets_reliable_change"] is True
    assert [s["id"] for s in data["sources"]] == ["toussaint2020", "bischoff2020"]
    phq9 = change("PHQ-9", 15, 9).as_dict()
    assert phq9["mcid"] is None
    assert phq9["meets_mcid"] is None
