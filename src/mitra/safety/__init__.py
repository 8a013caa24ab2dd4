"""Safety rules that turn the journal and the knowledge base into alerts, each with its sources."""

from mitra.safety.parameters import (
    HEURISTIC_NOTE,
    RuleParameter,
    RuleParameters,
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
    evaluate,
    rule,
)

__all__ = [
    "HEURISTIC_NOTE",
    "RULES",
    "AlertCandidate",
    "ProductFacts",
    "ResponseFacts",
    "Rule",
    "RuleParameter",
    "RuleParameters",
    "SafetyInput",
    "SubstanceFacts",
    "evaluate",
    "load_rule_parameters",
    "rule",
]
