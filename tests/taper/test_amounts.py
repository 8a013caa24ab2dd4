"""Amounts as a person types them: "8g", "120mg", "6 capsules", "0"."""

from __future__ import annotations

import pytest

from mitra.taper import Amount, TaperError, measure_for, parse_amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("8g", Amount(8.0, "g")),
        ("8.5 g", Amount(8.5, "g")),
        ("120mg", Amount(120.0, "mg")),
        ("6 capsules", Amount(6.0, "capsule")),
        ("1 capsule", Amount(1.0, "capsule")),
        ("0", Amount(0.0, None)),
        ("0g", Amount(0.0, "g")),
    ],
)
def test_amounts_parse_with_their_unit(text: str, amount: Amount) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["", "eight", "8", "-2g", "8 kg", "1e400g", "8g 2g"])
def test_an_amount_that_is_not_one_is_refused_clearly(text: str) -> None:
    """The error names the field; its words name no command option (the web shows them too)."""
    with pytest.raises(TaperError) as refused:
        parse_amount(text, "to")
    assert refused.value.field == "to"
    assert "--" not in str(refused.value)


def test_an_amount_without_a_unit_says_so() -> None:
    with pytest.raises(TaperError, match="needs a unit"):
        parse_amount("8", "to")


def test_measures_print_amounts_with_their_units() -> None:
    assert measure_for("g").text(12.3) == "12.3 g"
    assert measure_for("mg").text(120) == "120 mg"
    assert measure_for("capsule", 0.5).text(4) == "4 capsules"
    assert measure_for("g").amount(123) == 12.3
