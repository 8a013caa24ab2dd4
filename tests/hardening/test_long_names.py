"""An over-long substance name is refused at every edge and costs nothing inside the matcher."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from mitra.cli import main
from mitra.journal.models import Substance
from mitra.safety.interactions import MAX_NAME_LENGTH, check, resolve

LONG = [50_000, 100_000]


@pytest.mark.parametrize("length", LONG)
def test_the_matcher_reports_an_over_long_name_as_unknown_without_close_matches(
    length: int,
) -> None:
    # Before the bound, difflib compared the whole query with every known name: 10 s at 50,000.
    resolution = resolve("x" * length)
    assert resolution.resolved is None
    assert resolution.close_matches == ()
    report = check(["sertraline" * (length // 10)])[0]
    assert report.status == "unknown"
    assert f"({length} characters)" in report.note
    assert len(report.note) < 400


def test_a_name_at_the_limit_is_still_matched() -> None:
    name = "sertraline".ljust(MAX_NAME_LENGTH, " ")
    assert resolve(name).resolved == "sertraline"


def test_misspellings_still_resolve_through_the_letter_pair_index() -> None:
    assert resolve("xanaks").resolved == "alprazolam"
    assert resolve("flouxetine").resolved == "fluoxetine"
    assert {"fluoxetine", "duloxetine"} <= {m.id for m in resolve("flouxetine").close_matches}


@pytest.mark.django_db
@pytest.mark.parametrize("length", LONG)
def test_the_web_live_check_refuses_an_over_long_name(
    client: Client, alice: Any, length: int
) -> None:
    response = client.get("/substances/check", {"name": "x" * length})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"A name is at most {MAX_NAME_LENGTH} characters." in html
    assert "x" * 200 not in html


@pytest.mark.django_db
def test_the_substances_form_refuses_an_over_long_name_beside_the_field(
    client: Client, alice: Any
) -> None:
    response = client.post("/substances", {"name": "x" * 50_000, "token": "t"})
    assert response.status_code == 422
    assert "at most 120 characters" in response.content.decode()
    assert 'maxlength="120"' in response.content.decode()
    assert not Substance.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("length", LONG)
def test_the_api_refuses_an_over_long_substance_name(
    client: Client, alice: Any, length: int
) -> None:
    response = client.post(
        "/api/v1/substances", json.dumps({"name": "x" * length}), content_type="application/json"
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert not Substance.objects.exists()


@pytest.mark.parametrize("length", LONG)
def test_the_cli_refuses_an_over_long_name_in_one_line(
    capsys: pytest.CaptureFixture[str], length: int
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["interactions", "sertraline", "x" * length])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err == f"mitra: a substance name is at most {MAX_NAME_LENGTH} characters\n"
