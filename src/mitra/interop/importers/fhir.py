"""mitra's own FHIR R4 export (`mitra export --format fhir`), read back into the journal.

Resources are recognised by their identifier in mitra's entry system ("dose/12"); a Bundle
from another system carries none, and its resources are skipped with that reason.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from mitra.instruments.catalogue import instrument, known_codes
from mitra.interop.fhir_export import (
    CODE_SYSTEM,
    CRISIS_SEEN_EXTENSION,
    DAY_BOUNDARY_EXTENSION,
    ENTRY_SYSTEM,
    JOURNAL_SYSTEM,
    PRODUCT_EXTENSION,
    SUBSTANCE_REMOVED_EXTENSION,
    TIME_ZONE_EXTENSION,
    questionnaire_url,
)

from . import ImportFileError, Parsed, Row, Skipped, load_json

_MEASURES = {"anxiety": "anxiety", "mood": "mood", "sleep-quality": "sleep_quality"}


def _key(resource: dict[str, Any]) -> str:
    found = resource.get("identifier")
    identifiers = found if isinstance(found, list) else [found]
    for identifier in identifiers:
        if isinstance(identifier, dict) and identifier.get("system") == ENTRY_SYSTEM:
            return str(identifier.get("value", ""))
    return ""


def _extensions(resource: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for extension in resource.get("extension") or []:
        if isinstance(extension, dict):
            value = next((v for k, v in extension.items() if k.startswith("value")), None)
            values[str(extension.get("url", ""))] = value
    return values


def _note(resource: dict[str, Any]) -> str:
    return "\n".join(str(n.get("text", "")) for n in resource.get("note") or [] if n)


def _answer_value(code: str, number: int, answer: dict[str, Any]) -> Any:
    if "valueInteger" in answer:
        return answer["valueInteger"]
    coding = answer.get("valueCoding") or {}
    for option in instrument(code).options(number):
        if coding.get("code") in {option.loinc or None, str(option.value)}:
            return option.value
    return None


class _Reader:
    def __init__(self, parsed: Parsed, keys: dict[str, str]) -> None:
        self.parsed = parsed
        self.keys = keys  # fullUrl -> entry key
        self.checkins: dict[str, dict[str, Any]] = {}
        self.questionnaires = {questionnaire_url(code): code for code in known_codes()}

    def patient(self, where: str, key: str, resource: dict[str, Any]) -> None:
        """The journal's time zone and day boundary, which say on which day each entry falls
        (the Patient is otherwise the person importing). The import service gives them to a
        journal with no entries yet only."""
        extensions = _extensions(resource)
        names = {TIME_ZONE_EXTENSION: "time_zone", DAY_BOUNDARY_EXTENSION: "day_boundary_hour"}
        fields = {name: extensions[url] for url, name in names.items() if url in extensions}
        if fields:
            self.parsed.add(Row(where, "clock", "clock", fields))

    def medication(self, where: str, key: str, resource: dict[str, Any]) -> None:
        fields: dict[str, Any] = {"name": (resource.get("code") or {}).get("text", "")}
        if resource.get("status") == "inactive":  # taken off the list; its doses keep it
            fields["removed"] = True
        for url, value in _extensions(resource).items():
            if url.startswith(PRODUCT_EXTENSION):
                fields[url.removeprefix(PRODUCT_EXTENSION).replace("-", "_")] = value
        self.parsed.add(Row(where, "product", key, fields))

    def statement(self, where: str, key: str, resource: dict[str, Any]) -> None:
        dosage = resource.get("dosage") or [{}]
        fields = {
            "name": (resource.get("medicationCodeableConcept") or {}).get("text", ""),
            "dose_text": dosage[0].get("text", ""),
            "active": resource.get("status") != "stopped",
        }
        if _extensions(resource).get(SUBSTANCE_REMOVED_EXTENSION) is True:
            fields["removed"] = True  # taken off the list; its uses keep it
        self.parsed.add(Row(where, "substance", key, fields))

    def administration(self, where: str, key: str, resource: dict[str, Any]) -> None:
        support = resource.get("supportingInformation") or [{}]
        ref = self.keys.get(str(support[0].get("reference", "")), "")
        fields = {"taken_at": resource.get("effectiveDateTime"), "note": _note(resource)}
        if key.startswith("dose/"):
            extensions = _extensions(resource)
            amount = next((v for u, v in extensions.items() if u.endswith("/dose-amount")), None)
            unit = next((v for u, v in extensions.items() if u.endswith("/dose-unit")), None)
            fields |= {"amount": amount, "unit": unit, "product": ref}
            self.parsed.add(Row(where, "dose", key, fields))
            return
        dose = (resource.get("dosage") or {}).get("dose") or {}
        fields |= {"amount": dose.get("value"), "unit": dose.get("unit", ""), "substance": ref}
        self.parsed.add(Row(where, "intake", key, fields))

    def response(self, where: str, key: str, resource: dict[str, Any]) -> None:
        code = self.questionnaires.get(str(resource.get("questionnaire", "")))
        if code is None:
            self.parsed.skipped.append(Skipped(where, "a questionnaire mitra does not know"))
            return
        answers: dict[int, Any] = {}
        for item in resource.get("item") or []:
            link = str(item.get("linkId", ""))
            if link.isdigit() and item.get("answer"):
                answers[int(link)] = _answer_value(code, int(link), item["answer"][0])
        count = max(answers, default=0)
        fields = {
            "instrument": code,
            "at": resource.get("authored"),
            "answers": [answers.get(n) for n in range(1, count + 1)],
        }
        seen = _extensions(resource).get(CRISIS_SEEN_EXTENSION)
        if seen:  # its crisis resources were seen: not raised again as news
            fields["crisis_read_at"] = seen
        self.parsed.add(Row(where, "response", key, fields))

    def practice(self, where: str, key: str, resource: dict[str, Any]) -> None:
        """A practice logged on its own: its kind from mitra's code, its minutes in UCUM min."""
        codings = (resource.get("code") or {}).get("coding") or []
        ours = [c for c in codings if isinstance(c, dict) and c.get("system") == CODE_SYSTEM]
        code = str(ours[0].get("code", "")) if ours else ""
        quantity = resource.get("valueQuantity") or {}
        if not code.startswith("practice-"):
            self.parsed.skipped.append(Skipped(where, f"not a practice code: '{code[:40]}'"))
            return
        if quantity.get("code") != "min" or not isinstance(quantity.get("value"), int | float):
            self.parsed.skipped.append(Skipped(where, "a practice's minutes must be in min"))
            return
        fields = {"kind": code.removeprefix("practice-"), "minutes": quantity["value"],
                  "at": resource.get("effectiveDateTime")}  # fmt: skip
        self.parsed.add(Row(where, "practice", key, fields))

    def observation(self, where: str, key: str, resource: dict[str, Any]) -> None:
        if key.startswith("practice/"):  # a practice logged on its own
            self.practice(where, key, resource)
            return
        if not key.startswith("checkin/"):
            return  # a questionnaire's total: derived from its response, read back from that
        _, number, part, *rest = [*key.split("/"), ""]
        checkin = self.checkins.setdefault(
            number,
            {"where": where, "at": resource.get("effectiveDateTime"), "symptoms": [],
             "practices": [], "note": ""},
        )  # fmt: skip
        if part in _MEASURES:
            checkin[_MEASURES[part]] = resource.get("valueInteger")
            checkin["note"] = checkin["note"] or _note(resource)
        elif part == "sleep-hours":
            checkin["sleep_hours"] = (resource.get("valueQuantity") or {}).get("value")
        elif part == "regular-meals":
            checkin["regular_meals"] = resource.get("valueBoolean")
        elif part == "caffeine-cups":
            checkin["caffeine_cups"] = (resource.get("valueQuantity") or {}).get("value")
        elif part == "symptom":
            checkin["symptoms"].append(rest[0])
        elif part == "practice":
            minutes = (resource.get("valueQuantity") or {}).get("value")
            checkin["practices"].append({"kind": rest[0], "minutes": minutes})

    def finish(self) -> None:
        for number, checkin in self.checkins.items():
            where = checkin.pop("where")
            self.parsed.add(Row(where, "checkin", f"checkin/{number}", checkin))


def parse(data: bytes, zone: ZoneInfo) -> Parsed:
    """Rows of a FHIR Bundle that mitra exported."""
    bundle = load_json(data)
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise ImportFileError('line 1: not a FHIR Bundle (no "resourceType": "Bundle")')
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise ImportFileError("'entry' must be a list")
    identifier = bundle.get("identifier")
    origin = None
    if isinstance(identifier, dict) and identifier.get("system") == JOURNAL_SYSTEM:
        origin = identifier.get("value") if isinstance(identifier.get("value"), str) else None
    parsed = Parsed(origin=origin)
    keys: dict[str, str] = {}
    resources: list[tuple[str, str, dict[str, Any]]] = []
    for number, entry in enumerate(entries):
        where = f"entry[{number}]"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        key = _key(resource) if isinstance(resource, dict) else ""
        if not isinstance(resource, dict) or not key:
            parsed.skipped.append(Skipped(where, "not a resource mitra exported (no mitra id)"))
            continue
        keys[str(entry.get("fullUrl", ""))] = key
        resources.append((where, key, resource))
    reader = _Reader(parsed, keys)
    readers = {
        "Patient": reader.patient,
        "Medication": reader.medication,
        "MedicationStatement": reader.statement,
        "MedicationAdministration": reader.administration,
        "QuestionnaireResponse": reader.response,
        "Observation": reader.observation,
    }
    for where, key, resource in resources:
        kind = str(resource.get("resourceType"))
        read = readers.get(kind)
        if read is None:
            continue  # a resource mitra does not export
        try:
            read(where, key, resource)
        except (AttributeError, TypeError, IndexError, KeyError, ValueError):
            parsed.skipped.append(Skipped(where, f"a {kind} whose shape mitra does not export"))
    reader.finish()
    return parsed
