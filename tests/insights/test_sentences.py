"""Every insight sentence says what its figure says: the same sign, the unit, no "-0.0"."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from mitra.insights.sentences import (
    WITHDRAWAL_RELIEF,
    concentration_sentence,
    dose_response_sentence,
    factor_sentence,
    hours_sentence,
    tolerance_sentence,
)
from mitra.wording import figure

NEGATIVE_ZERO = re.compile(r"(?<![\w.])-0(?:\.0+)?(?![\d.])")
effects = st.floats(-20, 20, allow_nan=False)
FACTORS = ("sleep", "caffeine", "meals", "exercise", "mindfulness")


def _finding(sentence: str) -> str:
    """The sentence that carries the estimate (after the withdrawal-relief caveat, if any)."""
    return sentence.removeprefix(WITHDRAWAL_RELIEF).strip().split(". ")[0]


def _agrees(sentence: str, est: float, digits: int) -> None:
    finding = _finding(sentence)
    shown = figure(abs(est), digits)
    assert not NEGATIVE_ZERO.search(sentence), sentence
    if float(shown) == 0.0:
        assert "about the same" in finding, finding
        assert " higher" not in finding, finding
        assert " lower" not in finding, finding
    elif est > 0:
        assert f"{shown} points higher" in finding, finding
        assert " lower" not in finding.replace("0-10", ""), finding
    else:
        assert f"{shown} points lower" in finding, finding
        assert " higher" not in finding, finding


def _interval(low: float, high: float) -> tuple[float, float]:
    return (low, high) if low <= high else (high, low)


@given(st.sampled_from(FACTORS), st.sampled_from((0, 1)), effects, effects, effects, st.booleans())
def test_practice_sleep_and_diet_sentences_agree_with_their_estimate(
    factor: str, lag: int, est: float, a: float, b: float, hit: bool
) -> None:
    low, high = _interval(a, b)
    sentence = factor_sentence(factor, lag, est=est, low=low, high=high, n=20, hit=hit)
    # Beside an interval that leaves out zero, the estimate gets the places (up to 4) that
    # show it is not zero; otherwise one.
    excludes = low > 0 or high < 0
    digits = next((d for d in range(1, 4) if float(figure(abs(est), d)) != 0.0), 4)
    _agrees(sentence, est, digits if excludes else 1)


@given(effects, effects, effects, st.booleans())
def test_kratom_sentences_agree_with_their_estimate(
    est: float, a: float, b: float, hit: bool
) -> None:
    low, high = _interval(a, b)
    _agrees(hours_sentence(est, low, high, hours=6, ratings=40, days=14, hit=hit), est, 1)
    _agrees(concentration_sentence(est, low, high, nm=10, hit=hit), est, 1)
    _agrees(dose_response_sentence(est, low, high, mg=10, ratings=30, hit=hit), est, 1)


@given(effects, effects, effects, effects, st.booleans())
def test_the_yearly_change_is_said_in_the_direction_of_its_figure(
    slope: float, est: float, a: float, b: float, hit: bool
) -> None:
    low, high = _interval(a, b)
    sentence = tolerance_sentence(slope, est, low, high, nm=10, days=200, hit=hit)
    yearly = sentence.split("That difference came out ")[1].split(" (")[0]
    shown = figure(abs(est), 2)
    if float(shown) == 0.0:
        assert yearly == "about the same each year"
    else:
        assert yearly == f"about {shown} points {'higher' if est > 0 else 'lower'} each year"
    assert not NEGATIVE_ZERO.search(sentence)


def test_units_are_said_in_plain_words() -> None:
    sleep = factor_sentence("sleep", 0, est=-0.4, low=-0.6, high=-0.2, n=30, hit=True)
    assert "For each extra hour of sleep, that day's anxiety (0-10) was 0.4 points lower" in sleep
    walk = factor_sentence("exercise", 0, est=-0.5, low=-0.9, high=-0.1, n=30, hit=False)
    assert walk.startswith("On days with any exercise logged, anxiety (0-10) was 0.5 points lower")
    assert "on days without" in walk
    year = tolerance_sentence(-0.3, -0.43, -0.8, -0.1, nm=10, days=200, hit=False)
    assert "about 0.43 points lower each year" in year
    assert "changed by" not in year


def test_a_dose_finding_that_could_read_as_an_invitation_leads_with_withdrawal_relief() -> None:
    for est in (-0.6, 0.0, 0.2):
        sentence = dose_response_sentence(est, est - 0.5, est + 0.5, mg=10, ratings=30, hit=False)
        assert sentence.startswith(WITHDRAWAL_RELIEF)
        assert "not a reason to take more" in sentence
        assert "Larger doses were not associated with more anxiety." not in sentence
    for make in (
        lambda: hours_sentence(0.8, 0.2, 1.4, hours=6, ratings=40, days=14, hit=True),
        lambda: concentration_sentence(-0.8, -1.2, -0.4, nm=10, hit=True),
    ):
        assert make().startswith(WITHDRAWAL_RELIEF)


def test_more_anxiety_after_larger_doses_is_said_without_the_relief_caveat() -> None:
    sentence = dose_response_sentence(0.4, 0.2, 0.6, mg=10, ratings=30, hit=True)
    assert sentence.startswith("In the hours after a dose, for each extra 10 mg")
    assert "too much kratom can exacerbate anxiety" in sentence


def test_a_factor_whose_interval_leaves_out_zero_but_does_not_stand_out_says_both() -> None:
    # Its own 95% interval excludes no difference; across every factor tested it is not a
    # discovery. "Not clearly different from no difference" would contradict the interval.
    walk = factor_sentence("exercise", 0, est=-0.5, low=-0.9, high=-0.1, n=30, hit=False)
    assert "(95% interval -0.9 to -0.1 points, 30 days)" in walk
    assert "not clearly different" not in walk
    assert walk.endswith(
        "Its interval leaves out no difference, but with every factor tested at once a "
        "difference this size could still be chance, so it does not stand out yet."
    )
    unclear = factor_sentence("exercise", 0, est=-0.5, low=-0.9, high=0.1, n=30, hit=False)
    assert unclear.endswith("It is not clearly different from no difference yet.")
    found = factor_sentence("exercise", 0, est=-0.5, low=-0.9, high=-0.1, n=30, hit=True)
    assert "stands out after allowing for every factor tested" in found


def test_an_interval_end_that_is_not_zero_never_reads_zero() -> None:
    # -0.5 to -0.02 leaves out no difference: "-0.5 to 0.0" would say it does not.
    sleep = factor_sentence("sleep", 0, est=-0.26, low=-0.5, high=-0.02, n=104, hit=False)
    assert "(95% interval -0.50 to -0.02 points, 104 days)" in sleep
    walk = factor_sentence("walk", 0, est=0.3, low=0.004, high=0.6, n=50, hit=False)
    assert "95% interval +0.004 to +0.600 points" in walk
    concentration = concentration_sentence(-0.1, -0.3, 0.02, nm=10, hit=False)
    assert "95% interval -0.30 to +0.02 points per 10 nmol/L" in concentration
    exact = factor_sentence("sleep", 0, est=-0.3, low=-0.5, high=0.0, n=104, hit=False)
    assert "95% interval -0.5 to 0.0 points" in exact  # a true zero stays as it is


def test_an_estimate_beside_an_interval_that_leaves_out_zero_is_never_about_the_same() -> None:
    small = factor_sentence("walk", 0, est=0.04, low=0.01, high=0.07, n=200, hit=False)
    assert "0.04 points higher" in small
    assert "about the same" not in small
    assert "95% interval +0.01 to +0.07 points" in small
    tiny = factor_sentence("walk", 0, est=0.00004, low=0.00001, high=0.00007, n=200, hit=False)
    assert "0.0000" not in tiny  # never a zero beside "leaves out no difference"
    assert "95% interval +less than 0.0001 to +0.0001 points" in tiny
