"""One way to say a figure, a count and a date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from mitra.wording import amount_of, band_text, day, figure, moment, plural, signed

NEGATIVE_ZERO = re.compile(r"(?<![\w.])-0(?:\.0+)?(?![\d.])")


def test_a_tiny_negative_figure_is_shown_as_zero_without_a_sign() -> None:
    assert figure(-0.04) == "0.0"
    assert figure(-0.0) == "0.0"
    assert figure(-0.4, 0) == "0"
    assert signed(-0.04) == "0.0"
    assert signed(-0.0004, 2) == "0.00"


def test_signed_figures_keep_their_sign() -> None:
    assert signed(0.43, 2) == "+0.43"
    assert signed(-0.43, 2) == "-0.43"
    assert figure(-1.26) == "-1.3"


@given(st.floats(-1e6, 1e6), st.integers(0, 3))
def test_no_figure_reads_minus_zero(value: float, digits: int) -> None:
    for text in (figure(value, digits), signed(value, digits)):
        assert not NEGATIVE_ZERO.search(text), text
        assert abs(float(text) - value) <= 0.5 * 10**-digits + 1e-9


def test_counts_take_the_plural_only_when_not_one() -> None:
    assert plural(1, "day") == "1 day"
    assert plural(0, "day") == "0 days"
    assert plural(2, "capsule") == "2 capsules"
    assert plural(3, "entry", "entries") == "3 entries"


def test_dates_read_day_month_year_and_times_follow_after_a_comma() -> None:
    assert day(date(2026, 11, 3)) == "3 Nov 2026"
    assert moment(datetime(2026, 11, 3, 14, 5, tzinfo=UTC)) == "3 Nov 2026, 14:05"


def test_a_product_named_for_its_unit_says_the_unit_once() -> None:
    assert amount_of("4 capsules", "Maeng Da capsules") == "4 Maeng Da capsules"
    assert amount_of("1 capsule", "Maeng Da capsules") == "1 Maeng Da capsule"
    assert amount_of("4 capsules", "Red Bali") == "4 capsules of Red Bali"
    assert amount_of("2 g", "Green powder") == "2 g of Green powder"
    assert amount_of("4 capsules", "capsules") == "4 capsules of capsules"


def test_a_band_meaning_that_repeats_its_label_is_left_out() -> None:
    moderate = band_text("Moderate anxiety", 10, 14, "Moderate anxiety symptoms.")
    assert moderate == "Moderate anxiety (10–14)."
    assert band_text("Moderate depression", 10, 14, "Moderate depressive symptoms.") == (
        "Moderate depression (10–14)."
    )
    assert band_text("Minimal anxiety", 0, 4, "Below the GAD-7's cut-point for mild anxiety.") == (
        "Minimal anxiety (0–4). Below the GAD-7's cut-point for mild anxiety."
    )


def test_a_range_of_milligrams_takes_the_reports_en_dash() -> None:
    from mitra.wording import mg_range

    assert mg_range(150, 290) == "150–290 mg"
    assert mg_range(4.5, 8.2) == "4.5–8.2 mg"
    assert mg_range(150.2, 149.8) == "150 mg"


def test_a_span_of_time_says_its_largest_whole_unit() -> None:
    from mitra.wording import span

    assert span(7 * 24 * 60) == "7 days"
    assert span(30) == "30 minutes"
    assert span(60) == "1 hour"
    assert span(90) == "90 minutes"
    assert span(1) == "1 minute"
