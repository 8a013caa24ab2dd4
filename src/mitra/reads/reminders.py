"""Reminders: the daily check-in, GAD-7 due dates and taper steps, listed and as an iCalendar feed.

Each reminder is a local wall-clock time on the person's local day, turned into an instant
with the person's zone on that day, so a reminder at 20:00 stays at 20:00 across a
daylight-saving change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from mitra.vocabulary import unit_text

__all__ = [
    "Reminder",
    "Reminders",
    "feed",
    "feed_for_token",
    "plan_reminders",
    "step_due_tomorrow",
    "upcoming_reminders",
]

Kind = Literal["checkin", "gad7", "taper-step"]

#: When the GAD-7 and a taper step are reminded on their day (local time).
DUE_TIME = time(9, 0)
REMINDER_MINUTES = 15


@dataclass(frozen=True)
class Reminder:
    """One reminder: what, on which local day, at which local time, and the instant it falls."""

    kind: Kind
    day: date
    local_time: time
    at: datetime  # aware, in the person's zone
    title: str


@dataclass(frozen=True)
class Reminders:
    """The coming reminders, and the local time the daily check-in is reminded at."""

    checkin_time: time
    days: int
    reminders: tuple[Reminder, ...]


def _at(day: date, at: time, zone: ZoneInfo) -> datetime:
    # A wall-clock time the change skips (2:30 on a spring-forward night) moves forward by the
    # gap, as zoneinfo resolves it with fold=0; reminder times are daytime, so this is rare.
    return datetime.combine(day, at, tzinfo=zone)


def plan_reminders(
    time_zone: str,
    today: date,
    *,
    days: int,
    checkin_time: time,
    gad7_due: date | None,
    taper_steps: tuple[tuple[date, str], ...] = (),
) -> tuple[Reminder, ...]:
    """Reminders from `today` for `days` days, in time order (pure: no journal)."""
    zone = ZoneInfo(time_zone)
    last = today + timedelta(days=days - 1)
    out = [
        Reminder(
            "checkin",
            today + timedelta(days=k),
            checkin_time,
            _at(today + timedelta(days=k), checkin_time, zone),
            "mitra: daily check-in",
        )
        for k in range(days)
    ]
    if gad7_due is not None:
        due = max(gad7_due, today)
        if due <= last:
            out.append(
                Reminder("gad7", due, DUE_TIME, _at(due, DUE_TIME, zone), "mitra: GAD-7 due")
            )
    for day, text in taper_steps:
        if today <= day <= last:
            out.append(
                Reminder(
                    "taper-step",
                    day,
                    DUE_TIME,
                    _at(day, DUE_TIME, zone),
                    f"mitra: taper step today ({text})",
                )
            )
    return tuple(sorted(out, key=lambda r: (r.at, r.kind)))


def feed(reminders: tuple[Reminder, ...], *, stamp: datetime) -> bytes:
    """The reminders as an iCalendar document (RFC 5545), each event in the person's zone."""
    calendar = Calendar()
    calendar.add("prodid", "-//mitra//reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "mitra reminders")
    for r in reminders:
        event = Event()
        event.add("uid", f"{r.kind}-{r.day.isoformat()}@mitra")
        event.add("dtstamp", stamp)
        event.add("dtstart", r.at)
        event.add("dtend", r.at + timedelta(minutes=REMINDER_MINUTES))
        event.add("summary", r.title)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def upcoming_reminders(person: Any, now: datetime | None = None, *, days: int = 14) -> Reminders:
    """The person's reminders from now for `days` days (`days` x 24 hours): check-in, GAD-7
    due, taper steps. None already past: before the day's boundary (4:00), the journal's day
    is still yesterday, whose evening check-in has gone by. A GAD-7 due whose hour has passed
    is reminded the next day."""
    from django.utils import timezone

    from mitra.journal import clock
    from mitra.journal.reminders import checkin_time

    from .taper import taper_status
    from .today import gad7_due

    moment = now or timezone.now()
    today = clock(person).today(moment)
    gad7 = gad7_due(person, today)
    due = today
    if not gad7.due and gad7.days_since is not None:
        due = today + timedelta(days=gad7.every_days - gad7.days_since)
    status = taper_status(person, moment)
    steps: tuple[tuple[date, str], ...] = ()
    schedule = status.schedule
    if schedule is not None and status.next_step is not None and status.step is not None:
        # Only the next step: a hold or a step back moves every later date.
        following = schedule.steps[status.step]
        steps = ((status.next_step, f"{unit_text(following.allowance, schedule.unit)} a day"),)
    at = checkin_time(person)
    zone = ZoneInfo(person.time_zone)
    while _at(due, DUE_TIME, zone) < moment:
        due += timedelta(days=1)
    planned = plan_reminders(
        person.time_zone, today, days=days + 1, checkin_time=at, gad7_due=due, taper_steps=steps
    )
    end = moment + timedelta(days=days)
    return Reminders(at, days, tuple(r for r in planned if moment <= r.at < end))


def step_due_tomorrow(person: Any, now: datetime | None = None) -> Reminder | None:
    """The taper step that begins tomorrow (the person's local day), or None (Today's card)."""
    from django.utils import timezone

    from mitra.journal import clock

    moment = now or timezone.now()
    tomorrow = clock(person).today(moment) + timedelta(days=1)
    found = upcoming_reminders(person, moment, days=2).reminders
    return next((r for r in found if r.kind == "taper-step" and r.day == tomorrow), None)


def feed_for_token(token: str, now: datetime | None = None) -> bytes | None:
    """The iCalendar feed the token opens (the next 60 days), or None for an unknown token."""
    from django.utils import timezone

    from mitra.journal.reminders import person_for_token

    person = person_for_token(token)
    if person is None:
        return None
    moment = now or timezone.now()
    return feed(upcoming_reminders(person, moment, days=60).reminders, stamp=moment)
