"""Scoring: totals, bands at every boundary, screening, subscales, flags, and refused input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mitra.instruments import (
    AnswerCountError,
    AnswerRangeError,
    InstrumentError,
    MissingAnswersError,
    UnknownInstrumentError,
    instrument,
    score,
)

from .answering import answers_with_total

# Band boundaries as published (EVIDENCE.md), both sides of every cut-point.
BOUNDARIES = [
    ("GAD-7", 0, "minimal"),
    ("GAD-7", 4, "minimal"),
    ("GAD-7", 5, "mild"),
    ("GAD-7", 9, "mild"),
    ("GAD-7", 10, "moderate"),
    ("GAD-7", 14, "moderate"),
    ("GAD-7", 15, "severe"),
    ("GAD-7", 21, "severe"),
    ("PHQ-9", 0, "minimal"),
    ("PHQ-9", 4, "minimal"),
    ("PHQ-9", 5, "mild"),
    ("PHQ-9", 9, "mild"),
    ("PHQ-9", 10, "moderate"),
    ("PHQ-9", 14, "moderate"),
    ("PHQ-9", 15, "moderately_severe"),
    ("PHQ-9", 19, "moderately_severe"),
    ("PHQ-9", 20, "severe"),
    ("PHQ-9", 27, "severe"),
    ("PHQ-4", 0, "none"),
    ("PHQ-4", 2, "none"),
    ("PHQ-4", 3, "mild"),
    ("PHQ-4", 5, "mild"),
    ("PHQ-4", 6, "moderate"),
    ("PHQ-4", 8, "moderate"),
    ("PHQ-4", 9, "severe"),
    ("PHQ-4", 12, "severe"),
]


@pytest.mark.parametrize(("code", "total", "band"), BOUNDARIES)
def test_each_total_falls_in_its_published_band(code: str, total: int, band: str) -> None:
    result = score(code, answers_with_total(code, total))
    assert result.total == total
    assert result.band is not None
    assert result.band.id == band
    assert result.band.min <= total <= result.band.max


@pytest.mark.parametrize(
    ("code", "maximum"),
    [("GAD-2", 6), ("PHQ-2", 6), ("SOWS", 64), ("SDS", 15)],
)
def test_instruments_without_bands_give_no_band_and_say_why(code: str, maximum: int) -> None:
    for total in (0, 1, maximum - 1, maximum):
        result = score(code, answers_with_total(code, total))
        assert (result.total, result.maximum, result.band) == (total, maximum, None)
        assert result.band_note


@pytest.mark.parametrize(
    ("code", "total", "positive"),
    [
        ("GAD-7", 9, False),
        ("GAD-7", 10, True),
        ("GAD-2", 2, False),
        ("GAD-2", 3, True),
        ("PHQ-2", 2, False),
        ("PHQ-2", 3, True),
    ],
)
def test_screening_turns_positive_exactly_at_the_cut_point(
    code: str, total: int, positive: bool
) -> None:
    screening = score(code, answers_with_total(code, total)).screening
    assert screening is not None
    assert screening.positive is positive
    assert screening.sources


@pytest.mark.parametrize("code", ["PHQ-9", "PHQ-4", "SOWS", "SDS"])
def test_instruments_without_a_total_cut_point_give_no_screening(code: str) -> None:
    assert score(code, answers_with_total(code, 0)).screening is None


@pytest.mark.parametrize(
    ("answers", "anxiety", "depression"),
    [
        ([1, 1, 1, 1], (2, False), (2, False)),
        ([2, 1, 0, 2], (3, True), (2, False)),
        ([0, 2, 3, 0], (2, False), (3, True)),
        ([3, 3, 3, 3], (6, True), (6, True)),
    ],
)
def test_phq4_scores_anxiety_from_items_1_2_and_depression_from_items_3_4(
    answers: list[int], anxiety: tuple[int, bool], depression: tuple[int, bool]
) -> None:
    subscales = {sub.id: sub for sub in score("PHQ-4", answers).subscales}
    assert (subscales["anxiety"].items, subscales["depression"].items) == ((1, 2), (3, 4))
    assert (subscales["anxiety"].total, subscales["anxiety"].screening.positive) == anxiety
    assert (subscales["depression"].total, subscales["depression"].screening.positive) == (
        depression
    )
    assert subscales["anxiety"].maximum == 6


def test_phq9_item9_positive_raises_crisis_even_when_total_is_minimal() -> None:
    result = score("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert result.total == 1
    assert result.band is not None
    assert result.band.id == "minimal"
    assert [flag.id for flag in result.flags] == ["crisis"]
    assert result.flags[0].item == 9
    assert result.crisis
    assert "simon2013" in result.sources


def test_phq9_without_item9_raises_no_crisis_even_at_a_high_total() -> None:
    result = score("PHQ-9", answers_with_total("PHQ-9", 19, avoid=(9,)))
    assert result.flags == ()
    assert not result.crisis


def test_phq9_crisis_comes_before_seek_professional_care() -> None:
    result = score("PHQ-9", [3] * 9)
    assert [flag.id for flag in result.flags] == ["crisis", "seek_professional_care"]


@pytest.mark.parametrize(
    ("code", "total", "flagged"),
    [("GAD-7", 14, False), ("GAD-7", 15, True), ("PHQ-9", 19, False), ("PHQ-9", 20, True)],
)
def test_a_severe_total_asks_to_seek_professional_care(
    code: str, total: int, flagged: bool
) -> None:
    result = score(code, answers_with_total(code, total, avoid=(9,) if code == "PHQ-9" else ()))
    assert ("seek_professional_care" in [flag.id for flag in result.flags]) is flagged
    assert not result.crisis


@pytest.mark.parametrize("code", ["GAD-2", "PHQ-2", "PHQ-4", "SOWS", "SDS"])
def test_other_instruments_raise_no_flags_even_at_their_maximum(code: str) -> None:
    maximum = instrument(code).maximum
    assert score(code, answers_with_total(code, maximum)).flags == ()


def test_unknown_instrument_is_named_with_the_known_ones() -> None:
    with pytest.raises(UnknownInstrumentError) as caught:
        score("GAD8", [0] * 7)
    assert str(caught.value) == (
        "unknown instrument 'GAD8'; known: GAD-7, GAD-2, PHQ-9, PHQ-2, PHQ-4, SOWS, SDS"
    )


def test_codes_are_matched_regardless_of_case_and_hyphens() -> None:
    assert score("gad7", [0] * 7).instrument == "GAD-7"
    assert score("phq 9", [0] * 9).instrument == "PHQ-9"


def test_the_wrong_number_of_answers_is_named() -> None:
    with pytest.raises(AnswerCountError, match=r"^GAD-7 needs 7 answers, got 6$"):
        score("GAD-7", [0] * 6)
    with pytest.raises(AnswerCountError, match=r"^SOWS needs 16 answers, got 17$"):
        score("SOWS", [0] * 17)


def test_an_answer_out_of_range_names_the_item_and_the_range() -> None:
    with pytest.raises(AnswerRangeError, match=r"^item 3 answer 4 is out of range 0-3$"):
        score("GAD-7", [0, 0, 4, 0, 0, 0, 0])
    with pytest.raises(AnswerRangeError, match=r"^item 1 answer -1 is out of range 0-3$"):
        score("PHQ-2", [-1, 0])
    with pytest.raises(AnswerRangeError, match=r"^item 16 answer 5 is out of range 0-4$"):
        score("SOWS", [0] * 15 + [5])


def test_sows_accepts_four_where_the_four_point_scales_do_not() -> None:
    assert score("SOWS", [4] * 16).total == 64


@pytest.mark.parametrize("answer", [True, 1.5, "2"])
def test_an_answer_that_is_not_a_whole_number_is_refused(answer: object) -> None:
    with pytest.raises(AnswerRangeError, match=r"item 2 answer .* is not a whole number"):
        score("GAD-2", [0, answer])  # type: ignore[list-item]


def test_numpy_integers_are_accepted_as_answers() -> None:
    assert score("GAD-2", list(np.array([1, 2]))).total == 3


def test_answers_that_are_not_a_list_are_refused() -> None:
    with pytest.raises(InstrumentError, match="GAD-2 answers must be a list of numbers"):
        score("GAD-2", "12")  # type: ignore[arg-type]


def test_phq9_with_unanswered_items_is_refused_naming_them() -> None:
    with pytest.raises(MissingAnswersError, match=r"items 2 and 7 are unanswered") as caught:
        score("PHQ-9", [0, None, 0, 0, 0, 0, None, 0, 0])
    assert caught.value.items == (2, 7)


@pytest.mark.parametrize(
    ("code", "count"),
    [("GAD-7", 7), ("GAD-2", 2), ("PHQ-2", 2), ("PHQ-4", 4), ("SOWS", 16), ("SDS", 5)],
)
def test_every_instrument_refuses_a_form_with_one_item_unanswered(code: str, count: int) -> None:
    answers: list[int | None] = [0] * count
    answers[-1] = None
    with pytest.raises(MissingAnswersError, match=f"item {count} is unanswered"):
        score(code, answers)


def test_an_out_of_range_answer_is_reported_before_missing_ones() -> None:
    with pytest.raises(AnswerRangeError):
        score("GAD-2", [None, 9])


def test_json_has_the_keys_the_cli_prints() -> None:
    data = json.loads(score("GAD-7", [1, 2, 3, 1, 2, 1, 2]).to_json())
    assert {"instrument", "total", "max", "band", "flags", "sources"} <= set(data)
    assert (data["instrument"], data["total"], data["max"]) == ("GAD-7", 12, 21)
    assert data["band"]["id"] == "moderate"
    assert data["screening"]["positive"] is True
    assert data["sources"][0]["id"] == "spitzer2006"
    assert data["sources"][0]["citation"].startswith("Spitzer RL")
    assert "subscales" not in data


def test_json_has_subscales_only_where_the_instrument_has_them() -> None:
    data = score("PHQ-4", [3, 0, 0, 3]).as_dict()
    assert [sub["id"] for sub in data["subscales"]] == ["anxiety", "depression"]
    assert data["subscales"][0]["screening"]["positive"] is True


def test_json_for_sows_has_no_band_and_says_so_with_kratom_context() -> None:
    data = score("SOWS", [1] * 16).as_dict()
    assert data["band"] is None
    assert "no official severity bands" in data["band_note"]
    assert any("13.5" in note for note in data["notes"])
    assert [s["id"] for s in data["sources"]] == ["handelsman1987", "rogers2024"]


def test_json_for_a_crisis_carries_the_flag_and_its_source() -> None:
    data = score("PHQ-9", [0] * 8 + [2]).as_dict()
    assert data["flags"][0]["id"] == "crisis"
    assert data["flags"][0]["sources"] == ["simon2013"]
    assert "simon2013" in [s["id"] for s in data["sources"]]
