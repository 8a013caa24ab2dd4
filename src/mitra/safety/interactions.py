"""Interactions of kratom with a person's substances: resolve the names, then apply the rules.

A name mitra does not know is reported as unknown, with close matches, and never as "no
interaction": absence from the knowledge base is absence of knowledge, not evidence of safety.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from mitra import vocabulary
from mitra.knowledge.loader import Source
from mitra.knowledge.substances import (
    EVIDENCE_GRADES,
    Evidence,
    Interaction,
    Severity,
    Substance,
    SubstanceBase,
    load_substances,
    normalise_name,
)

__all__ = [
    "EVIDENCE_NOTES",
    "KRATOM",
    "MAX_NAME_LENGTH",
    "Citation",
    "CloseMatch",
    "InteractionFinding",
    "InteractionReport",
    "Resolution",
    "check",
    "interactions_among",
    "report_document",
    "resolve",
    "severity_rank",
]

#: The substance every check is about.
KRATOM = "kratom"

Match = Literal["exact", "spelling", "none"]
Status = Literal["known", "unknown"]

#: What each evidence grade can and cannot say, shown with every finding.
EVIDENCE_NOTES: dict[Evidence, str] = {
    "clinical_study": "Measured in people in a clinical study, under the conditions studied.",
    "case_report": "From case reports: they show that harm happened, not how often it happens.",
    "mechanism_only": (
        "Rests on pharmacological mechanism or laboratory data, not on trials with kratom."
    ),
    "anecdotal": "Anecdotal: community harm-reduction reports, not studies.",
}

#: The longest name a query may be: as long as a stored substance name. A longer query cannot be a
#: name mitra knows, so it is reported as unknown without any fuzzy matching (whose cost grows with
#: the query's length: 50,000 characters took seconds per name).
MAX_NAME_LENGTH = 120

_MAX_CLOSE_MATCHES = 5
# difflib's similarity that makes a name a close match; names whose lengths alone rule it out
# (2 * shorter / total < this) are skipped before the quadratic comparison.
_CLOSE_SIMILARITY = 0.75
# Sound-alike spellings people type for drug names ("xanaks", "prozak", "flouxetine" aside).
_SOUNDS = (("ph", "f"), ("cks", "x"), ("ks", "x"), ("ck", "k"), ("qu", "kw"), ("z", "s"))
_DOUBLED = re.compile(r"(.)\1+")


def severity_rank(severity: Severity) -> int:
    """0 for the most severe ("danger"), rising to "info"."""
    return vocabulary.severity_rank(severity)


@dataclass(frozen=True)
class Citation:
    """A source as shown beside a finding."""

    id: str
    citation: str
    url: str
    grade: str

    @classmethod
    def of(cls, source: Source) -> Citation:
        """The citation of a knowledge-base source."""
        return cls(id=source.id, citation=source.citation, url=source.url, grade=source.grade)

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"id": self.id, "citation": self.citation, "url": self.url, "grade": self.grade}


@dataclass(frozen=True)
class CloseMatch:
    """A known substance whose name is close to what was typed."""

    id: str
    name: str
    matched_name: str

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"id": self.id, "name": self.name, "matched_name": self.matched_name}


@dataclass(frozen=True)
class Resolution:
    """What a typed name resolved to: a substance id, or None with close matches."""

    query: str
    resolved: str | None
    name: str | None
    match: Match
    matched_name: str | None
    close_matches: tuple[CloseMatch, ...]

    @property
    def known(self) -> bool:
        """True when the name resolved to a substance."""
        return self.resolved is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "query": self.query,
            "resolved": self.resolved,
            "name": self.name,
            "match": self.match,
            "matched_name": self.matched_name,
            "close_matches": [m.as_dict() for m in self.close_matches],
        }


@dataclass(frozen=True)
class InteractionFinding:
    """One rule applied to one pair of substances, with its evidence and sources."""

    rule: str
    title: str
    severity: Severity
    evidence: Evidence
    evidence_note: str
    mechanism: str
    advice: str
    substances: tuple[str, str]
    between: tuple[str, str]
    by_class: bool
    sources: tuple[Citation, ...]
    disagreements: tuple[tuple[str, tuple[Citation, ...]], ...]

    def sort_key(self) -> tuple[int, int, str, tuple[str, str]]:
        """Most severe first, then strongest evidence, then rule id."""
        return (
            severity_rank(self.severity),
            EVIDENCE_GRADES.index(self.evidence),
            self.rule,
            self.substances,
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rule": self.rule,
            "title": self.title,
            "severity": self.severity,
            "evidence": self.evidence,
            "evidence_note": self.evidence_note,
            "mechanism": self.mechanism,
            "advice": self.advice,
            "substances": list(self.substances),
            "between": list(self.between),
            "by_class": self.by_class,
            "sources": [c.as_dict() for c in self.sources],
            "disagreements": [
                {"text": text, "sources": [c.as_dict() for c in cites]}
                for text, cites in self.disagreements
            ],
        }


@dataclass(frozen=True)
class InteractionReport:
    """What mitra knows about kratom with one named substance."""

    query: str
    status: Status
    resolved: str | None
    name: str | None
    match: Match
    matched_name: str | None
    classes: tuple[str, ...]
    close_matches: tuple[CloseMatch, ...]
    interactions: tuple[InteractionFinding, ...]
    note: str

    @property
    def highest_severity(self) -> Severity | None:
        """The most severe finding's severity, or None when there is no finding."""
        return self.interactions[0].severity if self.interactions else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (what `mitra interactions --json` prints per name)."""
        return {
            "query": self.query,
            "status": self.status,
            "resolved": self.resolved,
            "name": self.name,
            "match": self.match,
            "matched_name": self.matched_name,
            "classes": list(self.classes),
            "close_matches": [m.as_dict() for m in self.close_matches],
            "highest_severity": self.highest_severity,
            "interactions": [i.as_dict() for i in self.interactions],
            "note": self.note,
        }


# --- resolving names ---------------------------------------------------------------------------


def _phonetic(key: str) -> str:
    for written, sound in _SOUNDS:
        key = key.replace(written, sound)
    return _DOUBLED.sub(r"\1", key)


def _typo_limit(length: int) -> int:
    # Short names are too close to each other for a guess to be safe; long ones tolerate two typos.
    if length < 5:
        return 0
    return 1 if length < 8 else 2


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (adjacent swaps count once); limit + 1 when above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _bigrams(key: str) -> Counter[str]:
    """The key's letter pairs, with its two ends marked (so "ab" gives ^a, ab, b$)."""
    padded = f"^{key}$"
    return Counter(padded[i : i + 2] for i in range(len(padded) - 1))


@dataclass(frozen=True)
class _Names:
    """Every known name, by normalised key, by its sound-alike key, and by letter pair."""

    display: dict[str, tuple[str, str]]  # key -> (substance id, name as written)
    by_sound: dict[str, list[str]]  # phonetic key -> keys
    by_bigram: dict[str, list[tuple[str, int]]]  # letter pair -> (phonetic key, times in it)


@cache
def _names() -> _Names:
    kb = load_substances()
    display: dict[str, tuple[str, str]] = {}
    for substance in kb.substances.values():
        for written in substance.names():
            display.setdefault(normalise_name(written), (substance.id, written))
    by_sound: dict[str, list[str]] = {}
    for key in display:
        by_sound.setdefault(_phonetic(key), []).append(key)
    by_bigram: dict[str, list[tuple[str, int]]] = {}
    for sound in by_sound:
        for pair, times in _bigrams(sound).items():
            by_bigram.setdefault(pair, []).append((sound, times))
    return _Names(display=display, by_sound=by_sound, by_bigram=by_bigram)


def _sharing_pairs(sound: str) -> dict[str, int]:
    """Phonetic keys that share a letter pair with `sound`, with how many pairs they share."""
    names = _names()
    shared: dict[str, int] = {}
    for pair, times in _bigrams(sound).items():
        for other, other_times in names.by_bigram.get(pair, ()):
            shared[other] = shared.get(other, 0) + min(times, other_times)
    return shared


def _ranked_candidates(key: str) -> list[tuple[int, float, str, str]]:
    """Known substances near `key`: (distance, -similarity, substance id, key), best first.

    The work is bounded by the letter-pair index: only keys sharing a pair with the query are
    compared at all, and the edit distance is computed only where the q-gram lemma allows it
    (an edit changes at most two letter pairs, so within `limit` edits the keys share at least
    max(len) + 1 - 2 * limit pairs).
    """
    names = _names()
    sound = _phonetic(key)
    limit = _typo_limit(len(sound)) + 1
    best: dict[str, tuple[int, float, str, str]] = {}
    # difflib caches its analysis of the second sequence: the query, compared with many names.
    matcher = difflib.SequenceMatcher(None, "", key)
    for other_sound, shared in _sharing_pairs(sound).items():
        near = shared >= max(len(sound), len(other_sound)) + 1 - 2 * limit
        distance = _edit_distance(sound, other_sound, limit) if near else limit + 1
        for other in names.by_sound[other_sound]:
            matcher.set_seq1(other)
            # The cheap upper bounds first: ratio() is quadratic in the lengths.
            if distance > limit and (
                matcher.real_quick_ratio() < _CLOSE_SIMILARITY
                or matcher.quick_ratio() < _CLOSE_SIMILARITY
            ):
                continue
            similarity = matcher.ratio()
            if distance > limit and similarity < _CLOSE_SIMILARITY:
                continue
            substance_id = names.display[other][0]
            entry = (distance, -similarity, substance_id, other)
            if substance_id not in best or entry < best[substance_id]:
                best[substance_id] = entry
    return sorted(best.values())


def resolve(name: str) -> Resolution:
    """Resolve a typed name (generic, brand, synonym; any case or punctuation; small typos).

    An exact name resolves at once. A misspelling resolves only when one substance alone is
    within a small edit distance of it (after folding sound-alike spellings such as "ks" for "x");
    otherwise the name stays unresolved and the nearest substances come back as close matches.
    A name longer than MAX_NAME_LENGTH is unknown, with no close matches, at no cost.
    """
    if len(name) > MAX_NAME_LENGTH:
        return Resolution(name, None, None, "none", None, ())
    kb = load_substances()
    names = _names()
    key = normalise_name(name)
    if not key:
        return Resolution(name, None, None, "none", None, ())
    if key in kb.name_index:
        substance_id, written = names.display[key]
        return Resolution(name, substance_id, kb.substance(substance_id).name, "exact", written, ())
    ranked = _ranked_candidates(key)
    close = tuple(
        CloseMatch(id=sid, name=kb.substance(sid).name, matched_name=names.display[other][1])
        for _, _, sid, other in ranked[:_MAX_CLOSE_MATCHES]
    )
    limit = _typo_limit(len(_phonetic(key)))
    if ranked and ranked[0][0] <= limit and (len(ranked) == 1 or ranked[1][0] > ranked[0][0]):
        _, _, substance_id, other = ranked[0]
        return Resolution(
            name,
            substance_id,
            kb.substance(substance_id).name,
            "spelling",
            names.display[other][1],
            close,
        )
    return Resolution(name, None, None, "none", None, close)


# --- applying the rules ------------------------------------------------------------------------


def _tags(substance: Substance) -> set[str]:
    return {substance.id, *substance.classes}


def _matching_rules(kb: SubstanceBase, a: Substance, b: Substance) -> list[Interaction]:
    """Rules between `a` and `b` (either order), minus those a more specific rule replaces."""
    tags_a, tags_b = _tags(a), _tags(b)
    matched = [
        rule
        for rule in kb.interactions
        if (rule.between[0] in tags_a and rule.between[1] in tags_b)
        or (rule.between[0] in tags_b and rule.between[1] in tags_a)
    ]
    replaced = {rule_id for rule in matched for rule_id in rule.replaces}
    return [rule for rule in matched if rule.id not in replaced]


def _finding(
    kb: SubstanceBase, rule: Interaction, a: Substance, b: Substance
) -> InteractionFinding:
    class_ends = [end for end in rule.between if end in kb.classes]
    note = EVIDENCE_NOTES[rule.evidence]
    if class_ends:
        labels = ", ".join(f"'{kb.classes[end].label}'" for end in class_ends)
        note += (
            f" It applies through the class tag {labels}: a tag says how a substance is "
            "expected to act, not that this combination was studied."
        )
    return InteractionFinding(
        rule=rule.id,
        title=rule.title,
        severity=rule.severity,
        evidence=rule.evidence,
        evidence_note=note,
        mechanism=rule.mechanism,
        advice=rule.advice,
        substances=(a.id, b.id),
        between=rule.between,
        by_class=bool(class_ends),
        sources=tuple(Citation.of(s) for s in kb.cite(rule.sources)),
        disagreements=tuple(
            (d.text, tuple(Citation.of(s) for s in kb.cite(d.sources))) for d in rule.disagreements
        ),
    )


def _findings(kb: SubstanceBase, a: Substance, b: Substance) -> list[InteractionFinding]:
    found = [_finding(kb, rule, a, b) for rule in _matching_rules(kb, a, b)]
    return sorted(found, key=InteractionFinding.sort_key)


def _shown(query: str) -> str:
    """A query as quoted in a note: an over-long one is cut, so the note stays readable."""
    if len(query) <= MAX_NAME_LENGTH:
        return repr(query)
    return f"{query[:40]!r}... ({len(query)} characters)"


def _unknown_note(resolution: Resolution) -> str:
    note = (
        f"mitra does not know {_shown(resolution.query)}, so it can say nothing about its "
        "interactions with kratom. Unknown is not the same as safe: ask a pharmacist."
    )
    if resolution.close_matches:
        note += " Did you mean " + ", ".join(m.name for m in resolution.close_matches) + "?"
    return note


def _known_note(resolution: Resolution, substance: Substance, found: bool) -> str:
    parts = []
    if resolution.match == "spelling":
        parts.append(
            f"Read {resolution.query!r} as {substance.name} ({resolution.matched_name}); "
            "check that this is what you meant."
        )
    if substance.id == KRATOM:
        parts.append("This is kratom itself.")
    elif not found:
        parts.append(
            f"No interaction between kratom and {substance.name} is recorded in mitra's "
            "knowledge base. That means none was found in the sources used, not that the "
            "combination is safe."
        )
    return " ".join(parts)


def _report(resolution: Resolution) -> InteractionReport:
    kb = load_substances()
    if resolution.resolved is None:
        return InteractionReport(
            query=resolution.query,
            status="unknown",
            resolved=None,
            name=None,
            match="none",
            matched_name=None,
            classes=(),
            close_matches=resolution.close_matches,
            interactions=(),
            note=_unknown_note(resolution),
        )
    substance = kb.substance(resolution.resolved)
    found = [] if substance.id == KRATOM else _findings(kb, kb.substance(KRATOM), substance)
    return InteractionReport(
        query=resolution.query,
        status="known",
        resolved=substance.id,
        name=substance.name,
        match=resolution.match,
        matched_name=resolution.matched_name,
        classes=substance.classes,
        close_matches=resolution.close_matches,
        interactions=tuple(found),
        note=_known_note(resolution, substance, bool(found)),
    )


def check(names: Iterable[str]) -> list[InteractionReport]:
    """Kratom with each named substance: one report per name, in the order given."""
    return [_report(resolve(name)) for name in names]


def interactions_among(
    substance_ids: Iterable[str], *, include_kratom: bool = True
) -> list[InteractionFinding]:
    """Every finding between any two of a person's substances (knowledge-base ids), worst first.

    Kratom is added to the list unless `include_kratom` is False. An id the knowledge base does
    not know raises ValueError: resolve names first, and report unknown ones as unknown.
    """
    kb = load_substances()
    ids = list(dict.fromkeys(substance_ids))
    unknown = [sid for sid in ids if sid not in kb.substances]
    if unknown:
        raise ValueError(f"not in the knowledge base: {', '.join(unknown)}")
    if include_kratom and KRATOM not in ids:
        ids.insert(0, KRATOM)
    found: list[InteractionFinding] = []
    for i, first in enumerate(ids):
        for second in ids[i + 1 :]:
            found.extend(_findings(kb, kb.substance(first), kb.substance(second)))
    return sorted(found, key=InteractionFinding.sort_key)


def report_document(reports: Sequence[InteractionReport]) -> dict[str, Any]:
    """One JSON document for a check: the subject, each name's report, and what it is not."""
    return {
        "subject": KRATOM,
        "reports": [r.as_dict() for r in reports],
        "disclaimer": (
            "Not medical advice. Interactions are shown with their evidence; a name mitra does "
            "not know, or a combination with no recorded interaction, is not thereby safe."
        ),
    }
