"""Reminders and their iCalendar feed: right local times across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from mitra.reads.reminders import feed, plan_reminders, upcoming_reminders

STAMP = datetime(2026, 3, 1, tzinfo=UTC)


def events(document: bytes) -> list[Any]:
    return list(Calendar.from_ical(document).walk("VEVENT"))


@pytest.mark.parametrize(
    ("first", "change"),
    [(date(2026, 3, 6), date(2026, 3, 8)), (date(2026, 10, 30), date(2026, 11, 1))],
)
def test_the_check_in_stays_at_its_local_time_across_a_daylight_saving_change(
    first: date, change: date
) -> None:
    reminders = plan_reminders(
        "America/New_York", first, days=5, checkin_time=time(20, 0), gad7_due=None
    )
    parsed = events(feed(reminders, stamp=STAMP))
    assert len(parsed) == 5
    starts = [e.decoded("dtstart") for e in parsed]
    assert all(s.hour == 20 and s.minute == 0 for s in starts)
    assert all(str(s.tzinfo) == "America/New_York" for s in starts)
    utc_hours = [s.astimezone(UTC).hour for s in starts]
    before = [h for s, h in zip(starts, utc_hours, strict=True) if s.date() < change]
    after = [h for s, h in zip(starts, utc_hours, strict=True) if s.date() >= change]
    assert len(set(before)) == len(set(after)) == 1
    assert before[0] != after[0]  # the instant moves by an hour; the wall clock does not
    # The feed names its zone, so calendars place the events without guessing.
    assert b"BEGIN:VTIMEZONE" in feed(reminders, stamp=STAMP)


def test_gad7_and_taper_step_reminders_fall_on_their_days_in_order() -> None:
    today = date(2026, 3, 6)
    reminders = plan_reminders(
        "America/New_York",
        today,
        days=7,
        checkin_time=time(20, 30),
        gad7_due=today + timedelta(days=2),
        taper_steps=((today + timedelta(days=3), "7.2 g a day"), (today + timedelta(days=30), "x")),
    )
    kinds = [(r.kind, r.day) for r in reminders if r.kind != "checkin"]
    assert kinds == [("gad7", date(2026, 3, 8)), ("taper-step", date(2026, 3, 9))]
    assert [r.at for r in reminders] == sorted(r.at for r in reminders)
    parsed = events(feed(reminders, stamp=STAMP))
    assert len({str(e["uid"]) for e in parsed}) == len(parsed) == 9
    assert any("7.2 g a day" in str(e["summary"]) for e in parsed)


@pytest.mark.django_db
def test_a_demo_taper_reminds_the_next_step(alice: Any) -> None:
    from mitra.journal.demo import load_demo
    from mitra.reads.taper import taper_status

    load_demo(alice, days=45, seed=1, taper=True)
    status = taper_status(alice)
    reminders = upcoming_reminders(alice, days=14).reminders
    steps = [r for r in reminders if r.kind == "taper-step"]
    assert [r.day for r in steps] == [status.next_step]
    assert sum(r.kind == "checkin" for r in reminders) == 14


@pytest.mark.django_db
@pytest.mark.parametrize("local", ["2026-12-02 02:03", "2026-12-02 15:00", "2026-12-02 21:00"])
def test_only_reminders_still_to_come_are_listed_whatever_the_hour(alice: Any, local: str) -> None:
    """At 02:03, before the day's 4:00 boundary, the journal's day is still 1 December: its
    20:00 check-in, six hours past, was listed as coming. Now every reminder is from now on,
    one check-in a day for the days asked, and a GAD-7 due (alice has none) whose 9:00 has
    passed is reminded the next morning."""
    from zoneinfo import ZoneInfo

    now = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Europe/Berlin"))
    read = upcoming_reminders(alice, now, days=2)
    assert all(r.at >= now for r in read.reminders)
    assert all(r.at < now + timedelta(days=2) for r in read.reminders)
    assert sum(r.kind == "checkin" for r in read.reminders) == 2
    (gad7,) = [r for r in read.reminders if r.kind == "gad7"]
    expected = date(2026, 12, 2) if now.hour < 9 else date(2026, 12, 3)
    assert gad7.day == expected


@pytest.mark.django_db
def test_the_feed_is_at_a_secret_url_in_a_private_file_and_renewing_closes_the_old_one(
    client: Any, alice: Any, settings: Any, tmp_path: Any
) -> None:
    from mitra.journal import reminders as store

    settings.DATA_DIR = tmp_path
    token = store.feed_token(alice)
    assert (tmp_path / "reminders.json").stat().st_mode & 0o777 == 0o600
    response = client.get(f"/reminders/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    summaries = [str(e["summary"]) for e in events(response.content)]
    assert summaries.count("mitra: daily check-in") == 60
    assert "mitra: GAD-7 due" in summaries  # alice has never answered one
    renewed = store.renew_token(alice)
    assert renewed != token
    assert client.get(f"/reminders/{token}.ics").status_code == 404
    assert client.get(f"/reminders/{renewed}.ics").status_code == 200
    assert client.get("/reminders/guess.ics").status_code == 404


@pytest.mark.django_db
def test_the_check_in_time_is_a_setting_the_feed_follows(
    alice: Any, settings: Any, tmp_path: Any
) -> None:
    from mitra.journal import reminders as store

    settings.DATA_DIR = tmp_path
    store.set_checkin_time(alice, time(7, 45))
    read = upcoming_reminders(alice, days=3)
    assert read.checkin_time == time(7, 45)
    assert all(r.local_time == time(7, 45) for r in read.reminders if r.kind == "checkin")


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_to_the_reminder_settings_are_all_kept(
    alice: Any, settings: Any, tmp_path: Any
) -> None:
    """Two people changing their settings at once: neither change overwrites the other."""
    from concurrent.futures import ThreadPoolExecutor

    from mitra.journal import reminders as store
    from mitra.journal.models import Person

    settings.DATA_DIR = tmp_path
    bob = Person.objects.create(time_zone="America/Chicago")
    times = {alice.pk: time(7, 15), bob.pk: time(21, 45)}

    def change(person: Any) -> str:
        token = store.renew_token(person)
        store.set_checkin_time(person, times[person.pk])
        return token

    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = list(pool.map(change, [alice, bob] * 20))
    assert store.checkin_time(alice) == time(7, 15)
    assert store.checkin_time(bob) == time(21, 45)
    # Each person's address is one they were given, and it opens their own feed.
    assert store.feed_token(alice) in tokens[0::2]
    assert store.feed_token(bob) in tokens[1::2]
    assert store.person_for_token(store.feed_token(alice)) == alice
    assert store.person_for_token(store.feed_token(bob)) == bob
    assert (tmp_path / "reminders.json").stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".reminders-*"))  # no temporary file left behind


@pytest.mark.django_db
def test_a_damaged_reminders_file_never_breaks_the_settings_page(
    client: Any, alice: Any, settings: Any, tmp_path: Any
) -> None:
    from mitra.journal import reminders as store

    settings.DATA_DIR = tmp_path
    (tmp_path / "reminders.json").write_text('{"1": {"token": "abc', encoding="utf-8")
    response = client.get("/settings")
    assert response.status_code == 200
    assert store.checkin_time(alice) == time(20, 0)
    assert store.person_for_token(store.feed_token(alice)) == alice  # a new, working address


@pytest.mark.parametrize("days", ["0", "-1", "367", "100000", "two"])
def test_the_api_refuses_days_out_of_bounds_as_the_command_line_does(
    client: Any, alice: Any, days: str
) -> None:
    response = client.get(f"/api/v1/reminders?days={days}")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "days" in response.json()["errors"]
    assert client.get("/api/v1/reminders?days=366").json()["days"] == 366
