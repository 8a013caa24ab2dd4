"""The vocabulary: amounts as people type them ("2g", "500 mg", "4 capsules") and their units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mitra.vocabulary import (
    DOSE_UNITS,
    MAX_AMOUNT,
    PRODUCT_UNITS,
    AmountInvalid,
    parse_amount,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2g", (2.0, "g")),
        ("2 g", (2.0, "g")),
        ("  2.5  G ", (2.5, "g")),
        ("2 grams", (2.0, "g")),
        ("1 gram", (1.0, "g")),
        ("500mg", (500.0, "mg")),
        ("500 MG", (500.0, "mg")),
        ("4 capsules", (4.0, "capsule")),
        ("1 capsule", (1.0, "capsule")),
        ("4caps", (4.0, "capsule")),
        ("2 Scoops", (2.0, "scoop")),
        ("1 tsp", (1.0, "teaspoon")),
        ("30 ml", (30.0, "ml")),
        (".5g", (0.5, "g")),
        ("3", (3.0, None)),
        ("3.", (3.0, None)),
    ],
)
def test_amounts_are_read_as_people_type_them(
    text: str, expected: tuple[float, str | None]
) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2 potatoes", "'potatoes' in '2 potatoes' is not a unit"),
        ("3 oz", "is not a unit; use one of g, mg, capsule"),
        ("g", "'g' is not an amount"),
        ("-1g", "must be more than 0"),
        ("0 g", "must be more than 0"),
        ("", "the amount is empty"),
        ("   ", "the amount is empty"),
        ("1e400g", "'1e400g' is not an amount"),
        ("1e3", "is not an amount"),
        ("nan", "is not an amount"),
        ("inf g", "is not an amount"),
        ("2,5 g", "use a point for decimals"),
        ("2 g 3", "is not an amount"),
        ("200001 mg", "at most 100,000"),
        ("9" * 400 + "g", "at most 100,000"),
    ],
)
def test_nonsense_is_refused_with_a_message_for_a_person(text: str, says: str) -> None:
    with pytest.raises(AmountInvalid) as caught:
        parse_amount(text)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def _spellings() -> list[str]:
    return [*DOSE_UNITS, *PRODUCT_UNITS.values()]


@given(
    amount=st.decimals(min_value="0.001", max_value=str(MAX_AMOUNT), places=3),
    spelling=st.sampled_from(_spellings()),
    space=st.sampled_from(["", " ", "  "]),
    upper=st.booleans(),
)
def test_any_positive_amount_with_any_unit_spelling_reads_back(
    amount: object, spelling: str, space: str, upper: bool
) -> None:
    text = f"{amount}{space}{spelling.upper() if upper else spelling}"
    number, unit = parse_amount(text)
    assert number == pytest.approx(float(str(amount)))
    assert unit in DOSE_UNITS
    # A plural reads as its unit: "capsules" is "capsule".
    assert unit == spelling or PRODUCT_UNITS.get(str(unit)) == spelling


@given(st.text(max_size=30))
def test_any_text_is_an_amount_or_a_refusal_never_another_error(text: str) -> None:
    try:
        number, unit = parse_amount(text)
    except AmountInvalid as exc:
        message = str(exc)
    else:
        assert 0 < number <= MAX_AMOUNT
        assert unit is None or unit in DOSE_UNITS
        return
    assert message
    assert "\n" not in message


def test_an_amount_in_another_scripts_digits_is_the_same_amount() -> None:
    from mitra.vocabulary import parse_amount

    assert parse_amount("٢ g") == (2.0, "g")
    assert parse_amount("１.５g") == (1.5, "g")


def test_an_amount_is_said_with_its_unit_in_the_plural_as_it_is_shown() -> None:
    from mitra.vocabulary import unit_text

    assert unit_text(1, "capsule") == "1 capsule"
    assert unit_text(1.0000000002, "capsule") == "1 capsule"  # shown as 1, so one capsule
    assert unit_text(0, "capsule") == "0 capsules"
    assert unit_text(2.5, "g") == "2.5 g"


def test_a_taper_target_below_zero_is_told_zero_is_allowed() -> None:
    # A taper may end at 0 ("stop"): its refusal says 0 or more, not more than 0.
    with pytest.raises(AmountInvalid) as caught:
        parse_amount("-1", allow_zero=True)
    assert str(caught.value) == "'-1': the amount must be 0 or more"
    assert parse_amount("0", allow_zero=True) == (0.0, None)
