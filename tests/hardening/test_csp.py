"""A strict Content-Security-Policy on every answer; no docs page pulling script from a CDN."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

CSP = "Content-Security-Policy"


def _directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.fixture
def demo_alice(alice: Any) -> Any:
    """Alice with two months of synthetic journal, so Today, Journal and Insights draw charts."""
    from mitra.journal.demo import load_demo

    load_demo(alice, days=60, seed=1)
    return alice


PAGES = [
    "/",
    "/journal",
    "/insights",
    "/products",
    "/substances",
    "/alerts",
    "/questionnaires",
    "/questionnaires/gad7",
    "/settings",
    "/evidence",
    "/crisis",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_a_strict_policy_and_no_inline_script_or_style(
    path: str, demo_alice: Any, client: Client
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    policy = _directives(response[CSP])
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response[CSP]
    page = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert "<style" not in page
    assert re.findall(r"\sstyle=", page) == []
    assert re.findall(r"\son[a-z]+=", page) == []
    # Scripts, styles and images come from mitra's own origin.
    assets = re.findall(r'<(?:script|img|link)[^>]*\b(?:src|href)="([^"]*)"', page)
    assert assets
    assert all(asset.startswith("/") and not asset.startswith("//") for asset in assets), assets


@pytest.mark.django_db
def test_api_answers_and_error_pages_carry_the_policy(alice: Any, client: Client) -> None:
    for path, status in [
        ("/api/v1/openapi.json", 200),
        ("/api/v1/no-such-thing", 404),
        ("/no-such-page", 404),
    ]:
        response = client.get(path)
        assert response.status_code == status, path
        assert _directives(response[CSP])["default-src"] == "'none'", path


@pytest.mark.django_db
def test_the_swagger_page_is_gone_and_the_openapi_document_stays(
    alice: Any, client: Client
) -> None:
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 404
    assert b"swagger" not in docs.content.lower()
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "mitra API"
