"""Load and validate substances.toml and interactions.toml into typed, immutable records.

A substance is known by its generic name, brand names and synonyms; every such name, once
normalised (`normalise_name`), belongs to exactly one substance. Interaction rules sit between two
substances or classes and cite sources that exist in sources.toml.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any, Literal

from pydantic import Field, field_validator

from mitra.knowledge.citing import readable_tree
from mitra.knowledge.loader import (
    KnowledgeError,
    Record,
    Source,
    load,
    read_toml,
    unique_ids,
    validate_rows,
)
from mitra.vocabulary import SEVERITIES, Severity

__all__ = [
    "EVIDENCE_GRADES",
    "SEVERITIES",
    "ClassKind",
    "Disagreement",
    "Evidence",
    "Interaction",
    "Severity",
    "Substance",
    "SubstanceBase",
    "SubstanceClass",
    "load_substances",
    "normalise_name",
    "parse_substances",
]

SUBSTANCES_FILE = "substances.toml"
INTERACTIONS_FILE = "interactions.toml"

Evidence = Literal["clinical_study", "case_report", "mechanism_only", "anecdotal"]
ClassKind = Literal["drug_class", "effect", "metabolism", "category"]

#: Strongest first.
EVIDENCE_GRADES: tuple[Evidence, ...] = (
    "clinical_study",
    "case_report",
    "mechanism_only",
    "anecdotal",
)
# Grades that claim an observation in people must rest on at least one grade-A source.
_OBSERVED: frozenset[Evidence] = frozenset({"clinical_study", "case_report"})

_ID = re.compile(r"^[a-z0-9_]{1,64}$")  # fits the journal's Substance.knowledge_id (64 chars)
# A strength written after a name ("Xanax 0.5 mg") is not part of the name.
_STRENGTH = re.compile(r"\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|μg|ug|g|ml|iu)\b")
# Dosage-form and salt words people add to a name; they never tell two substances apart.
_FILLER = frozenset(
    {
        "tablet",
        "tablets",
        "tab",
        "tabs",
        "capsule",
        "capsules",
        "cap",
        "caps",
        "pill",
        "pills",
        "oral",
        "hcl",
        "hydrochloride",
    }
)


def normalise_name(text: str) -> str:
    """A name reduced to lower-case letters and digits, without strength or dosage-form words.

    "St. John's Wort" and "st johns wort" both give "stjohnswort"; "Xanax 0.5 mg tablets" gives
    "xanax". Names are compared in this form, so the knowledge base keeps them unambiguous in it.
    """
    folded = _STRENGTH.sub(" ", text.casefold())
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text)
    return "".join(word for word in words if word not in _FILLER)


class SubstanceClass(Record):
    """A term of the class vocabulary: what a substance is, does, or how it is cleared."""

    id: str
    kind: ClassKind
    label: str
    description: str
    sources: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("a class id is lower-case letters, digits and underscores")
        return value


class Substance(Record):
    """A medication or other substance, with every name a person may use for it."""

    id: str
    name: str
    brands: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    classes: tuple[str, ...]

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("a substance id is 1-64 lower-case letters, digits and underscores")
        return value

    @field_validator("classes")
    @classmethod
    def _has_a_class(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("a substance needs at least one class")
        return value

    def names(self) -> tuple[str, ...]:
        """Every name this substance answers to: generic name, brands, synonyms, and its id."""
        return (self.name, *self.brands, *self.synonyms, self.id)


class Disagreement(Record):
    """Where sources (or mitra's grade and a source's) differ about a rule; shown beside it."""

    text: str
    sources: tuple[str, ...]


class Interaction(Record):
    """A rule: what happens when the two ids in `between` (substances or classes) meet."""

    id: str
    between: tuple[str, str]
    severity: Severity
    evidence: Evidence
    title: str
    mechanism: str
    advice: str
    sources: tuple[str, ...] = Field(min_length=1)
    replaces: tuple[str, ...] = ()
    disagreements: tuple[Disagreement, ...] = Field(default=(), alias="disagreement")

    @field_validator("between")
    @classmethod
    def _two_different_ends(cls, value: tuple[str, str]) -> tuple[str, str]:
        if value[0] == value[1]:
            raise ValueError("a rule is between two different ids")
        return value


class SubstanceBase(Record):
    """Substances, their classes and the interaction rules, validated together."""

    classes: dict[str, SubstanceClass]
    substances: dict[str, Substance]
    interactions: tuple[Interaction, ...]
    sources: dict[str, Source]
    #: normalised name -> substance id, for every name of every substance.
    name_index: dict[str, str]

    def substance(self, substance_id: str) -> Substance:
        """A substance by id; KeyError if unknown."""
        return self.substances[substance_id]

    def members(self, class_id: str) -> list[Substance]:
        """The substances tagged with a class, by id."""
        return [s for s in self.substances.values() if class_id in s.classes]

    def interaction(self, rule_id: str) -> Interaction:
        """A rule by id; KeyError if unknown."""
        for rule in self.interactions:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def cite(self, source_ids: tuple[str, ...] | list[str]) -> list[Source]:
        """The sources behind a fact, in the order given."""
        return [self.sources[sid] for sid in source_ids]


def _rows(data: dict[str, Any], name: str, key: str, model: type[Record]) -> list[Any]:
    return validate_rows(name, key, data.get(key, []), model)


def _check_cited(where: str, cited: tuple[str, ...], sources: dict[str, Source]) -> None:
    missing = [sid for sid in cited if sid not in sources]
    if missing:
        raise KnowledgeError(f"{where} cites unknown sources {missing}")


def _name_index(substances: list[Substance]) -> dict[str, str]:
    index: dict[str, str] = {}
    for substance in substances:
        for name in substance.names():
            key = normalise_name(name)
            if not key:
                raise KnowledgeError(f"{SUBSTANCES_FILE}: {substance.id}: name {name!r} is empty")
            owner = index.setdefault(key, substance.id)
            if owner != substance.id:
                raise KnowledgeError(
                    f"{SUBSTANCES_FILE}: the name {name!r} means both {owner} and {substance.id}"
                )
    return index


def _check_classes(
    classes: list[SubstanceClass], substances: list[Substance], sources: dict[str, Source]
) -> None:
    class_ids = {c.id for c in classes}
    clash = class_ids & {s.id for s in substances}
    if clash:
        raise KnowledgeError(f"{SUBSTANCES_FILE}: ids used for a class and a substance: {clash}")
    used: set[str] = set()
    for substance in substances:
        unknown = [c for c in substance.classes if c not in class_ids]
        if unknown:
            raise KnowledgeError(f"{SUBSTANCES_FILE}: {substance.id} has unknown classes {unknown}")
        used.update(substance.classes)
    for term in classes:
        _check_cited(f"{SUBSTANCES_FILE}: class {term.id}", term.sources, sources)
        if term.kind == "metabolism" and not term.sources:
            raise KnowledgeError(f"{SUBSTANCES_FILE}: metabolic class {term.id} needs a source")
        if term.id not in used:
            raise KnowledgeError(f"{SUBSTANCES_FILE}: class {term.id} has no members")


def _check_rules(rules: list[Interaction], known_ids: set[str], sources: dict[str, Source]) -> None:
    rule_ids = {r.id for r in rules}
    for rule in rules:
        where = f"{INTERACTIONS_FILE}: {rule.id}"
        unknown = [end for end in rule.between if end not in known_ids]
        if unknown:
            raise KnowledgeError(f"{where} is between unknown ids {unknown}")
        _check_cited(where, rule.sources, sources)
        for note in rule.disagreements:
            _check_cited(f"{where} (disagreement)", note.sources, sources)
        dangling = [r for r in rule.replaces if r not in rule_ids or r == rule.id]
        if dangling:
            raise KnowledgeError(f"{where} replaces unknown rules {dangling}")
        if rule.evidence in _OBSERVED and not any(sources[s].grade == "A" for s in rule.sources):
            raise KnowledgeError(f"{where}: evidence {rule.evidence} needs a grade-A source")


def parse_substances(
    substances: dict[str, Any], interactions: dict[str, Any], sources: dict[str, Source]
) -> SubstanceBase:
    """Validate the parsed substances.toml and interactions.toml against the known sources."""
    terms: list[SubstanceClass] = _rows(substances, SUBSTANCES_FILE, "class", SubstanceClass)
    items: list[Substance] = _rows(substances, SUBSTANCES_FILE, "substance", Substance)
    unique_ids(SUBSTANCES_FILE, [c.id for c in terms] + [s.id for s in items])
    _check_classes(terms, items, sources)
    index = _name_index(items)
    rules: list[Interaction] = _rows(interactions, INTERACTIONS_FILE, "interaction", Interaction)
    unique_ids(INTERACTIONS_FILE, [r.id for r in rules])
    _check_rules(rules, {c.id for c in terms} | {s.id for s in items}, sources)
    return SubstanceBase(
        classes={c.id: c for c in terms},
        substances={s.id: s for s in items},
        interactions=tuple(rules),
        sources=sources,
        name_index=index,
    )


@cache
def load_substances() -> SubstanceBase:
    """The validated substances, classes and interaction rules (parsed once per process)."""
    return parse_substances(
        readable_tree(read_toml(SUBSTANCES_FILE)),
        readable_tree(read_toml(INTERACTIONS_FILE)),
        load().sources,
    )
