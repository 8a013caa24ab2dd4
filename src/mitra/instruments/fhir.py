"""A FHIR R4 Questionnaire resource for an instrument, as plain JSON-ready data.

Codes come only from the knowledge base: an item or answer without a LOINC code in it carries
no LOINC coding here. The score of each answer travels in the standard ordinalValue extension.
"""

from __future__ import annotations

from typing import Any

from mitra.instruments.catalogue import instrument
from mitra.knowledge.instruments import AnswerOption, Instrument

__all__ = ["LOINC", "ORDINAL_VALUE", "fhir_questionnaire"]

LOINC = "http://loinc.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"


def _answer(option: AnswerOption) -> dict[str, Any]:
    coding: dict[str, Any] = {
        "extension": [{"url": ORDINAL_VALUE, "valueDecimal": option.value}],
        "code": option.loinc or str(option.value),
        "display": option.label,
    }
    if option.loinc:
        coding["system"] = LOINC
    return {"valueCoding": coding}


def _items(inst: Instrument) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for number, question in enumerate(inst.items, start=1):
        item: dict[str, Any] = {
            "linkId": str(number),
            "prefix": f"{number}.",
            "text": question.text,
            "type": "choice",
            "required": True,
            "answerOption": [_answer(option) for option in inst.options(number)],
        }
        if question.loinc:
            item["code"] = [{"system": LOINC, "code": question.loinc}]
        items.append(item)
    total: dict[str, Any] = {
        "linkId": "total",
        "text": f"Total score (0-{inst.maximum})",
        "type": "integer",
        "readOnly": True,
    }
    if inst.loinc_total:
        total["code"] = [{"system": LOINC, "code": inst.loinc_total}]
    items.append(total)
    return items


def fhir_questionnaire(code: str) -> dict[str, Any]:
    """The instrument as a FHIR R4 Questionnaire (a dict ready for json.dumps)."""
    inst = instrument(code)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": inst.code.lower(),
        "name": "".join(ch for ch in inst.code if ch.isalnum()),
        "title": inst.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": f"{inst.stem} Recall period: {inst.recall}. {inst.scoring}",
    }
    if inst.loinc_panel:
        resource["code"] = [{"system": LOINC, "code": inst.loinc_panel}]
    resource["item"] = _items(inst)
    return resource
