"""The exposure model: dose in mg of alkaloid, one-compartment superposition, summaries."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.knowledge.pharmacokinetics import load_pharmacokinetics
from mitra.pharmacology import (
    DEFAULT_PARAMETER_SET,
    accumulation_ratio,
    alkaloid_dose,
    concentration_nM,
    exposure_curve,
    exposure_model,
    hours_since_last_dose,
    one_compartment,
    regular_dosing,
    time_to_steady_state_hours,
    two_compartment,
)
from mitra.pharmacology.exposure import (
    absorption_rate,
    sample_one_compartment,
    sample_two_compartment,
)

TANNA = one_compartment("tanna2022")
TANNA_DOSE_MG = 39.0
FINE = np.arange(0.0, 2000.0, 0.01)  # 44 half-lives of tanna2022, 36 s steps


def direct_sum(dose_hours: np.ndarray, dose_mg: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Reference: the Bateman curve of every dose at every time, summed (doses x times)."""
    ka, ke, v, m = TANNA.ka_per_hour, TANNA.ke_per_hour, TANNA.volume_L, TANNA.molar_mass_g_per_mol
    dt = t[None, :] - dose_hours[:, None]
    after = np.where(dt >= 0, dt, 0.0)
    curves = dose_mg[:, None] * ka / (v * (ka - ke)) * (np.exp(-ke * after) - np.exp(-ka * after))
    summed: np.ndarray = np.where(dt >= 0, curves, 0.0).sum(axis=0) * 1e6 / m
    return summed


# --- Reproducing the study whose parameter set is in use -----------------------------------------


def test_a_single_tanna2022_dose_peaks_an_hour_after_it_as_in_the_study() -> None:
    curve = exposure_curve([0.0], [TANNA_DOSE_MG], FINE, parameter_set="tanna2022", band_samples=0)
    assert curve.tmax_hours == pytest.approx(1.0, abs=0.01)


def test_a_single_tanna2022_dose_reproduces_the_studys_auc() -> None:
    curve = exposure_curve([0.0], [TANNA_DOSE_MG], FINE, parameter_set="tanna2022", band_samples=0)
    assert curve.auc_nM_h == pytest.approx(420.0, rel=0.005)


def test_the_modelled_half_life_is_the_studys_median() -> None:
    assert TANNA.half_life_hours == pytest.approx(45.3)
    assert TANNA.clearance_L_per_h == pytest.approx(233.0)


def test_the_one_compartment_peak_is_below_the_observed_range_and_a_caveat_says_so() -> None:
    curve = exposure_curve([0.0], [TANNA_DOSE_MG], FINE, parameter_set="tanna2022", band_samples=0)
    assert curve.cmax_nM < 50.1  # the study's lowest observed Cmax
    assert any("not the early peak" in caveat for caveat in curve.model.caveats)


def test_the_band_covers_the_studys_auc_range_of_clearances() -> None:
    _ka, ke, volume = sample_one_compartment("tanna2022", 2000, seed=1)
    auc = TANNA_DOSE_MG / (ke * volume) * 1e6 / TANNA.molar_mass_g_per_mol
    # dose / CL over CL's range 71.7-302 L/h, and the study's median AUC in the middle
    assert auc.min() >= 324.0
    assert auc.max() <= 1370.0
    assert np.median(auc) == pytest.approx(420.0, rel=0.02)


def test_the_band_brackets_the_central_curve_and_is_reproducible() -> None:
    times = np.array([0.5, 1.0, 6.0, 24.0, 72.0])
    first = exposure_curve(
        [0.0], [TANNA_DOSE_MG], times, parameter_set="tanna2022", band_samples=300, seed=7
    )
    again = exposure_curve(
        [0.0], [TANNA_DOSE_MG], times, parameter_set="tanna2022", band_samples=300, seed=7
    )
    assert first.band_low_nM is not None
    assert first.band_high_nM is not None
    assert np.all(first.band_low_nM <= first.concentration_nM)
    assert np.all(first.concentration_nM <= first.band_high_nM)
    assert again.band_low_nM is not None
    assert np.array_equal(first.band_low_nM, again.band_low_nM)


def test_absorption_rate_puts_the_peak_at_the_given_tmax() -> None:
    ke = np.array([0.0153, 0.03, 0.2])
    ka = absorption_rate([1.0, 0.83, 2.0], ke)
    tmax = np.log(ka / ke) / (ka - ke)
    assert tmax == pytest.approx([1.0, 0.83, 2.0])
    assert np.all(ka > ke)


def test_every_derived_parameter_reads_only_figures_of_its_own_set() -> None:
    pk = load_pharmacokinetics()
    for pset in pk.modelled_sets():
        model = exposure_model(pset.id, body_mass_kg=70.0)
        assert model.parameter_set == pset.id
        for parameter in model.parameters:
            assert parameter.derived
            assert all(name in pset.figures for name in parameter.inputs), parameter.name
        assert set(model.sources) <= {*pset.all_sources(), "pubchem"}


def test_a_set_reporting_volume_per_kg_needs_a_body_mass() -> None:
    with pytest.raises(ValueError, match="body mass"):
        one_compartment("trakulsrichai2015")
    model = one_compartment("trakulsrichai2015", body_mass_kg=70.0)
    assert model.volume_L == pytest.approx(38.04 * 70.0)
    assert model.half_life_hours == pytest.approx(23.24)


def test_a_set_without_clearance_or_volume_gives_no_curve() -> None:
    with pytest.raises(ValueError, match="no figures a concentration model"):
        one_compartment("huestis2024")


# --- The mathematics of the model -----------------------------------------------------------------


def test_the_auc_equals_dose_over_clearance_over_a_long_horizon() -> None:
    model = one_compartment("trakulsrichai2015", body_mass_kg=60.0)
    conc = concentration_nM([0.0], [20.0], FINE, model)
    auc = float(np.sum((conc[1:] + conc[:-1]) * np.diff(FINE)) / 2.0)
    expected = 20.0 / model.clearance_L_per_h * 1e6 / model.molar_mass_g_per_mol
    assert auc == pytest.approx(expected, rel=1e-4)


def test_superposition_is_linear_in_the_doses() -> None:
    t = np.linspace(-5.0, 300.0, 3001)
    first = concentration_nM([0.0, 30.0], [10.0, 25.0], t)
    second = concentration_nM([12.5, 100.0], [40.0, 5.0], t)
    both = concentration_nM([0.0, 30.0, 12.5, 100.0], [10.0, 25.0, 40.0, 5.0], t)
    assert both == pytest.approx(first + second, rel=1e-12, abs=1e-12)
    assert concentration_nM([0.0], [78.0], t) == pytest.approx(
        2 * concentration_nM([0.0], [39.0], t)
    )


def test_many_doses_over_years_match_the_direct_sum_of_every_dose() -> None:
    rng = np.random.default_rng(3)
    dose_hours = np.sort(rng.uniform(0.0, 5 * 365 * 24.0, 400))
    dose_mg = rng.uniform(5.0, 80.0, 400)
    t = np.linspace(-10.0, 5 * 365 * 24.0 + 100.0, 4000)
    fast = concentration_nM(dose_hours, dose_mg, t, TANNA)
    reference = direct_sum(dose_hours, dose_mg, t)
    assert fast == pytest.approx(reference, rel=1e-8, abs=1e-9)


def test_doses_given_in_any_order_give_the_same_curve() -> None:
    t = np.linspace(0.0, 200.0, 801)
    ordered = concentration_nM([0.0, 10.0, 50.0], [10.0, 20.0, 30.0], t)
    shuffled = concentration_nM([50.0, 0.0, 10.0], [30.0, 10.0, 20.0], t)
    assert np.array_equal(ordered, shuffled)


def test_equal_absorption_and_elimination_rates_give_the_limit_curve() -> None:
    k = 0.2
    model = dataclasses.replace(TANNA, ka_per_hour=k, ke_per_hour=k)
    t = np.linspace(0.0, 100.0, 1001)
    conc = concentration_nM([0.0], [39.0], t, model)
    limit = 39.0 * k / TANNA.volume_L * t * np.exp(-k * t) * 1e6 / TANNA.molar_mass_g_per_mol
    assert conc == pytest.approx(limit, rel=1e-7, abs=1e-12)


def test_regular_dosing_accumulates_by_one_over_one_minus_e_to_the_minus_k_tau() -> None:
    tau = 24.0
    doses = np.arange(60) * tau
    troughs = concentration_nM(doses, np.full(60, 39.0), doses + tau - 1e-9, TANNA)
    ratio = accumulation_ratio(TANNA.ke_per_hour, tau)
    assert troughs[-1] / troughs[0] == pytest.approx(ratio, rel=1e-6)
    assert ratio == pytest.approx(1.0 / (1.0 - math.exp(-TANNA.ke_per_hour * tau)))


def test_steady_state_is_90_percent_reached_at_the_time_to_steady_state() -> None:
    tau = 24.0
    doses = np.arange(400) * tau
    troughs = concentration_nM(doses, np.full(400, 39.0), doses + tau - 1e-9, TANNA)
    fraction = troughs / troughs[-1]
    t_ss = time_to_steady_state_hours(TANNA.ke_per_hour, 0.9)
    elapsed = doses + tau
    assert np.all(fraction[elapsed < t_ss - 1e-6] < 0.9)
    assert np.all(fraction[elapsed >= t_ss] >= 0.9 - 1e-9)


def test_regular_dosing_reports_its_study_and_pattern() -> None:
    daily = regular_dosing(24.0)
    assert daily.parameter_set == DEFAULT_PARAMETER_SET
    assert daily.accumulation_ratio == pytest.approx(accumulation_ratio(TANNA.ke_per_hour, 24.0))
    assert daily.time_to_steady_state_hours == pytest.approx(-math.log(0.1) * 45.3 / math.log(2))
    assert "tanna2022" in daily.sources


def test_nothing_is_in_the_blood_before_the_first_dose_or_without_doses() -> None:
    t = np.linspace(-50.0, 50.0, 101)
    conc = concentration_nM([10.0], [39.0], t)
    assert np.all(conc[t <= 10.0] == 0.0)
    assert np.all(concentration_nM([], [], t) == 0.0)


def test_a_negative_or_missing_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        concentration_nM([0.0], [-1.0], [1.0])
    with pytest.raises(ValueError, match="one amount per dose"):
        concentration_nM([0.0, 1.0], [1.0], [1.0])


# --- Properties ---------------------------------------------------------------------------------

dose_lists = st.lists(
    st.tuples(st.floats(0.0, 500.0, allow_nan=False), st.floats(0.0, 200.0, allow_nan=False)),
    min_size=1,
    max_size=30,
)
GRID = np.linspace(-24.0, 800.0, 2000)


@settings(max_examples=60, deadline=None)
@given(dose_lists)
def test_concentration_is_never_negative_and_zero_before_the_first_dose(
    doses: list[tuple[float, float]],
) -> None:
    hours, mg = map(np.array, zip(*doses, strict=True))
    conc = concentration_nM(hours, mg, GRID)
    assert np.all(conc >= 0.0)
    before_first_dose = GRID < hours.min()  # noqa: SIM300  the grid is the subject
    assert np.all(conc[before_first_dose] == 0.0)


@settings(max_examples=60, deadline=None)
@given(dose_lists, st.integers(0, 29), st.floats(0.01, 100.0))
def test_more_of_any_dose_never_lowers_the_concentration(
    doses: list[tuple[float, float]], which: int, extra_mg: float
) -> None:
    hours, mg = map(np.array, zip(*doses, strict=True))
    more = mg.copy()
    more[which % mg.size] += extra_mg
    base = concentration_nM(hours, mg, GRID)
    raised = concentration_nM(hours, more, GRID)
    assert np.all(raised >= base - 1e-12 * (1.0 + base))


# --- Doses in mg, time since the last dose, the JSON document -------------------------------------


def test_a_lab_figure_gives_an_exact_dose() -> None:
    dose = alkaloid_dose(2.0, lab_mg_per_g=15.0)
    assert (dose.mg, dose.low_mg, dose.high_mg, dose.is_estimate) == (30.0, 30.0, 30.0, False)


def test_without_a_lab_figure_leaf_is_estimated_from_the_studies_with_a_range() -> None:
    dose = alkaloid_dose(2.0)
    assert dose.is_estimate
    assert dose.mg == pytest.approx(2.0 * 19.48)
    assert (dose.low_mg, dose.high_mg) == pytest.approx((2.0 * 13.3, 2.0 * 19.48))
    assert set(dose.sources) == {"tanna2022", "huestis2024"}


def test_a_7oh_product_without_a_lab_figure_is_not_estimated_from_an_unverified_figure() -> None:
    # No verified per-gram figure exists (smith2025 gives mg per labelled dose): enter a lab figure.
    with pytest.raises(KeyError, match="no literature default"):
        alkaloid_dose(0.1, alkaloid="7-hydroxymitragynine", product="7-OH product")
    assert alkaloid_dose(0.1, alkaloid="7-hydroxymitragynine", lab_mg_per_g=30.0).mg == 3.0


def test_natural_leaf_is_estimated_to_hold_only_traces_of_7oh() -> None:
    dose = alkaloid_dose(5.0, alkaloid="7-hydroxymitragynine")
    assert dose.mg == 0.0
    assert "traces" in dose.note


def test_there_is_no_literature_default_for_mitragynine_in_7oh_products() -> None:
    with pytest.raises(KeyError, match="no literature default"):
        alkaloid_dose(1.0, product="7-OH product")


def test_hours_since_last_dose_counts_from_the_latest_past_dose() -> None:
    assert hours_since_last_dose([0.0, 20.0, 48.0], 30.0) == 10.0
    assert hours_since_last_dose([5.0], 1.0) is None


def test_the_json_document_has_what_the_cli_prints() -> None:
    curve = exposure_curve([0.0, 24.0], [39.0, 39.0], band_samples=50, step_hours=1.0)
    document = json.loads(json.dumps(curve.as_dict()))
    for key in (
        "parameter_set",
        "times",
        "concentration_nM",
        "tmax_hours",
        "cmax_nM",
        "auc_nM_h",
        "half_life_hours",
        "band",
        "sources",
    ):
        assert key in document, key
    assert document["parameter_set"] == DEFAULT_PARAMETER_SET
    assert document["model"]["compartments"] == 2
    assert len(document["band"]["low"]) == len(document["times"])
    assert document["times"][-1] == pytest.approx(24.0 + 5 * 45.3, abs=1.0)
    assert document["hours_since_last_dose"] == pytest.approx(document["times"][-1] - 24.0)
    assert all(p["derived"] for p in document["model"]["parameters"])
    assert "tanna2022" in document["sources"]


# --- The two-compartment model (the default) ----------------------------------------------------

TWO = two_compartment()
LEAF_2G_MG = 2.0 * 19.48  # 2 g of Tanna 2022's lab-tested leaf


def two_compartment_direct_sum(
    dose_hours: np.ndarray, dose_mg: np.ndarray, t: np.ndarray
) -> np.ndarray:
    """Reference: every dose's sum of exponentials at every time, summed (doses x times)."""
    dt = t[None, :] - dose_hours[:, None]
    after = np.where(dt >= 0, dt, 0.0)
    terms = sum(c * np.exp(-k * after) for k, c in zip(TWO.rates, TWO.coefficients, strict=True))
    summed: np.ndarray = np.where(dt >= 0, dose_mg[:, None] * terms, 0.0).sum(axis=0)
    return summed


def test_the_default_model_is_tanna2022_as_two_compartments() -> None:
    assert DEFAULT_PARAMETER_SET == "tanna2022_two_compartment"
    assert isinstance(exposure_model(), type(TWO))
    curve = exposure_curve([0.0], [LEAF_2G_MG], FINE, band_samples=0)
    assert curve.parameter_set == DEFAULT_PARAMETER_SET


def test_two_grams_of_the_studys_leaf_peaks_near_the_observed_median() -> None:
    curve = exposure_curve([0.0], [LEAF_2G_MG], FINE, band_samples=0)
    assert curve.cmax_nM == pytest.approx(81.9, rel=0.2)
    assert curve.tmax_hours is not None
    assert 0.75 <= curve.tmax_hours <= 1.5


def test_two_grams_of_the_studys_leaf_reproduce_auc_and_terminal_half_life() -> None:
    curve = exposure_curve([0.0], [LEAF_2G_MG], FINE, band_samples=0)
    a, b, c = TWO.coefficients * LEAF_2G_MG
    alpha, beta, ka = TWO.rates
    auc_inf = a / alpha + b / beta + c / ka
    assert auc_inf == pytest.approx(420.0, rel=0.1)
    assert curve.half_life_hours == pytest.approx(45.3, rel=0.1)
    # The terminal slope of the curve itself, between 200 h and 400 h.
    late = concentration_nM([0.0], [LEAF_2G_MG], [200.0, 400.0])
    assert math.log(2) * 200.0 / math.log(late[0] / late[1]) == pytest.approx(45.3, rel=0.1)


def test_the_one_compartment_set_stays_available_by_name_with_its_low_peak() -> None:
    one = exposure_curve([0.0], [LEAF_2G_MG], FINE, parameter_set="tanna2022", band_samples=0)
    two = exposure_curve([0.0], [LEAF_2G_MG], FINE, band_samples=0)
    assert one.cmax_nM < 0.2 * two.cmax_nM  # the one-compartment peak is ~13x too low
    with pytest.raises(ValueError, match="two-compartment"):
        one_compartment(DEFAULT_PARAMETER_SET)
    with pytest.raises(ValueError, match="one-compartment"):
        two_compartment("tanna2022")


def test_the_free_absorption_rate_is_bounded_and_every_draw_reproduces_positive_curves() -> None:
    low, high = TWO.ka_interval_per_hour
    assert low < TWO.ka_per_hour < high
    assert TWO.ka_per_hour > TWO.alpha_per_hour > TWO.beta_per_hour
    rates, coefs = sample_two_compartment(n=300, seed=2)
    assert 200 <= rates.shape[0] <= 300
    assert np.all(rates[:, 2] > rates[:, 0])
    assert np.all(rates[:, 0] > rates[:, 1])
    assert np.all(coefs[:, :2] > 0)
    assert np.allclose(coefs.sum(axis=1), 0.0)  # nothing in the blood at the moment of a dose


def test_two_compartment_fitted_constants_give_the_studys_clearance() -> None:
    by_name = {p.name: p for p in TWO.parameters}
    assert by_name["clearance_L_per_h"].value == pytest.approx(233.0, rel=0.01)
    assert all(p.derived for p in TWO.parameters)
    assert any("caveat" not in c and "degree of freedom" in c for c in TWO.caveats)


def test_two_compartment_band_brackets_the_central_curve_and_is_reproducible() -> None:
    times = np.arange(0.0, 100.0, 0.5)
    first = exposure_curve([0.0], [39.0], times, band_samples=200, seed=4)
    again = exposure_curve([0.0], [39.0], times, band_samples=200, seed=4)
    assert first.band_low_nM is not None
    assert first.band_high_nM is not None
    assert np.array_equal(first.band_low_nM, again.band_low_nM)
    inside = (first.band_low_nM <= first.concentration_nM + 1e-9) & (
        first.concentration_nM <= first.band_high_nM + 1e-9
    )
    assert inside[1:].all()
    assert first.band_high_nM.max() > first.band_low_nM.max()


def test_two_compartment_many_doses_match_the_direct_sum() -> None:
    rng = np.random.default_rng(5)
    dose_hours = np.sort(rng.uniform(0.0, 2 * 365 * 24.0, 300))
    dose_mg = rng.uniform(5.0, 80.0, 300)
    t = np.linspace(-10.0, 2 * 365 * 24.0 + 100.0, 3000)
    fast = concentration_nM(dose_hours, dose_mg, t)
    assert fast == pytest.approx(
        two_compartment_direct_sum(dose_hours, dose_mg, t), rel=1e-7, abs=1e-8
    )


def test_two_compartment_is_zero_before_a_dose_and_linear_in_doses() -> None:
    t = np.linspace(-50.0, 50.0, 101)
    conc = concentration_nM([10.0], [39.0], t)
    assert np.all(conc[t <= 10.0] == 0.0)
    assert np.all(conc[t > 10.0] > 0.0)
    assert concentration_nM([0.0], [78.0], t) == pytest.approx(
        2 * concentration_nM([0.0], [39.0], t)
    )


def test_a_long_even_grid_matches_the_direct_sum_with_doses_on_between_and_off_the_grid() -> None:
    """The recursive filter used on long even grids: doses on grid points, between them, before
    the grid starts, after it ends, at the same moment, and of zero mg all give the exact sum."""
    rng = np.random.default_rng(11)
    t = np.arange(-24.0, 60 * 24.0, 0.25)  # 5,856 points: long enough for the filter
    on_grid = t[rng.integers(0, t.size, 40)]
    between = rng.uniform(-100.0, 60 * 24.0 + 50.0, 160)
    dose_hours = np.concatenate([on_grid, between, [300.0, 300.0, -500.0, 2000.0]])
    dose_mg = np.concatenate([rng.uniform(5.0, 80.0, 200), [39.0, 0.0, 39.0, 39.0]])
    got = concentration_nM(dose_hours, dose_mg, t)
    want = two_compartment_direct_sum(dose_hours, dose_mg, t)
    assert got == pytest.approx(want, rel=1e-8, abs=1e-9 * want.max())
    assert np.all(got[t <= dose_hours.min()] == 0.0)


def test_a_very_fine_even_grid_still_matches_the_direct_sum() -> None:
    """A grid so fine that the filter's inputs would lose digits is summed the other way."""
    t = np.arange(0.0, 10.0, 1e-4)
    dose_hours, dose_mg = np.array([0.5, 3.25, 7.0]), np.array([39.0, 20.0, 60.0])
    got = concentration_nM(dose_hours, dose_mg, t)
    want = two_compartment_direct_sum(dose_hours, dose_mg, t)
    assert got == pytest.approx(want, rel=1e-8, abs=1e-9 * want.max())
