"""Safety rules: small pure functions that turn a journal's facts into alert candidates.

Each rule reads a `SafetyInput` (the timeline, the person's products, substances and
questionnaire responses, and the time now) and returns `AlertCandidate`s, each saying what was
seen, what to do, the sources behind it and the typed evidence it rests on. A candidate's
`evidence_key` is the same whenever the same evidence is seen again, so the alert store never
fires twice for it. Rules live by family, one module each; each declares its id, severity,
sources and grade once, in its `registered(...)` line.

Alerts say what was seen beside what is known; they never say that kratom caused anything.
Every window, count and cut-off comes from the knowledge base or from safety_rules.toml, where a
figure that is mitra's own rule of thumb is marked as such and every alert using it says so.
"""

from __future__ import annotations

from mitra import vocabulary
from mitra.safety.parameters import HEURISTIC_NOTE, Event, load_policy
from mitra.safety.rules.co_use import co_use_of_a_depressant_near_a_dose
from mitra.safety.rules.crisis import crisis_alert_key, crisis_answer_in_a_questionnaire
from mitra.safety.rules.dose_bands import day_total_above_band, dose_above_band
from mitra.safety.rules.frequency import (
    daily_use_streak,
    rising_weekly_dose,
    shortening_interval_between_doses,
)
from mitra.safety.rules.inputs import (
    ProductFacts,
    ResponseFacts,
    SafetyInput,
    SubstanceFacts,
    TaperFacts,
)
from mitra.safety.rules.interaction import interaction_with_listed_substances, listed_end_name
from mitra.safety.rules.liver import liver_warning_symptoms
from mitra.safety.rules.product import concentrated_seven_oh_product, is_concentrated_seven_oh
from mitra.safety.rules.registry import (
    SAFETY_FACTS,
    AlertCandidate,
    EvidenceGrade,
    Finding,
    ResponsesRead,
    Rule,
    SafetyFact,
    evaluate,
    registered_rules,
    responses_read,
    rule,
    told_of,
)
from mitra.safety.rules.taper import taper_day_over_allowance, taper_hold_proposed, taper_step_due
from mitra.safety.rules.withdrawal import withdrawal_like_symptoms, withdrawal_sows_total
from mitra.vocabulary import ProductForm

__all__ = [
    "HEURISTIC_NOTE",
    "PRODUCT_FORMS",
    "RULES",
    "SAFETY_FACTS",
    "AlertCandidate",
    "EvidenceGrade",
    "Finding",
    "ProductFacts",
    "ProductForm",
    "ResponseFacts",
    "ResponsesRead",
    "Rule",
    "SafetyFact",
    "SafetyInput",
    "SubstanceFacts",
    "TaperFacts",
    "co_use_of_a_depressant_near_a_dose",
    "concentrated_seven_oh_product",
    "crisis_alert_key",
    "crisis_answer_in_a_questionnaire",
    "daily_use_streak",
    "day_total_above_band",
    "dose_above_band",
    "entry_rules",
    "evaluate",
    "interaction_with_listed_substances",
    "is_concentrated_seven_oh",
    "listed_end_name",
    "liver_warning_symptoms",
    "responses_read",
    "rising_weekly_dose",
    "rule",
    "rules_for",
    "shortening_interval_between_doses",
    "taper_day_over_allowance",
    "taper_hold_proposed",
    "taper_step_due",
    "told_of",
    "undated_rules",
    "withdrawal_like_symptoms",
    "withdrawal_sows_total",
]

PRODUCT_FORMS: tuple[ProductForm, ...] = tuple(vocabulary.PRODUCT_FORMS)

RULES: tuple[Rule, ...] = registered_rules()


def rules_for(event: Event | None) -> tuple[Rule, ...]:
    """The rules that look again after an entry of this kind changes (every rule for None)."""
    if event is None:
        return RULES
    return tuple(rule(rule_id) for rule_id in load_policy().rules_for(event))


def entry_rules() -> frozenset[str]:
    """Ids of the rules whose alerts are withdrawn when the entries behind them go."""
    return frozenset(load_policy().entry_rules)


def undated_rules() -> frozenset[str]:
    """Ids of the rules whose alerts are dated when found rather than by an entry."""
    return frozenset(load_policy().undated_rules)
