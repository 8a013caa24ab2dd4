"""The person's taper: save a schedule, and record the choices made along it (each one transaction).

A face never re-plans: it saves the schedule the planner made, and records hold, resume and
back as the person's explicit choices. Going back never passes the starting amount.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from pydantic import TypeAdapter

from mitra.safety import TaperFacts
from mitra.taper import Schedule, TaperEvent, course
from mitra.vocabulary import unit_text
from mitra.wording import day

from .errors import EntryInvalid, StoppedAfterSaving, TaperInProgress
from .models import Person, Taper, TaperChoice

__all__ = [
    "active_taper",
    "choose",
    "events_of",
    "restore_taper",
    "save_taper",
    "schedule_of",
    "stored_schedule",
    "taper_facts",
]

Choice = Literal["hold", "resume", "back"]
_SCHEDULE = TypeAdapter(Schedule)


def schedule_of(taper: Taper) -> Schedule:
    """The saved schedule as the planner's dataclass."""
    return _SCHEDULE.validate_python(taper.schedule)


def events_of(taper: Taper) -> tuple[TaperEvent, ...]:
    """The person's choices, in the order they were made."""
    return tuple(TaperEvent(c.day, c.action) for c in taper.choices.all())  # type: ignore[arg-type]


def active_taper(person: Person) -> Taper | None:
    """The taper in progress, if any."""
    return Taper.objects.filter(person=person, ended_at__isnull=True).first()


def taper_facts(person: Person) -> TaperFacts | None:
    """The active taper as the safety rules read it (None without one)."""
    taper = active_taper(person)
    return None if taper is None else taper_facts_of(taper)


def taper_facts_of(taper: Taper) -> TaperFacts:
    """A taper as the safety rules read it."""
    return TaperFacts(schedule_of(taper), events_of(taper))


def _refresh(person: Person) -> None:
    from .alerts import refresh_after_commit  # alerts imports the timeline; keep this module light

    refresh_after_commit(person, "taper")


def save_taper(
    person: Person,
    schedule: Schedule,
    *,
    token: str | None = None,
    replace: bool = False,
    asked: Mapping[str, Any] | None = None,
) -> Taper:
    """Save a previewed schedule as the active taper, in one transaction.

    A taper in progress is replaced only when the person chose to (`replace`); it then ends
    now and is kept whole, with the choices made along it. Without that choice nothing is
    saved: TaperInProgress says what is in progress. `token` is a replay token, as for
    entries (`services._create_once`): sent again with the same `asked` (what the person asked
    for), the taper it saved is answered (DuplicateSubmission); with another, refused
    (TokenReused).
    """
    from .services import _create_once  # services imports alerts, which imports this module

    stored = _SCHEDULE.dump_python(schedule, mode="json")
    ask = dict(asked or {})

    def build() -> Taper:
        current = active_taper(person)
        if current is not None and not replace:
            raise TaperInProgress(current, _in_progress(current))
        Taper.objects.filter(person=person, ended_at__isnull=True).update(ended_at=timezone.now())
        return Taper.objects.create(person=person, schedule=stored, token=token or None, asked=ask)

    return _create_once(Taper, person, token, build, same_as={"asked": ask})


def _in_progress(taper: Taper) -> str:
    """The taper in progress in words, and what replacing it does."""
    schedule = schedule_of(taper)
    amounts = (
        f"{unit_text(schedule.start_amount, schedule.unit)} to "
        f"{unit_text(schedule.target_amount, schedule.unit)} a day"
    )
    return (
        f"a taper is in progress ({amounts}, from {day(schedule.starts)}), so this one was not "
        "saved; replacing it ends it today and keeps it, with its holds and steps back, in "
        "your journal's history (every export lists it)"
    )


def stored_schedule(data: Any) -> dict[str, Any]:
    """A schedule as a taper stores it, read from an export (ValueError: not one mitra reads)."""
    stored: dict[str, Any] = _SCHEDULE.dump_python(_SCHEDULE.validate_python(data), mode="json")
    return stored


def restore_taper(
    person: Person,
    schedule: dict[str, Any],
    *,
    created_at: datetime,
    ended_at: datetime | None,
    choices: list[tuple[date, Choice, datetime]],
) -> Taper:
    """A taper from an export, as it was: when it was made and ended, each choice (its day,
    action and moment). The caller sees to it that at most one is active."""
    taper = Taper.objects.create(person=person, schedule=schedule, ended_at=ended_at)
    Taper.objects.filter(pk=taper.pk).update(created_at=created_at)  # not now: as it was made
    made = TaperChoice.objects.bulk_create(
        TaperChoice(taper=taper, day=day, action=action) for day, action, _ in choices
    )
    for choice, (_, _, at) in zip(made, choices, strict=True):
        choice.at = at
    TaperChoice.objects.bulk_update(made, ["at"])
    return taper


def choose(person: Person, action: Choice, now: datetime | None = None) -> TaperChoice:
    """Record a choice on today's local day; EntryInvalid when it does not apply now.

    The choice and the journal's version are one commit, then the alerts are refreshed; a stop
    the refresh held comes after the choice is saved, and says so (StoppedAfterSaving, as
    services._create_once)."""
    saved: list[TaperChoice] = []
    try:
        return _choose(person, action, now, saved)
    except KeyboardInterrupt as stop:
        if saved and not isinstance(stop, StoppedAfterSaving):
            raise StoppedAfterSaving(saved[0]) from stop
        raise


@transaction.atomic
def _choose(
    person: Person, action: Choice, now: datetime | None, saved: list[TaperChoice]
) -> TaperChoice:
    from . import clock  # the package's own helper; imported late to avoid a cycle

    taper = active_taper(person)
    if taper is None:
        raise EntryInvalid({"taper": "there is no taper in progress; save one first"})
    day = clock(person).today(now or timezone.now())
    schedule = schedule_of(taper)
    if day < schedule.starts:
        raise EntryInvalid(
            {"taper": f"the taper starts on {schedule.starts}; nothing to change yet"}
        )
    state: Any = course(schedule, events_of(taper), day)[-1]
    if action == "hold" and state.held:
        raise EntryInvalid({"taper": "this step is already held; resume when things settle"})
    if action == "resume" and not state.held:
        raise EntryInvalid({"taper": "the taper is not held; nothing to resume"})
    if action == "back" and state.step == 0:
        raise EntryInvalid(
            {"taper": "you are at the starting amount; the planner never goes above it"}
        )
    made = TaperChoice.objects.create(taper=taper, day=day, action=action)
    transaction.on_commit(lambda: saved.append(made))  # before the refresh's: it runs first
    _refresh(person)
    return made
