"""The questionnaires' knowledge file: published structure, codes, sources, and what it refuses."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from mitra.knowledge import KnowledgeError, load
from mitra.knowledge.instruments import (
    Instrument,
    load_instruments,
    loinc_check_digit_ok,
    parse_instruments,
)
from mitra.knowledge.loader import read_toml

# Item counts and maxima as published (EVIDENCE.md, "Questionnaires").
PUBLISHED = {
    "GAD-7": (7, 21),
    "GAD-2": (2, 6),
    "PHQ-9": (9, 27),
    "PHQ-2": (2, 6),
    "PHQ-4": (4, 12),
    "SOWS": (16, 64),
    "SDS": (5, 15),
}


def raw() -> dict[str, Any]:
    """A private copy of the parsed TOML, safe to break."""
    return copy.deepcopy(read_toml("instruments.toml"))


def row(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in data["instrument"] if r["code"] == code)


def known() -> set[str]:
    return set(load().sources)


def test_it_loads_exactly_the_seven_instruments() -> None:
    assert set(load_instruments()) == set(PUBLISHED)


@pytest.mark.parametrize(("code", "shape"), PUBLISHED.items())
def test_each_instrument_has_its_published_item_count_and_maximum(
    code: str, shape: tuple[int, int]
) -> None:
    instrument = load_instruments()[code]
    assert (len(instrument.items), instrument.maximum) == shape


@pytest.mark.parametrize("code", PUBLISHED)
def test_every_instrument_cites_sources_that_exist(code: str) -> None:
    instrument = load_instruments()[code]
    cited = instrument.cited()
    assert cited
    assert set(cited) <= set(load().sources)


def test_sows_answers_run_from_not_at_all_to_extremely() -> None:
    sows = load_instruments()["SOWS"]
    assert [o.value for o in sows.options(1)] == [0, 1, 2, 3, 4]
    assert sows.options(16)[-1].label == "Extremely"


def test_sds_is_worded_for_kratom_with_its_own_answers_per_item() -> None:
    sds = load_instruments()["SDS"]
    assert all("kratom" in item.text or "stop" in item.text for item in sds.items)
    assert sds.options(1)[0].label == "Never or almost never"
    assert [o.label for o in sds.options(5)] == [
        "Not difficult",
        "Quite difficult",
        "Very difficult",
        "Impossible",
    ]


def test_sds_and_sows_say_they_have_no_bands_and_why() -> None:
    instruments = load_instruments()
    assert instruments["SOWS"].bands == ()
    assert "no official severity bands" in instruments["SOWS"].bands_note
    assert instruments["SDS"].bands == ()
    assert "none has been validated for kratom" in instruments["SDS"].bands_note


def test_gad7_change_thresholds_are_four_and_six_points_with_their_sources() -> None:
    change = load_instruments()["GAD-7"].change
    assert (change.mcid, change.mcid_sources) == (4, ("toussaint2020",))
    assert (change.reliable_change, change.reliable_change_sources) == (6, ("bischoff2020",))


@pytest.mark.parametrize("code", sorted(set(PUBLISHED) - {"GAD-7"}))
def test_no_other_instrument_claims_change_thresholds_the_evidence_lacks(code: str) -> None:
    change = load_instruments()[code].change
    assert change.mcid is None
    assert change.reliable_change is None


def test_phq9_item_9_raises_the_crisis_flag_citing_simon2013() -> None:
    crisis = load_instruments()["PHQ-9"].flags[0]
    assert (crisis.id, crisis.item, crisis.item_at_least) == ("crisis", 9, 1)
    assert crisis.sources == ("simon2013",)


@pytest.mark.parametrize(
    "flag",
    [f for i in load_instruments().values() for f in i.flags],
    ids=lambda f: f.id,
)
def test_every_flag_speaks_to_the_person_and_of_them_to_a_clinician(flag: Any) -> None:
    """The message is the person's (their result, their crisis card); the clinician's report
    says the flag in the third person, never "you"."""
    import re

    assert re.search(r"\b(you|your|please)\b", flag.message, re.IGNORECASE)
    assert not re.search(r"\b(you|your|please)\b", flag.clinician, re.IGNORECASE)


def test_a_flag_without_its_words_for_a_clinician_is_refused() -> None:
    data = raw()
    del row(data, "PHQ-9")["flag"][0]["clinician"]
    with pytest.raises(KnowledgeError, match=r"PHQ-9(.|\n)*flag\.0\.clinician"):
        parse_instruments(data, known())


# LOINC codes as listed in EVIDENCE.md (PHQ-2's panel and total from the issue).
@pytest.mark.parametrize(
    ("code", "panel", "total", "items"),
    [
        (
            "GAD-7",
            "69737-5",
            "70274-6",
            ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"],
        ),
        (
            "PHQ-9",
            "44249-1",
            "44261-6",
            [
                "44250-9",
                "44255-8",
                "44259-0",
                "44254-1",
                "44251-7",
                "44258-2",
                "44252-5",
                "44253-3",
                "44260-8",
            ],
        ),
        ("PHQ-2", "55757-9", "55758-7", ["44250-9", "44255-8"]),
        ("PHQ-4", "69724-3", "70272-0", ["69725-0", "68509-9", "44250-9", "44255-8"]),
        ("GAD-2", "", "", ["69725-0", "68509-9"]),
        ("SOWS", "", "", [""] * 16),
        ("SDS", "", "", [""] * 5),
    ],
)
def test_loinc_codes_are_the_ones_in_the_evidence_and_no_others(
    code: str, panel: str, total: str, items: list[str]
) -> None:
    instrument = load_instruments()[code]
    assert (instrument.loinc_panel, instrument.loinc_total) == (panel, total)
    assert [item.loinc for item in instrument.items] == items


def test_frequency_answers_carry_the_loinc_answer_codes() -> None:
    for code in ("GAD-7", "GAD-2", "PHQ-9", "PHQ-2", "PHQ-4"):
        options = load_instruments()[code].options(1)
        assert [o.loinc for o in options] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


def test_loinc_check_digit_accepts_real_codes_and_catches_a_typo() -> None:
    assert loinc_check_digit_ok("44261-6")
    assert loinc_check_digit_ok("70274-6")
    assert not loinc_check_digit_ok("70274-5")
    assert not loinc_check_digit_ok("LA6568-5")


def test_a_mistyped_loinc_code_is_refused() -> None:
    data = raw()
    row(data, "GAD-7")["item"][0]["loinc"] = "69725-1"
    with pytest.raises(KnowledgeError, match="check digit"):
        parse_instruments(data, known())


def test_a_source_that_does_not_exist_is_refused() -> None:
    data = raw()
    row(data, "PHQ-9")["flag"][0]["sources"] = ["nobody2099"]
    with pytest.raises(KnowledgeError, match=r"PHQ-9 cites unknown sources \['nobody2099'\]"):
        parse_instruments(data, known())


def test_bands_with_a_gap_are_refused() -> None:
    data = raw()
    row(data, "GAD-7")["band"][1]["min"] = 6
    with pytest.raises(KnowledgeError, match="band mild must start at 5"):
        parse_instruments(data, known())


def test_bands_that_stop_short_of_the_maximum_are_refused() -> None:
    data = raw()
    row(data, "PHQ-9")["band"][-1]["max"] = 26
    with pytest.raises(KnowledgeError, match="bands end at 26, but the total reaches 27"):
        parse_instruments(data, known())


def test_an_instrument_without_bands_must_say_why() -> None:
    data = raw()
    del row(data, "SOWS")["bands_note"]
    with pytest.raises(KnowledgeError, match="bands_note"):
        parse_instruments(data, known())


def test_an_unknown_key_is_refused_as_a_typo() -> None:
    data = raw()
    row(data, "GAD-7")["screening"]["at_leest"] = 10
    with pytest.raises(KnowledgeError, match="at_leest"):
        parse_instruments(data, known())


def test_a_flag_must_have_exactly_one_trigger() -> None:
    data = raw()
    row(data, "GAD-7")["flag"][0]["item"] = 1
    row(data, "GAD-7")["flag"][0]["item_at_least"] = 1
    with pytest.raises(KnowledgeError, match="a flag is raised by"):
        parse_instruments(data, known())


def test_a_change_threshold_without_a_source_is_refused() -> None:
    data = raw()
    row(data, "GAD-7")["change"]["mcid_sources"] = []
    with pytest.raises(KnowledgeError, match="an mcid needs sources"):
        parse_instruments(data, known())


def test_an_instrument_defined_twice_is_refused() -> None:
    data = raw()
    data["instrument"].append(row(data, "GAD-2"))
    with pytest.raises(KnowledgeError, match="'GAD-2' is defined twice"):
        parse_instruments(data, known())


def test_instruments_are_immutable_and_the_mapping_is_read_only() -> None:
    instruments = load_instruments()
    with pytest.raises(ValidationError):
        instruments["GAD-7"].code = "GAD-8"
    with pytest.raises(TypeError):
        instruments["GAD-9"] = instruments["GAD-7"]  # type: ignore[index]
    assert isinstance(instruments["GAD-7"], Instrument)
