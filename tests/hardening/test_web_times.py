"""Times posted from the web: offsets honoured, a skipped local time refused, a repeated one named.

Alice is in Berlin: clocks skip 02:00-03:00 on 30 March 2025 and repeat 02:00-03:00 on
26 October 2025.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.models import CheckIn, Dose, Intake

pytestmark = pytest.mark.django_db


def _error_beside(html: str, field_id: str) -> str:
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', html, re.S)
    assert match, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.mark.parametrize(
    ("posted", "stored"),
    [
        ("2025-06-01T10:00:00Z", datetime(2025, 6, 1, 10, 0, tzinfo=UTC)),
        ("2025-06-01T10:00+05:30", datetime(2025, 6, 1, 4, 30, tzinfo=UTC)),
        ("2025-06-01T10:00-04:00", datetime(2025, 6, 1, 14, 0, tzinfo=UTC)),
        # No offset: Alice's wall clock (CEST, UTC+2), as the datetime-local input sends it.
        ("2025-06-01T10:00", datetime(2025, 6, 1, 8, 0, tzinfo=UTC)),
    ],
)
def test_a_time_with_an_offset_names_that_instant(
    client: Client, alice: Any, posted: str, stored: datetime
) -> None:
    response = client.post("/checkins", {"token": "t", "at": posted, "anxiety": "3"})
    assert response.status_code == 302
    assert CheckIn.objects.get().at == stored


def test_a_dose_time_with_an_offset_names_that_instant(
    client: Client, alice: Any, powder: Any
) -> None:
    data = {"token": "t", "product_id": powder.pk, "amount": "2", "unit": "g"}
    response = client.post("/doses", data | {"taken_at": "2025-06-01T10:00:00Z"})
    assert response.status_code == 302
    assert Dose.objects.get().taken_at == datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


def test_a_local_time_the_clocks_skip_is_refused_beside_the_field_with_the_rest_kept(
    client: Client, alice: Any
) -> None:
    response = client.post(
        "/checkins",
        {"token": "t", "at": "2025-03-30T02:30", "anxiety": "4", "note": "keep this note"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    message = _error_beside(html, "id_at")
    assert "02:30 does not exist on 2025-03-30 in Europe/Berlin" in message
    assert "keep this note</textarea>" in html
    assert 'value="2025-03-30T02:30"' in html
    assert not CheckIn.objects.exists()


def test_a_skipped_dose_time_is_refused_too(client: Client, alice: Any, powder: Any) -> None:
    data = {"token": "t", "product_id": powder.pk, "amount": "2", "unit": "g", "note": "kept"}
    response = client.post("/doses", data | {"taken_at": "2025-03-30T02:15"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "does not exist" in _error_beside(html, "dose_taken_at")
    assert 'value="kept"' in html
    assert not Dose.objects.exists()


def test_a_skipped_intake_time_is_refused_too(client: Client, alice: Any) -> None:
    substance = services.add_substance(alice, {"name": "alcohol"})
    data = {"token": "t", "substance_id": substance.pk, "taken_at": "2025-03-30T02:45"}
    response = client.post("/intakes", data)
    assert response.status_code == 422
    assert "does not exist" in _error_beside(response.content.decode(), "intake_taken_at")
    assert not Intake.objects.exists()


def test_a_time_in_the_repeated_hour_is_read_as_the_earlier_one_and_the_message_says_so(
    client: Client, alice: Any
) -> None:
    response = client.post(
        "/checkins", {"token": "t", "at": "2025-10-26T02:30", "anxiety": "3"}, follow=True
    )
    assert CheckIn.objects.get().at == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # 02:30 CEST
    html = response.content.decode()
    assert "Check-in saved. 02:30 happened twice on 2025-10-26" in html
    assert "mitra took the earlier one (CEST, UTC+02:00)." in html


def test_an_ordinary_time_says_nothing_about_clocks(client: Client, alice: Any) -> None:
    response = client.post(
        "/checkins", {"token": "t", "at": "2025-10-27T02:30", "anxiety": "3"}, follow=True
    )
    html = response.content.decode()
    assert "Check-in saved." in html
    assert "happened twice" not in html


@pytest.mark.parametrize("field", ["at", "taken_at"])
def test_the_api_refuses_a_time_without_an_offset(
    client: Client, alice: Any, powder: Any, field: str
) -> None:
    # The API does not guess a zone: a time is an instant, so it must carry its offset.
    path, body = (
        ("/api/v1/checkins", {"anxiety": 3, "at": "2025-06-01T10:00"})
        if field == "at"
        else (
            "/api/v1/doses",
            {"product_id": powder.pk, "amount": 2, "taken_at": "2025-06-01T10:00"},
        )
    )
    response = client.post(path, json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    # It says what is missing with an example the API takes (an offset, not a zone's name).
    assert response.json()["errors"][field] == (
        "must be a date and time with its offset, like 2026-11-25T08:30:00+01:00"
    )
    assert not CheckIn.objects.exists()
    assert not Dose.objects.exists()
