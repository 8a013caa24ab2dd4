import json
import tomllib
from importlib import resources

import pytest

from mitra.knowledge import loader


def test_the_uniis_the_fhir_export_uses_are_knowledge_with_their_sources() -> None:
    from mitra.knowledge import load

    base = load()
    mitragynine = base.ingredient("mitragynine")
    assert (mitragynine.name, mitragynine.unii) == ("MITRAGYNINE", "EP479K822J")
    assert base.ingredient("seven_oh").unii == "2T3TWA75R0"
    for ingredient in base.ingredients:
        assert [s.id for s in base.cite(ingredient.sources)] == list(ingredient.sources)


def test_the_988_lifeline_is_offered_to_call_and_to_text_with_its_source() -> None:
    from mitra.knowledge import load

    lifeline = next(r for r in load().crisis_resources("US") if "988" in r.name)
    assert (lifeline.href, lifeline.text_href) == ("tel:988", "sms:988")
    assert (lifeline.action, lifeline.text_action) == ("Call 988", "Text 988")
    assert "call or text 988" in load().cite(lifeline.sources)[0].citation


def test_a_crisis_text_link_must_be_an_sms_number_and_come_with_its_label() -> None:
    import pytest
    from pydantic import ValidationError

    from mitra.knowledge.loader import CrisisResource

    line = {"locale": "US", "name": "A line", "action": "Call 1", "href": "tel:1", "detail": ""}
    line |= {"sources": ("lifeline988",)}
    assert CrisisResource(**line, text_action="Text 1", text_href="sms:1").text_href == "sms:1"
    with pytest.raises(ValidationError, match="sms:"):
        CrisisResource(**line, text_action="Text 1", text_href="tel:1")
    with pytest.raises(ValidationError, match="go together"):
        CrisisResource(**line, text_href="sms:1")
    with pytest.raises(ValidationError, match="tel: number or an https"):
        CrisisResource(**(line | {"href": "javascript:alert(1)"}))


# -- the parsed tables kept beside the bytecode -----------------------------------------------

KNOWLEDGE_FILES = sorted(
    p.name for p in resources.files("mitra.knowledge").iterdir() if p.name.endswith(".toml")
)


@pytest.mark.parametrize("name", KNOWLEDGE_FILES)
def test_a_kept_parse_gives_the_same_tables_as_tomllib(name: str) -> None:
    text = resources.files("mitra.knowledge").joinpath(name).read_text(encoding="utf-8")
    first = loader.read_toml(name)  # parses, and keeps the tables when it can
    kept = loader._kept_path(name, text)
    assert kept is not None
    assert kept.exists()
    assert loader.read_toml(name) == first == tomllib.loads(text)


def test_a_changed_file_is_never_read_from_an_old_copy() -> None:
    assert loader._kept_path("x.toml", 'a = "1"') != loader._kept_path("x.toml", 'a = "2"')


def test_a_damaged_copy_is_parsed_again_and_replaced() -> None:
    name = "symptoms.toml"
    text = resources.files("mitra.knowledge").joinpath(name).read_text(encoding="utf-8")
    loader.read_toml(name)
    kept = loader._kept_path(name, text)
    assert kept is not None
    kept.write_bytes(b"\x00 not JSON")
    assert loader.read_toml(name) == tomllib.loads(text)
    assert json.loads(kept.read_bytes()) == tomllib.loads(text)


def test_canada_australia_and_new_zealand_have_a_crisis_line_and_an_emergency_number() -> None:
    """A journal in Toronto or Sydney was offered only a web directory of helplines, which a
    phone without a connection cannot open, and no number to call."""
    from mitra.knowledge import load
    from mitra.timeline import zone_country

    base = load()
    for zone, line, emergency in [
        ("America/Toronto", "tel:988", "tel:911"),
        ("Australia/Sydney", "tel:131114", "tel:000"),
        ("Pacific/Auckland", "tel:1737", "tel:111"),
    ]:
        country = zone_country(zone)
        assert country is not None
        offered = base.crisis_resources(country)
        assert [r.href for r in offered[:2]] == [line, emergency], zone
        for resource in offered:
            assert [s.id for s in base.cite(resource.sources)] == list(resource.sources)


def test_an_older_name_of_a_zone_has_its_country_for_crisis_lines_and_paper() -> None:
    """Names tzdata keeps for older systems had no country: a journal on "Canada/Eastern" or
    "NZ" got no crisis line of its own, and one on "America/Indianapolis" (which a browser may
    report) printed on A4."""
    from mitra.reports.clinician import paper_for_zone
    from mitra.timeline import zone_country

    names = {"US/Eastern": "US", "America/Indianapolis": "US", "Canada/Eastern": "CA",
             "America/Montreal": "CA", "NZ": "NZ", "Australia/ACT": "AU", "GB": "GB"}  # fmt: skip
    assert {name: zone_country(name) for name in names} == names
    assert (zone_country("UTC"), zone_country("Etc/GMT+5"), zone_country("../x")) == (None,) * 3
    assert paper_for_zone("America/Indianapolis") == "us-letter"
