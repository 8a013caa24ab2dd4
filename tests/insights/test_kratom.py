"""Kratom insights on hand-made journals: dose trend, withdrawal signature, dose-response,
tolerance, and "not enough data" below their minimums."""

from __future__ import annotations

import re

import numpy as np

from mitra.insights import analyse
from mitra.pharmacology import concentration_nM
from mitra.timeline import Timeline
from tests.insights.handmade import at, timeline

MG_PER_G = 15.0


def dosing(days: int, grams: list[float], hours: list[float]) -> dict[str, object]:
    times = [at(d, h) for d in range(days) for h in hours]
    return {
        "dose_time": times,
        "dose_grams": grams,
        "dose_mg_mitragynine": [g * MG_PER_G for g in grams],
        "dose_product": [0] * len(times),
    }


def ratings(times: list[float], anxiety: list[float]) -> dict[str, object]:
    n = len(times)
    return {
        "checkin_time": times,
        "anxiety": anxiety,
        "mood": [3.0] * n,
        "sleep_hours": [np.nan] * n,
        "sleep_quality": [np.nan] * n,
        "symptoms": [frozenset()] * n,
    }


def escalating(days: int, per_day: float) -> Timeline:
    grams = [2.0 + per_day * d for d in range(days)]
    return timeline(
        days,
        **dosing(days, grams, [9.0]),
        **ratings([at(d, 20) for d in range(days)], [5.0] * days),
    )


def test_a_steadily_rising_weekly_dose_is_reported_as_escalation() -> None:
    card = analyse(escalating(140, 0.02)).card("kratom.dose_trend")
    assert card.status == "shown"
    assert card.detected
    # 0.02 g a day more each day is 0.14 g/week more each week, 0.56 g per 4 weeks: at 15 mg
    # of mitragynine per g, 8.4 mg a week more each week, 33.6 mg per 4 weeks.
    assert card.estimate is not None
    assert abs(card.estimate - 0.02 * 7 * 4 * 7 * MG_PER_G) < 0.5
    assert card.unit == "mg of mitragynine per week, per month"
    assert len(card.data["weekly"]) == 20
    assert "escalating" in card.sentence


def test_a_flat_dose_is_not_escalation() -> None:
    rng = np.random.default_rng(0)
    days = 140
    grams = list(np.round(rng.uniform(1.5, 3.5, days), 1))
    tl = timeline(
        days,
        **dosing(days, grams, [9.0]),
        **ratings([at(d, 20) for d in range(days)], [5.0] * days),
    )
    card = analyse(tl).card("kratom.dose_trend")
    assert not card.detected
    assert "not clearly different from flat" in card.sentence


def test_the_content_range_holds_the_central_figure_even_where_the_fitted_lines_cross() -> None:
    """A simulated journal whose robust line through the low totals starts above the central
    one: the range said at each end still runs from its lowest to its highest figure."""
    from datetime import UTC, date, datetime

    from mitra.simulation.model import simulate

    sim = simulate(60, seed=8, end=date(2025, 6, 30), now=datetime(2025, 7, 1, tzinfo=UTC))
    card = analyse(sim.timeline()).card("kratom.dose_trend")
    assert card.status == "shown"
    # The case this is about: the robust line through the low totals starts above the central.
    from mitra.insights.regression import theil_sen_line

    weeks = card.data["weekly"]
    x = np.arange(len(weeks), dtype=float)
    low_start = theil_sen_line(x, np.array([w["mg_low"] for w in weeks]))[1]
    central_start = theil_sen_line(x, np.array([w["mg_mitragynine"] for w in weeks]))[1]
    assert low_start > central_start
    trend = card.data["trend"]
    for end in ("start", "end"):
        assert trend[f"{end}_mg_low"] <= trend[f"{end}_mg"] <= trend[f"{end}_mg_high"]
    said = re.findall(r"(\d+) mg \((?:content range )?(\d+)-(\d+)\)", card.sentence)
    assert len(said) == 2, card.sentence
    for central, low, high in said:
        assert int(low) <= int(central) <= int(high), card.sentence


def test_the_dose_trend_needs_eight_complete_weeks() -> None:
    card = analyse(escalating(40, 0.02)).card("kratom.dose_trend")
    assert card.status == "not_enough_data"
    assert card.sentence == "Not enough data yet: 5 of 8 complete weeks."


def withdrawal_journal(days: int, per_hour: float, *, seed: int = 0) -> Timeline:
    """Doses at 9:00 and a varying second dose; ratings whose anxiety rises with hours since."""
    rng = np.random.default_rng(seed)
    dose_times, rating_times, anxiety = [], [], []
    for d in range(days):
        second = float(rng.uniform(12.0, 16.0))
        dose_times += [at(d, 9.0), at(d, second)]
        for hour in (8.0, float(rng.uniform(10, 12)), float(rng.uniform(17, 23))):
            t = at(d, hour)
            last = max((x for x in dose_times if x <= t), default=None)
            if last is None:
                continue
            rating_times.append(t)
            anxiety.append(4.0 + per_hour * (t - last) / 3600.0 + float(rng.normal(0, 0.3)))
    n = len(dose_times)
    return timeline(
        days,
        dose_time=dose_times,
        dose_grams=[2.0] * n,
        dose_mg_mitragynine=[30.0] * n,
        dose_product=[0] * n,
        **ratings(rating_times, anxiety),
    )


def test_anxiety_rising_with_hours_since_a_dose_is_the_withdrawal_signature() -> None:
    report = analyse(withdrawal_journal(40, 0.1, seed=2))
    card = report.card("kratom.withdrawal_hours")
    assert card.detected
    assert card.estimate is not None
    assert abs(card.estimate - 0.6) < 0.1
    assert card.interval is not None
    assert card.interval[0] < 0.6 < card.interval[1]
    assert card.data["bins"]
    assert card.data["points"]
    conc = report.card("kratom.withdrawal_concentration")
    assert conc.status == "shown"
    assert conc.estimate is not None
    assert conc.estimate < 0


def test_no_rise_with_hours_since_a_dose_is_not_reported() -> None:
    card = analyse(withdrawal_journal(40, 0.0, seed=1)).card("kratom.withdrawal_hours")
    assert card.status == "shown"
    assert not card.detected
    assert "not seen" in card.sentence


def test_the_withdrawal_signature_needs_fourteen_days_of_repeated_ratings() -> None:
    card = analyse(withdrawal_journal(10, 0.1)).card("kratom.withdrawal_hours")
    assert card.status == "not_enough_data"
    assert "10 of 14 days with two or more ratings after a logged dose" in card.sentence


def dose_response_journal(days: int, per_gram: float, *, seed: int = 0) -> Timeline:
    rng = np.random.default_rng(seed)
    grams = list(np.round(rng.uniform(1.0, 6.0, days), 1))
    anxiety = [4.0 + per_gram * g + float(rng.normal(0, 0.4)) for g in grams]
    return timeline(
        days,
        **dosing(days, grams, [9.0]),
        **ratings([at(d, 11.0) for d in range(days)], anxiety),
    )


def test_more_anxiety_after_larger_doses_is_reported() -> None:
    card = analyse(dose_response_journal(60, 0.5)).card("kratom.dose_response")
    assert card.detected
    assert card.estimate is not None
    # 0.5 points per gram at 15 mg per gram is 0.33 points per 10 mg of mitragynine.
    assert abs(card.estimate - 0.5 * 10 / MG_PER_G) < 0.07
    assert card.unit == "points per 10 mg of mitragynine"
    assert "too much kratom can exacerbate anxiety" in card.sentence


def test_dose_size_without_an_anxiety_difference_is_not_reported() -> None:
    card = analyse(dose_response_journal(60, 0.0, seed=2)).card("kratom.dose_response")
    assert not card.detected


def test_dose_response_needs_twenty_ratings_after_a_dose() -> None:
    card = analyse(dose_response_journal(12, 0.5)).card("kratom.dose_response")
    assert card.status == "not_enough_data"
    assert "12 of 20" in card.sentence


def tolerance_journal(days: int, shrinking: bool, *, seed: int = 0) -> Timeline:
    """Doses of varying size; anxiety lower at higher concentration, less so as months pass."""
    rng = np.random.default_rng(seed)
    grams = np.round(rng.uniform(1.0, 6.0, days), 1)
    dose_h = np.array([d * 24.0 + 9.0 for d in range(days)])
    rating_h = np.array([d * 24.0 + 12.0 for d in range(days)])
    conc = concentration_nM(dose_h, grams * MG_PER_G, rating_h)
    strength = np.linspace(1.0, 0.0, days) if shrinking else np.ones(days)
    anxiety = 8.0 - 0.1 * strength * conc + rng.normal(0, 0.3, days)
    return timeline(
        days,
        **dosing(days, list(grams), [9.0]),
        **ratings([at(d, 12.0) for d in range(days)], list(anxiety)),
    )


def test_an_association_with_concentration_that_fades_is_reported_as_tolerance() -> None:
    card = analyse(tolerance_journal(400, shrinking=True)).card("kratom.tolerance")
    assert card.status == "shown"
    assert card.detected
    assert card.estimate is not None
    assert card.estimate > 0
    assert len(card.data["quarters"]) >= 4


def test_a_steady_association_is_not_reported_as_tolerance() -> None:
    card = analyse(tolerance_journal(400, shrinking=False, seed=1)).card("kratom.tolerance")
    assert card.status == "shown"
    assert not card.detected


def test_tolerance_needs_half_a_year() -> None:
    card = analyse(tolerance_journal(100, shrinking=True)).card("kratom.tolerance")
    assert card.status == "not_enough_data"
    assert "100 of 180" in card.sentence


def test_a_journal_without_kratom_says_not_enough_data_for_every_kratom_card() -> None:
    days = 30
    tl = timeline(days, **ratings([at(d, 12.0) for d in range(days)], [5.0] * days))
    report = analyse(tl)
    for card_id in (
        "kratom.dose_trend",
        "kratom.withdrawal_hours",
        "kratom.dose_response",
        "kratom.tolerance",
    ):
        assert report.card(card_id).status == "not_enough_data"


def mixed_weeks(days: int) -> Timeline:
    """A leaf powder each morning (3 g, 45 mg), and each evening either an extract without a
    lab figure (1 g, no estimate) or a 7-OH product's 0.1 g (its mitragynine unknown)."""
    times, grams, forms, mg = [], [], [], []
    for d in range(days):
        times += [at(d, 9.0), at(d, 20.0)]
        grams += [3.0, 1.0 if d % 2 else 0.1]
        forms += ["powder", "extract" if d % 2 else "7oh"]
        mg += [3.0 * MG_PER_G, np.nan]
    return timeline(
        days,
        dose_time=times,
        dose_grams=grams,
        dose_form=forms,
        dose_mg_mitragynine=mg,
        dose_mg_mitragynine_low=[m * 0.5 for m in mg],
        dose_mg_mitragynine_high=[m * 2.0 for m in mg],
        dose_mg_mitragynine_estimated=[True] * len(mg),
        **ratings([at(d, 12) for d in range(days)], [5.0] * days),
    )


def test_extracts_and_7oh_products_never_count_as_grams_of_leaf_in_the_dose_trend() -> None:
    card = analyse(mixed_weeks(70)).card("kratom.dose_trend")
    assert card.status == "shown"
    for week in card.data["weekly"]:
        assert week["grams_leaf"] == 21.0  # seven mornings of 3 g of powder, nothing else
        assert week["mg_mitragynine"] == 7 * 3.0 * MG_PER_G
        assert week["mg_low"] < week["mg_mitragynine"] < week["mg_high"]
        assert week["doses"] == 14
        assert week["doses_without_content"] == 7
    assert "about 21 g to 21 g of leaf a week" in card.sentence
    assert "70 doses (an extract, a shot or a 7-OH product without a lab figure)" in card.sentence
    assert "not in these totals" in card.sentence


def test_a_dose_trend_of_extracts_without_content_says_so_instead_of_guessing() -> None:
    days = 70
    tl = timeline(
        days,
        dose_time=[at(d, 9.0) for d in range(days)],
        dose_grams=[1.0] * days,
        dose_form=["extract"] * days,
        **ratings([at(d, 12) for d in range(days)], [5.0] * days),
    )
    card = analyse(tl).card("kratom.dose_trend")
    assert card.status == "not_enough_data"
    assert "0 of 70 doses with a mitragynine figure or estimate" in card.sentence
    assert all(w["grams_leaf"] == 0.0 for w in card.data["weekly"])


def test_dose_response_leaves_out_ratings_after_a_dose_without_content() -> None:
    card = analyse(mixed_weeks(40)).card("kratom.dose_response")
    # Every midday rating follows the morning powder; none follows an evening extract.
    assert card.data["ratings_after_doses_without_content"] == 0
    assert all("mg_mitragynine" in b for b in card.data["bins"])
