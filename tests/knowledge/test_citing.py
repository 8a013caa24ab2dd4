"""Sources as readers cite them: "Tanna et al. 2022", never the knowledge base's ids."""

from __future__ import annotations

import re

from mitra.knowledge.citing import readable, short_citation, short_citations
from mitra.knowledge.loader import load
from mitra.knowledge.substances import load_substances
from mitra.safety.parameters import load_rule_parameters

KEY = re.compile(r"\((?:[^()]*\b)?(" + "|".join(map(re.escape, load().sources)) + r")\b")


def test_papers_are_cited_by_first_author_and_year() -> None:
    assert short_citation("tanna2022") == "Tanna et al. 2022"
    assert short_citation("grundmann2017") == "Grundmann 2017"
    assert short_citation("wesson2003") == "Wesson and Ling 2003"
    assert short_citation("kruegel2016") == "Kruegel et al. 2016"
    assert short_citation("fda2025") == "US FDA 2025"


def test_two_sources_that_would_read_alike_are_told_apart_by_a_letter() -> None:
    assert short_citation("tanna2023cpt") == "Tanna et al. 2023a"
    assert short_citation("tanna2023dmd") == "Tanna et al. 2023b"
    shorts = list(short_citations().values())
    assert len(shorts) == len(set(shorts))


def test_every_source_has_a_short_citation_that_is_not_its_id() -> None:
    for ident, short in short_citations().items():
        assert short != ident
        assert re.match(r"[A-Z0-9r]", short), short  # a name or a number, as people write it


def test_ids_in_parentheses_are_said_as_citations_and_links_are_left_alone() -> None:
    text = "at mu-opioid receptors (kruegel2016); see (tanna2023cpt; tanna2022) and psychonautwiki"
    assert readable(text) == (
        "at mu-opioid receptors (Kruegel et al. 2016); see (Tanna et al. 2023a; "
        "Tanna et al. 2022) and psychonautwiki"
    )
    assert readable("https://findahelpline.com/") == "https://findahelpline.com/"


def test_the_knowledge_a_person_reads_holds_no_source_ids() -> None:
    for rule in load_substances().interactions:
        assert not KEY.search(rule.mechanism), rule.id
    opioids = next(
        r for r in load_substances().interactions if "(Kruegel et al. 2016)" in r.mechanism
    )
    assert opioids.sources  # the ids stay where the facts are checked
    assert load_rule_parameters()
