"""The pharmacokinetics knowledge: study-whole parameter sets, content defaults, dose context."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mitra.knowledge import KnowledgeError, load
from mitra.knowledge.loader import read_toml
from mitra.knowledge.pharmacokinetics import load_pharmacokinetics, parse_pharmacokinetics


def raw() -> dict[str, Any]:
    """A fresh, mutable copy of the shipped file's data."""
    return copy.deepcopy(read_toml("pharmacokinetics.toml"))


def known() -> set[str]:
    return set(load().sources)


def first_set(data: dict[str, Any], set_id: str) -> dict[str, Any]:
    return next(s for s in data["parameter_set"] if s["id"] == set_id)


def test_the_shipped_file_loads_and_is_parsed_once() -> None:
    assert load_pharmacokinetics() is load_pharmacokinetics()


def test_every_figure_cites_a_source_that_exists() -> None:
    assert load_pharmacokinetics().cited_source_ids() <= known()


def test_each_parameter_set_cites_only_its_own_study() -> None:
    for pset in load_pharmacokinetics().parameter_sets.values():
        study = pset.id.split("_")[0]
        # The study itself first; a review may follow only where it republished that study's
        # figures (tanna2023dmd's Table 3 gives Tanna 2022's ranges).
        assert pset.sources[0] == study, pset.id
        assert set(pset.sources[1:]) <= {"tanna2023dmd"}, pset.id


def test_tanna2022_is_kept_whole_with_medians_and_ranges() -> None:
    pset = load_pharmacokinetics().parameter_set("tanna2022")
    assert (pset.statistic, pset.spread, pset.dose_mg) == ("median", "range", 39.0)
    expected = {
        "tmax_hours": (1.0, 0.75, 1.5),
        "cmax_nM": (81.9, 50.1, 177.0),
        "half_life_hours": (45.3, 31.9, 50.2),
        "auc_nM_h": (420.0, 324.0, 1360.0),
        "clearance_L_per_h": (233.0, 71.7, 302.0),
    }
    for name, (value, low, high) in expected.items():
        fig = pset.figure(name)
        assert (fig.value, fig.low, fig.high) == (value, low, high), name
    assert pset.central("volume_L") == 12700.0


def test_trakulsrichai2015_reports_means_with_sds_and_warns_its_half_life_is_short() -> None:
    pset = load_pharmacokinetics().parameter_set("trakulsrichai2015")
    assert (pset.figure("tmax_hours").value, pset.figure("tmax_hours").sd) == (0.83, 0.35)
    assert (pset.figure("half_life_hours").value, pset.figure("half_life_hours").sd) == (
        23.24,
        16.07,
    )
    assert pset.figure("volume_L_per_kg").value == 38.04
    assert "underestimated" in pset.figure("half_life_hours").note
    assert "tanna2023dmd" in pset.all_sources()


def test_huestis2024_and_7oh_figures_are_shown_but_support_no_model() -> None:
    pk = load_pharmacokinetics()
    assert pk.parameter_set("huestis2024").model is None
    assert pk.parameter_set("huestis2024").figure("half_life_hours_multiple_dose").high == 67.9
    oh = pk.parameter_set("tanna2022_7oh")
    assert oh.alkaloid == "7-hydroxymitragynine"
    assert oh.model is None
    assert (oh.central("cmax_nM"), oh.central("half_life_hours")) == (16.1, 5.67)
    assert [s.id for s in pk.modelled_sets()] == [
        "tanna2022",
        "tanna2022_two_compartment",
        "trakulsrichai2015",
    ]


def test_molar_masses_come_from_pubchem() -> None:
    pk = load_pharmacokinetics()
    assert pk.molar_mass("mitragynine") == 398.5
    assert pk.molar_mass("7-hydroxymitragynine") == 414.5
    assert all(m.sources == ("pubchem",) for m in pk.molar_masses.values())


def test_dose_context_shows_each_source_side_by_side_and_marks_lay_bands_anecdotal() -> None:
    pk = load_pharmacokinetics()
    by_source = {s.sources: s for s in pk.dose_context}
    assert set(by_source) == {
        ("prozialeck2012",),
        ("grundmann2017",),
        ("garciaromeu2020",),
        ("psychonautwiki",),
        ("tripsit",),
    }
    sources = load().sources
    for scheme in pk.dose_context:
        grade_b = all(sources[sid].grade == "B" for sid in scheme.sources)
        assert scheme.anecdotal == grade_b, scheme.id
    tiers = [(b.label, b.low_g) for b in by_source[("psychonautwiki",)].bands]
    assert tiers == [("light", 1.0), ("common", 3.0), ("strong", 5.0), ("heavy", 8.0)]
    tripsit = [(b.low_g, b.high_g) for b in by_source[("tripsit",)].bands]
    assert tripsit == [(0.5, 1.5), (1.5, 3.0), (3.0, 6.0)]
    adverse = by_source[("grundmann2017",)].bands[0]
    assert (adverse.low_g, adverse.doses_per_week_low) == (5.0, 22)


def test_content_defaults_draw_only_on_content_of_the_same_alkaloid_and_product() -> None:
    pk = load_pharmacokinetics()
    for default in pk.default_content:
        for cid in default.span:
            row = pk.content[cid]
            assert (row.alkaloid, row.product) == (default.alkaloid, default.product)


UNVERIFIED_ROW = {
    "id": "made_up_7oh_products",
    "alkaloid": "7-hydroxymitragynine",
    "product": "7-OH product",
    "low_mg_per_g": 22.0,
    "high_mg_per_g": 75.0,
    "unverified": True,
    "note": "UNVERIFIED: a figure nobody could find",
    "sources": ["smith2025"],
}


def test_a_default_drawing_on_another_products_content_is_refused() -> None:
    data = raw()
    data["content"].append(dict(UNVERIFIED_ROW, unverified=False))
    data["default_content"][0]["span"] = ["made_up_7oh_products"]
    with pytest.raises(KnowledgeError, match="draws on made_up_7oh_products"):
        parse_pharmacokinetics(data, known())


def test_a_set_citing_an_unknown_source_is_refused() -> None:
    data = raw()
    first_set(data, "tanna2022")["sources"] = ["nobody2099"]
    with pytest.raises(KnowledgeError, match="unknown sources"):
        parse_pharmacokinetics(data, known())


def test_a_dose_context_without_a_source_is_refused() -> None:
    data = raw()
    data["dose_context"][0]["sources"] = []
    with pytest.raises(KnowledgeError, match="cites no source"):
        parse_pharmacokinetics(data, known())


def test_a_value_outside_its_own_range_is_refused() -> None:
    data = raw()
    first_set(data, "tanna2022")["figures"]["tmax_hours"]["value"] = 2.0
    with pytest.raises(KnowledgeError, match="value is above high"):
        parse_pharmacokinetics(data, known())


def test_a_set_mixing_sd_into_a_median_range_study_is_refused() -> None:
    data = raw()
    first_set(data, "tanna2022")["figures"]["cmax_nM"] = {"value": 81.9, "sd": 10.0}
    with pytest.raises(KnowledgeError, match="medians with ranges, not SDs"):
        parse_pharmacokinetics(data, known())


def test_a_model_recipe_needing_an_unreported_figure_is_refused() -> None:
    data = raw()
    del first_set(data, "tanna2022")["figures"]["clearance_L_per_h"]
    with pytest.raises(KnowledgeError, match="needs a central value for clearance_L_per_h"):
        parse_pharmacokinetics(data, known())


def test_an_unknown_key_is_refused_as_a_typo() -> None:
    data = raw()
    first_set(data, "tanna2022")["halflife"] = 45.3
    with pytest.raises(KnowledgeError, match="halflife"):
        parse_pharmacokinetics(data, known())


def test_a_set_id_used_twice_is_refused() -> None:
    data = raw()
    data["parameter_set"].append(copy.deepcopy(first_set(data, "tanna2022")))
    with pytest.raises(KnowledgeError, match="appears twice"):
        parse_pharmacokinetics(data, known())


def test_an_unknown_set_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known: tanna2022"):
        load_pharmacokinetics().parameter_set("nobody2099")


def test_the_two_compartment_set_holds_the_same_figures_as_the_one_compartment_set() -> None:
    pk = load_pharmacokinetics()
    one, two = pk.parameter_set("tanna2022"), pk.parameter_set("tanna2022_two_compartment")
    assert one.figures == two.figures
    assert one.dose_mg == two.dose_mg
    assert two.model is not None
    assert two.model.compartments == 2
    assert one.model is not None
    assert one.model.compartments == 1


def test_7oh_after_tea_has_its_published_ranges() -> None:
    oh = load_pharmacokinetics().parameter_set("tanna2022_7oh")
    assert oh.spread == "range"
    spans = {k: (f.low, f.value, f.high) for k, f in oh.figures.items()}
    assert spans == {
        "cmax_nM": (11.9, 16.1, 22.2),
        "tmax_hours": (0.75, 1.0, 2.5),
        "half_life_hours": (5.03, 5.67, 6.52),
        "auc_nM_h": (60.8, 106.0, 126.0),
    }


def test_huestis2024_keeps_single_and_multiple_dose_tmax_apart() -> None:
    pset = load_pharmacokinetics().parameter_set("huestis2024")
    single, multiple = pset.figure("tmax_hours"), pset.figure("tmax_hours_multiple_dose")
    assert (single.low, single.high) == (1.0, 1.3)
    assert (multiple.low, multiple.high) == (1.0, 1.7)


def test_no_unverified_content_figure_is_left_and_none_feeds_a_default() -> None:
    pk = load_pharmacokinetics()
    # The 22-75 mg/g figure attributed to brown2025 could not be verified; nothing reads it now.
    assert [row.id for row in pk.content.values() if row.unverified] == []
    assert "brown2025_7oh_products" not in pk.content
    used = {cid for d in pk.default_content for cid in (*d.span, d.central)}
    assert used <= set(pk.content)


def test_a_default_drawing_on_an_unverified_figure_is_refused() -> None:
    data = raw()
    data["content"].append(UNVERIFIED_ROW)
    data["default_content"].append(
        {
            "alkaloid": "7-hydroxymitragynine",
            "product": "7-OH product",
            "central": "midpoint",
            "span": ["made_up_7oh_products"],
            "note": "x",
        }
    )
    with pytest.raises(KnowledgeError, match="unverified"):
        parse_pharmacokinetics(data, known())


def test_a_default_mixing_products_names_the_offending_row() -> None:
    data = raw()
    data["default_content"][0]["span"] = ["tanna2022_leaf", "tanna2022_leaf_7oh"]
    with pytest.raises(
        KnowledgeError, match="tanna2022_leaf_7oh, which is about 7-hydroxymitragynine in leaf"
    ):
        parse_pharmacokinetics(data, known())
