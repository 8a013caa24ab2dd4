"""Reminders on the web: the check-in time and the feed address on Settings; tomorrow's taper step
on Today."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client

from mitra.journal import clock, tapers
from mitra.journal import reminders as store
from mitra.taper import measure_for, plan_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings: Any, tmp_path: Any) -> Any:
    settings.DATA_DIR = tmp_path
    return tmp_path


def _settings_form(**extra: str) -> dict[str, str]:
    return {"time_zone": "Europe/Berlin", "day_boundary_hour": "4", "gad7_every_days": "14",
            **extra}  # fmt: skip


def test_settings_show_the_feed_address_on_the_requests_host(
    client: Client, alice: Any, data_dir: Any
) -> None:
    html = client.get("/settings").content.decode()
    token = store.feed_token(alice)
    assert f"http://testserver/reminders/{token}.ics" in html
    assert 'name="checkin_time"' in html
    assert 'value="20:00"' in html
    assert 'action="/settings/reminders/renew"' in html


def test_the_check_in_time_saved_on_settings_moves_the_reminder(
    client: Client, alice: Any, data_dir: Any
) -> None:
    response = client.post("/settings", _settings_form(checkin_time="07:30"))
    assert response.status_code == 302
    assert store.checkin_time(alice) == time(7, 30)
    assert 'value="07:30"' in client.get("/settings").content.decode()


def test_a_bad_check_in_time_is_refused_beside_its_field(
    client: Client, alice: Any, data_dir: Any
) -> None:
    response = client.post("/settings", _settings_form(checkin_time="25:99"))
    assert response.status_code == 422
    assert store.checkin_time(alice) == time(20, 0)


def test_renewing_the_feed_address_closes_the_old_one(
    client: Client, alice: Any, data_dir: Any
) -> None:
    old = store.feed_token(alice)
    response = client.post("/settings/reminders/renew")
    assert response.status_code == 302
    assert response["Location"] == "/settings"
    new = store.feed_token(alice)
    assert new != old
    assert client.get(f"/reminders/{old}.ics").status_code == 404
    assert client.get(f"/reminders/{new}.ics").status_code == 200
    assert client.get("/settings/reminders/renew").status_code == 405


def test_renewing_needs_the_csrf_token(alice: Any, data_dir: Any) -> None:
    old = store.feed_token(alice)
    guarded = Client(enforce_csrf_checks=True)
    assert guarded.post("/settings/reminders/renew").status_code == 403
    assert store.feed_token(alice) == old


def test_today_shows_the_taper_step_due_tomorrow_and_not_otherwise(
    client: Client, alice: Any, data_dir: Any
) -> None:
    today = clock(alice).today()
    assert "Taper step due tomorrow" not in client.get("/").content.decode()
    first = plan_schedule(8.0, 0, "10-per-week", measure_for("g"), starts=today)
    # Started so that the first step's last day is today: the next step begins tomorrow.
    starts = today - timedelta(days=first.steps[0].days - 1)
    schedule = plan_schedule(8.0, 0, "10-per-week", measure_for("g"), starts=starts)
    tapers.save_taper(alice, schedule)
    html = client.get("/").content.decode()
    assert "Taper step due tomorrow" in html
    assert f"{schedule.steps[1].allowance:g} g a day" in html
    later = plan_schedule(8.0, 0, "10-per-week", measure_for("g"), starts=today)
    tapers.save_taper(alice, later, replace=True)
    assert "Taper step due tomorrow" not in client.get("/").content.decode()
