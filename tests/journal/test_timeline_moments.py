"""The timeline's moments are the entries' own instants, whatever time zone is current.

A web request makes the person's time zone current; the moments must not move with it (on
PostgreSQL they are read as seconds since the epoch, which Django would otherwise take of the
local wall time, an hour off in Berlin in winter).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from mitra.journal import services, timeline


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Pacific/Auckland", "America/Los_Angeles"])
def test_each_moment_is_the_same_instant_in_any_current_time_zone(
    alice: Any, powder: Any, zone: str
) -> None:
    taken = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0)
    dose = services.log_dose(
        alice, {"product_id": powder.pk, "amount": 2, "unit": "g", "taken_at": taken.isoformat()}
    )
    services.add_checkin(alice, {"at": taken - timedelta(hours=1), "anxiety": 4})
    services.submit_response(
        alice, {"instrument": "GAD-7", "answers": [1] * 7, "at": taken - timedelta(hours=2)}
    )
    today = timezone.localdate()
    with timezone.override(zone):
        line = timeline(alice, today - timedelta(days=2), today + timedelta(days=1))
    assert dose.taken_at == taken
    assert list(line.dose_time) == [taken.timestamp()]
    assert list(line.checkin_time) == [(taken - timedelta(hours=1)).timestamp()]
    assert list(line.response_time) == [(taken - timedelta(hours=2)).timestamp()]


def test_todays_curve_counts_a_dose_taken_half_an_hour_ago_in_a_request(
    client: Any, alice: Any, powder: Any
) -> None:
    """Berlin (alice's zone) is current while the page is made: the dose is still in the past."""
    taken = datetime.now(UTC) - timedelta(minutes=30)
    services.log_dose(
        alice, {"product_id": powder.pk, "amount": 3, "unit": "g", "taken_at": taken.isoformat()}
    )
    html = client.get("/").content.decode()
    assert "Estimated mitragynine in the body" in html
    assert "Last dose 0.5 hours ago." in html
