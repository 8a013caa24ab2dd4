"""Errors get mitra's own page with navigation and crisis help, or a problem under /api/."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

LATIN1_FORM = "application/x-www-form-urlencoded; charset=latin-1"


@pytest.fixture
def browser(alice: Any) -> Client:
    """A browser that has loaded a page, so it holds a CSRF cookie, and checks CSRF as in use."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get("/")
    return client


def _is_mitra_page(response: Any, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'nav aria-label="Main"' in page
    assert 'href="/crisis"' in page
    return page


def _is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    return body


def test_a_form_sent_as_latin1_gets_a_400_page_saying_to_send_utf8(browser: Client) -> None:
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/checkins", data=f"csrfmiddlewaretoken={token}&anxiety=3", content_type=LATIN1_FORM
    )
    page = _is_mitra_page(response, 400)
    assert "UTF-8" in page


def test_an_api_request_sent_as_latin1_gets_a_4xx_problem(browser: Client) -> None:
    response = browser.post("/api/v1/responses", data="x=1", content_type=LATIN1_FORM)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"


def test_a_form_without_its_csrf_token_gets_mitras_403_page(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    page = _is_mitra_page(client.post("/checkins", {"anxiety": "3"}), 403)
    assert "Reload the page" in page


def test_an_unknown_page_gets_mitras_404_page(alice: Any, client: Client) -> None:
    page = _is_mitra_page(client.get("/no-such-page"), 404)
    assert "There is nothing at this address." in page


def test_an_unknown_address_under_api_gets_a_404_problem(alice: Any, client: Client) -> None:
    _is_problem(client.get("/api/no-such-thing"), 404)


@pytest.mark.urls("tests.hardening.boom_urls")
def test_a_failing_page_gets_mitras_500_page(alice: Any) -> None:
    client = Client(raise_request_exception=False)
    page = _is_mitra_page(client.get("/boom"), 500)
    assert "a bug" not in page


@pytest.mark.urls("tests.hardening.boom_urls")
def test_a_failing_api_route_gets_a_500_problem(alice: Any) -> None:
    client = Client(raise_request_exception=False)
    body = _is_problem(client.get("/api/boom"), 500)
    assert "a bug" not in body["detail"]
