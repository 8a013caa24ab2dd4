"""The taper preview: a dated schedule from current use (measured or given) to a lower target."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import numpy as np
from django.utils import timezone
from pydantic import Field

from mitra.journal import clock, queries, tapers, timeline
from mitra.journal.errors import DuplicateSubmission
from mitra.knowledge.pharmacokinetics import load_pharmacokinetics
from mitra.knowledge.taper import load_taper
from mitra.taper import (
    Amount,
    HoldAssessment,
    Measure,
    Schedule,
    TaperError,
    TaperEvent,
    Unit,
    adherence,
    assess_hold,
    course,
    mean_daily_use,
    measure_for,
    parse_amount,
    plan_schedule,
    step_words,
)
from mitra.timeline import Timeline
from mitra.wording import day, plural

__all__ = [
    "MeasuredUse",
    "PaceView",
    "TaperDay",
    "TaperPage",
    "TaperPreview",
    "TaperSavedBefore",
    "TaperStatus",
    "TaperTrend",
    "paces",
    "save_preview",
    "taper_page",
    "taper_preview",
    "taper_status",
    "taper_trend",
]


@dataclass(frozen=True)
class MeasuredUse:
    """Current use as the journal measured it: the mean daily amount over the last `days` days."""

    first: date
    last: date
    days: int
    mean_daily: float
    unit: str
    text: str
    days_with_entries: int  # of the `days`: those holding an entry of any kind


@dataclass(frozen=True)
class PaceView:
    """A pace a person may choose, with what it suits and its sources."""

    id: str
    label: str
    suits: str
    basis: str
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class TaperPreview:
    """A schedule not yet saved: where its starting amount came from, and the steps.

    `asked` is what the person asked for (target, pace, starting amount, first day; amounts as
    the planner read them, "8 g" for "8g"), which a replayed token is compared with when it is
    saved; it is not part of the document."""

    start_from: str  # "journal" or "given"
    measured: MeasuredUse | None
    schedule: Schedule
    saved: bool
    asked: Annotated[tuple[tuple[str, str | None], ...], Field(exclude=True)] = ()


def paces() -> tuple[PaceView, ...]:
    """Every pace of the knowledge base."""
    return tuple(
        PaceView(p.id, p.label, p.suits, p.basis, p.note, p.sources) for p in load_taper().paces
    )


def _capsule_measure(person: Any) -> Measure:
    # Whole capsules need the grams in one; with several capsule products it is ambiguous.
    sizes = {
        p.grams_per_unit
        for p in queries.products(person)
        if p.unit == "capsule" and p.grams_per_unit
    }
    if len(sizes) != 1:
        raise TaperError(
            "a taper in capsules needs exactly one capsule size among your products; "
            "give the amounts in grams (8g) instead"
        )
    return measure_for("capsule", sizes.pop())


def _measure(person: Any, unit: Unit) -> Measure:
    return _capsule_measure(person) if unit == "capsule" else measure_for(unit)


def _measured_unit(person: Any, first: date, last: date) -> Unit:
    line = timeline(person, first, last)
    if line.dose_time.size == 0:
        raise TaperError(
            f"no kratom use is logged in the {(last - first).days + 1} days before today "
            f"({day(first)} to {day(last)}); give the starting amount, e.g. 8 g",
            field="start_amount",
        )
    return "g" if bool(line.dose_is_leaf.all()) else "mg"


def _left_out(line: Timeline, measure: Measure, day_index: int | None = None) -> str:
    """The doses a taper's measure cannot count (those of day `day_index` of the line, or all),
    in words, without punctuation around them ("" when it counts them all): in mg, those with
    no mitragynine figure (an extract without a lab figure, a 7-OH product); in grams of leaf
    or capsules, any dose not leaf."""
    chosen = (
        np.ones(line.dose_time.size, dtype=bool)
        if day_index is None
        else line.day_of(line.dose_time) == day_index
    )
    if measure.unit == "mg":
        missing = int(np.isnan(line.dose_mg_mitragynine[chosen]).sum())
        why = "no mitragynine figure: an extract without a lab figure or a 7-OH product"
    else:
        missing = int((~line.dose_is_leaf[chosen]).sum())
        why = "not leaf: an extract, a shot or a 7-OH product"
    return f"{plural(missing, 'dose')} not counted ({why})" if missing else ""


def _refuse_implausible_start(amount: float, measure: Measure) -> None:
    """TaperError when a typed starting amount is more than a day could plausibly hold."""
    most_g = load_taper().number("most_daily_grams")
    if measure.unit == "mg":
        most = most_g * load_pharmacokinetics().leaf_mitragynine_span()[1]
    elif measure.unit == "capsule" and measure.grams_per_unit:
        most = most_g / measure.grams_per_unit
    else:
        most = most_g
    if amount > most:
        raise TaperError(
            f"the starting amount, {measure.text(amount)} a day, is more than "
            f"{measure.text(math.floor(most))} a day; check the amount and unit",
            field="start_amount",
        )


def taper_preview(
    person: Any,
    *,
    to: str,
    pace: str,
    start_amount: str | None = None,
    starts: date | None = None,
    now: datetime | None = None,
) -> TaperPreview:
    """Plan a taper without saving it; TaperError (a ValueError) says what is wrong with the ask."""
    knowledge = load_taper()
    day_clock = clock(person)
    today = day_clock.today(now or timezone.now())
    first_day = None if starts is None else starts.isoformat()
    starts = starts or today
    earliest = knowledge.count("earliest_start_days_ago")
    if starts < today - timedelta(days=earliest):
        raise TaperError(
            f"the first day, {day(starts)}, is more than {earliest} days in the past; start "
            "today or later",
            field="starts",
        )
    ahead = knowledge.count("latest_start_days_ahead")
    if starts > today + timedelta(days=ahead):
        raise TaperError(
            f"the first day, {day(starts)}, is more than {ahead} days ahead; choose a day "
            f"before {day(today + timedelta(days=ahead + 1))}",
            field="starts",
        )
    target = parse_amount(to, "to")
    given = parse_amount(start_amount, "start_amount") if start_amount is not None else None
    units = {a.unit for a in (target, given) if a is not None and a.unit is not None}
    if len(units) > 1:
        raise TaperError(
            "the starting amount and the target must be in the same unit (both g, both mg or "
            "capsules)",
            field="to",
        )
    days = knowledge.count("measured_days")
    last = today - timedelta(days=1)
    first = last - timedelta(days=days - 1)
    unit: Unit = units.pop() if units else _measured_unit(person, first, last)
    measure = _measure(person, unit)
    measured = None
    left_out = ""
    if given is None:
        line = timeline(person, first, last)
        mean = mean_daily_use(line, measure)
        left_out = _left_out(line, measure)
        left_out = f"; {left_out}" if left_out else ""  # read on in the sentences below
        if not math.isfinite(mean) or mean <= 0:
            raise TaperError(
                f"no use in {measure.unit} is logged in the {days} days before today "
                f"({day(first)} to {day(last)}){left_out}; give the starting amount, e.g. 8 g",
                field="start_amount",
            )
        logged = line.days_with_entries()
        least = knowledge.count("measured_days_with_entries")
        if logged < least:
            # Days with nothing logged would count as days without kratom, and the first step
            # would then be a far larger cut than the pace.
            raise TaperError(
                f"only {logged} of the {days} days before today ({day(first)} to {day(last)}) "
                f"have entries in the journal, too few to measure your usual use (at least "
                f"{least} are needed){left_out}; give the starting amount, e.g. 8 g",
                field="start_amount",
            )
        gaps = f"; {logged} of them with entries" if logged < days else ""
        measured = MeasuredUse(
            first,
            last,
            days,
            round(mean, 3),
            measure.unit,
            f"{measure.text(round(mean, 2))} a day on average over {plural(days, 'day')} "
            f"({day(first)} to {day(last)}{gaps}){left_out}",
            logged,
        )
        amount = mean
    else:
        amount = given.value
        _refuse_implausible_start(amount, measure)
    try:
        schedule = plan_schedule(amount, target.value, pace, measure, starts=starts)
    except TaperError as exc:
        if not left_out or exc.field != "start_amount":
            raise
        # "Nothing to taper" from a measure that left doses out: say which, and the way on.
        raise TaperError(
            f"{exc}{left_out}; give the starting amount, e.g. 8 g", field="start_amount"
        ) from None
    asked = (
        ("to", _said(target)),
        ("pace", pace),
        ("from", None if given is None else _said(given)),
        ("start", first_day),
    )
    start_from = "journal" if given is None else "given"
    return TaperPreview(start_from, measured, schedule, saved=False, asked=asked)


def _said(amount: Amount) -> str:
    """An amount as the planner read it: "8g", "8 g" and "8.0 g" are all "8 g"."""
    return f"{amount.value:g}" if amount.unit is None else f"{amount.value:g} {amount.unit}"


@dataclass(frozen=True)
class TaperStatus:
    """Where the taper stands today: the step, its allowance, today's use, and a hold proposal.

    `active` is false when no taper is saved (every other field is then empty).
    """

    active: bool
    day: date
    step: int | None
    steps: int | None
    allowance: float | None
    unit: str | None
    used_today: float | None
    left_today: float | None
    over_today: bool
    held: bool
    next_step: date | None
    hold: HoldAssessment | None
    schedule: Schedule | None
    choices: tuple[TaperEvent, ...]
    # Today's doses the taper's measure cannot count, in words ("" when none): "1 dose not
    # counted (not leaf: an extract, a shot or a 7-OH product)".
    not_counted_today: str = ""

    @property
    def step_words(self) -> str:
        """Where the taper stands: "step 3 of 13", "at the starting amount, before step 1 of
        13"; "" without a taper."""
        return "" if self.step is None or self.steps is None else step_words(self.step, self.steps)


def taper_status(person: Any, now: datetime | None = None) -> TaperStatus:
    """The active taper's status on the person's current day."""
    day_clock = clock(person)
    today = day_clock.today(now or timezone.now())
    taper = tapers.active_taper(person)
    if taper is None:
        return TaperStatus(
            False, today, None, None, None, None, None, None, False, False, None, None, None, ()
        )
    schedule = tapers.schedule_of(taper)
    events = tapers.events_of(taper)
    if today < schedule.starts:
        return TaperStatus(
            True,
            today,
            0,
            len(schedule.steps),
            schedule.start_amount,
            schedule.unit,
            None,
            None,
            False,
            False,
            schedule.starts,
            None,
            schedule,
            events,
        )
    days = course(schedule, events, today)
    now_day = days[-1]
    measure = Measure(schedule.unit, schedule.resolution, schedule.grams_per_unit)  # type: ignore[arg-type]
    base = load_taper().count("anxiety_baseline_days")
    line = timeline(person, min(now_day.step_began, schedule.starts) - timedelta(days=base), today)
    (use,) = adherence(days[-1:], line, measure)
    hold = assess_hold(line, now_day.step_began, today)
    return TaperStatus(
        active=True,
        day=today,
        step=now_day.step,
        steps=len(schedule.steps),
        allowance=now_day.allowance,
        unit=schedule.unit,
        used_today=use.used,
        left_today=use.left,
        over_today=use.over,
        held=now_day.held,
        next_step=now_day.next_step,
        hold=hold,
        schedule=schedule,
        choices=events,
        not_counted_today=_left_out(line, measure, (today - line.first).days),
    )


def save_preview(
    person: Any, preview: TaperPreview, *, token: str | None = None, replace: bool = False
) -> TaperPreview:
    """Save a previewed schedule as the active taper (`tapers.save_taper`): a taper in progress
    is replaced only with `replace` (else TaperInProgress); a replayed `token` raises
    TaperSavedBefore (a DuplicateSubmission), or TokenReused when asked with other values."""
    try:
        tapers.save_taper(
            person, preview.schedule, token=token, replace=replace, asked=dict(preview.asked)
        )
    except DuplicateSubmission as exc:
        stored = _saved(preview, tapers.schedule_of(exc.entry))
        raise TaperSavedBefore(exc.entry, stored) from None
    return _saved(preview, preview.schedule)


class TaperSavedBefore(DuplicateSubmission):
    """The same taper was saved before with this token: `entry` is the taper, `preview` it
    as a saved preview (what the first request was answered with)."""

    def __init__(self, entry: Any, preview: TaperPreview) -> None:
        super().__init__(entry)
        self.preview = preview


def _saved(preview: TaperPreview, schedule: Schedule) -> TaperPreview:
    return TaperPreview(preview.start_from, preview.measured, schedule, True, preview.asked)


@dataclass(frozen=True)
class TaperDay:
    """One lived day of the taper: its allowance and use, with the day's SOWS and anxiety.

    `used` is None only for a day the journal cannot count (never for a past day of the taper);
    `sows` is the day's last SOWS total and `anxiety` the day's mean rating, None without one.
    """

    day: date
    step: int
    held: bool
    allowance: float
    used: float
    over: bool
    sows: float | None
    anxiety: float | None


@dataclass(frozen=True)
class TaperPage:
    """The Taper page: today's status, every day so far, adherence, and what can be planned."""

    status: TaperStatus
    days: tuple[TaperDay, ...]
    days_within: int
    days_over: int
    paces: tuple[PaceView, ...]
    borrowed_note: str


def _is_sows(code: str) -> bool:
    return "".join(ch for ch in code.upper() if ch.isalnum()) == "SOWS"


def taper_page(person: Any, now: datetime | None = None) -> TaperPage:
    """The active taper day by day (planned against actual use, SOWS and anxiety beneath)."""
    knowledge = load_taper()
    status = taper_status(person, now)
    borrowed = knowledge.borrowed_note
    if not status.active or status.schedule is None or status.day < status.schedule.starts:
        return TaperPage(status, (), 0, 0, paces(), borrowed)
    schedule = status.schedule
    measure = Measure(schedule.unit, schedule.resolution, schedule.grams_per_unit)  # type: ignore[arg-type]
    lived = course(schedule, status.choices, status.day)
    line = timeline(person, schedule.starts, status.day)
    used = adherence(lived, line, measure)
    anxiety = line.daily_anxiety()
    sows: list[float | None] = [None] * line.n_days
    sows_rows = sorted(
        (float(t), float(total))
        for t, code, total in zip(
            line.response_time, line.response_instrument, line.response_total, strict=True
        )
        if _is_sows(code) and math.isfinite(total)
    )
    for t, total in sows_rows:  # in time order: the day keeps its last answer
        index = int(line.day_of(np.array([t]))[0])
        if 0 <= index < line.n_days:
            sows[index] = total
    days = tuple(
        TaperDay(
            day=c.day,
            step=c.step,
            held=c.held,
            allowance=u.allowance,
            used=u.used,
            over=u.over,
            sows=sows[i],
            anxiety=None if math.isnan(anxiety[i]) else round(float(anxiety[i]), 2),
        )
        for i, (c, u) in enumerate(zip(lived, used, strict=True))
    )
    # Today is not over: it counts as over once it is, and not yet as within.
    past = [d for d in days if d.day < status.day]
    over = sum(d.over for d in days)
    return TaperPage(status, days, len(past) - sum(d.over for d in past), over, paces(), borrowed)


@dataclass(frozen=True)
class TaperTrend:
    """The active taper as lived: its schedule (the steps), every day so far (allowance, use,
    held or not), the holds, resumes and steps back chosen, and the days within and over.
    `active` is false without a taper (every other field is then empty)."""

    active: bool
    schedule: Schedule | None
    step: int | None
    steps: int | None
    held: bool
    days: tuple[TaperDay, ...]
    days_within: int
    days_over: int
    choices: tuple[TaperEvent, ...]

    @property
    def step_words(self) -> str:
        """As `TaperStatus.step_words`."""
        return "" if self.step is None or self.steps is None else step_words(self.step, self.steps)


def taper_trend(person: Any, now: datetime | None = None) -> TaperTrend:
    """The active taper as lived, from the Taper page's read (a clinician's Trends page and
    report show this)."""
    page = taper_page(person, now)
    s = page.status
    return TaperTrend(
        active=s.active,
        schedule=s.schedule,
        step=s.step,
        steps=s.steps,
        held=s.held,
        days=page.days,
        days_within=page.days_within,
        days_over=page.days_over,
        choices=s.choices,
    )
