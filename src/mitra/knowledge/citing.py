"""Sources as a reader cites them ("Tanna et al. 2022"), in place of the knowledge base's ids.

The knowledge files name their sources by id inside their prose ("act at mu-opioid receptors
(kruegel2016)") so that each fact stays checkable; a person reads "(Kruegel et al. 2016)".
The short form comes from the citation's authors and the year; a source written by an
organisation gives its own `short` in sources.toml. Two sources that would read alike (Tanna
et al. 2023, twice) are told apart by a letter, as reference lists do ("2023a", "2023b").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from functools import cache
from typing import Any

from mitra.knowledge.loader import KnowledgeError, Source, load

__all__ = [
    "author_year",
    "readable",
    "readable_id",
    "readable_tree",
    "short_citation",
    "short_citations",
]

# A surname has a small letter ("US FDA" is an organisation, not Mr US with initials FDA).
_AUTHOR = re.compile(
    r"^(?P<surname>[A-Z][\w'’-]*[a-z][\w'’-]*(?: [A-Z][\w'’-]*[a-z][\w'’-]*)*) [A-Z]{1,4}$"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_PARENTHESES = re.compile(r"\(([^()]*)\)")


def author_year(source: Source) -> str:
    """ "Surname et al. 2022", "Surname and Other 2021" or "Surname 2017", from the citation.

    A source without personal authors must give its `short`; KnowledgeError otherwise.
    """
    if source.short:
        return source.short
    year = _YEAR.search(source.id) or _YEAR.search(source.citation)
    authors = [a.strip() for a in source.citation.split(". ", 1)[0].split(",")]
    et_al = "et al" in authors
    names = []
    for author in authors:
        if author == "et al":
            continue
        found = _AUTHOR.match(author)
        if found is None:
            raise KnowledgeError(
                f"sources.toml: {source.id}: no authors to cite by in {source.citation[:40]!r};"
                " give it a `short`"
            )
        names.append(found["surname"])
    if et_al or len(names) >= 3:
        who = f"{names[0]} et al."
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = names[0]
    return f"{who} {year[0]}" if year else who


def _lettered(sources: Mapping[str, Source]) -> dict[str, str]:
    alike: dict[str, list[str]] = defaultdict(list)
    for ident, source in sources.items():
        alike[author_year(source)].append(ident)
    out: dict[str, str] = {}
    for short, idents in alike.items():
        if len(idents) == 1 or not _YEAR.search(short):
            out |= dict.fromkeys(idents, short)
            continue
        for letter, ident in zip("abcdefghijklmnopqrstuvwxyz", sorted(idents), strict=False):
            out[ident] = short + letter
    return out


@cache
def short_citations() -> Mapping[str, str]:
    """Every source's short citation, by source id."""
    return _lettered(load().sources)


def short_citation(source_id: str) -> str:
    """ "Tanna et al. 2022" for "tanna2022" (the id itself if there is no such source)."""
    return short_citations().get(source_id, source_id)


@cache
def _key_pattern() -> re.Pattern[str]:
    ids = sorted(short_citations(), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(i) for i in ids) + r")\b")


def readable(text: str) -> str:
    """`text` with every source id inside parentheses said as its short citation."""
    if "(" not in text:
        return text
    pattern = _key_pattern()

    def inside(match: re.Match[str]) -> str:
        return "(" + pattern.sub(lambda m: short_citation(m[1]), match[1]) + ")"

    return _PARENTHESES.sub(inside, text)


def readable_tree(data: Any) -> Any:
    """A parsed knowledge file with `readable` applied to every string in it (ids and lists of
    ids are untouched: only ids inside parentheses in prose change)."""
    if isinstance(data, str):
        return readable(data)
    if isinstance(data, dict):
        return {key: readable_tree(value) for key, value in data.items()}
    if isinstance(data, list):
        return [readable_tree(value) for value in data]
    return data


def readable_id(ident: str) -> str:
    """An id a rule refers to, as a person reads it: a source's id (or one of its schemes,
    "grundmann2017_adverse") as its citation, "Grundmann 2017"; any other id in words
    ("cns_depressant" as "cns depressant")."""
    known = short_citations()
    if ident in known:
        return known[ident]
    head = ident.split("_", 1)[0]
    if head in known:
        return known[head]
    return ident.replace("_", " ")
