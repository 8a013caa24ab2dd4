"""Export the journal as a FHIR R4 Bundle of type collection (`mitra export --format fhir`).

What goes in, and how it is coded:

- one Patient, pseudonymous (no name) unless the person has set one, with the journal's time
  zone and day boundary as extensions (they say on which day each entry falls);
- a QuestionnaireResponse per questionnaire response, naming its Questionnaire's canonical URL
  (and, in an extension, when its crisis resources were seen, where an answer called for them),
  and an Observation of its total (the instrument's LOINC total code from the knowledge base,
  else a mitra code) with the band as interpretation;
- Observations for each check-in's anxiety rating, mood, sleep hours and quality, regular meals
  (a boolean), cups of caffeinated drinks, symptoms and practices, and for each practice logged
  on its own (minutes, UCUM "min"), coded in mitra's own code system (no standard code fits a
  0-10 self-rating or a day's cups as the person counts them);
- a MedicationStatement per listed medicine or substance (as text: the knowledge base holds no
  verified RxNorm or SNOMED codes yet) and a MedicationAdministration per use of one, its
  amount in UCUM where the unit is a UCUM unit (mg, g, ml, ...), else with the unit's text;
- a MedicationAdministration per kratom dose, coded with the UNII of mitragynine.

Every resource carries an identifier in mitra's entry system ("dose/12"), which the FHIR
importer reads back; the Bundle's identifier names the journal, so an export read back into the
journal it came from adds nothing. The document is plain JSON-ready data; the tests validate it
twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mitra.instruments.catalogue import instrument
from mitra.instruments.fhir import LOINC
from mitra.journal import queries
from mitra.knowledge import load as load_knowledge
from mitra.vocabulary import unit_text
from mitra.wording import amount_of

if TYPE_CHECKING:
    from mitra.journal import Person

__all__ = [
    "CODE_SYSTEM",
    "CRISIS_SEEN_EXTENSION",
    "DAY_BOUNDARY_EXTENSION",
    "ENTRY_SYSTEM",
    "JOURNAL_SYSTEM",
    "QUESTIONNAIRE_BASE",
    "SUBSTANCE_REMOVED_EXTENSION",
    "TIME_ZONE_EXTENSION",
    "UNII_SYSTEM",
    "export_fhir",
    "kratom_coding",
    "questionnaire_url",
]

# mitra has no web domain of its own yet. `.invalid` is reserved (RFC 2606), so these URLs can
# never name someone else's resource; they are stable identifiers, not addresses to fetch.
BASE = "https://mitra.invalid/fhir"
CODE_SYSTEM = f"{BASE}/CodeSystem/journal"  # mitra's codes where no standard code exists
ENTRY_SYSTEM = f"{BASE}/NamingSystem/entry"  # "dose/12": which journal entry a resource is
JOURNAL_SYSTEM = f"{BASE}/NamingSystem/journal"  # the Bundle's identifier: which journal it is
QUESTIONNAIRE_BASE = f"{BASE}/Questionnaire"
UCUM = "http://unitsofmeasure.org"
# The FDA's Unique Ingredient Identifier (the system URI HL7 registers for UNII).
UNII_SYSTEM = "http://fdasis.nlm.nih.gov"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# A fixed namespace: the same entry gets the same fullUrl in every export.
_NAMESPACE = uuid.UUID("6f1c2a4e-8d0b-5c3a-9e7f-1b2d3c4e5f60")


def kratom_coding() -> dict[str, str]:
    """The UNII coding of a kratom dose or product, from the knowledge base (with its source).

    It codes the alkaloid mitragynine: a dose of leaf is a dose of a product that contains it,
    which the text says; the knowledge base holds no verified UNII of the leaf itself.
    """
    found = load_knowledge().ingredient("mitragynine")
    return {"system": UNII_SYSTEM, "code": found.unii, "display": found.name}


def questionnaire_url(code: str) -> str:
    """The canonical URL of an instrument's Questionnaire ("GAD-7" -> .../Questionnaire/gad-7)."""
    return f"{QUESTIONNAIRE_BASE}/{code.lower()}"


def _full_url(key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, key)}"


def _mitra_code(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": CODE_SYSTEM, "code": code, "display": display}], "text": display}


def _identifier(key: str) -> list[dict[str, str]]:
    return [{"system": ENTRY_SYSTEM, "value": key}]


def _when(text: str) -> str:
    """An ISO time from the journal as FHIR's dateTime, in UTC with its offset.

    Fractions of a second are kept when the journal has them (FHIR's dateTime allows them): a
    journal filled from the Bundle then holds the same instants, and exports them the same.
    """
    return datetime.fromisoformat(text).astimezone(UTC).isoformat()


class _Bundle:
    def __init__(self, patient_ref: str) -> None:
        self.entries: list[dict[str, Any]] = []
        self.patient_ref = patient_ref

    def add(self, key: str, resource: dict[str, Any]) -> str:
        url = _full_url(key)
        # QuestionnaireResponse has one identifier in R4; every other type here has a list.
        identifier = _identifier(key)
        if resource["resourceType"] == "QuestionnaireResponse":
            resource.setdefault("identifier", identifier[0])
        else:
            resource.setdefault("identifier", identifier)
        self.entries.append({"fullUrl": url, "resource": resource})
        return url

    def observation(
        self, key: str, code: dict[str, Any], at: str, value: dict[str, Any], **extra: Any
    ) -> str:
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": [
                {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]},
            ],
            "code": code,
            "subject": {"reference": self.patient_ref},
            "effectiveDateTime": _when(at),
            **value,
            **extra,
        }
        return self.add(key, resource)


# The person's clock, on the Patient: the IANA time zone and the hour their day starts, which
# place each entry on its day. FHIR's own tz-code extension holds an IANA zone too, but only on
# a date or time element (http://hl7.org/fhir/R4/extension-tz-code.html), not on a Patient.
TIME_ZONE_EXTENSION = f"{BASE}/StructureDefinition/time-zone"
DAY_BOUNDARY_EXTENSION = f"{BASE}/StructureDefinition/day-boundary-hour"
# When the person saw the crisis resources a response's answers called for (mitra's crisis
# card): read back, its card and alert stay seen rather than raised again as news.
CRISIS_SEEN_EXTENSION = f"{BASE}/StructureDefinition/crisis-resources-seen"
# A substance the person took off their list, exported because a kept use of it names it.
SUBSTANCE_REMOVED_EXTENSION = f"{BASE}/StructureDefinition/substance-removed"


def _patient(person: Person) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": _identifier("person"),
        "extension": [
            {"url": TIME_ZONE_EXTENSION, "valueCode": person.time_zone},
            {"url": DAY_BOUNDARY_EXTENSION, "valueInteger": person.day_boundary_hour},
        ],
    }
    if person.name:
        patient["name"] = [{"text": person.name}]
    return patient


DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"


def _cups(cups: float) -> dict[str, Any]:
    """Cups of coffee, tea or energy drinks as a UCUM quantity: a count, so the unit is 1 with
    the annotation "{cup}" (UCUM specification, section 6: an annotation in curly braces adds no
    meaning and stands for 1). Not "[cup_us]", which is a volume of 240 ml, not a cup drunk."""
    return {"value": cups, "unit": "cups", "system": UCUM, "code": "{cup}"}


#: A check-in's figures beside its anxiety rating, each an Observation when given: the row's
#: field, the Observation's key suffix, mitra's code and display, and its value.
_CHECKIN_FIGURES: tuple[tuple[str, str, str, str, Callable[[Any], dict[str, Any]]], ...] = (
    ("mood", "mood", "mood-rating", "Mood, 1-5 self-rating", lambda v: {"valueInteger": v}),
    (
        "sleep_hours",
        "sleep-hours",
        "sleep-hours",
        "Hours slept last night",
        lambda v: {"valueQuantity": {"value": v, "unit": "h", "system": UCUM, "code": "h"}},
    ),
    (
        "sleep_quality",
        "sleep-quality",
        "sleep-quality",
        "Sleep quality last night, 1-5 self-rating",
        lambda v: {"valueInteger": v},
    ),
    (
        "regular_meals",
        "regular-meals",
        "regular-meals",
        "Regular meals today",
        lambda v: {"valueBoolean": v},
    ),
    (
        "caffeine_cups",
        "caffeine-cups",
        "caffeine-cups",
        "Cups of caffeinated drinks today",
        lambda v: {"valueQuantity": _cups(v)},
    ),
)


def _checkin(bundle: _Bundle, row: dict[str, Any], practices: list[dict[str, Any]]) -> None:
    key = f"checkin/{row['id']}"
    at = row["at"]
    note = [{"text": row["note"]}] if row["note"] else []
    # A check-in without a rating (an imported mood diary) says so rather than inventing one.
    rating = (
        {"valueInteger": row["anxiety"]}
        if row["anxiety"] is not None
        else {"dataAbsentReason": {"coding": [{"system": DATA_ABSENT, "code": "not-asked"}]}}
    )
    bundle.observation(
        f"{key}/anxiety",
        _mitra_code("anxiety-rating", "Anxiety right now, 0-10 self-rating"),
        at,
        rating,
        **({"note": note} if note else {}),
    )
    for field, suffix, code, display, value in _CHECKIN_FIGURES:
        if row[field] is not None:
            bundle.observation(f"{key}/{suffix}", _mitra_code(code, display), at, value(row[field]))
    for symptom in row["symptoms"]:
        bundle.observation(
            f"{key}/symptom/{symptom}",
            _mitra_code("symptom", "Symptom present"),
            at,
            {"valueCodeableConcept": _mitra_code(f"symptom-{symptom}", symptom.replace("_", " "))},
        )
    for practice in practices:
        bundle.observation(
            f"{key}/practice/{practice['kind']}",
            _mitra_code(f"practice-{practice['kind']}", f"Practice: {practice['kind']}"),
            practice["at"],
            {
                "valueQuantity": {
                    "value": practice["minutes"],
                    "unit": "min",
                    "system": UCUM,
                    "code": "min",
                }
            },
        )


def _answer(inst: Any, number: int, value: int) -> dict[str, Any]:
    option = next((o for o in inst.options(number) if o.value == value), None)
    if option is None:
        return {"valueInteger": value}
    coding: dict[str, Any] = {"code": option.loinc or str(value), "display": option.label}
    if option.loinc:
        coding["system"] = LOINC
    return {"valueCoding": coding}


def _response(bundle: _Bundle, row: dict[str, Any]) -> None:
    inst = instrument(row["instrument"])
    key = f"response/{row['id']}"
    items = [
        {"linkId": str(number), "answer": [_answer(inst, number, value)]}
        for number, value in enumerate(row["answers"], start=1)
        if value is not None
    ]
    items.append({"linkId": "total", "answer": [{"valueInteger": row["total"]}]})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": questionnaire_url(inst.code),
        "status": "completed",
        "subject": {"reference": bundle.patient_ref},
        "authored": _when(row["at"]),
        "item": items,
    }
    if row.get("crisis_read_at"):
        resource["extension"] = [
            {"url": CRISIS_SEEN_EXTENSION, "valueDateTime": _when(row["crisis_read_at"])}
        ]
    response_url = bundle.add(key, resource)
    code = (
        {
            "coding": [{"system": LOINC, "code": inst.loinc_total}],
            "text": f"{inst.code} total score",
        }
        if inst.loinc_total
        else _mitra_code(f"total-{inst.code.lower()}", f"{inst.code} total score")
    )
    band = next((b for b in inst.bands if b.id == row["band"]), None)
    extra: dict[str, Any] = {"derivedFrom": [{"reference": response_url}]}
    if band is not None:
        extra["interpretation"] = [_mitra_code(f"band-{band.id}", band.label)]
    bundle.observation(f"{key}/total", code, row["at"], {"valueInteger": row["total"]}, **extra)


def _kratom_dose(bundle: _Bundle, row: dict[str, Any], product: dict[str, Any]) -> None:
    estimate = (
        f", about {row['mg_mitragynine']:.0f} mg mitragynine"
        if row["mg_mitragynine"] is not None
        else ""
    )
    # Worded as the journal words it: "4 capsules of Red Bali caps", "4 Maeng Da capsules".
    taken = amount_of(unit_text(row["amount"], row["unit"]), product["name"])
    text = f"{taken} ({row['grams']:g} g{estimate})"
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "status": "completed",
        "medicationCodeableConcept": {
            "coding": [kratom_coding()],
            "text": f"Kratom (Mitragyna speciosa), {product['form']}: {product['name']}",
        },
        "subject": {"reference": bundle.patient_ref},
        "effectiveDateTime": _when(row["taken_at"]),
        "dosage": {
            "text": text,
            "dose": {"value": row["grams"], "unit": "g", "system": UCUM, "code": "g"},
        },
        "supportingInformation": [{"reference": _full_url(f"product/{product['id']}")}],
        "extension": [
            {"url": f"{BASE}/StructureDefinition/dose-amount", "valueDecimal": row["amount"]},
            {"url": f"{BASE}/StructureDefinition/dose-unit", "valueString": row["unit"]},
        ],
    }
    if row["note"]:
        resource["note"] = [{"text": row["note"]}]
    bundle.add(f"dose/{row['id']}", resource)


PRODUCT_FIELDS = (
    "vendor", "strain", "vein", "form", "unit", "grams_per_unit",
    "mitragynine_mg_per_g", "hydroxy_mg_per_g", "notes",
)  # fmt: skip
PRODUCT_EXTENSION = f"{BASE}/StructureDefinition/product-"


def _product(bundle: _Bundle, row: dict[str, Any]) -> None:
    """A product as a Medication; its label and lab figures travel as extensions."""
    extensions: list[dict[str, Any]] = []
    for field in PRODUCT_FIELDS:
        value = row[field]
        if value in (None, ""):
            continue
        kind = "valueDecimal" if isinstance(value, float) else "valueString"
        extensions.append({"url": PRODUCT_EXTENSION + field.replace("_", "-"), kind: value})
    resource: dict[str, Any] = {
        "resourceType": "Medication",
        "code": {
            "coding": [kratom_coding()],
            "text": row["name"],
        },
        "status": "inactive" if row["removed"] else "active",
    }
    if extensions:
        resource["extension"] = extensions
    bundle.add(f"product/{row['id']}", resource)


def _substance(bundle: _Bundle, row: dict[str, Any]) -> None:
    removed = bool(row.get("removed"))
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "status": "active" if row["active"] and not removed else "stopped",
        "medicationCodeableConcept": {"text": row["name"]},
        "subject": {"reference": bundle.patient_ref},
    }
    if removed:  # taken off the person's list; its uses, kept, still name it
        resource["extension"] = [{"url": SUBSTANCE_REMOVED_EXTENSION, "valueBoolean": True}]
    if row["dose_text"]:
        resource["dosage"] = [{"text": row["dose_text"]}]
    bundle.add(f"substance/{row['id']}", resource)


# The units people write for a medicine or a drink that are UCUM units, as UCUM's
# case-sensitive codes (https://ucum.org/ucum: "ug" for micrograms, "mL" and "L" for litres);
# matched in lower case. Any other unit ("tablets", "drinks")
# is no UCUM unit and travels as its text alone.
_UCUM_UNITS = {
    "mg": "mg", "g": "g", "kg": "kg", "mcg": "ug", "ug": "ug", "µg": "ug", "μg": "ug",
    "ng": "ng", "ml": "mL", "l": "L",
}  # fmt: skip


def _intake_dose(amount: float | None, unit: str) -> dict[str, Any]:
    """An intake's amount and unit as a Quantity: UCUM-coded where the unit is a UCUM unit,
    its text otherwise; a unit noted without an amount is kept (a Quantity without a value)."""
    dose: dict[str, Any] = {} if amount is None else {"value": amount}
    if unit:
        dose["unit"] = unit
        code = _UCUM_UNITS.get(unit.strip().lower())
        if code is not None:
            dose |= {"system": UCUM, "code": code}
    return dose


def _intake(bundle: _Bundle, row: dict[str, Any], substance: dict[str, Any]) -> None:
    dosage: dict[str, Any] = {}
    if row["amount"] is not None or row["unit"]:
        dosage["dose"] = _intake_dose(row["amount"], row["unit"])
    if row["amount"] is not None:
        dosage["text"] = f"{row['amount']:g} {row['unit']}".strip()
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "status": "completed",
        "medicationCodeableConcept": {"text": substance["name"]},
        "subject": {"reference": bundle.patient_ref},
        "effectiveDateTime": _when(row["taken_at"]),
        "supportingInformation": [{"reference": _full_url(f"substance/{substance['id']}")}],
    }
    if dosage:
        resource["dosage"] = dosage
    if row["note"]:
        resource["note"] = [{"text": row["note"]}]
    bundle.add(f"intake/{row['id']}", resource)


def export_fhir(person: Person) -> dict[str, Any]:
    """The person's journal (entries not deleted) as a FHIR R4 Bundle of type collection."""
    records = queries.journal_records(person)
    bundle = _Bundle(_full_url("person"))
    bundle.add("person", _patient(person))
    by_checkin: dict[int | None, list[dict[str, Any]]] = {}
    for practice in records["practices"]:
        by_checkin.setdefault(practice["checkin_id"], []).append(practice)
    products = {p["id"]: p for p in records["products"]}
    substances = {s["id"]: s for s in records["substances"]}
    for row in records["products"]:
        _product(bundle, row)
    for row in records["substances"]:
        _substance(bundle, row)
    for row in records["doses"]:
        _kratom_dose(bundle, row, products[row["product_id"]])
    for row in records["intakes"]:
        if row["substance_id"] in substances:
            _intake(bundle, row, substances[row["substance_id"]])
    for row in records["checkins"]:
        _checkin(bundle, row, by_checkin.get(row["id"], []))
    for practice in by_checkin.get(None, []):  # logged on its own
        bundle.observation(
            f"practice/{practice['id']}",
            _mitra_code(f"practice-{practice['kind']}", f"Practice: {practice['kind']}"),
            practice["at"],
            {"valueQuantity": {"value": practice["minutes"], "unit": "min", "system": UCUM,
                               "code": "min"}},
        )  # fmt: skip
    for row in records["responses"]:
        _response(bundle, row)
    return {
        "resourceType": "Bundle",
        # Read back into this journal, its entries are recognised as already there.
        "identifier": {"system": JOURNAL_SYSTEM, "value": queries.journal_id(person)},
        "type": "collection",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "meta": {"tag": [{"system": CODE_SYSTEM, "code": "mitra-export"}]},
        "entry": bundle.entries,
    }
