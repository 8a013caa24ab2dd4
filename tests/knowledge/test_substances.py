"""The substances knowledge: names, classes and interaction rules, validated as a whole."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mitra.knowledge import KnowledgeError, load
from mitra.knowledge.loader import read_toml
from mitra.knowledge.substances import (
    EVIDENCE_GRADES,
    SEVERITIES,
    load_substances,
    normalise_name,
    parse_substances,
)

# Every class the evidence file names (EVIDENCE.md: interactions and harm-reduction references).
CLASSES_NAMED_IN_EVIDENCE = {
    "opioid",
    "benzodiazepine",
    "gabapentinoid",
    "cns_depressant",
    "antipsychotic",
    "snri",
    "ssri",
    "maoi",
    "stimulant",
    "dissociative",
    "ghb_like",
    "serotonergic",
    "cyp3a4_substrate",
    "cyp2d6_substrate",
    "cyp2c19_substrate",
    "cyp2c8_substrate",
    "cyp2c9_substrate",
    "pgp_substrate",
}
# Every single substance the evidence file names.
SUBSTANCES_NAMED_IN_EVIDENCE = {
    "kratom",
    "seven_oh",
    "alcohol",
    "midazolam",
    "dextromethorphan",
    "quetiapine",
    "venlafaxine",
    "ghb",
    "gbl",
    "ketamine",
    "methoxetamine",
    "tramadol",
    "grapefruit",
    "nitrous_oxide",
    "pcp",
}
# The brief's list of what people with anxiety commonly take.
COMMON_SUBSTANCES = {
    "buprenorphine",
    "methadone",
    "naltrexone",
    "naloxone",
    "mirtazapine",
    "trazodone",
    "bupropion",
    "diphenhydramine",
    "hydroxyzine",
    "propranolol",
    "buspirone",
    "lithium",
    "lamotrigine",
    "valproate",
    "cannabis",
    "cbd",
    "caffeine",
    "nicotine",
    "st_johns_wort",
    "kava",
    "phenibut",
    "ketoconazole",
    "itraconazole",
    "clarithromycin",
    "ritonavir",
    "diltiazem",
    "verapamil",
    "carbamazepine",
    "rifampicin",
    "simvastatin",
    "atorvastatin",
    "fluoxetine",
    "paroxetine",
    "metoprolol",
    "codeine",
    "tamoxifen",
}


def substances_data() -> dict[str, Any]:
    """A fresh, mutable copy of substances.toml's data."""
    return copy.deepcopy(read_toml("substances.toml"))


def interactions_data() -> dict[str, Any]:
    """A fresh, mutable copy of interactions.toml's data."""
    return copy.deepcopy(read_toml("interactions.toml"))


def parse(substances: dict[str, Any], interactions: dict[str, Any]) -> None:
    parse_substances(substances, interactions, load().sources)


def entry(data: dict[str, Any], key: str, ident: str) -> dict[str, Any]:
    return next(row for row in data[key] if row["id"] == ident)


def test_the_shipped_files_load_and_are_parsed_once() -> None:
    assert load_substances() is load_substances()


def test_there_are_at_least_150_substances() -> None:
    assert len(load_substances().substances) >= 150


def test_every_class_named_in_the_evidence_is_declared_and_has_members() -> None:
    kb = load_substances()
    assert set(kb.classes) >= CLASSES_NAMED_IN_EVIDENCE
    for class_id in CLASSES_NAMED_IN_EVIDENCE:
        assert kb.members(class_id), class_id


def test_every_substance_named_in_the_evidence_and_the_common_list_is_known() -> None:
    missing = (SUBSTANCES_NAMED_IN_EVIDENCE | COMMON_SUBSTANCES) - set(load_substances().substances)
    assert not missing


def test_every_named_cyp3a4_perpetrator_carries_its_metabolic_tag() -> None:
    kb = load_substances()
    for inhibitor in ("ketoconazole", "itraconazole", "clarithromycin", "ritonavir", "grapefruit"):
        assert "cyp3a4_inhibitor" in kb.substance(inhibitor).classes, inhibitor
    for inducer in ("carbamazepine", "rifampicin", "st_johns_wort"):
        assert "cyp3a4_inducer" in kb.substance(inducer).classes, inducer
    for inhibitor in ("fluoxetine", "paroxetine", "bupropion"):
        assert "cyp2d6_inhibitor" in kb.substance(inhibitor).classes, inhibitor
    for substrate in ("metoprolol", "codeine", "tamoxifen", "dextromethorphan"):
        assert "cyp2d6_substrate" in kb.substance(substrate).classes, substrate


def test_kratom_is_not_filed_as_just_another_opioid() -> None:
    kb = load_substances()
    assert "opioid" not in kb.substance("kratom").classes
    assert "kratom_alkaloid" in kb.substance("kratom").classes
    assert kb.classes["kratom_alkaloid"].sources


def test_every_rule_and_class_cites_sources_that_exist() -> None:
    kb = load_substances()
    known = set(load().sources)
    for rule in kb.interactions:
        assert rule.sources, rule.id
        assert set(rule.sources) <= known, rule.id
        for note in rule.disagreements:
            assert set(note.sources) <= known, rule.id
    for term in kb.classes.values():
        assert set(term.sources) <= known, term.id


def test_metabolic_class_tags_cite_the_tables_they_come_from() -> None:
    kb = load_substances()
    for term in kb.classes.values():
        if term.kind == "metabolism":
            assert term.sources, term.id


def test_no_rule_or_substance_refers_to_an_id_that_does_not_exist() -> None:
    kb = load_substances()
    ids = set(kb.classes) | set(kb.substances)
    rule_ids = {rule.id for rule in kb.interactions}
    for rule in kb.interactions:
        assert set(rule.between) <= ids, rule.id
        assert set(rule.replaces) <= rule_ids, rule.id
    for substance in kb.substances.values():
        assert set(substance.classes) <= set(kb.classes), substance.id


def test_every_name_means_exactly_one_substance() -> None:
    owners: dict[str, str] = {}
    for substance in load_substances().substances.values():
        for name in substance.names():
            key = normalise_name(name)
            assert owners.setdefault(key, substance.id) == substance.id, name


def test_every_severity_level_and_evidence_grade_is_used() -> None:
    rules = load_substances().interactions
    assert {rule.severity for rule in rules} == set(SEVERITIES)
    assert {rule.evidence for rule in rules} == set(EVIDENCE_GRADES)


def test_observed_evidence_rests_on_a_grade_a_source() -> None:
    kb = load_substances()
    for rule in kb.interactions:
        if rule.evidence in {"clinical_study", "case_report"}:
            assert any(kb.sources[s].grade == "A" for s in rule.sources), rule.id


def test_anecdotal_rules_rest_on_community_sources_and_say_so() -> None:
    kb = load_substances()
    anecdotal = [rule for rule in kb.interactions if rule.evidence == "anecdotal"]
    assert anecdotal
    for rule in anecdotal:
        assert any(kb.sources[s].grade == "B" for s in rule.sources), rule.id
        assert "community-curated" in rule.mechanism, rule.id


def test_a_warning_resting_on_a_class_tag_and_mechanism_says_so() -> None:
    kb = load_substances()
    for rule in kb.interactions:
        on_a_class = any(end in kb.classes for end in rule.between)
        if on_a_class and rule.evidence == "mechanism_only":
            assert "not on trials" in rule.mechanism, rule.id


def test_cns_depressant_rules_are_graded_as_mechanism_not_trials() -> None:
    kb = load_substances()
    # Gabapentinoids (FDA 2019 warning on breathing with opioids) and z-drugs (same GABA-A
    # mechanism as benzodiazepines) are graded with benzodiazepines; each rule says why.
    for rule_id in (
        "kratom_opioid",
        "kratom_benzodiazepine",
        "kratom_alcohol",
        "kratom_gabapentinoid",
        "kratom_z_drug",
    ):
        rule = kb.interaction(rule_id)
        assert rule.evidence == "mechanism_only"
        assert rule.severity == "danger"
    for rule_id in ("kratom_gabapentinoid", "kratom_z_drug"):
        assert "Graded danger" in kb.interaction(rule_id).mechanism
    assert kb.interaction("kratom_cns_depressant").severity == "warning"


def test_midazolam_shows_the_observed_clinical_figure() -> None:
    rule = load_substances().interaction("kratom_midazolam")
    assert rule.evidence == "clinical_study"
    assert rule.sources == ("tanna2023cpt",)
    assert "1.39" in rule.mechanism
    assert "1.23-1.57" in rule.mechanism
    assert "1.50" in rule.mechanism


def test_dextromethorphan_no_effect_is_an_info_finding_not_a_clean_bill() -> None:
    rule = load_substances().interaction("kratom_dextromethorphan_levels")
    assert rule.severity == "info"
    assert rule.evidence == "clinical_study"
    assert "0.99" in rule.mechanism
    assert "not a statement that the combination is safe" in rule.mechanism


def test_the_dextromethorphan_disagreement_keeps_both_sides() -> None:
    kb = load_substances()
    levels = kb.interaction("kratom_dextromethorphan_levels")
    effects = kb.interaction("kratom_dextromethorphan_effects")
    assert effects.severity == "danger"
    assert levels.disagreements
    assert effects.disagreements
    assert "psychonautwiki" in {s for d in levels.disagreements for s in d.sources}
    assert "tanna2023cpt" in {s for d in effects.disagreements for s in d.sources}


def test_the_in_vitro_and_clinical_cyp2d6_findings_disagree_visibly() -> None:
    rule = load_substances().interaction("kratom_cyp2d6_substrate")
    assert "0.67" in rule.mechanism
    assert "0.99" in rule.mechanism
    assert rule.disagreements


def test_tripsits_generic_opioid_row_is_not_used_as_kratoms() -> None:
    rule = load_substances().interaction("kratom_serotonergic")
    cited = {s for d in rule.disagreements for s in d.sources}
    assert "tripsit_combos" in cited
    assert "tripsit_combos" not in rule.sources


def test_the_in_vitro_ic50s_come_from_the_review_that_reports_them() -> None:
    kb = load_substances()
    ic50s = {
        "kratom_cyp2c19_substrate": "10.5",
        "kratom_cyp2c9_substrate": "39.7",
        "kratom_cyp2c8_substrate": "33.5",
        "kratom_pgp_substrate": "18.2",
        "kratom_cyp3a4_substrate": "11.4",
    }
    for rule_id, figure in ic50s.items():
        rule = kb.interaction(rule_id)
        assert figure in rule.mechanism, rule_id
        assert "tanna2023dmd" in rule.sources, rule_id


def test_the_case_reports_cite_their_cases() -> None:
    kb = load_substances()
    assert kb.interaction("kratom_quetiapine").sources == ("hughes2018", "brogdon2022")
    assert kb.interaction("kratom_venlafaxine").sources == ("brogdon2022",)


def test_normalising_ignores_case_punctuation_strength_and_dosage_form() -> None:
    assert normalise_name("St. John's Wort") == normalise_name("st johns wort")
    assert normalise_name("XANAX 0.5 mg tablets") == "xanax"
    assert normalise_name("Toprol-XL") == "toprolxl"
    assert normalise_name("   ") == ""


def test_a_name_shared_by_two_substances_is_refused() -> None:
    data = substances_data()
    entry(data, "substance", "sertraline")["brands"].append("Xanax")
    with pytest.raises(KnowledgeError, match="means both"):
        parse(data, interactions_data())


def test_a_name_differing_only_in_punctuation_still_counts_as_shared() -> None:
    data = substances_data()
    entry(data, "substance", "sertraline")["synonyms"].append("x-a-n-a-x")
    with pytest.raises(KnowledgeError, match="means both"):
        parse(data, interactions_data())


def test_a_substance_with_an_undeclared_class_is_refused() -> None:
    data = substances_data()
    entry(data, "substance", "sertraline")["classes"].append("happy_pill")
    with pytest.raises(KnowledgeError, match="unknown classes"):
        parse(data, interactions_data())


def test_a_rule_between_unknown_ids_is_refused() -> None:
    rules = interactions_data()
    entry(rules, "interaction", "kratom_opioid")["between"] = ["kratom", "opiates"]
    with pytest.raises(KnowledgeError, match="unknown ids"):
        parse(substances_data(), rules)


def test_a_rule_citing_an_unknown_source_is_refused() -> None:
    rules = interactions_data()
    entry(rules, "interaction", "kratom_opioid")["sources"] = ["nobody2099"]
    with pytest.raises(KnowledgeError, match="unknown sources"):
        parse(substances_data(), rules)


def test_a_rule_without_sources_is_refused() -> None:
    rules = interactions_data()
    entry(rules, "interaction", "kratom_opioid")["sources"] = []
    with pytest.raises(KnowledgeError, match="kratom_opioid"):
        parse(substances_data(), rules)


def test_a_clinical_study_grade_resting_only_on_lay_sources_is_refused() -> None:
    rules = interactions_data()
    entry(rules, "interaction", "kratom_grapefruit")["evidence"] = "clinical_study"
    entry(rules, "interaction", "kratom_grapefruit")["sources"] = ["psychonautwiki"]
    with pytest.raises(KnowledgeError, match="grade-A"):
        parse(substances_data(), rules)


def test_a_rule_replacing_an_unknown_rule_is_refused() -> None:
    rules = interactions_data()
    entry(rules, "interaction", "kratom_opioid")["replaces"] = ["kratom_everything"]
    with pytest.raises(KnowledgeError, match="replaces unknown"):
        parse(substances_data(), rules)


def test_a_misspelt_key_in_a_rule_is_refused() -> None:
    rules = interactions_data()
    entry(rules, "interaction", "kratom_opioid")["severty"] = "danger"
    with pytest.raises(KnowledgeError, match="kratom_opioid"):
        parse(substances_data(), rules)


def test_an_unknown_severity_is_refused() -> None:
    rules = interactions_data()
    entry(rules, "interaction", "kratom_opioid")["severity"] = "fine"
    with pytest.raises(KnowledgeError, match="kratom_opioid"):
        parse(substances_data(), rules)


def test_a_class_without_members_is_refused() -> None:
    data = substances_data()
    data["class"].append(
        {"id": "unused", "kind": "category", "label": "Unused", "description": "Nothing."}
    )
    with pytest.raises(KnowledgeError, match="no members"):
        parse(data, interactions_data())


def test_a_metabolic_class_without_a_source_is_refused() -> None:
    data = substances_data()
    entry(data, "class", "cyp3a4_inhibitor").pop("sources")
    with pytest.raises(KnowledgeError, match="needs a source"):
        parse(data, interactions_data())


def test_an_id_used_for_a_class_and_a_substance_is_refused() -> None:
    data = substances_data()
    data["class"].append(
        {"id": "kava", "kind": "category", "label": "Kava", "description": "Clash."}
    )
    with pytest.raises(KnowledgeError, match="used twice"):
        parse(data, interactions_data())


def test_a_substance_id_longer_than_the_journal_column_is_refused() -> None:
    data = substances_data()
    entry(data, "substance", "kava")["id"] = "k" * 65
    with pytest.raises(KnowledgeError, match="1-64"):
        parse(data, interactions_data())
