"""HEAD answers wherever GET does: same status and headers, no body (every web route)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern

from mitra.journal import services
from mitra.web.urls import urlpatterns


@pytest.fixture
def journal_ids(alice: Any, powder: Any) -> dict[str, str]:
    """A real entry of every kind a route names, so each GET finds what it shows."""
    now = datetime.now(UTC)
    dose = services.log_dose(
        alice,
        {"product_id": powder.id, "taken_at": now - timedelta(hours=2), "amount": 2, "unit": "g"},
    )
    services.add_checkin(alice, {"at": now - timedelta(hours=1), "anxiety": 4})
    substance = services.add_substance(alice, {"name": "sertraline"})
    response = services.submit_response(
        alice, {"instrument": "gad7", "answers": [1, 1, 1, 1, 1, 1, 1], "at": now}
    )
    return {
        "product_id": str(powder.id),
        "entry_id": str(dose.id),
        "kind": "dose",
        "substance_id": str(substance.id),
        "response_id": str(response.id),
        "alert_id": "1",
        "code": "gad7",
        "card_id": "kratom.dose_trend",
        "action": "hold",
        "token": "no-such-feed",
        "chart": "last-30-days",
        "size": "192",
        # Accounts' objects: none exist without accounts, so their pages answer 404 to both.
        "token_id": "1",
        "link_id": "1",
        "grant_id": "1",
        "passkey_id": "1",
    }


def _web_routes(ids: dict[str, str]) -> list[str]:
    paths = []
    for pattern in urlpatterns:
        route = str(pattern.pattern)
        if not isinstance(pattern, URLPattern) or route.startswith("api/"):
            continue
        paths.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ids[m.group(1)], route))
    return paths


def test_head_answers_like_get_on_every_web_route(
    client: Client, journal_ids: dict[str, str]
) -> None:
    checked = []
    for path in _web_routes(journal_ids):
        got = client.get(path)
        if got.status_code == 405:
            continue  # an action (POST only): GET is refused too
        head = client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head["Content-Type"] == got["Content-Type"], path
        checked.append(path)
    assert {"/", "/journal", "/insights", "/products", "/crisis", "/settings"} <= set(checked)
