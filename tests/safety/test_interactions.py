"""The interaction checker: names resolve, kratom's rules apply, unknown is never safe."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.knowledge.substances import SEVERITIES, load_substances
from mitra.safety.interactions import (
    InteractionReport,
    check,
    interactions_among,
    report_document,
    resolve,
    severity_rank,
)


def report(name: str) -> InteractionReport:
    (only,) = check([name])
    return only


def rules_of(name: str) -> list[str]:
    return [finding.rule for finding in report(name).interactions]


# --- resolving names -----------------------------------------------------------------------


def test_a_brand_name_resolves_to_its_generic_substance() -> None:
    resolution = resolve("Xanax")
    assert resolution.resolved == "alprazolam"
    assert resolution.match == "exact"
    assert resolution.matched_name == "Xanax"
    assert "benzodiazepine" in report("Xanax").classes


@pytest.mark.parametrize(
    ("brand", "generic"),
    [
        ("Prozac", "fluoxetine"),
        ("Zoloft", "sertraline"),
        ("Lexapro", "escitalopram"),
        ("Effexor XR", "venlafaxine"),
        ("Seroquel", "quetiapine"),
        ("Klonopin", "clonazepam"),
        ("Ativan", "lorazepam"),
        ("Ambien", "zolpidem"),
        ("Suboxone", "buprenorphine"),
        ("Narcan", "naloxone"),
        ("Vivitrol", "naltrexone"),
        ("Neurontin", "gabapentin"),
        ("Lyrica", "pregabalin"),
        ("Wellbutrin XL", "bupropion"),
        ("Benadryl", "diphenhydramine"),
        ("Vistaril", "hydroxyzine"),
        ("Inderal", "propranolol"),
        ("Buspar", "buspirone"),
        ("Lamictal", "lamotrigine"),
        ("Depakote", "valproate"),
        ("Adderall", "amphetamine"),
        ("Ultram", "tramadol"),
        ("Delsym", "dextromethorphan"),
        ("Nizoral", "ketoconazole"),
        ("Biaxin", "clarithromycin"),
        ("Tegretol", "carbamazepine"),
        ("Lipitor", "atorvastatin"),
        ("Versed", "midazolam"),
        ("Nolvadex", "tamoxifen"),
        ("Epidiolex", "cbd"),
    ],
)
def test_common_brand_names_resolve(brand: str, generic: str) -> None:
    assert resolve(brand).resolved == generic


def test_every_brand_name_in_the_knowledge_base_resolves_to_its_substance() -> None:
    for substance in load_substances().substances.values():
        for brand in substance.brands:
            assert resolve(brand).resolved == substance.id, brand


def test_names_resolve_whatever_the_case_punctuation_or_strength() -> None:
    assert resolve("XANAX").resolved == "alprazolam"
    assert resolve("  xanax 0.5 mg tablets ").resolved == "alprazolam"
    assert resolve("St. Johns-Wort").resolved == "st_johns_wort"
    assert resolve("saint john's wort").resolved == "st_johns_wort"
    assert resolve("7-OH").resolved == "seven_oh"
    assert resolve("Toprol XL").resolved == "metoprolol"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("xanaks", "alprazolam"),
        ("alprazolan", "alprazolam"),
        ("alprazolm", "alprazolam"),
        ("sertralene", "sertraline"),
        ("benadril", "diphenhydramine"),
        ("quetiapene", "quetiapine"),
        ("klonopine", "clonazepam"),
        ("gabapentn", "gabapentin"),
        ("propranolal", "propranolol"),
    ],
)
def test_misspellings_resolve_to_the_intended_substance(typed: str, expected: str) -> None:
    assert resolve(typed).resolved == expected


def test_a_guessed_spelling_is_marked_so_the_person_can_check_it() -> None:
    resolution = resolve("xanaks")
    assert resolution.match == "spelling"
    assert resolution.matched_name == "Xanax"
    assert "check that this is what you meant" in report("xanaks").note


def test_a_short_near_miss_is_suggested_but_not_guessed() -> None:
    resolution = resolve("math")
    assert resolution.resolved is None
    assert "methamphetamine" in [m.id for m in resolution.close_matches]


def test_an_ambiguous_near_miss_is_not_guessed() -> None:
    resolution = resolve("some")
    assert resolution.resolved is None
    assert {"carisoprodol", "same"} <= {m.id for m in resolution.close_matches}


def test_an_empty_name_resolves_to_nothing() -> None:
    assert resolve(" -- ").resolved is None


# --- unknown names -------------------------------------------------------------------------


def test_an_unknown_name_is_reported_as_unknown_never_as_no_interaction() -> None:
    unknown = report("zorblaxine")
    assert unknown.status == "unknown"
    assert unknown.resolved is None
    assert unknown.interactions == ()
    assert unknown.highest_severity is None
    assert "not the same as safe" in unknown.note


def test_an_unknown_name_comes_with_close_matches() -> None:
    unknown = report("alprazolamine")
    if unknown.status == "known":  # close enough to be guessed, which is also fine
        assert unknown.resolved == "alprazolam"
    else:
        assert "alprazolam" in [m.id for m in unknown.close_matches]
        assert "Did you mean" in unknown.note


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_no_name_whatsoever_is_ever_reported_as_safe(name: str) -> None:
    result = report(name)
    if result.status == "unknown":
        assert result.resolved is None
        assert not result.interactions
        assert "not the same as safe" in result.note
    elif not result.interactions and result.resolved != "kratom":
        assert "not that the combination is safe" in result.note


def test_a_known_substance_without_a_rule_says_absence_of_data_is_not_safety() -> None:
    lithium = report("lithium")
    assert lithium.status == "known"
    assert lithium.interactions == ()
    assert "not that the combination is safe" in lithium.note


# --- the rules, by severity ----------------------------------------------------------------


def test_a_benzodiazepine_with_kratom_is_a_danger_resting_on_mechanism() -> None:
    (finding, *_) = report("Xanax").interactions
    assert finding.rule == "kratom_benzodiazepine"
    assert finding.severity == "danger"
    assert finding.evidence == "mechanism_only"
    assert finding.by_class
    assert "not on trials" in finding.evidence_note
    assert "class tag" in finding.evidence_note


def test_every_cns_depressant_class_gets_a_depression_warning_or_worse() -> None:
    for name in ("oxycodone", "alcohol", "gabapentin", "zolpidem", "GHB", "phenobarbital"):
        worst = report(name).highest_severity
        assert worst in {"danger", "warning"}, name


def test_a_sedating_antihistamine_is_warned_about_through_its_class_tag() -> None:
    finding = next(f for f in report("hydroxyzine").interactions)
    assert finding.rule == "kratom_cns_depressant"
    assert finding.severity == "warning"
    assert "class tag" in finding.evidence_note


def test_a_specific_rule_replaces_the_generic_depressant_rule() -> None:
    assert "kratom_cns_depressant" not in rules_of("alprazolam")
    assert "kratom_cyp3a4_substrate" not in rules_of("midazolam")


def test_quetiapine_is_a_danger_from_case_reports() -> None:
    finding = report("Seroquel").interactions[0]
    assert finding.rule == "kratom_quetiapine"
    assert finding.severity == "danger"
    assert finding.evidence == "case_report"
    assert {c.id for c in finding.sources} == {"hughes2018", "brogdon2022"}


def test_midazolam_is_a_warning_with_the_observed_auc_ratio() -> None:
    finding = next(f for f in report("midazolam").interactions if f.rule == "kratom_midazolam")
    assert finding.severity == "warning"
    assert finding.evidence == "clinical_study"
    assert "1.39" in finding.mechanism
    assert finding.sources[0].id == "tanna2023cpt"
    assert finding.sources[0].url.startswith("https://")


def test_a_cyp3a4_substrate_gets_a_caution_from_the_probe_study() -> None:
    finding = next(f for f in report("simvastatin").interactions)
    assert finding.rule == "kratom_cyp3a4_substrate"
    assert finding.severity == "caution"
    assert finding.evidence == "clinical_study"


def test_a_stimulant_is_a_caution_from_community_references() -> None:
    finding = report("Adderall").interactions[0]
    assert finding.severity == "caution"
    assert finding.evidence == "anecdotal"
    assert finding.sources[0].grade == "B"


def test_dextromethorphan_shows_both_the_info_finding_and_the_danger_rating() -> None:
    findings = {f.rule: f for f in report("DXM").interactions}
    levels = findings["kratom_dextromethorphan_levels"]
    effects = findings["kratom_dextromethorphan_effects"]
    assert levels.severity == "info"
    assert "0.99" in levels.mechanism
    assert effects.severity == "danger"
    assert levels.disagreements
    assert effects.disagreements


def test_grapefruit_keeps_the_community_rating_and_the_mechanism_rule_side_by_side() -> None:
    findings = {f.rule: f for f in report("grapefruit juice").interactions}
    assert findings["kratom_grapefruit"].severity == "danger"
    assert findings["kratom_cyp3a4_inhibitor"].severity == "warning"
    assert findings["kratom_grapefruit"].disagreements


def test_a_cyp2d6_substrate_is_info_with_the_lab_and_clinic_disagreement_visible() -> None:
    finding = report("metoprolol").interactions[0]
    assert finding.severity == "info"
    assert finding.disagreements
    text, cites = finding.disagreements[0]
    assert "0.67" in text
    assert {c.id for c in cites} == {"tanna2023dmd", "tanna2023cpt"}


def test_an_ssri_shows_why_tripsits_opioid_row_is_not_used() -> None:
    finding = report("sertraline").interactions[0]
    assert finding.rule == "kratom_serotonergic"
    cited = {c.id for _, cites in finding.disagreements for c in cites}
    assert "tripsit_combos" in cited


def test_kratom_itself_has_no_interaction_with_itself() -> None:
    own = report("kratom")
    assert own.status == "known"
    assert own.interactions == ()
    assert "kratom itself" in own.note


def test_a_concentrated_7oh_product_is_not_treated_as_leaf() -> None:
    finding = report("7-OH").interactions[0]
    assert finding.rule == "kratom_seven_oh"
    assert "smith2025" in {c.id for c in finding.sources}
    assert finding.severity == "danger"


# --- ordering and the person's whole list ----------------------------------------------------


def test_severities_rank_danger_first_and_info_last() -> None:
    assert [severity_rank(s) for s in SEVERITIES] == [0, 1, 2, 3]
    assert severity_rank("danger") < severity_rank("warning") < severity_rank("caution")
    assert severity_rank("caution") < severity_rank("info")


def test_findings_in_a_report_are_sorted_most_severe_first() -> None:
    for name in ("midazolam", "DXM", "grapefruit", "Seroquel", "tramadol", "venlafaxine"):
        ranks = [severity_rank(f.severity) for f in report(name).interactions]
        assert ranks == sorted(ranks), name


def test_check_keeps_the_order_of_the_names_given() -> None:
    reports = check(["lithium", "Xanax", "zorblaxine"])
    assert [r.query for r in reports] == ["lithium", "Xanax", "zorblaxine"]
    assert [r.status for r in reports] == ["known", "known", "unknown"]


def test_the_whole_list_pairs_kratom_with_each_substance_worst_first() -> None:
    findings = interactions_among(["sertraline", "alprazolam", "metoprolol"])
    assert findings[0].severity == "danger"
    assert {f.substances for f in findings} >= {
        ("kratom", "alprazolam"),
        ("kratom", "sertraline"),
        ("kratom", "metoprolol"),
    }
    ranks = [severity_rank(f.severity) for f in findings]
    assert ranks == sorted(ranks)


def test_the_whole_list_can_leave_kratom_out() -> None:
    assert interactions_among(["sertraline", "metoprolol"], include_kratom=False) == []


def test_the_whole_list_refuses_ids_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="zorblaxine"):
        interactions_among(["zorblaxine"])


def test_a_7oh_product_with_a_benzodiazepine_on_the_list_is_a_danger() -> None:
    findings = interactions_among(["seven_oh", "alprazolam"], include_kratom=False)
    assert [f.rule for f in findings] == ["seven_oh_cns_depressant"]
    assert findings[0].severity == "danger"


# --- JSON ----------------------------------------------------------------------------------


def test_a_report_serialises_to_json_with_sources_citations_and_urls() -> None:
    data = json.loads(json.dumps(report("Xanax").as_dict()))
    assert set(data) == {
        "query",
        "status",
        "resolved",
        "name",
        "match",
        "matched_name",
        "classes",
        "close_matches",
        "highest_severity",
        "interactions",
        "note",
    }
    first = data["interactions"][0]
    assert set(first) >= {"severity", "mechanism", "advice", "evidence", "sources"}
    assert set(first["sources"][0]) == {"id", "citation", "url", "grade"}


def test_the_json_document_says_unknown_is_not_safe() -> None:
    document = report_document(check(["zorblaxine"]))
    assert document["subject"] == "kratom"
    assert document["reports"][0]["status"] == "unknown"
    assert "not thereby safe" in document["disclaimer"]
    json.dumps(document)


# --- evidence audit: QT, opioid-use-disorder medicines, regrades, names ------------------------


def severity_of(name: str, rule: str) -> str:
    (finding,) = [f for f in report(name).interactions if f.rule == rule]
    return finding.severity


@pytest.mark.parametrize(
    "name",
    [
        "citalopram",
        "escitalopram",
        "quetiapine",
        "ziprasidone",
        "haloperidol",
        "ondansetron",
        "hydroxyzine",
        "amitriptyline",
        "amiodarone",
        "iloperidone",
    ],
)
def test_a_qt_prolonging_medicine_gets_the_qt_rule(name: str) -> None:
    assert "kratom_qt_prolonging" in rules_of(name)
    assert severity_of(name, "kratom_qt_prolonging") == "warning"


@pytest.mark.parametrize("name", ["sertraline", "ibuprofen", "famotidine"])
def test_a_medicine_not_known_to_prolong_qt_gets_no_qt_rule(name: str) -> None:
    assert "kratom_qt_prolonging" not in rules_of(name)


def test_the_qt_rule_cites_the_ecg_studies() -> None:
    (finding,) = [f for f in report("citalopram").interactions if f.rule == "kratom_qt_prolonging"]
    assert {"leongabdullah2021ecg", "leongabdullah2021review"} <= {c.id for c in finding.sources}


def test_buprenorphine_has_its_own_rule_about_precipitated_withdrawal() -> None:
    assert "kratom_buprenorphine" in rules_of("Suboxone")
    (finding,) = [
        f for f in report("buprenorphine").interactions if f.rule == "kratom_buprenorphine"
    ]
    assert "precipitated withdrawal" in finding.mechanism
    assert "kratom_buprenorphine" not in rules_of("methadone")


def test_methadone_has_its_own_rule_covering_qt_and_cyp3a4() -> None:
    rules = rules_of("methadone")
    assert "kratom_methadone" in rules
    assert "kratom_qt_prolonging" not in rules  # replaced by the specific rule
    assert "kratom_cyp3a4_substrate" not in rules
    assert severity_of("methadone", "kratom_methadone") == "danger"
    assert "kratom_methadone" not in rules_of("oxycodone")


@pytest.mark.parametrize("name", ["naltrexone", "Vivitrol"])
def test_naltrexone_warns_of_withdrawal_in_daily_users(name: str) -> None:
    assert "kratom_naltrexone" in rules_of(name)
    assert "kratom_opioid_antagonist" not in rules_of(name)


@pytest.mark.parametrize("name", ["Contrave", "Lybalvi"])
def test_combinations_with_an_opioid_blocker_get_the_blocker_rule(name: str) -> None:
    assert "kratom_opioid_antagonist" in rules_of(name)


@pytest.mark.parametrize("name", ["pentazocine", "Talwin", "butorphanol", "nalbuphine"])
def test_a_mixed_agonist_antagonist_warns_of_withdrawal_in_daily_users(name: str) -> None:
    assert severity_of(name, "kratom_mixed_agonist_antagonist") == "warning"
    (finding,) = [
        f for f in report(name).interactions if f.rule == "kratom_mixed_agonist_antagonist"
    ]
    assert "strain1993" in {c.id for c in finding.sources}
    assert "withdrawal" in finding.mechanism
    assert "not on trials with kratom" in finding.mechanism


@pytest.mark.parametrize("name", ["morphine", "oxycodone", "buprenorphine", "naltrexone"])
def test_a_full_agonist_partial_agonist_or_blocker_gets_no_mixed_agonist_antagonist_rule(
    name: str,
) -> None:
    assert "kratom_mixed_agonist_antagonist" not in rules_of(name)


def test_a_medicine_without_a_blocker_gets_no_blocker_rule() -> None:
    assert "kratom_opioid_antagonist" not in rules_of("bupropion")
    assert "kratom_naltrexone" not in rules_of("naloxone")


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("gabapentin", "kratom_gabapentinoid"),
        ("pregabalin", "kratom_gabapentinoid"),
        ("zolpidem", "kratom_z_drug"),
        ("alprazolam", "kratom_benzodiazepine"),
        ("7-OH", "kratom_seven_oh"),
    ],
)
def test_sedatives_and_7oh_are_graded_like_benzodiazepines_and_opioids(
    name: str, rule: str
) -> None:
    assert severity_of(name, rule) == "danger"


def test_the_gabapentinoid_grade_rests_on_the_fda_warning() -> None:
    (finding,) = [f for f in report("gabapentin").interactions if f.rule == "kratom_gabapentinoid"]
    assert "fda2019gabapentinoids" in {c.id for c in finding.sources}


def test_a_cyp3a4_inhibitor_rule_says_the_direction_is_uncertain() -> None:
    (finding,) = [
        f for f in report("ketoconazole").interactions if f.rule == "kratom_cyp3a4_inhibitor"
    ]
    assert "not established" in finding.mechanism
    assert "hill2022" in {c.id for c in finding.sources}
    assert "stronger and longer-lasting" not in finding.mechanism


def test_fluvoxamine_and_goldenseal_are_cyp3a4_inhibitors() -> None:
    assert "kratom_cyp3a4_inhibitor" in rules_of("fluvoxamine")
    assert "kratom_cyp3a4_inhibitor" in rules_of("goldenseal")
    assert "kratom_cyp3a4_inhibitor" not in rules_of("sertraline")


@pytest.mark.parametrize("name", ["clonidine", "guanfacine", "lofexidine"])
def test_alpha2_agonists_are_tagged_sedating(name: str) -> None:
    assert "cns_depressant" in report(name).classes


@pytest.mark.parametrize("name", ["digoxin", "dabigatran"])
def test_narrow_margin_pgp_substrates_deserve_caution(name: str) -> None:
    assert severity_of(name, "kratom_pgp_narrow_margin") == "caution"
    assert "kratom_pgp_substrate" not in rules_of(name)


def test_other_pgp_substrates_stay_info_and_the_text_names_the_gut() -> None:
    assert "kratom_pgp_narrow_margin" not in rules_of("loperamide")
    (finding,) = [
        f for f in report("fexofenadine").interactions if f.rule == "kratom_pgp_substrate"
    ]
    assert "gut" in finding.mechanism


def test_midazolam_advice_tells_oral_from_intravenous_use() -> None:
    (finding,) = [f for f in report("midazolam").interactions if f.rule == "kratom_midazolam"]
    assert "Oral midazolam" in finding.advice
    assert "into a vein" in finding.advice


def test_mitragynine_pseudoindoxyl_products_are_a_danger_and_cite_kamble2020() -> None:
    assert severity_of("mitragynine pseudoindoxyl", "kratom_mitragynine_pseudoindoxyl") == "danger"
    (finding,) = [
        f
        for f in report("pseudoindoxyl").interactions
        if f.rule == "kratom_mitragynine_pseudoindoxyl"
    ]
    assert "kamble2020" in {c.id for c in finding.sources}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Contrave", "naltrexone_bupropion"),
        ("Lybalvi", "olanzapine_samidorphan"),
        ("Auvelity", "dextromethorphan_bupropion"),
        ("Symbyax", "olanzapine_fluoxetine"),
        ("NyQuil", "nyquil"),
        ("Tylenol PM", "acetaminophen_diphenhydramine"),
        ("Advil PM", "ibuprofen_diphenhydramine"),
        ("Exxua", "gepirone"),
        ("pentazocine", "pentazocine"),
        ("butorphanol", "butorphanol"),
        ("nalbuphine", "nalbuphine"),
        ("Lomotil", "diphenoxylate"),
        ("isotonitazene", "nitazene"),
        ("bromazolam", "bromazolam"),
        ("flualprazolam", "flualprazolam"),
        ("phenazepam", "phenazepam"),
        ("prochlorperazine", "prochlorperazine"),
        ("asenapine", "asenapine"),
        ("iloperidone", "iloperidone"),
        ("pimavanserin", "pimavanserin"),
        ("Cobenfy", "xanomeline_trospium"),
        ("viloxazine", "viloxazine"),
        ("solriamfetol", "solriamfetol"),
        ("pitolisant", "pitolisant"),
        ("aspirin", "aspirin"),
        ("famotidine", "famotidine"),
        ("Ozempic", "semaglutide"),
        ("Mounjaro", "tirzepatide"),
        ("rizatriptan", "rizatriptan"),
        ("zolmitriptan", "zolmitriptan"),
        ("sumatriptan", "sumatriptan"),
        ("eletriptan", "eletriptan"),
        ("naratriptan", "naratriptan"),
        ("almotriptan", "almotriptan"),
        ("frovatriptan", "frovatriptan"),
        ("akuamma", "akuamma"),
        ("OPMS", "kratom"),
        ("MIT45", "kratom"),
        ("kratom shot", "kratom"),
    ],
)
def test_names_people_type_resolve(name: str, expected: str) -> None:
    resolution = resolve(name)
    assert (resolution.resolved, resolution.match) == (expected, "exact")


def test_an_unknown_name_still_does_not_resolve() -> None:
    assert resolve("zzqx-not-a-drug").resolved is None
