"""Pages and the CLI say figures, dates and sources in plain words: no source ids, no ISO dates
in text a person reads, no slips such as "on the 1 days"."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.demo import load_demo
from mitra.knowledge.loader import load
from tests.cli.test_commands import run

pytestmark = pytest.mark.django_db

SOURCE_KEY = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(s) for s in load().sources) + r")(?![a-z0-9])"
)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
HUMAN_DATE = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")
PAGES = (
    "/",
    "/insights",
    "/alerts",
    "/crisis",
    "/substances/check?name=xanax",
    "/journal",
    "/report?days=90",
)


class _Text(HTMLParser):
    """The text a person reads: no tags, attributes, scripts, styles or chart tables' SVG."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in {"script", "style", "svg"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "svg"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def demo_alice(alice: Any) -> Any:
    load_demo(alice, days=60, seed=0)
    services.add_substance(alice, {"name": "xanax"})
    from mitra.journal.alerts import refresh_alerts

    refresh_alerts(alice)
    return alice


def test_pages_cite_by_author_and_year_say_dates_one_way_and_never_minus_zero(
    client: Client, demo_alice: Any
) -> None:
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        text = visible(html)
        assert not SOURCE_KEY.search(text), (page, SOURCE_KEY.search(text))
        assert not ISO_DATE.search(text), (page, ISO_DATE.search(text))
        assert not re.search(r"(?<![\w.])-0(?:\.0+)?(?![\d.])", text), page
        if page.startswith("/substances"):
            link = r'<a href="https://[^"]+" rel="noopener noreferrer">Kruegel et al\. 2016</a>'
            assert re.search(link, html)
            assert "mu-opioid receptors (Kruegel et al. 2016)" in html
        if page == "/insights":
            span = rf"Journal from {HUMAN_DATE.pattern} to {HUMAN_DATE.pattern}\."
            assert re.search(span, text)
            assert "changed by" not in text
            assert "Larger doses were not associated with more anxiety." not in text
            # Yes/no practices and per-hour sleep are on separate scales, never one axis.
            assert "Practices and regular meals: days with against days without" in text
            assert "Sleep: for each extra hour" in text
            # Each plot names itself as its heading does, for a screen reader too.
            for heading in re.findall(r'<h2 id="forest-heading-\d+">([^<]+)</h2>', html):
                assert f'aria-label="{heading}. ' in html, heading
        if page == "/alerts":
            assert re.search(r"Seen " + HUMAN_DATE.pattern + r", \d{2}:\d{2}", text)


def test_the_cli_cites_sources_by_author_and_year_and_says_dates_plainly(
    capsys: pytest.CaptureFixture[str], demo_alice: Any
) -> None:
    for argv in (("interactions", "xanax", "tramadol"), ("alerts",), ("insights",), ("entries",)):
        code, out, _ = run(capsys, *argv)
        assert code == 0, argv
        out = re.sub(r"https://\S+", "", out)  # a link may hold a name, as psychonautwiki.org
        assert not SOURCE_KEY.search(out), (argv, SOURCE_KEY.search(out))
        assert not ISO_DATE.search(out), (argv, ISO_DATE.search(out))
    _, out, _ = run(capsys, "interactions", "xanax")
    assert "Kruegel et al. 2016 https://" in out


def test_a_product_named_for_its_unit_is_not_said_twice(client: Client, alice: Any) -> None:
    product = services.add_product(
        alice,
        {"name": "Maeng Da capsules", "form": "capsules", "unit": "capsule", "grams_per_unit": 0.5},
    )
    services.log_dose(
        alice,
        {"product_id": product.pk, "taken_at": datetime.now(UTC), "amount": 4, "unit": "capsule"},
    )
    text = visible(client.get("/journal").content.decode())
    assert "4 Maeng Da capsules" in text
    assert "capsules of Maeng Da capsules" not in text


def test_a_questionnaire_band_is_said_once(
    capsys: pytest.CaptureFixture[str], client: Client, alice: Any
) -> None:
    saved = services.submit_response(
        alice, {"instrument": "GAD-7", "at": datetime.now(UTC), "answers": [2, 2, 2, 2, 1, 1, 1]}
    )
    text = visible(client.get(f"/responses/{saved.pk}").content.decode())
    assert "Moderate anxiety (10–14)." in text
    assert "Moderate anxiety symptoms" not in text
    assert re.search(r"GAD-7 result " + HUMAN_DATE.pattern + r", \d{2}:\d{2}", text)
    code, out, _ = run(capsys, "score", "GAD-7", "2", "2", "2", "2", "1", "1", "1")
    assert code == 0
    assert "Moderate anxiety" in out
    assert "Moderate anxiety symptoms" not in out
