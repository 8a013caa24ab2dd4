"""Safety rules: small pure functions that turn a journal's facts into alert candidates.

Each rule reads a `SafetyInput` (the timeline, the person's products, substances and
questionnaire responses, and the time now) and returns `AlertCandidate`s, each saying what was
seen, what to do, the sources behind it and the facts it rests on. A candidate's `evidence_key`
is the same whenever the same evidence is seen again, so the alert store never fires twice for it.

Alerts say what was seen beside what is known; they never say that kratom caused anything.
Every window, count and cut-off comes from the knowledge base or from safety_rules.toml, where a
figure that is mitra's own rule of thumb is marked as such and every alert using it says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from mitra import vocabulary
from mitra.instruments.catalogue import instrument
from mitra.instruments.errors import UnknownInstrumentError
from mitra.knowledge.loader import load
from mitra.knowledge.pharmacokinetics import DoseBand, DoseContext, load_pharmacokinetics
from mitra.knowledge.substances import Severity, load_substances
from mitra.safety.interactions import (
    EVIDENCE_NOTES,
    KRATOM,
    InteractionFinding,
    interactions_among,
    severity_rank,
)
from mitra.safety.parameters import HEURISTIC_NOTE, RuleParameters, load_rule_parameters
from mitra.timeline import DayClock, Timeline
from mitra.vocabulary import ProductForm

__all__ = [
    "HEURISTIC_NOTE",
    "PRODUCT_FORMS",
    "RULES",
    "AlertCandidate",
    "EvidenceGrade",
    "ProductFacts",
    "ProductForm",
    "ResponseFacts",
    "Rule",
    "SafetyInput",
    "SubstanceFacts",
    "co_use_of_a_depressant_near_a_dose",
    "concentrated_seven_oh_product",
    "crisis_answer_in_a_questionnaire",
    "daily_use_streak",
    "day_total_above_band",
    "dose_above_band",
    "evaluate",
    "interaction_with_listed_substances",
    "liver_warning_symptoms",
    "rising_weekly_dose",
    "rule",
    "shortening_interval_between_doses",
    "withdrawal_like_symptoms",
    "withdrawal_sows_total",
]

PRODUCT_FORMS: tuple[ProductForm, ...] = tuple(vocabulary.PRODUCT_FORMS)

#: What an alert's warning rests on, strongest first; "heuristic" is a pattern in the person's
#: own data judged by mitra's rule of thumb, and "none" means mitra has no knowledge to go on.
EvidenceGrade = Literal[
    "clinical_study",
    "observational_study",
    "case_report",
    "survey",
    "official",
    "mechanism_only",
    "anecdotal",
    "heuristic",
    "none",
]

_BANDS_NOTE = (
    "Dose bands differ between sources and rest on surveys and user reports rather than trials; "
    "mitra shows them as context, never as advice."
)
_HOUR = 3600.0


# --- inputs and outputs ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFacts:
    """A kratom product as the rules need it: its form and lab figures (mg per g), if known."""

    id: int
    name: str
    form: ProductForm
    mitragynine_mg_per_g: float | None = None
    hydroxy_mg_per_g: float | None = None


@dataclass(frozen=True)
class SubstanceFacts:
    """One of the person's substances: its journal id and the knowledge-base id it resolved to."""

    id: int
    name: str
    knowledge_id: str | None
    active: bool = True


@dataclass(frozen=True)
class ResponseFacts:
    """A scored questionnaire response: instrument code, when, its total and its flags."""

    id: int
    instrument: str
    at: datetime
    total: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SafetyInput:
    """Everything the rules read: plain data, no database.

    `timeline.dose_product` holds keys of `products`, `timeline.intake_substance` keys of
    `substances`; `now` is an aware datetime. `parameters` defaults to safety_rules.toml.
    """

    timeline: Timeline
    products: Mapping[int, ProductFacts]
    substances: Mapping[int, SubstanceFacts]
    responses: Sequence[ResponseFacts]
    now: datetime
    parameters: RuleParameters = field(default_factory=load_rule_parameters)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        if any(r.at.tzinfo is None for r in self.responses):
            raise ValueError("every response's time must be an aware datetime")
        missing_products = {int(p) for p in self.timeline.dose_product} - set(self.products)
        if missing_products:
            raise ValueError(f"doses refer to unknown products {sorted(missing_products)}")
        missing = {int(s) for s in self.timeline.intake_substance} - set(self.substances)
        if missing:
            raise ValueError(f"intakes refer to unknown substances {sorted(missing)}")


@dataclass(frozen=True)
class AlertCandidate:
    """What a rule saw, what to do, and the sources and facts behind it; stored as an alert.

    `evidence_key` is stable: the same evidence always gives the same key, so the store keeps one
    alert per key. `at` is when the evidence happened.
    """

    rule: str
    severity: Severity
    title: str
    text: str
    advice: str
    sources: tuple[str, ...]
    evidence: dict[str, Any]
    evidence_key: str
    at: datetime
    evidence_grade: EvidenceGrade

    def sort_key(self) -> tuple[int, float, str, str]:
        """Most severe first, then newest first."""
        return (severity_rank(self.severity), -self.at.timestamp(), self.rule, self.evidence_key)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "title": self.title,
            "text": self.text,
            "advice": self.advice,
            "sources": list(self.sources),
            "evidence": self.evidence,
            "evidence_key": self.evidence_key,
            "at": self.at.isoformat(),
            "evidence_grade": self.evidence_grade,
        }


RuleFunction = Callable[[SafetyInput], list[AlertCandidate]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its id, default severity, title, function and the sources it draws on."""

    id: str
    severity: Severity
    title: str
    function: RuleFunction
    sources: tuple[str, ...]

    def __call__(self, data: SafetyInput) -> list[AlertCandidate]:
        """Apply the rule."""
        return self.function(data)


# --- small shared pieces -----------------------------------------------------------------------


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(float(seconds), UTC)


def _iso(seconds: float) -> str:
    """A POSIX time as an ISO 8601 UTC string to the second (used in keys and evidence)."""
    return _utc(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(seconds: float, clock: DayClock) -> str:
    """A time on the person's wall clock, as a person reads it ("Mon 3 Mar 2025, 21:00")."""
    local = _utc(seconds).astimezone(clock.zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _grams(value: float) -> str:
    return f"{value:.3g} g" if value < 10 else f"{value:.1f} g"


def _duration(hours: float) -> str:
    minutes = round(hours * 60)
    if minutes < 60:
        return f"{minutes} min"
    whole, rest = divmod(minutes, 60)
    return f"{whole} h {rest} min" if rest else f"{whole} h"


def _local_day(data: SafetyInput, index: int) -> date:
    return data.timeline.first + timedelta(days=index)


def _dose_days(timeline: Timeline) -> npt.NDArray[np.int64]:
    return timeline.day_of(timeline.dose_time)


def _hours_since_last_dose(timeline: Timeline, moment: float) -> float | None:
    before = timeline.dose_time[timeline.dose_time <= moment]
    return None if before.size == 0 else float((moment - before.max()) / _HOUR)


def _last_dose_fact(timeline: Timeline, moment: float) -> tuple[str, dict[str, Any]]:
    """A sentence and an evidence entry about the last logged dose before `moment`."""
    hours = _hours_since_last_dose(timeline, moment)
    if hours is None:
        return "", {"hours_since_last_dose": None}
    return (
        f" Your last logged dose before it was {_duration(hours)} earlier.",
        {"hours_since_last_dose": round(hours, 2)},
    )


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def _heuristic(what: str) -> str:
    return f"{what} is {HEURISTIC_NOTE}."


def _leaf_dose_mask(data: SafetyInput) -> npt.NDArray[np.bool_]:
    """Doses of products whose grams are grams of leaf (powder, capsules, tea)."""
    leaf = set(data.parameters.names("dose_above_band", "leaf_forms"))
    return np.array(
        [data.products[int(p)].form in leaf for p in data.timeline.dose_product], dtype=np.bool_
    )


def _band(scheme_id: str, label: str) -> tuple[DoseContext, DoseBand]:
    for scheme in load_pharmacokinetics().dose_context:
        if scheme.id == scheme_id:
            for band in scheme.bands:
                if band.label == label:
                    return scheme, band
    raise KeyError(f"no dose band {label!r} in dose context {scheme_id!r}")


def _band_range(band: DoseBand) -> str:
    if band.high_g is None:
        return f"{band.low_g:g} g or more per dose"
    return f"{band.low_g:g}-{band.high_g:g} g per dose"


def _bands_of(grams: float) -> list[dict[str, Any]]:
    """Where a leaf dose falls in every source's bands (context, stored in evidence)."""
    found = []
    for scheme in load_pharmacokinetics().dose_context:
        for band in scheme.bands:
            if band.low_g <= grams and (band.high_g is None or grams < band.high_g):
                found.append(
                    {
                        "scheme": scheme.id,
                        "band": band.label,
                        "low_g": band.low_g,
                        "high_g": band.high_g,
                        "anecdotal": scheme.anecdotal,
                        "sources": list(scheme.sources),
                    }
                )
    return found


def _scheme_grade(scheme: DoseContext) -> EvidenceGrade:
    return "anecdotal" if scheme.anecdotal else "survey"


@cache
def _symptoms_with_signal(signal: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Checklist symptoms that signal a concern: id -> (label, sources), in checklist order."""
    return {s.id: (s.label, s.sources) for s in load().symptoms if signal in s.signals}


def _symptoms_by_day(
    data: SafetyInput, signal: str
) -> dict[int, tuple[frozenset[str], float, float]]:
    """Per local day index: the day's symptoms with `signal`, first and last check-in time."""
    wanted = set(_symptoms_with_signal(signal))
    timeline = data.timeline
    days = timeline.day_of(timeline.checkin_time)
    out: dict[int, tuple[frozenset[str], float, float]] = {}
    for day, moment, symptoms in zip(days, timeline.checkin_time, timeline.symptoms, strict=True):
        found = symptoms & wanted
        if not found or not 0 <= day < timeline.n_days:
            continue
        seen, first, last = out.get(int(day), (frozenset(), float(moment), float(moment)))
        out[int(day)] = (seen | found, min(first, moment), max(last, moment))
    return out


def _labels(symptom_ids: Iterable[str], signal: str) -> list[str]:
    known = _symptoms_with_signal(signal)
    return [known[s][0] for s in known if s in set(symptom_ids)]


def _symptom_sources(symptom_ids: Iterable[str], signal: str) -> tuple[str, ...]:
    known = _symptoms_with_signal(signal)
    chosen = set(symptom_ids)
    return _unique(src for s in known if s in chosen for src in known[s][1])


def _in_words(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _instrument_key(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


# --- interaction -------------------------------------------------------------------------------


def _unknown_substance(data: SafetyInput, substance: SubstanceFacts) -> AlertCandidate:
    return AlertCandidate(
        rule="interaction",
        severity="info",
        title=f"mitra cannot check {substance.name} with kratom",
        text=(
            f"You list {substance.name!r}, which mitra's knowledge base does not know, so mitra "
            "cannot say how it combines with kratom. Unknown is not the same as safe."
        ),
        advice=(
            f"Ask a pharmacist about {substance.name} with kratom. If it has another name "
            "(generic or brand), try that name in your list of substances."
        ),
        sources=(),
        evidence={
            "journal_substance": {"id": substance.id, "name": substance.name},
            "knowledge_id": substance.knowledge_id,
            "unknown": True,
        },
        evidence_key=f"interaction:unknown:{substance.id}",
        at=data.now,
        evidence_grade="none",
    )


def _end_name(substance_id: str, listed: Mapping[str, list[SubstanceFacts]]) -> str:
    if substance_id == KRATOM:
        return "kratom"
    names = [s.name for s in listed.get(substance_id, [])]
    known = load_substances().substance(substance_id).name
    if not names:
        return known
    shown = _in_words(names)
    return shown if known.casefold() in {n.casefold() for n in names} else f"{shown} ({known})"


def _finding_evidence(finding: InteractionFinding) -> dict[str, Any]:
    return {
        "interaction_rule": finding.rule,
        "substances": list(finding.substances),
        "between": list(finding.between),
        "by_class": finding.by_class,
        "mechanism": finding.mechanism,
        "evidence_grade": finding.evidence,
        "evidence_note": finding.evidence_note,
        "disagreements": [
            {"text": text, "sources": [c.id for c in cites]}
            for text, cites in finding.disagreements
        ],
    }


def interaction_with_listed_substances(data: SafetyInput) -> list[AlertCandidate]:
    """Every recorded interaction among kratom and the person's active substances."""
    kb = load_substances()
    listed: dict[str, list[SubstanceFacts]] = {}
    out: list[AlertCandidate] = []
    for substance in sorted(data.substances.values(), key=lambda s: s.id):
        if not substance.active:
            continue
        if substance.knowledge_id is None or substance.knowledge_id not in kb.substances:
            out.append(_unknown_substance(data, substance))
            continue
        listed.setdefault(substance.knowledge_id, []).append(substance)
    for finding in interactions_among(sorted(listed)):
        first, second = finding.substances
        journal = [s for sid in finding.substances for s in listed.get(sid, [])]
        text = (
            f"You list {_end_name(first, listed)} and {_end_name(second, listed)}, and mitra's "
            f"knowledge base records this about them together: {finding.mechanism} "
            f"{finding.evidence_note}"
        )
        evidence = _finding_evidence(finding)
        evidence["journal_substances"] = [
            {"id": s.id, "name": s.name, "knowledge_id": s.knowledge_id} for s in journal
        ]
        out.append(
            AlertCandidate(
                rule="interaction",
                severity=finding.severity,
                title=finding.title,
                text=text,
                advice=finding.advice,
                sources=tuple(c.id for c in finding.sources),
                evidence=evidence,
                evidence_key=f"interaction:{finding.rule}:{first}:{second}",
                at=data.now,
                evidence_grade=finding.evidence,
            )
        )
    return out


# --- co-use ------------------------------------------------------------------------------------


def _is_concentrated_seven_oh(data: SafetyInput, product: ProductFacts) -> bool:
    forms = data.parameters.names("seven_oh_product", "forms")
    content = load_pharmacokinetics().content[data.parameters.text("seven_oh_product", "content")]
    lab = product.hydroxy_mg_per_g
    return product.form in forms or (lab is not None and lab >= content.span[0])


def _sedation_findings(
    knowledge_id: str, seven_oh: bool, depressants: frozenset[str]
) -> list[InteractionFinding]:
    """Findings about taking this substance with kratom (or a 7-OH product) that concern sedation.

    Rules about levels in the blood (CYP enzymes) are left to the interaction rule: co-use is
    about taking the two around the same time.
    """
    found = (
        interactions_among(["seven_oh", knowledge_id], include_kratom=False)
        if seven_oh
        else interactions_among([knowledge_id])
    )
    return [
        f
        for f in found
        if any(end in depressants or end == knowledge_id for end in f.between)
        and knowledge_id in f.substances
    ]


def co_use_of_a_depressant_near_a_dose(data: SafetyInput) -> list[AlertCandidate]:
    """A sedating substance (alcohol, a benzodiazepine, an opioid, ...) logged near a dose."""
    params = data.parameters
    window_hours = params.number("co_use", "window_hours")
    depressants = frozenset(params.names("co_use", "depressant_classes"))
    kb = load_substances()
    timeline = data.timeline
    clock = timeline.clock
    cache_: dict[tuple[str, bool], list[InteractionFinding]] = {}
    out: list[AlertCandidate] = []
    for intake_time, substance_id in zip(
        timeline.intake_time, timeline.intake_substance, strict=True
    ):
        substance = data.substances[int(substance_id)]
        kid = substance.knowledge_id
        if kid is None or kid not in kb.substances:
            continue
        if not depressants & {kid, *kb.substance(kid).classes}:
            continue
        near = np.flatnonzero(np.abs(timeline.dose_time - intake_time) <= window_hours * _HOUR)
        for j in near:
            dose_time = float(timeline.dose_time[j])
            product = data.products[int(timeline.dose_product[j])]
            seven_oh = _is_concentrated_seven_oh(data, product)
            if (kid, seven_oh) not in cache_:
                cache_[kid, seven_oh] = _sedation_findings(kid, seven_oh, depressants)
            out.append(
                _co_use_candidate(
                    data,
                    substance=substance,
                    intake_time=float(intake_time),
                    product=product,
                    dose_time=dose_time,
                    grams=float(timeline.dose_grams[j]),
                    findings=cache_[kid, seven_oh],
                    clock=clock,
                )
            )
    return out


def _co_use_candidate(
    data: SafetyInput,
    *,
    substance: SubstanceFacts,
    intake_time: float,
    product: ProductFacts,
    dose_time: float,
    grams: float,
    findings: list[InteractionFinding],
    clock: DayClock,
) -> AlertCandidate:
    window = data.parameters.number("co_use", "window_hours")
    gap = abs(intake_time - dose_time) / _HOUR
    seen = (
        f"You logged {substance.name} at {_when(intake_time, clock)} and a kratom dose "
        f"({_grams(grams)} of {product.name}) at {_when(dose_time, clock)}, "
        f"{_duration(gap)} apart. mitra counts the two as taken together when they are within "
        f"{window:g} hours of each other; {_heuristic(f'{window:g} hours')}"
    )
    if findings:
        primary = findings[0]
        severity: Severity = primary.severity
        # A title of its own: the same interaction may also be on the list as a standing alert.
        title = f"{substance.name} taken {_duration(gap)} from a kratom dose: {primary.title}"
        about = f" {primary.mechanism} {primary.evidence_note}"
        advice = primary.advice
        sources = _unique(c.id for f in findings for c in f.sources)
        grade: EvidenceGrade = primary.evidence
    else:
        # A class tag with no rule of its own: fall back on mechanism, and say so.
        severity, grade = "warning", "mechanism_only"
        title = f"{substance.name} near a kratom dose: added sedation"
        about = (
            " Kratom's alkaloids act at opioid receptors, so added drowsiness and slowed "
            f"breathing are expected with sedating substances. {EVIDENCE_NOTES['mechanism_only']}"
        )
        advice = "Avoid taking them together, and do not drive after taking both."
        sources = ("kruegel2016",)
    return AlertCandidate(
        rule="co_use",
        severity=severity,
        title=title,
        text=seen + about,
        advice=advice,
        sources=sources,
        evidence={
            "dose": {
                "at": _iso(dose_time),
                "grams": grams,
                "product": {"id": product.id, "name": product.name, "form": product.form},
            },
            "intake": {
                "at": _iso(intake_time),
                "substance": {
                    "id": substance.id,
                    "name": substance.name,
                    "knowledge_id": substance.knowledge_id,
                },
            },
            "hours_apart": round(gap, 2),
            "interactions": [_finding_evidence(f) for f in findings],
            "parameters": data.parameters.evidence("co_use"),
        },
        evidence_key=f"co_use:{_iso(dose_time)}:{_iso(intake_time)}:{substance.id}",
        at=_utc(max(dose_time, intake_time)),
        evidence_grade=grade,
    )


# --- concentrated 7-OH products ------------------------------------------------------------------


def concentrated_seven_oh_product(data: SafetyInput) -> list[AlertCandidate]:
    """A dose of a concentrated 7-hydroxymitragynine product (by its form or its lab figure)."""
    timeline = data.timeline
    content = load_pharmacokinetics().content[data.parameters.text("seven_oh_product", "content")]
    low, high = content.span
    seven_oh_rule = load_substances().interaction("kratom_seven_oh")
    out: list[AlertCandidate] = []
    for product_id in sorted({int(p) for p in timeline.dose_product}):
        product = data.products[product_id]
        if not _is_concentrated_seven_oh(data, product):
            continue
        times = timeline.dose_time[timeline.dose_product == product_id]
        first = float(times.min())
        if product.form in data.parameters.names("seven_oh_product", "forms"):
            why = "a product you entered as a 7-OH product"
        else:
            why = (
                f"a product whose lab figure of {product.hydroxy_mg_per_g:g} mg of "
                "7-hydroxymitragynine per g is in the range measured in concentrated 7-OH products"
            )
        text = (
            f"On {_when(first, timeline.clock)} you logged a dose of {product.name}, {why}. "
            f"Concentrated 7-OH products have been measured at {low:g}-{high:g} mg of "
            "7-hydroxymitragynine per g, while natural leaf holds only traces. 7-OH acts at "
            "mu-opioid receptors, and in July 2025 the US FDA recommended scheduling it; natural "
            f"leaf was not targeted. {EVIDENCE_NOTES[seven_oh_rule.evidence]}"
        )
        out.append(
            AlertCandidate(
                rule="seven_oh_product",
                severity="warning",
                title=f"{product.name} is a concentrated 7-OH product",
                text=text,
                advice=seven_oh_rule.advice,
                sources=_unique([*content.sources, *seven_oh_rule.sources]),
                evidence={
                    "product": {
                        "id": product.id,
                        "name": product.name,
                        "form": product.form,
                        "hydroxy_mg_per_g": product.hydroxy_mg_per_g,
                    },
                    "first_dose_at": _iso(first),
                    "doses_in_timeline": int(times.size),
                    "measured_range_mg_per_g": [low, high],
                    "content_figure": content.id,
                },
                evidence_key=f"seven_oh_product:product:{product.id}",
                at=_utc(first),
                evidence_grade=seven_oh_rule.evidence,
            )
        )
    return out


# --- doses beside the bands --------------------------------------------------------------------


def dose_above_band(data: SafetyInput) -> list[AlertCandidate]:
    """A single leaf dose at or above a band where harm is more often reported."""
    params = data.parameters
    caution = _band(*params.names("dose_above_band", "caution_band"))
    warning = _band(*params.names("dose_above_band", "warning_band"))
    timeline = data.timeline
    leaf = _leaf_dose_mask(data)
    out: list[AlertCandidate] = []
    for j in np.flatnonzero(leaf):
        grams = float(timeline.dose_grams[j])
        if not grams >= caution[1].low_g:
            continue
        severity: Severity = "warning" if grams >= warning[1].low_g else "caution"
        scheme, band = warning if severity == "warning" else caution
        moment = float(timeline.dose_time[j])
        product = data.products[int(timeline.dose_product[j])]
        text = (
            f"On {_when(moment, timeline.clock)} you logged {_grams(grams)} of {product.name}. "
            f"That reaches the band '{band.label}' ({_band_range(band)}) of "
            f"'{scheme.label}'. {scheme.note} {_BANDS_NOTE}"
        )
        advice = (
            "If you want to take less, a clinician can help you plan a gradual reduction. Avoid "
            "alcohol and other sedatives with a large dose, and do not drive after it."
        )
        if severity == "warning":
            advice += (
                " Very sleepy, slow or shallow breathing, or confused after a large dose: "
                "call emergency services."
            )
        out.append(
            AlertCandidate(
                rule="dose_above_band",
                severity=severity,
                title=f"A dose of {_grams(grams)}, in the band '{band.label}'",
                text=text,
                advice=advice,
                sources=scheme.sources,
                evidence={
                    "dose": {
                        "at": _iso(moment),
                        "grams": grams,
                        "product": {"id": product.id, "name": product.name, "form": product.form},
                    },
                    "band_used": {
                        "scheme": scheme.id,
                        "band": band.label,
                        "low_g": band.low_g,
                        "high_g": band.high_g,
                        "anecdotal": scheme.anecdotal,
                    },
                    "bands": _bands_of(grams),
                    "parameters": params.evidence("dose_above_band"),
                },
                evidence_key=f"dose_above_band:{_iso(moment)}:{product.id}",
                at=_utc(moment),
                evidence_grade=_scheme_grade(scheme),
            )
        )
    return out


def day_total_above_band(data: SafetyInput) -> list[AlertCandidate]:
    """A day of two or more leaf doses whose total reaches the highest per-dose band."""
    scheme, band = _band(*data.parameters.names("day_total_above_band", "band"))
    timeline = data.timeline
    leaf = _leaf_dose_mask(data)
    days = _dose_days(timeline)
    out: list[AlertCandidate] = []
    for day in np.unique(days[leaf]):
        if not 0 <= day < timeline.n_days:
            continue
        chosen = np.flatnonzero(leaf & (days == day))
        total = float(timeline.dose_grams[chosen].sum())
        if chosen.size < 2 or not total >= band.low_g:
            continue
        local = _local_day(data, int(day))
        text = (
            f"On {_day(local)} your {chosen.size} doses of leaf kratom came to {_grams(total)}. "
            f"That reaches {band.low_g:g} g, the low edge of the band '{band.label}' of "
            f"'{scheme.label}', which is a band for a single dose; no source gives one for a "
            f"day. {_heuristic('Comparing a day with it')} {scheme.note} {_BANDS_NOTE}"
        )
        out.append(
            AlertCandidate(
                rule="day_total_above_band",
                severity="caution",
                title=f"{_grams(total)} of kratom in one day",
                text=text,
                advice=(
                    "If you want to take less, a clinician can help you plan a gradual reduction. "
                    "Avoid alcohol and other sedatives on days with a large total."
                ),
                sources=scheme.sources,
                evidence={
                    "day": local.isoformat(),
                    "grams_total": total,
                    "doses": [
                        {
                            "at": _iso(float(timeline.dose_time[j])),
                            "grams": float(timeline.dose_grams[j]),
                            "product": int(timeline.dose_product[j]),
                        }
                        for j in chosen
                    ],
                    "band_used": {
                        "scheme": scheme.id,
                        "band": band.label,
                        "low_g": band.low_g,
                        "anecdotal": scheme.anecdotal,
                    },
                    "parameters": data.parameters.evidence("day_total_above_band"),
                },
                evidence_key=f"day_total_above_band:{local.isoformat()}",
                at=_utc(float(timeline.dose_time[chosen].max())),
                evidence_grade="heuristic",
            )
        )
    return out


# --- escalation and frequency ------------------------------------------------------------------


def _complete_weeks(data: SafetyInput, most: int) -> list[date]:
    """Mondays of the latest complete local weeks (Monday-Sunday) in the span, oldest first."""
    timeline = data.timeline
    yesterday = timeline.clock.local_day(data.now) - timedelta(days=1)
    last = min(timeline.last, yesterday)
    sunday = last - timedelta(days=(last.weekday() + 1) % 7)
    mondays = [sunday - timedelta(days=6 + 7 * k) for k in range(most)]
    return sorted(m for m in mondays if m >= timeline.first)


def rising_weekly_dose(data: SafetyInput) -> list[AlertCandidate]:
    """A rising trend in weekly grams of leaf, distinguishable from flat (Mann-Kendall, 5%)."""
    params = data.parameters
    min_weeks = params.count("escalation", "min_weeks")
    alpha = params.number("escalation", "alpha")
    mondays = _complete_weeks(data, params.count("escalation", "max_weeks"))
    if len(mondays) < min_weeks:
        return []
    timeline = data.timeline
    days = _dose_days(timeline)
    counted = _leaf_dose_mask(data) & (days >= 0) & (days < timeline.n_days)
    daily = np.bincount(
        days[counted], weights=timeline.dose_grams[counted], minlength=timeline.n_days
    )
    starts = [(monday - timeline.first).days for monday in mondays]
    weekly = np.array([daily[s : s + 7].sum() for s in starts], dtype=np.float64)
    weeks = np.arange(weekly.size, dtype=np.float64)
    if np.ptp(weekly) == 0:
        return []
    # Mann-Kendall's test is Kendall's tau between the values and time.
    tau, p_value = stats.kendalltau(weeks, weekly, alternative="greater")
    if not p_value < alpha:
        return []
    slope, _, low, high = stats.theilslopes(weekly, weeks, alpha=0.95)
    if not slope > 0:
        return []
    last_week = _iso_week(mondays[-1])
    text = (
        f"Your weekly total of leaf kratom rose over the last {weekly.size} complete weeks, from "
        f"{_grams(float(weekly[0]))} in the week of {_day(mondays[0])} to "
        f"{_grams(float(weekly[-1]))} in the week of {_day(mondays[-1])}. The typical rise is "
        f"{slope:.2g} g per week (Theil-Sen slope; 95% interval {low:.2g} to {high:.2g}), and a "
        f"Mann-Kendall test finds a rising trend unlikely to be chance alone (p = {p_value:.3f}). "
        f"{_heuristic(f'Testing the latest {min_weeks} or more weeks')}"
    )
    return [
        AlertCandidate(
            rule="escalation",
            severity="caution",
            title="Your weekly dose has been rising",
            text=text,
            advice=(
                "A steadily rising dose can be a sign of growing tolerance. If you want to hold "
                "your dose or reduce it, a clinician can help you plan a gradual reduction."
            ),
            sources=("grundmann2017", "psychonautwiki"),
            evidence={
                "weeks": [
                    {"week": _iso_week(m), "monday": m.isoformat(), "grams": float(g)}
                    for m, g in zip(mondays, weekly, strict=True)
                ],
                "theil_sen_g_per_week": float(slope),
                "theil_sen_95": [float(low), float(high)],
                "kendall_tau": float(tau),
                "p_value": float(p_value),
                "counts": "leaf products only (powder, capsules, tea)",
                "parameters": params.evidence("escalation"),
            },
            evidence_key=f"escalation:{last_week}",
            at=timeline.clock.day_start(mondays[-1] + timedelta(days=7)),
            evidence_grade="heuristic",
        )
    ]


def _runs(flags: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, length) of every run of True."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def daily_use_streak(data: SafetyInput) -> list[AlertCandidate]:
    """Kratom on many consecutive local days: at the streak length, then twice, four times..."""
    params = data.parameters
    streak = params.count("daily_streak", "days")
    timeline = data.timeline
    days = _dose_days(timeline)
    used = np.zeros(timeline.n_days, dtype=np.bool_)
    used[days[(days >= 0) & (days < timeline.n_days)]] = True
    steady = (
        load_pharmacokinetics().parameter_set("huestis2024").figure("time_to_steady_state_days")
    )
    today = timeline.clock.local_day(data.now)
    out: list[AlertCandidate] = []
    for start, length in _runs(used):
        if length < streak:
            continue
        milestone = streak * 2 ** int(math.log2(length / streak))
        first = _local_day(data, start)
        last = _local_day(data, start + length - 1)
        ongoing = last >= today - timedelta(days=1)
        on_reached = timeline.dose_time[days == start + milestone - 1]
        text = (
            f"You took kratom on {length} days in a row, from {_day(first)} to {_day(last)}"
            f"{' (so far)' if ongoing else ''}. mitra mentions a streak at {streak} days and "
            f"again at twice, four times ... as many; {_heuristic(f'{streak} days')} In a study "
            "of people who use kratom, withdrawal followed how often they dosed more than how "
            "much, and mitragynine builds up in the body over "
            f"{steady.low:g}-{steady.high:g} days of daily doses."
        )
        out.append(
            AlertCandidate(
                rule="daily_streak",
                severity="info",
                title=f"Kratom on {length} days in a row",
                text=text,
                advice=(
                    "If you want to, plan regular days without kratom, or reduce gradually with a "
                    "clinician's help. If a day without it brings withdrawal-like symptoms, log "
                    "them; a clinician can help."
                ),
                sources=("rogers2024", "huestis2024", "garciaromeu2020"),
                evidence={
                    "first_day": first.isoformat(),
                    "last_day": last.isoformat(),
                    "days": length,
                    "milestone_days": milestone,
                    "ongoing": ongoing,
                    "parameters": params.evidence("daily_streak"),
                },
                evidence_key=f"daily_streak:{first.isoformat()}:{milestone}",
                at=_utc(float(on_reached.min())),
                evidence_grade="heuristic",
            )
        )
    return out


def shortening_interval_between_doses(data: SafetyInput) -> list[AlertCandidate]:
    """Doses moving closer together: the later half's median gap clearly below the earlier's."""
    params = data.parameters
    window_days = params.count("shortening_interval", "window_days")
    per_half = params.count("shortening_interval", "min_intervals_per_half")
    max_ratio = params.number("shortening_interval", "max_ratio")
    alpha = params.number("shortening_interval", "alpha")
    timeline = data.timeline
    if timeline.dose_time.size == 0:
        return []
    days = _dose_days(timeline)
    last_day = int(days.max())
    inside = (days > last_day - window_days) & (days <= last_day)
    times = np.sort(timeline.dose_time[inside])
    gaps = np.diff(times) / _HOUR
    half = gaps.size // 2
    if half < per_half:
        return []
    earlier, later = gaps[:half], gaps[gaps.size - half :]
    median_earlier, median_later = float(np.median(earlier)), float(np.median(later))
    ratio = median_later / median_earlier if median_earlier > 0 else math.inf
    if not ratio <= max_ratio:
        return []
    p_value = float(stats.mannwhitneyu(earlier, later, alternative="greater").pvalue)
    if not p_value < alpha:
        return []
    end = _local_day(data, last_day)
    start = end - timedelta(days=window_days - 1)
    text = (
        f"In the {window_days} days from {_day(start)} to {_day(end)}, the time between your doses "
        f"shortened: the median gap was {_duration(median_earlier)} over the earlier "
        f"{half} gaps and {_duration(median_later)} over the later {half} (a Mann-Whitney test "
        f"finds this unlikely to be chance alone, p = {p_value:.3f}). "
        f"{_heuristic(f'Comparing {window_days} days and a gap {1 - max_ratio:.0%} shorter')} "
        "In a study of people who use kratom, withdrawal followed how often they dosed more than "
        "how much."
    )
    return [
        AlertCandidate(
            rule="shortening_interval",
            severity="caution",
            title="Your doses are coming closer together",
            text=text,
            advice=(
                "Doses coming closer together can go with growing tolerance or with "
                "withdrawal-like feelings between doses. If you want to space them out again "
                "or reduce, a clinician can help you plan a gradual reduction."
            ),
            sources=("rogers2024",),
            evidence={
                "first_day": start.isoformat(),
                "last_day": end.isoformat(),
                "doses": int(times.size),
                "median_gap_hours_earlier": round(median_earlier, 2),
                "median_gap_hours_later": round(median_later, 2),
                "ratio": round(ratio, 3),
                "p_value": p_value,
                "parameters": params.evidence("shortening_interval"),
            },
            evidence_key=f"shortening_interval:{_iso_week(end)}",
            at=_utc(float(times[-1])),
            evidence_grade="heuristic",
        )
    ]


# --- withdrawal --------------------------------------------------------------------------------


def withdrawal_sows_total(data: SafetyInput) -> list[AlertCandidate]:
    """A SOWS total at or above the mean reported in kratom withdrawal (rogers2024)."""
    params = data.parameters
    mean = params.number("withdrawal_sows", "reference_mean_total")
    sd = params.number("withdrawal_sows", "reference_sd")
    at_least = params.number("withdrawal_sows", params.text("withdrawal_sows", "at_least"))
    out: list[AlertCandidate] = []
    for response in data.responses:
        if _instrument_key(response.instrument) != "SOWS" or not response.total >= at_least:
            continue
        moment = response.at.timestamp()
        last_dose, last_dose_evidence = _last_dose_fact(data.timeline, moment)
        text = (
            f"Your SOWS total on {_when(moment, data.timeline.clock)} was {response.total:g} of "
            f"64. In a study of people who use kratom, the mean total during withdrawal was "
            f"{mean:g} (SD {sd:g}); yours is at or above it. The SOWS has no official bands, and "
            f"{_heuristic('mentioning totals at the study mean')}{last_dose} These symptoms "
            "have other causes too."
        )
        out.append(
            AlertCandidate(
                rule="withdrawal_sows",
                severity="caution",
                title="Your SOWS total is in the range reported in kratom withdrawal",
                text=text,
                advice=(
                    "Withdrawal symptoms can be eased: a clinician or pharmacist can suggest "
                    "treatments. If you are reducing, smaller steps may be easier. Answer the SOWS "
                    "again in a few days to follow the trend."
                ),
                sources=("rogers2024", "handelsman1987"),
                evidence={
                    "response": {
                        "id": response.id,
                        "instrument": response.instrument,
                        "at": response.at.astimezone(UTC).isoformat(),
                        "total": response.total,
                    },
                    "reference_mean_total": mean,
                    "reference_sd": sd,
                    **last_dose_evidence,
                    "parameters": params.evidence("withdrawal_sows"),
                },
                evidence_key=f"withdrawal_sows:response:{response.id}",
                at=response.at,
                evidence_grade="observational_study",
            )
        )
    return out


def withdrawal_like_symptoms(data: SafetyInput) -> list[AlertCandidate]:
    """Many withdrawal-like symptoms on one day, or some on several days of one week."""
    params = data.parameters
    one_day = params.count("withdrawal_symptoms", "one_day_at_least")
    counts_with = params.count("withdrawal_symptoms", "day_counts_with")
    days_needed = params.count("withdrawal_symptoms", "days_in_week_at_least")
    by_day = _symptoms_by_day(data, "withdrawal")
    out: list[AlertCandidate] = []
    weeks: dict[str, list[int]] = {}
    for day in sorted(by_day):
        symptoms, _, last = by_day[day]
        local = _local_day(data, day)
        if len(symptoms) >= counts_with:
            weeks.setdefault(_iso_week(local), []).append(day)
        if len(symptoms) < one_day:
            continue
        labels = _labels(symptoms, "withdrawal")
        last_dose, last_dose_evidence = _last_dose_fact(data.timeline, last)
        text = (
            f"On {_day(local)} you reported {_in_words([x.lower() for x in labels])}: "
            f"{len(labels)} symptoms that can come with kratom withdrawal. Several of them also "
            "come with anxiety itself and have many other causes. "
            f"{_heuristic(f'Mentioning {one_day} or more on one day')}{last_dose}"
        )
        out.append(
            _withdrawal_candidate(
                data,
                key=f"withdrawal_symptoms:day:{local.isoformat()}",
                title="Several withdrawal-like symptoms in one day",
                text=text,
                symptoms=symptoms,
                evidence={
                    "day": local.isoformat(),
                    "symptoms": sorted(symptoms),
                    **last_dose_evidence,
                },
                moment=last,
            )
        )
    for week, chosen in weeks.items():
        if len(chosen) < days_needed:
            continue
        symptoms = frozenset().union(*(by_day[d][0] for d in chosen))
        local_days = [_local_day(data, d) for d in chosen]
        text = (
            f"In the week {week} you reported withdrawal-like symptoms on {len(chosen)} days "
            f"({_in_words([_day(d) for d in local_days])}): "
            f"{_in_words([x.lower() for x in _labels(symptoms, 'withdrawal')])}. Several of them "
            "also come with anxiety itself and have many other causes. "
            f"{_heuristic(f'Mentioning {counts_with} or more on {days_needed} days of a week')}"
        )
        out.append(
            _withdrawal_candidate(
                data,
                key=f"withdrawal_symptoms:week:{week}",
                title="Withdrawal-like symptoms on several days",
                text=text,
                symptoms=symptoms,
                evidence={
                    "week": week,
                    "days": {
                        d.isoformat(): sorted(by_day[i][0])
                        for d, i in zip(local_days, chosen, strict=True)
                    },
                },
                moment=max(by_day[d][2] for d in chosen),
            )
        )
    return out


def _withdrawal_candidate(
    data: SafetyInput,
    *,
    key: str,
    title: str,
    text: str,
    symptoms: frozenset[str],
    evidence: dict[str, Any],
    moment: float,
) -> AlertCandidate:
    return AlertCandidate(
        rule="withdrawal_symptoms",
        severity="caution",
        title=title,
        text=text,
        advice=(
            "The SOWS questionnaire can measure these symptoms over time. Withdrawal can be eased: "
            "a clinician or pharmacist can help, and if you are reducing, smaller steps may be "
            "easier."
        ),
        sources=_symptom_sources(symptoms, "withdrawal"),
        evidence={**evidence, "parameters": data.parameters.evidence("withdrawal_symptoms")},
        evidence_key=key,
        at=_utc(moment),
        evidence_grade="observational_study",
    )


# --- liver -------------------------------------------------------------------------------------


def liver_warning_symptoms(data: SafetyInput) -> list[AlertCandidate]:
    """A liver-injury warning symptom in a check-in: seek care (today, for yellow skin or eyes)."""
    urgent = set(data.parameters.names("liver_symptoms", "danger_symptoms"))
    out: list[AlertCandidate] = []
    for day, (symptoms, first, _) in sorted(_symptoms_by_day(data, "liver").items()):
        local = _local_day(data, day)
        severity: Severity = "danger" if symptoms & urgent else "warning"
        labels = [x.lower() for x in _labels(symptoms, "liver")]
        text = (
            f"On {_day(local)} you reported {_in_words(labels)}. "
            f"{'This' if len(labels) == 1 else 'These'} can be a sign of liver injury, which has "
            "been reported in people who use kratom. There are other causes too; only a "
            "clinician can tell, often with a blood test."
        )
        when = "today" if severity == "danger" else "soon"
        out.append(
            AlertCandidate(
                rule="liver_symptoms",
                severity=severity,
                title=f"Seek medical care {when}: possible liver warning signs",
                text=text,
                advice=(
                    f"Seek medical care {when}, and tell the clinician that you use kratom and "
                    "everything else you take. Do not wait for it to pass."
                ),
                sources=_symptom_sources(symptoms, "liver"),
                evidence={
                    "day": local.isoformat(),
                    "symptoms": sorted(symptoms),
                    "first_reported_at": _iso(first),
                    "parameters": data.parameters.evidence("liver_symptoms"),
                },
                evidence_key=f"liver_symptoms:{local.isoformat()}:{severity}",
                at=_utc(first),
                evidence_grade="case_report",
            )
        )
    return out


# --- crisis ------------------------------------------------------------------------------------


def crisis_answer_in_a_questionnaire(data: SafetyInput) -> list[AlertCandidate]:
    """A questionnaire answer that raised the crisis flag (PHQ-9 item 9 above 0, for example)."""
    out: list[AlertCandidate] = []
    for response in data.responses:
        if "crisis" not in response.flags:
            continue
        message = (
            "One of your answers said you have had thoughts that you would be better off dead "
            "or of hurting yourself."
        )
        sources: tuple[str, ...] = ("simon2013",)
        try:
            rules = [f for f in instrument(response.instrument).flags if f.id == "crisis"]
        except UnknownInstrumentError:
            rules = []
        if rules:
            message, sources = rules[0].message, rules[0].sources
        moment = response.at.timestamp()
        out.append(
            AlertCandidate(
                rule="crisis_answer",
                severity="danger",
                title="You deserve support right now",
                text=(
                    f"In your {response.instrument} on {_when(moment, data.timeline.clock)}: "
                    f"{message}"
                ),
                advice=(
                    "Please reach a crisis line, emergency services or someone you trust now. "
                    "You do not have to be sure it is an emergency to call."
                ),
                sources=sources,
                evidence={
                    "response": {
                        "id": response.id,
                        "instrument": response.instrument,
                        "at": response.at.astimezone(UTC).isoformat(),
                        "total": response.total,
                        "flags": list(response.flags),
                    }
                },
                evidence_key=f"crisis_answer:response:{response.id}",
                at=response.at,
                evidence_grade="clinical_study",
            )
        )
    return out


# --- the registry ------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule(
        "crisis_answer",
        "danger",
        "A questionnaire answer asks for support now",
        crisis_answer_in_a_questionnaire,
        ("simon2013",),
    ),
    Rule(
        "interaction",
        "warning",
        "Kratom with a substance you list",
        interaction_with_listed_substances,
        ("kruegel2016", "tanna2023cpt", "hughes2018", "brogdon2022", "psychonautwiki"),
    ),
    Rule(
        "co_use",
        "danger",
        "A sedating substance taken near a kratom dose",
        co_use_of_a_depressant_near_a_dose,
        ("kruegel2016", "psychonautwiki"),
    ),
    Rule(
        "seven_oh_product",
        "warning",
        "A concentrated 7-OH product",
        concentrated_seven_oh_product,
        ("brown2025", "lydecker2016", "kruegel2016", "fda2025"),
    ),
    Rule(
        "dose_above_band",
        "caution",
        "A single dose beside the literature's dose bands",
        dose_above_band,
        ("grundmann2017", "prozialeck2012"),
    ),
    Rule(
        "day_total_above_band",
        "caution",
        "A day's total beside the highest per-dose band",
        day_total_above_band,
        ("prozialeck2012",),
    ),
    Rule(
        "escalation",
        "caution",
        "A rising weekly dose",
        rising_weekly_dose,
        ("grundmann2017", "psychonautwiki"),
    ),
    Rule(
        "daily_streak",
        "info",
        "Kratom every day for a while",
        daily_use_streak,
        ("rogers2024", "huestis2024", "garciaromeu2020"),
    ),
    Rule(
        "shortening_interval",
        "caution",
        "Doses coming closer together",
        shortening_interval_between_doses,
        ("rogers2024",),
    ),
    Rule(
        "withdrawal_sows",
        "caution",
        "A SOWS total in the range reported in withdrawal",
        withdrawal_sows_total,
        ("rogers2024", "handelsman1987"),
    ),
    Rule(
        "withdrawal_symptoms",
        "caution",
        "Withdrawal-like symptoms in check-ins",
        withdrawal_like_symptoms,
        ("singh2014", "handelsman1987"),
    ),
    Rule(
        "liver_symptoms",
        "warning",
        "Liver-injury warning symptoms: seek care",
        liver_warning_symptoms,
        ("livertox",),
    ),
)


def rule(rule_id: str) -> Rule:
    """A registered rule by id; KeyError naming the known ids otherwise."""
    for known in RULES:
        if known.id == rule_id:
            return known
    raise KeyError(f"unknown rule {rule_id!r}; known: {', '.join(r.id for r in RULES)}")


def evaluate(data: SafetyInput, rules: Sequence[Rule] = RULES) -> list[AlertCandidate]:
    """Every rule's candidates, most severe first, then newest first."""
    found = [candidate for known in rules for candidate in known(data)]
    return sorted(found, key=AlertCandidate.sort_key)
