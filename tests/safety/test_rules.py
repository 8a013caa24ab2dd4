"""The safety rules: each fires on its evidence and stays quiet without it, with sources."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, get_args

import numpy as np
import pytest

from mitra.instruments.catalogue import instrument
from mitra.knowledge import KnowledgeError, load
from mitra.knowledge.substances import SEVERITIES
from mitra.safety import (
    HEURISTIC_NOTE,
    RULES,
    AlertCandidate,
    ProductFacts,
    ResponseFacts,
    SafetyInput,
    SubstanceFacts,
    TaperFacts,
    evaluate,
    load_rule_parameters,
    rule,
    told_of,
)
from mitra.safety.parameters import parse_rule_parameters
from mitra.safety.rules import EvidenceGrade
from mitra.taper import TaperEvent, measure_for, plan_schedule
from mitra.timeline import DayClock, Timeline

CLOCK = DayClock("America/New_York")
# A Monday evening: the complete weeks end on Sunday 29 June.
NOW = datetime(2025, 6, 30, 22, tzinfo=UTC)
TODAY = CLOCK.local_day(NOW)

POWDER = ProductFacts(1, "Red Bali powder", "powder", 19.0, None)
EXTRACT = ProductFacts(2, "Gold extract", "extract")
SEVEN_OH = ProductFacts(3, "7-OH tablets", "7oh")
LEAF_WITH_7OH = ProductFacts(4, "Super Maeng Da", "powder", 15.0, 30.0)
LEAF_WITH_TRACES = ProductFacts(5, "Green Malay", "powder", 14.0, 0.2)
# Lab 7-OH figures at and just below the 1 mg/g cut-off of safety_rules.toml.
AT_CUT_OFF = ProductFacts(8, "Enhanced leaf", "powder", 15.0, 1.0)
BELOW_CUT_OFF = ProductFacts(9, "Strong leaf", "powder", 15.0, 0.99)
PRODUCTS = {
    p.id: p
    for p in (POWDER, EXTRACT, SEVEN_OH, LEAF_WITH_7OH, LEAF_WITH_TRACES, AT_CUT_OFF, BELOW_CUT_OFF)
}

XANAX = SubstanceFacts(11, "Xanax", "alprazolam")
WINE = SubstanceFacts(12, "wine", "alcohol")
ZOLOFT = SubstanceFacts(13, "Zoloft", "sertraline")
GABAPENTIN = SubstanceFacts(14, "gabapentin", "gabapentin")
LEVOTHYROXINE = SubstanceFacts(15, "levothyroxine", "levothyroxine")
MYSTERY = SubstanceFacts(16, "Dream Drops", None)

Dose = tuple[datetime, float, ProductFacts]
CheckIn = tuple[datetime, Iterable[str]]
Intake = tuple[datetime, SubstanceFacts]

# Which rules have a test that shows them firing, and one that shows them quiet.
COVERED: dict[str, set[str]] = defaultdict(set)


def fires(rule_id: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Mark a test as a positive case of `rule_id`."""

    def mark(test: Callable[[], None]) -> Callable[[], None]:
        COVERED[rule_id].add("positive")
        return test

    return mark


def stays_quiet(rule_id: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Mark a test as a negative case of `rule_id`."""

    def mark(test: Callable[[], None]) -> Callable[[], None]:
        COVERED[rule_id].add("negative")
        return test

    return mark


# --- alice's journal, built by hand --------------------------------------------------------------


def at(day: date, hour: float = 9.0) -> datetime:
    """A time on alice's wall clock, in UTC."""
    wall = datetime(day.year, day.month, day.day, tzinfo=CLOCK.zone) + timedelta(hours=hour)
    return wall.astimezone(UTC)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def daily(first: date, days: int, grams: float = 2.0, hour: float = 9.0) -> list[Dose]:
    return [(at(first + timedelta(days=i), hour), grams, POWDER) for i in range(days)]


def alice(
    *,
    doses: Sequence[Dose] = (),
    checkins: Sequence[CheckIn] = (),
    intakes: Sequence[Intake] = (),
    substances: Sequence[SubstanceFacts] = (),
    responses: Sequence[ResponseFacts] = (),
    now: datetime = NOW,
    first: date | None = None,
) -> SafetyInput:
    """alice's journal: the given entries over a span from `first` (or her first entry) to today."""
    moments = [d[0] for d in doses] + [c[0] for c in checkins] + [i[0] for i in intakes]
    start = first or min([CLOCK.local_day(m) for m in moments] + [TODAY - timedelta(days=7)])
    doses = sorted(doses, key=lambda d: d[0])
    checkins = sorted(checkins, key=lambda c: c[0])
    intakes = sorted(intakes, key=lambda i: i[0])
    timeline = Timeline(
        clock=CLOCK,
        first=start,
        last=CLOCK.local_day(now),
        dose_time=np.array([d[0].timestamp() for d in doses], dtype=np.float64),
        dose_grams=np.array([d[1] for d in doses], dtype=np.float64),
        dose_mg_mitragynine=np.array([mg_mitragynine(d[1], d[2]) for d in doses], np.float64),
        dose_product=np.array([d[2].id for d in doses], dtype=np.int64),
        dose_form=tuple(d[2].form for d in doses),
        checkin_time=np.array([c[0].timestamp() for c in checkins], dtype=np.float64),
        anxiety=np.full(len(checkins), 4.0),
        symptoms=tuple(frozenset(c[1]) for c in checkins),
        intake_time=np.array([i[0].timestamp() for i in intakes], dtype=np.float64),
        intake_substance=np.array([i[1].id for i in intakes], dtype=np.int64),
    )
    known = {s.id: s for s in substances}
    for _, taken in intakes:
        known.setdefault(taken.id, replace(taken, active=False))
    return SafetyInput(
        timeline=timeline, products=PRODUCTS, substances=known, responses=responses, now=now
    )


def mg_mitragynine(grams: float, product: ProductFacts) -> float:
    """Mg of mitragynine in a dose from the product's lab figure (NaN without one)."""
    figure = product.mitragynine_mg_per_g
    return np.nan if figure is None else grams * figure


def found(rule_id: str, data: SafetyInput) -> list[AlertCandidate]:
    return rule(rule_id)(data)


def only(rule_id: str, data: SafetyInput) -> AlertCandidate:
    (candidate,) = found(rule_id, data)
    return candidate


def response(
    id: int, code: str, total: float, flags: tuple[str, ...] = (), day: int = 1
) -> ResponseFacts:
    return ResponseFacts(id, code, at(days_ago(day), 20), total, flags)


# --- interaction -------------------------------------------------------------------------------


@fires("interaction")
def test_a_listed_benzodiazepine_is_a_danger_with_its_mechanism_grade_and_sources() -> None:
    candidates = found("interaction", alice(substances=[XANAX]))
    benzo = next(c for c in candidates if c.evidence.interaction_rule == "kratom_benzodiazepine")
    assert benzo.severity == "danger"
    assert benzo.evidence_grade == "mechanism_only"
    assert "mu-opioid" in benzo.evidence.mechanism
    assert benzo.evidence.journal_substances[0].name == "Xanax"
    assert "kruegel2016" in benzo.sources
    assert benzo.evidence_key == "interaction:kratom_benzodiazepine:kratom:alprazolam"
    assert "Xanax (alprazolam)" in benzo.text


@fires("interaction")
def test_two_substances_of_one_class_are_two_alerts_told_apart_by_name() -> None:
    klonopin = SubstanceFacts(17, "Klonopin", "clonazepam")
    candidates = found("interaction", alice(substances=[XANAX, klonopin]))
    benzos = [c for c in candidates if c.evidence.interaction_rule == "kratom_benzodiazepine"]
    assert len(benzos) == 2
    titles = sorted(c.title for c in benzos)
    assert titles[0].endswith("(Klonopin)")
    assert titles[1].endswith("(Xanax)")
    assert titles[0].startswith("Kratom with a benzodiazepine")
    # Names as long as a substance's may be still make a title an alert can store (200).
    long_names = [SubstanceFacts(20 + n, f"Alprazolam {'x' * 110} {n}", "alprazolam")
                  for n in range(2)]  # fmt: skip
    long = found("interaction", alice(substances=long_names))
    benzo = next(c for c in long if c.evidence.interaction_rule == "kratom_benzodiazepine")
    assert len(benzo.title) <= 200
    assert benzo.title.endswith("…)")


@fires("interaction")
def test_an_interaction_carries_the_disagreements_between_its_sources() -> None:
    candidates = found("interaction", alice(substances=[ZOLOFT]))
    serotonergic = next(c for c in candidates if c.evidence.interaction_rule.endswith("ergic"))
    assert serotonergic.evidence.disagreements
    assert all(d.sources for d in serotonergic.evidence.disagreements)


@stays_quiet("interaction")
def test_a_substance_with_no_recorded_interaction_gives_no_interaction() -> None:
    assert found("interaction", alice(substances=[LEVOTHYROXINE])) == []


@stays_quiet("interaction")
def test_a_substance_no_longer_taken_is_not_checked() -> None:
    assert found("interaction", alice(substances=[replace(XANAX, active=False)])) == []


def test_an_unknown_substance_is_reported_as_unknown_never_as_safe() -> None:
    candidate = only("interaction", alice(substances=[MYSTERY]))
    assert candidate.severity == "info"
    assert candidate.evidence.unknown is True
    assert "Unknown is not the same as safe" in candidate.text


# --- co-use ------------------------------------------------------------------------------------


@fires("co_use")
def test_wine_two_hours_after_a_dose_is_a_danger_keyed_by_both_times() -> None:
    day = days_ago(3)
    data = alice(doses=[(at(day, 18), 3.0, POWDER)], intakes=[(at(day, 20), WINE)])
    candidate = only("co_use", data)
    assert candidate.severity == "danger"
    assert candidate.evidence.hours_apart == 2.0
    assert candidate.evidence.interactions[0].interaction_rule == "kratom_alcohol"
    dose_iso = at(day, 18).strftime("%Y-%m-%dT%H:%M:%SZ")
    wine_iso = at(day, 20).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert candidate.evidence_key == f"co_use:{dose_iso}:{wine_iso}:{WINE.id}"
    assert candidate.at == at(day, 20)


@fires("co_use")
def test_gabapentin_near_a_seven_oh_product_uses_the_seven_oh_rule() -> None:
    day = days_ago(2)
    data = alice(doses=[(at(day, 10), 0.5, SEVEN_OH)], intakes=[(at(day, 9), GABAPENTIN)])
    candidate = only("co_use", data)
    assert candidate.evidence.interactions[0].interaction_rule == "seven_oh_cns_depressant"
    assert candidate.severity == "danger"


@fires("co_use")
def test_xanax_between_three_doses_is_one_alert_that_lists_them_keyed_by_all_of_them() -> None:
    day = days_ago(3)
    doses = [(at(day, 17), 2.0, POWDER), (at(day, 19), 3.0, POWDER), (at(day, 21.5), 2.5, POWDER)]
    candidate = only("co_use", alice(doses=doses, intakes=[(at(day, 20), XANAX)]))
    assert candidate.title.startswith("Xanax taken near 3 kratom doses: ")
    assert "3 kratom doses within 6 hours of it: 2 g of Red Bali powder at " in candidate.text
    assert "the nearest 1 h apart." in candidate.text
    latest = at(day, 21.5).strftime("%Y-%m-%dT%H:%M:%SZ")
    xanax = at(day, 20).strftime("%Y-%m-%dT%H:%M:%SZ")
    # The latest dose and the intake, then how many doses and a digest of all their times.
    assert re.fullmatch(
        rf"co_use:{latest}:{xanax}:{XANAX.id}:3:[0-9a-f]{{12}}", candidate.evidence_key
    )
    # Read as three alerts of one dose each (as stored before), it is read as one.
    assert len(candidate.parts) == 3
    assert candidate.parts[-1] == f"co_use:{latest}:{xanax}:{XANAX.id}"
    # Stored and read back, its evidence names the same doses, as the journal reads them.
    stored = told_of("co_use", candidate.evidence_key, candidate.evidence.to_json())
    assert stored == {candidate.evidence_key, *candidate.parts}
    assert candidate.evidence.hours_apart == 1.5
    assert [d.grams for d in candidate.evidence.earlier_doses] == [2.0, 3.0]
    facts = {f.label: f.text for f in candidate.evidence.facts(CLOCK.zone)}
    assert facts["3 kratom doses"].count(" of Red Bali powder at ") == 3
    assert candidate.at == at(day, 21.5)
    # Another dose near it, back-dated or not, or one fewer, is another alert.
    earlier = [(at(day, 15), 1.0, POWDER), *doses]
    for changed in (earlier, doses[1:]):
        other = only("co_use", alice(doses=changed, intakes=[(at(day, 20), XANAX)]))
        assert other.evidence_key != candidate.evidence_key


@fires("co_use")
def test_a_leaf_dose_and_a_seven_oh_dose_near_one_intake_are_two_alerts_each_with_its_rule() -> (
    None
):
    day = days_ago(2)
    doses = [(at(day, 8), 3.0, POWDER), (at(day, 11), 0.5, SEVEN_OH)]
    found_ = found("co_use", alice(doses=doses, intakes=[(at(day, 9), GABAPENTIN)]))
    rules = sorted(i.interaction_rule for c in found_ for i in c.evidence.interactions[:1])
    assert len(found_) == 2
    assert "seven_oh_cns_depressant" in rules
    assert all(c.evidence.earlier_doses == () for c in found_)


def test_co_use_evidence_stored_before_doses_were_grouped_reads_back_as_one_dose() -> None:
    from mitra.safety import evidence_from_json

    day = days_ago(3)
    data = alice(doses=[(at(day, 18), 3.0, POWDER)], intakes=[(at(day, 20), WINE)])
    stored = only("co_use", data).evidence.to_json()
    stored.pop("earlier_doses")
    read = evidence_from_json(stored)
    assert read.earlier_doses == ()  # type: ignore[attr-defined]
    assert [f.label for f in read.facts(CLOCK.zone)][:3] == [
        "Kratom dose",
        "Substance",
        "Time apart",
    ]


@stays_quiet("co_use")
def test_wine_long_after_the_window_is_not_co_use() -> None:
    day = days_ago(3)
    data = alice(doses=[(at(day, 9), 3.0, POWDER)], intakes=[(at(day, 16), WINE)])
    assert found("co_use", data) == []


@stays_quiet("co_use")
def test_a_medicine_that_is_not_a_depressant_is_not_co_use() -> None:
    day = days_ago(3)
    data = alice(doses=[(at(day, 9), 3.0, POWDER)], intakes=[(at(day, 10), ZOLOFT)])
    assert found("co_use", data) == []


# --- concentrated 7-OH products ----------------------------------------------------------------


@fires("seven_oh_product")
def test_a_dose_of_a_seven_oh_product_warns_once_per_product() -> None:
    doses = [(at(days_ago(5), 9), 0.5, SEVEN_OH), (at(days_ago(4), 9), 0.5, SEVEN_OH)]
    candidate = only("seven_oh_product", alice(doses=doses))
    assert candidate.severity == "warning"
    assert candidate.evidence_key == "seven_oh_product:product:3"
    assert candidate.at == at(days_ago(5), 9)
    assert candidate.evidence.doses_in_timeline == 2
    # Shown once, at the first dose: no count beside it that the next dose would make stale.
    labels = [f.label for f in candidate.evidence.facts(CLOCK.zone)]
    assert labels == ["Product", "Its lab figure", "First dose", "Rule settings"]
    # Verified figures only: 14-25 mg per labelled dose, up to 98% 7-OH (Smith et al. 2025).
    assert {"smith2025", "lydecker2016", "fda2025"} <= set(candidate.sources)
    assert "14-25 mg of 7-hydroxymitragynine per labelled dose" in candidate.text
    assert "brown2025" not in candidate.sources
    assert "22-75" not in candidate.text
    assert "measured at" not in candidate.text
    assert "rule of thumb" not in candidate.text  # entered as a 7-OH product: no cut-off used


@fires("seven_oh_product")
def test_a_product_just_at_the_lab_cut_off_counts_and_says_the_cut_off_is_mitras_own() -> None:
    candidate = only("seven_oh_product", alice(doses=[(at(days_ago(1)), 2.0, AT_CUT_OFF)]))
    assert "at or above 1 mg per g" in candidate.text
    assert "1 mg per g is mitra's own rule of thumb, not a clinical threshold" in candidate.text
    (used,) = [p for p in candidate.evidence.parameters if p.name == "lab_7oh_mg_per_g"]
    assert (used.value, used.basis) == (1.0, "heuristic")


def test_a_seven_oh_alert_stored_with_the_old_unverified_range_still_reads_back() -> None:
    from mitra.safety.evidence import evidence_from_json
    from mitra.safety.rules.product import SevenOhProductEvidence

    stored = {
        "kind": "seven_oh_product",
        "product": {"id": 3, "name": "7-OH tablets", "form": "7oh"},
        "hydroxy_mg_per_g": None,
        "first_dose_at": "2025-06-25T13:00:00Z",
        "doses_in_timeline": 2,
        "measured_range_mg_per_g": [22.0, 75.0],
        "content_figure": "brown2025_7oh_products",
    }
    evidence = evidence_from_json(stored)
    assert isinstance(evidence, SevenOhProductEvidence)
    assert "22" not in " ".join(f.text for f in evidence.facts(CLOCK.zone))


@stays_quiet("seven_oh_product")
def test_a_product_just_below_the_lab_cut_off_is_not_a_seven_oh_product() -> None:
    assert found("seven_oh_product", alice(doses=[(at(days_ago(1)), 2.0, BELOW_CUT_OFF)])) == []


@stays_quiet("seven_oh_product")
def test_an_extract_without_a_7oh_figure_is_not_called_a_seven_oh_product() -> None:
    assert found("seven_oh_product", alice(doses=[(at(days_ago(1)), 1.0, EXTRACT)])) == []


@fires("seven_oh_product")
def test_a_leaf_product_with_a_concentrated_lab_figure_counts_as_a_seven_oh_product() -> None:
    candidate = only("seven_oh_product", alice(doses=[(at(days_ago(1)), 2.0, LEAF_WITH_7OH)]))
    assert "30 mg" in candidate.text


@stays_quiet("seven_oh_product")
def test_leaf_with_traces_of_seven_oh_is_not_a_seven_oh_product() -> None:
    doses = [(at(days_ago(1)), 2.0, LEAF_WITH_TRACES), (at(days_ago(2)), 2.0, POWDER)]
    assert found("seven_oh_product", alice(doses=doses)) == []


# --- dose bands --------------------------------------------------------------------------------


@fires("dose_above_band")
def test_a_six_gram_dose_is_a_caution_beside_the_survey_band() -> None:
    candidate = only("dose_above_band", alice(doses=[(at(days_ago(1)), 6.0, POWDER)]))
    assert candidate.severity == "caution"
    assert candidate.evidence.band_used.scheme == "grundmann2017_adverse"
    assert candidate.sources == ("grundmann2017",)
    assert "Dose bands differ between sources" in candidate.text


@fires("dose_above_band")
def test_a_sixteen_gram_dose_is_a_warning_beside_the_anecdotal_band() -> None:
    candidate = only("dose_above_band", alice(doses=[(at(days_ago(1)), 16.0, POWDER)]))
    assert candidate.severity == "warning"
    assert candidate.evidence.band_used.anecdotal is True
    assert candidate.evidence_grade == "anecdotal"
    assert "Anecdotal" in candidate.text
    assert {b.scheme for b in candidate.evidence.bands} >= {"psychonautwiki_tiers"}


@stays_quiet("dose_above_band")
def test_a_dose_below_the_bands_gives_nothing() -> None:
    assert found("dose_above_band", alice(doses=[(at(days_ago(1)), 4.9, POWDER)])) == []


@stays_quiet("dose_above_band")
def test_grams_of_an_extract_are_not_compared_with_leaf_bands() -> None:
    assert found("dose_above_band", alice(doses=[(at(days_ago(1)), 8.0, EXTRACT)])) == []


@fires("day_total_above_band")
def test_three_large_doses_in_one_day_reach_the_highest_band() -> None:
    day = days_ago(2)
    doses = [(at(day, h), 5.5, POWDER) for h in (8, 13, 19)]
    candidate = only("day_total_above_band", alice(doses=doses))
    assert candidate.severity == "caution"
    assert candidate.evidence.grams_total == 16.5
    assert candidate.evidence_key == f"day_total_above_band:{day.isoformat()}"
    assert "single dose" in candidate.text


@stays_quiet("day_total_above_band")
def test_two_moderate_doses_in_a_day_give_no_day_total_alert() -> None:
    day = days_ago(2)
    assert found("day_total_above_band", alice(doses=[(at(day, 8), 4.0, POWDER)] * 2)) == []


@stays_quiet("day_total_above_band")
def test_one_large_dose_is_left_to_the_single_dose_rule() -> None:
    assert found("day_total_above_band", alice(doses=[(at(days_ago(2)), 16.0, POWDER)])) == []


# --- escalation --------------------------------------------------------------------------------


def weeks_of(daily_grams: Sequence[float], last_sunday: date = date(2025, 6, 29)) -> list[Dose]:
    """One dose a day; week k (oldest first) at daily_grams[k]."""
    monday = last_sunday - timedelta(days=7 * len(daily_grams) - 1)
    return [
        dose
        for k, grams in enumerate(daily_grams)
        for dose in daily(monday + timedelta(days=7 * k), 7, grams)
    ]


@fires("escalation")
def test_a_steady_rise_over_eight_weeks_is_an_escalation() -> None:
    candidate = only("escalation", alice(doses=weeks_of([1.0 + 0.25 * k for k in range(8)])))
    assert candidate.severity == "caution"
    assert candidate.evidence.p_value < 0.05
    # Red Bali powder holds 19 mg of mitragynine per g: 0.25 g a day more each week.
    assert candidate.evidence.theil_sen_mg_per_week == pytest.approx(7 * 0.25 * 19)
    assert candidate.evidence_key == "escalation:2025-W26"
    assert [w.grams_leaf for w in candidate.evidence.weeks] == [
        7 * (1.0 + 0.25 * k) for k in range(8)
    ]


@stays_quiet("escalation")
def test_weeks_that_wobble_without_a_trend_are_not_an_escalation() -> None:
    assert (
        found("escalation", alice(doses=weeks_of([2.0, 2.4, 1.8, 2.3, 2.0, 2.4, 1.9, 2.2]))) == []
    )


@stays_quiet("escalation")
def test_a_rise_over_too_few_weeks_is_not_tested() -> None:
    assert found("escalation", alice(doses=weeks_of([1.0, 1.5, 2.0, 2.5, 3.0]))) == []


@stays_quiet("escalation")
def test_a_falling_dose_is_not_an_escalation() -> None:
    assert found("escalation", alice(doses=weeks_of([3.0 - 0.25 * k for k in range(8)]))) == []


# --- frequency ---------------------------------------------------------------------------------


@fires("daily_streak")
def test_fourteen_days_in_a_row_is_a_streak() -> None:
    first = days_ago(14)
    candidate = only("daily_streak", alice(doses=daily(first, 14)))
    assert candidate.severity == "info"
    assert candidate.evidence_key == f"daily_streak:{first.isoformat()}:14"
    assert candidate.evidence.ongoing is True


@fires("daily_streak")
def test_a_longer_streak_is_mentioned_again_at_twice_the_length() -> None:
    first = days_ago(30)
    candidate = only("daily_streak", alice(doses=daily(first, 30)))
    assert candidate.evidence_key == f"daily_streak:{first.isoformat()}:28"


@stays_quiet("daily_streak")
def test_thirteen_days_or_a_broken_run_is_not_a_streak() -> None:
    assert found("daily_streak", alice(doses=daily(days_ago(13), 13))) == []
    broken = daily(days_ago(21), 10) + daily(days_ago(10), 10)
    assert found("daily_streak", alice(doses=broken)) == []


def every(start: datetime, hours: float, count: int) -> list[Dose]:
    return [(start + timedelta(hours=hours * i), 2.0, POWDER) for i in range(count)]


@fires("shortening_interval")
def test_doses_moving_from_twelve_to_six_hours_apart_are_flagged() -> None:
    start = at(days_ago(28), 8)
    doses = every(start, 12, 28) + every(start + timedelta(days=14), 6, 56)
    candidate = only("shortening_interval", alice(doses=doses))
    assert candidate.severity == "caution"
    assert candidate.evidence.median_gap_hours_earlier == 12.0
    assert candidate.evidence.median_gap_hours_later == 6.0
    assert candidate.evidence_key.startswith("shortening_interval:2025-W")


@stays_quiet("shortening_interval")
def test_evenly_spaced_doses_are_not_flagged() -> None:
    assert found("shortening_interval", alice(doses=every(at(days_ago(28), 8), 8, 84))) == []


@stays_quiet("shortening_interval")
def test_too_few_doses_are_not_compared() -> None:
    doses = every(at(days_ago(6), 8), 24, 4) + every(at(days_ago(2), 8), 4, 4)
    assert found("shortening_interval", alice(doses=doses)) == []


# --- withdrawal --------------------------------------------------------------------------------


@fires("withdrawal_sows")
def test_a_sows_total_at_the_study_mean_or_above_is_a_caution() -> None:
    data = alice(doses=[(at(days_ago(2), 9), 2.0, POWDER)], responses=[response(7, "SOWS", 14)])
    candidate = only("withdrawal_sows", data)
    assert candidate.severity == "caution"
    assert candidate.evidence_key == "withdrawal_sows:response:7"
    assert candidate.evidence.reference_mean_total == 13.5
    assert candidate.evidence.hours_since_last_dose == pytest.approx(35.0)


@stays_quiet("withdrawal_sows")
def test_a_low_sows_total_or_another_questionnaire_gives_nothing() -> None:
    responses = [response(7, "SOWS", 13), response(8, "GAD-7", 20)]
    assert found("withdrawal_sows", alice(responses=responses)) == []


@fires("withdrawal_symptoms")
def test_four_withdrawal_like_symptoms_in_one_day_are_a_caution() -> None:
    day = days_ago(1)
    checkins = [
        (at(day, 9), {"restless", "sweating"}),
        (at(day, 20), {"yawning", "runny_nose_eyes", "headache"}),
    ]
    candidate = only("withdrawal_symptoms", alice(checkins=checkins))
    assert candidate.evidence_key == f"withdrawal_symptoms:day:{day.isoformat()}"
    assert candidate.evidence.symptoms == ("restless", "runny_nose_eyes", "sweating", "yawning")
    assert "handelsman1987" in candidate.sources
    assert "anxiety itself" in candidate.text


@fires("withdrawal_symptoms")
def test_withdrawal_like_symptoms_on_three_days_of_one_week_are_a_caution() -> None:
    monday = date(2025, 6, 23)
    checkins = [(at(monday + timedelta(days=d)), {"craving", "muscle_aches"}) for d in (0, 2, 4)]
    candidate = only("withdrawal_symptoms", alice(checkins=checkins))
    assert candidate.evidence_key == "withdrawal_symptoms:week:2025-W26"
    assert len(candidate.evidence.days) == 3
    # Shown as the text says it ("In the week of 23 Jun 2025"), not as the key's ISO week.
    facts = {f.label: f.text for f in candidate.evidence.facts(UTC)}
    assert facts["Week of"] == "23 Jun 2025"
    assert "2025-W26" not in " ".join(facts.values())


@stays_quiet("withdrawal_symptoms")
def test_few_symptoms_or_days_split_across_weeks_give_nothing() -> None:
    saturday = date(2025, 6, 21)
    split = [(at(saturday + timedelta(days=d)), {"craving", "sweating"}) for d in (0, 1, 2)]
    assert found("withdrawal_symptoms", alice(checkins=split)) == []
    three = [(at(days_ago(1)), {"restless", "tense", "poor_sleep"})]
    assert found("withdrawal_symptoms", alice(checkins=three)) == []
    other = [(at(days_ago(d)), {"nausea", "headache", "constipation"}) for d in range(1, 7)]
    assert found("withdrawal_symptoms", alice(checkins=other)) == []


# --- liver -------------------------------------------------------------------------------------


@fires("liver_symptoms")
def test_dark_urine_says_to_seek_medical_care() -> None:
    candidate = only("liver_symptoms", alice(checkins=[(at(days_ago(1)), {"dark_urine"})]))
    assert candidate.severity == "warning"
    assert "Seek medical care" in candidate.advice
    assert candidate.sources == ("livertox",)


@fires("liver_symptoms")
def test_yellow_skin_or_eyes_is_a_danger_even_after_a_warning_the_same_day() -> None:
    day = days_ago(1)
    earlier = only("liver_symptoms", alice(checkins=[(at(day, 8), {"dark_urine"})]))
    both = [(at(day, 8), {"dark_urine"}), (at(day, 18), {"jaundice"})]
    later = only("liver_symptoms", alice(checkins=both))
    assert later.severity == "danger"
    assert "today" in later.advice
    assert later.evidence_key != earlier.evidence_key


@stays_quiet("liver_symptoms")
def test_symptoms_that_do_not_signal_the_liver_give_nothing() -> None:
    checkins = [(at(days_ago(1)), {"nausea", "headache", "restless"})]
    assert found("liver_symptoms", alice(checkins=checkins)) == []


# --- crisis ------------------------------------------------------------------------------------


@fires("crisis_answer")
def test_a_crisis_flag_is_a_danger_with_the_instruments_own_message() -> None:
    candidate = only("crisis_answer", alice(responses=[response(9, "PHQ-9", 3, ("crisis",))]))
    assert candidate.severity == "danger"
    (flag,) = [f for f in instrument("PHQ-9").flags if f.id == "crisis"]
    assert flag.message in candidate.text
    assert candidate.sources == flag.sources
    assert candidate.evidence_key == "crisis_answer:response:9"


@stays_quiet("crisis_answer")
def test_a_severe_score_without_the_crisis_flag_is_not_a_crisis_alert() -> None:
    responses = [response(9, "PHQ-9", 22, ("seek_professional_care",))]
    assert found("crisis_answer", alice(responses=responses)) == []


# --- taper: a step due, a hold proposed, a day over the allowance (info) ------------------------


def tapering(data: SafetyInput, starts_days_ago: int, *events: TaperEvent) -> SafetyInput:
    """alice's journal with a 10%-a-week taper from 4 g that began `starts_days_ago` days ago."""
    schedule = plan_schedule(
        4.0, 0.0, "10-per-week", measure_for("g"), starts=days_ago(starts_days_ago)
    )
    return replace(data, taper=TaperFacts(schedule, events))


@fires("taper_step_due")
def test_the_day_before_a_step_an_info_alert_gives_tomorrows_allowance() -> None:
    candidate = only("taper_step_due", tapering(alice(), 6))
    assert candidate.severity == "info"
    assert "3.2 g" in candidate.text
    assert "increase" not in (candidate.text + candidate.advice).lower()


@stays_quiet("taper_step_due")
def test_no_step_is_due_mid_step_while_held_or_without_a_taper() -> None:
    assert found("taper_step_due", tapering(alice(), 3)) == []
    assert found("taper_step_due", tapering(alice(), 6, TaperEvent(days_ago(1), "hold"))) == []
    assert found("taper_step_due", alice()) == []


WITHDRAWN = {"restless", "sweating", "yawning"}


@fires("taper_hold_proposed")
def test_withdrawal_on_consecutive_checkins_in_a_step_proposes_a_hold_once_per_step() -> None:
    checkins = [(at(days_ago(1), 9), WITHDRAWN), (at(days_ago(1), 20), WITHDRAWN)]
    data = tapering(alice(checkins=checkins), 3)
    candidate = only("taper_hold_proposed", data)
    assert "check-ins in a row" in candidate.text
    later = replace(data, now=NOW + timedelta(hours=1))
    assert only("taper_hold_proposed", later).evidence_key == candidate.evidence_key


@stays_quiet("taper_hold_proposed")
def test_no_hold_is_proposed_when_quiet_or_already_held() -> None:
    quiet = [(at(days_ago(1), 9), set()), (at(days_ago(1), 20), set())]
    assert found("taper_hold_proposed", tapering(alice(checkins=quiet), 3)) == []
    checkins = [(at(days_ago(1), 9), WITHDRAWN), (at(days_ago(1), 20), WITHDRAWN)]
    held = tapering(alice(checkins=checkins), 3, TaperEvent(days_ago(1), "hold"))
    assert found("taper_hold_proposed", held) == []


@fires("taper_over_allowance")
def test_a_day_over_its_allowance_is_an_info_alert_for_that_day() -> None:
    data = tapering(alice(doses=[(at(days_ago(1), 9), 5.0, POWDER)]), 3)
    candidate = only("taper_over_allowance", data)
    assert "5 g against an allowance of 3.6 g" in candidate.text


@stays_quiet("taper_over_allowance")
def test_use_within_the_allowance_raises_nothing() -> None:
    data = tapering(alice(doses=[(at(days_ago(1), 9), 3.6, POWDER)]), 3)
    assert found("taper_over_allowance", data) == []
    before = alice(doses=[(at(days_ago(5), 9), 9.0, POWDER)])
    assert found("taper_over_allowance", tapering(before, 3)) == []


# --- every rule together -------------------------------------------------------------------------


def busy_journal(now: datetime = NOW) -> SafetyInput:
    """A journal in which every rule finds something."""
    start = at(days_ago(28), 8)
    doses = every(start, 12, 28) + every(start + timedelta(days=14), 6, 56)
    doses += weeks_of([1.0 + 0.25 * k for k in range(6)], date(2025, 5, 25))
    doses += [
        (at(days_ago(3), 21), 16.0, POWDER),
        (at(days_ago(4), 12), 0.5, SEVEN_OH),
    ]
    day = days_ago(1)
    journal = alice(
        doses=doses,
        checkins=[
            (at(day, 9), {"restless", "sweating", "yawning", "craving", "dark_urine"}),
            (at(day, 20), {"restless", "sweating", "yawning"}),
            (at(days_ago(5), 9), {"jaundice"}),
        ],
        intakes=[(at(days_ago(3), 22), WINE), (at(days_ago(4), 13), XANAX)],
        substances=[XANAX, ZOLOFT, MYSTERY],
        responses=[response(1, "SOWS", 30), response(2, "PHQ-9", 5, ("crisis",))],
        now=now,
    )
    # A 10%-a-week taper from 4 g whose second step begins tomorrow (days over, a hold proposed).
    schedule = plan_schedule(4.0, 0.0, "10-per-week", measure_for("g"), starts=days_ago(6))
    return replace(journal, taper=TaperFacts(schedule))


def test_the_busy_journal_exercises_every_rule() -> None:
    assert {c.rule for c in evaluate(busy_journal())} == {r.id for r in RULES}


def test_every_candidates_sources_exist_in_the_knowledge_base() -> None:
    known = set(load().sources)
    for candidate in evaluate(busy_journal()):
        assert set(candidate.sources) <= known, candidate.rule


def test_evidence_and_candidates_are_json() -> None:
    for candidate in evaluate(busy_journal()):
        json.dumps(candidate.as_dict())


def test_evidence_keys_are_distinct_and_stable_across_runs_and_hours() -> None:
    keys = [c.evidence_key for c in evaluate(busy_journal())]
    assert len(keys) == len(set(keys))
    assert keys == [c.evidence_key for c in evaluate(busy_journal())]
    later = [c.evidence_key for c in evaluate(busy_journal(NOW + timedelta(hours=1)))]
    assert sorted(later) == sorted(keys)


def test_every_key_starts_with_its_rule() -> None:
    for candidate in evaluate(busy_journal()):
        assert candidate.evidence_key.startswith(candidate.rule + ":")


CAUSAL = re.compile(
    r"\bcaused\b|\bcausing\b|because of (your )?kratom|due to (your )?kratom|kratom made",
    re.IGNORECASE,
)


def test_alerts_never_claim_that_kratom_caused_anything() -> None:
    for candidate in evaluate(busy_journal()):
        for words in (candidate.title, candidate.text, candidate.advice):
            assert not CAUSAL.search(words), (candidate.rule, words)


def test_alerts_that_rest_on_a_heuristic_say_so() -> None:
    parameters = load_rule_parameters()
    checked = set()
    for candidate in evaluate(busy_journal()):
        # Evidence that lists the parameters it used is checked on those (a 7-OH product entered
        # as such uses no cut-off); otherwise on the rule's.
        used = getattr(candidate.evidence, "parameters", None)
        heuristic = (
            any(p.basis == "heuristic" for p in used)
            if used is not None
            else parameters.heuristic(candidate.rule)
        )
        if heuristic and not getattr(candidate.evidence, "unknown", False):
            assert HEURISTIC_NOTE in candidate.text, candidate.rule
            checked.add(candidate.rule)
    assert {"co_use", "escalation", "daily_streak", "shortening_interval"} <= checked


def test_severities_and_evidence_grades_come_from_their_vocabularies() -> None:
    for candidate in evaluate(busy_journal()):
        assert candidate.severity in SEVERITIES
        assert candidate.evidence_grade in get_args(EvidenceGrade)
        assert candidate.at.tzinfo is not None


def test_evaluate_puts_the_most_severe_first_then_the_newest() -> None:
    candidates = evaluate(busy_journal())
    order = [(SEVERITIES.index(c.severity), -c.at.timestamp()) for c in candidates]
    assert order == sorted(order)
    assert candidates[0].severity == "danger"


def test_every_rule_has_a_positive_and_a_negative_test() -> None:
    for registered in RULES:
        assert COVERED[registered.id] == {"positive", "negative"}, registered.id


# --- the registry and its parameters -----------------------------------------------------------

EXPECTED_RULES = {
    "interaction",
    "co_use",
    "seven_oh_product",
    "dose_above_band",
    "day_total_above_band",
    "escalation",
    "daily_streak",
    "shortening_interval",
    "withdrawal_sows",
    "withdrawal_symptoms",
    "liver_symptoms",
    "crisis_answer",
    "taper_step_due",
    "taper_hold_proposed",
    "taper_over_allowance",
}


def test_the_registry_holds_the_twelve_rules_each_with_known_sources() -> None:
    assert [r.id for r in RULES] == list(dict.fromkeys(r.id for r in RULES))
    assert {r.id for r in RULES} == EXPECTED_RULES
    known = set(load().sources)
    for registered in RULES:
        assert registered.sources
        assert set(registered.sources) <= known
        assert registered.severity in SEVERITIES


def test_an_unknown_rule_id_is_refused_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match="co_use"):
        rule("nope")


def test_every_parameter_belongs_to_a_registered_rule() -> None:
    # Or to what the journal asks before a dose or a product is saved (services.refuse_implausible,
    # refuse_implausible_content), which
    # raises no alert of its own.
    for parameter in load_rule_parameters().parameters:
        assert parameter.rule in {*EXPECTED_RULES, "dose_entry", "product_entry"}


def test_the_sows_reference_figures_match_the_questionnaires_own_note() -> None:
    parameters = load_rule_parameters()
    notes = " ".join(n.text for n in instrument("SOWS").note)
    assert f"{parameters.number('withdrawal_sows', 'reference_mean_total'):g}" in notes
    assert f"SD {parameters.number('withdrawal_sows', 'reference_sd'):g}" in notes


def parameters_with(**changes: Any) -> dict[str, Any]:
    row = {
        "rule": "co_use",
        "name": "window_hours",
        "value": 6.0,
        "basis": "heuristic",
        "note": "a window",
        "sources": [],
    }
    return {"parameter": [row | changes]}


def test_a_parameter_citing_an_unknown_source_is_refused() -> None:
    with pytest.raises(KnowledgeError, match="unknown sources"):
        parse_rule_parameters(parameters_with(sources=["nobody2099"]), load().sources)


def test_a_parameter_from_the_literature_needs_a_source() -> None:
    with pytest.raises(KnowledgeError, match="needs sources"):
        parse_rule_parameters(parameters_with(basis="source"), load().sources)


def test_a_parameter_named_twice_is_refused() -> None:
    data = parameters_with()
    data["parameter"] *= 2
    with pytest.raises(KnowledgeError, match="twice"):
        parse_rule_parameters(data, load().sources)


# --- inputs ------------------------------------------------------------------------------------


def test_safety_input_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        alice(now=NOW.replace(tzinfo=None))


def test_safety_input_refuses_a_dose_of_an_unknown_product() -> None:
    data = alice(doses=[(at(days_ago(1)), 2.0, POWDER)])
    with pytest.raises(ValueError, match="unknown products"):
        replace(data, products={})


def test_the_rules_import_neither_django_nor_the_journal() -> None:
    code = (
        "import sys, mitra.safety.rules; "
        "print(any(m == 'django' or m.startswith(('django.', 'mitra.journal')) "
        "for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_importing_safety_leaves_scipy_unloaded_for_every_journal_write() -> None:
    code = "import sys, mitra.safety; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- escalation counted honestly across forms ----------------------------------------------------

CAPSULES = ProductFacts(6, "Red capsules", "capsules", 15.0, None)


def mixed_journal(extract_mg: Sequence[float], leaf_grams: float = 2.0) -> SafetyInput:
    """Eight weeks of a daily leaf powder dose, capsules, and an extract and a 7-OH product
    whose mg of mitragynine a day are `extract_mg[k]` in week k (oldest first)."""
    monday = date(2025, 6, 29) - timedelta(days=7 * len(extract_mg) - 1)
    rows: list[tuple[datetime, float, ProductFacts, float]] = []
    for k, mg in enumerate(extract_mg):
        for i in range(7):
            day = monday + timedelta(days=7 * k + i)
            rows.append((at(day, 8), leaf_grams, POWDER, leaf_grams * 19.0))
            rows.append((at(day, 12), 1.0, CAPSULES, 15.0))
            rows.append((at(day, 18), 0.5, EXTRACT, mg))
            rows.append((at(day, 21), 0.1, SEVEN_OH, float("nan")))  # no mitragynine figure
    rows.sort(key=lambda r: r[0])
    products = {**PRODUCTS, CAPSULES.id: CAPSULES}
    timeline = Timeline(
        clock=CLOCK,
        first=monday,
        last=TODAY,
        dose_time=np.array([r[0].timestamp() for r in rows]),
        dose_grams=np.array([r[1] for r in rows]),
        dose_product=np.array([r[2].id for r in rows], dtype=np.int64),
        dose_form=tuple(r[2].form for r in rows),
        dose_mg_mitragynine=np.array([r[3] for r in rows]),
        dose_mg_mitragynine_low=np.array([r[3] * 0.5 for r in rows]),
        dose_mg_mitragynine_high=np.array([r[3] * 1.5 for r in rows]),
    )
    return SafetyInput(timeline=timeline, products=products, substances={}, responses=(), now=NOW)


@fires("escalation")
def test_a_rising_extract_is_an_escalation_in_mg_while_grams_of_leaf_stay_flat() -> None:
    candidate = only("escalation", mixed_journal([100.0 + 20 * k for k in range(8)]))
    weeks = candidate.evidence.weeks
    # Leaf powder and capsules only: 7 x (2 g + 1 g), the same every week.
    assert {w.grams_leaf for w in weeks} == {21.0}
    # Powder 38 mg + capsules 15 mg + the extract, every day.
    assert weeks[0].mg_mitragynine == pytest.approx(7 * (38 + 15 + 100))
    assert (weeks[0].mg_mitragynine_low, weeks[0].mg_mitragynine_high) == pytest.approx(
        (7 * (38 + 15 + 100) * 0.5, 7 * (38 + 15 + 100) * 1.5)
    )
    assert candidate.evidence.theil_sen_mg_per_week == pytest.approx(7 * 20)
    assert candidate.evidence.doses_without_content == 8 * 7  # the 7-OH tablets
    assert "mg of mitragynine" in candidate.text
    assert "56 doses of products with no content figure could not be counted" in candidate.text


@stays_quiet("escalation")
def test_more_grams_of_an_extract_with_the_same_mg_is_not_an_escalation() -> None:
    # The extract's grams are not grams of leaf: only its flat alkaloid content counts.
    assert found("escalation", mixed_journal([100.0] * 8)) == []


def test_the_grams_of_an_extract_or_a_seven_oh_product_are_never_held_against_leaf_bands() -> None:
    data = mixed_journal([100.0] * 8)
    heavy = replace(
        data.timeline,
        dose_grams=np.where(data.timeline.dose_is_leaf, data.timeline.dose_grams, 20.0),
        dose_grams_leaf=data.timeline.dose_grams_leaf,
    )
    # Twenty grams of each changes nothing: only their lab mitragynine is ever compared.
    titles = [c.title.split(":")[-1] for c in found("dose_above_band", data)]
    assert [
        c.title.split(":")[-1] for c in found("dose_above_band", replace(data, timeline=heavy))
    ] == titles
    assert found("day_total_above_band", replace(data, timeline=heavy)) == []


@fires("dose_above_band")
def test_an_extract_dose_is_compared_by_the_leaf_that_holds_as_much_mitragynine() -> None:
    # 10 capsules of 0.5 g of a 300 mg/g extract: 1,500 mg of mitragynine, as much as 77-113 g
    # of leaf, far beyond the highest band; the smaller figure is the one compared.
    lab = replace(EXTRACT, mitragynine_mg_per_g=300.0)
    data = alice(doses=[(at(days_ago(1), 9), 5.0, lab)])
    candidate = only("dose_above_band", data)
    assert candidate.severity == "warning"
    leaf = candidate.evidence.leaf
    assert leaf.mg_mitragynine == pytest.approx(1500.0)
    assert leaf.low_g == pytest.approx(1500 / 19.48)
    assert leaf.high_g == pytest.approx(1500 / 13.3)
    assert candidate.title.startswith("5 g of Gold extract: as much mitragynine as 77.0 g of leaf")
    assert "1,500 mg of mitragynine by its lab figure" in candidate.text
    assert "this compares by mitragynine alone" in candidate.text
    assert {"tanna2022", "huestis2024"} <= set(candidate.sources)
    facts = {f.label: f.text for f in candidate.evidence.facts(CLOCK.zone)}
    assert facts["Mitragynine"] == "1,500 mg, by the product's lab figure"
    assert facts["As much as"].startswith("77.0 g to 112.8 g of leaf")


@stays_quiet("dose_above_band")
def test_an_extract_without_a_lab_figure_or_below_the_highest_band_is_not_compared() -> None:
    lab = replace(EXTRACT, mitragynine_mg_per_g=300.0)
    # 150 mg is as much as 7.7 g of leaf, in the caution band; only the highest band is used
    # for an extract, whose usual dose holds that much.
    doses = [(at(days_ago(1), 9), 50.0, EXTRACT), (at(days_ago(2), 9), 0.5, lab)]
    assert found("dose_above_band", alice(doses=doses)) == []


def test_a_seven_oh_product_compared_by_its_mitragynine_says_its_7oh_is_not_counted() -> None:
    lab = replace(SEVEN_OH, mitragynine_mg_per_g=400.0, hydroxy_mg_per_g=50.0)
    candidate = only("dose_above_band", alice(doses=[(at(days_ago(1), 9), 1.0, lab)]))
    assert "without the product's 7-OH, the stronger alkaloid" in candidate.text


# --- policy --------------------------------------------------------------------------------------


def test_every_rule_the_policy_names_is_registered_and_every_rule_runs_on_some_event() -> None:
    from mitra.safety import EVENTS, entry_rules, load_policy, rules_for, undated_rules

    known = {r.id for r in RULES}
    assert entry_rules() <= known
    triggered = {r.id for event in EVENTS for r in rules_for(event)}
    assert triggered == known
    assert undated_rules() <= entry_rules()
    assert load_policy().look_back_days == 120


def test_a_policy_that_leaves_an_event_without_rules_is_refused() -> None:
    from mitra.safety.parameters import parse_policy

    with pytest.raises(KnowledgeError, match="events"):
        parse_policy({"policy": {"look_back_days": 120, "entry_rules": [], "events": {}}})
