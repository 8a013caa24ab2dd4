"""Dose normalisation to grams of product, and mg of alkaloid from lab figures."""

from __future__ import annotations

import pytest

from mitra.pharmacology import UnknownUnitError, normalise_dose


def test_grams_are_grams() -> None:
    assert normalise_dose(3.0, "g").grams == 3.0


def test_milligrams_become_grams() -> None:
    assert normalise_dose(2500, "mg").grams == pytest.approx(2.5)


def test_capsules_use_the_products_grams_per_capsule() -> None:
    dose = normalise_dose(6, "capsule", product_unit="capsule", grams_per_unit=0.5)
    assert dose.grams == pytest.approx(3.0)


def test_the_products_own_unit_such_as_a_scoop_is_converted() -> None:
    assert normalise_dose(
        2, "scoop", product_unit="scoop", grams_per_unit=1.8
    ).grams == pytest.approx(3.6)


def test_capsules_without_grams_per_capsule_are_refused_with_advice() -> None:
    with pytest.raises(UnknownUnitError, match="needs the grams one capsule holds"):
        normalise_dose(4, "capsule", product_unit="capsule", grams_per_unit=None)


def test_a_unit_the_product_is_not_counted_in_is_refused() -> None:
    with pytest.raises(UnknownUnitError, match="is scoops, but this product is counted in"):
        normalise_dose(1, "scoop", product_unit="capsule", grams_per_unit=0.5)


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(UnknownUnitError, match=r"is unknown \('oz'\)"):
        normalise_dose(1, "oz")


def test_lab_figures_give_mg_of_mitragynine_and_7oh() -> None:
    dose = normalise_dose(2, "g", mitragynine_mg_per_g=19.48, hydroxy_mg_per_g=0.1)
    assert dose.mg_mitragynine == pytest.approx(38.96)
    assert dose.mg_7oh == pytest.approx(0.2)


def test_without_lab_figures_alkaloid_mg_stay_unknown_rather_than_guessed() -> None:
    dose = normalise_dose(2, "g")
    assert dose.mg_mitragynine is None
    assert dose.mg_7oh is None
