"""FHIR R4 Questionnaires: valid R4B resources; LOINC codes only where the knowledge has them."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from mitra.instruments import fhir_questionnaire, instrument, known_codes
from mitra.instruments.fhir import LOINC, ORDINAL_VALUE


@pytest.mark.parametrize("code", known_codes())
def test_every_instrument_is_a_valid_r4_questionnaire(code: str) -> None:
    resource = Questionnaire.model_validate(fhir_questionnaire(code))
    assert resource.status == "active"
    assert resource.item is not None
    assert len(resource.item) == len(instrument(code).items) + 1


def test_gad7_carries_its_panel_item_answer_and_total_loinc_codes() -> None:
    data = fhir_questionnaire("GAD-7")
    assert data["code"] == [{"system": LOINC, "code": "69737-5"}]
    first, total = data["item"][0], data["item"][-1]
    assert first["code"] == [{"system": LOINC, "code": "69725-0"}]
    assert first["answerOption"][3]["valueCoding"]["code"] == "LA6571-9"
    assert first["answerOption"][3]["valueCoding"]["display"] == "Nearly every day"
    assert (total["linkId"], total["readOnly"]) == ("total", True)
    assert total["code"] == [{"system": LOINC, "code": "70274-6"}]


def test_each_answer_carries_its_score_as_an_ordinal_value() -> None:
    option = fhir_questionnaire("PHQ-9")["item"][8]["answerOption"][2]["valueCoding"]
    assert option["extension"] == [{"url": ORDINAL_VALUE, "valueDecimal": 2}]


def test_sows_and_sds_carry_no_loinc_codes_because_none_are_known() -> None:
    for code in ("SOWS", "SDS"):
        data = fhir_questionnaire(code)
        assert "code" not in data
        for item in data["item"]:
            assert "code" not in item
            for option in item.get("answerOption", []):
                assert "system" not in option["valueCoding"]


def test_sds_items_keep_their_own_answer_options() -> None:
    last = fhir_questionnaire("SDS")["item"][4]
    assert [o["valueCoding"]["display"] for o in last["answerOption"]] == [
        "Not difficult",
        "Quite difficult",
        "Very difficult",
        "Impossible",
    ]
