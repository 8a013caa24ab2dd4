"""Safety rules that turn the journal and the knowledge base into alerts, each with its sources."""

from mitra.safety.evidence import Evidence, Fact, StoredEvidence, evidence_from_json
from mitra.safety.parameters import (
    EVENTS,
    HEURISTIC_NOTE,
    Event,
    RuleParameter,
    RuleParameters,
    SafetyPolicy,
    load_policy,
    load_rule_parameters,
)
from mitra.safety.rules import (
    RULES,
    AlertCandidate,
    ProductFacts,
    ResponseFacts,
    Rule,
    SafetyInput,
    SubstanceFacts,
    crisis_alert_key,
    entry_rules,
    evaluate,
    rule,
    rules_for,
)

__all__ = [
    "EVENTS",
    "HEURISTIC_NOTE",
    "RULES",
    "AlertCandidate",
    "Event",
    "Evidence",
    "Fact",
    "ProductFacts",
    "ResponseFacts",
    "Rule",
    "RuleParameter",
    "RuleParameters",
    "SafetyInput",
    "SafetyPolicy",
    "StoredEvidence",
    "SubstanceFacts",
    "crisis_alert_key",
    "entry_rules",
    "evaluate",
    "evidence_from_json",
    "load_policy",
    "load_rule_parameters",
    "rule",
    "rules_for",
]
