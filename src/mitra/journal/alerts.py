"""Run the safety rules over a person's recent journal and keep each new finding once."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from threading import Condition, Lock
from typing import Any, cast

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from mitra.safety import (
    SAFETY_FACTS,
    AlertCandidate,
    Event,
    ProductFacts,
    ResponseFacts,
    ResponsesRead,
    Rule,
    SafetyFact,
    SafetyInput,
    SubstanceFacts,
    crisis_alert_key,
    entry_rules,
    evaluate,
    load_policy,
    responses_read,
    rules_for,
    told_of,
    undated_rules,
)
from mitra.settings import private_file
from mitra.timeline import TIMELINE_PARTS, DayClock, Timeline, TimelinePart
from mitra.vocabulary import severity_rank

from .errors import NotFound
from .models import Alert, Dose, Person, Product, Response, Substance, Taper
from .tapers import active_taper, taper_facts_of
from .timeline_builder import (
    build_timeline,
    clock_of,
    columns,
    json_text,
    json_values,
    moment,
    moments,
)
from .version import journal_changed

try:  # POSIX; elsewhere a process's own refreshes are still one at a time
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: Said for a taper not read yet (None is "no active taper").
_UNREAD: Any = object()

#: Rules that read a daily streak from its first day, however far before the window it began.
_WHOLE_STREAK = frozenset({"daily_streak"})


@dataclass(frozen=True)
class _Before:
    """The live doses of some days before a window's first day, back to the first day of the
    streak that reaches the window (or of the whole history): their times (POSIX seconds),
    products and grams, with that first day and the fingerprint of every dose row before the
    window (deleted ones included)."""

    fingerprint: tuple[object, ...]
    time: np.ndarray
    product: np.ndarray
    grams: np.ndarray
    start: date | None = None


#: The doses before the window, per person, clock and window start; used again while the rows before
#: the window are unchanged, which is every write but a back-dated one, an undo or a deletion.
_before: dict[tuple[object, ...], _Before] = {}
_before_lock = Lock()
#: Days before the window read first to find where a streak began; each further read looks
#: four times as far back. A streak ends at the first day without a dose, so a journal with a
#: day off in the last eight weeks reads those weeks, not its years of history.
_LOOK_BACK_DAYS = 56


def _fingerprint(person: Person, before: datetime) -> tuple[object, ...]:
    """What changes whenever a dose row before `before` is added, edited, deleted or restored
    (each saves its `updated_at`), or moved across it, and the earliest dose time before it:
    one indexed aggregate, no rows."""
    rows = Dose.objects.filter(person=person, taken_at__lt=before).aggregate(
        count=Count("pk"), newest=Max("updated_at"), last=Max("pk"), earliest=Min("taken_at")
    )
    return (rows["count"], rows["newest"], rows["last"], rows["earliest"])


def _doses_before(person: Person, clock: DayClock, first: date) -> _Before:
    """The live doses before `first` back to the start of the streak that reaches it, read
    again only when the rows before `first` changed."""
    before = clock.day_start(first)
    # The clock too: the streak's days are its days, and another zone of the same offset
    # starts the window at the same moment.
    key = (person.pk, str(person.created_at), clock.tz, clock.boundary_hour, before)
    fingerprint = _fingerprint(person, before)
    with _before_lock:
        held = _before.get(key)
    if held is not None and held.fingerprint == fingerprint:
        return held
    earliest = cast("datetime | None", fingerprint[-1])
    days = _LOOK_BACK_DAYS
    while True:
        # All of them once the days read reach the earliest dose (deleted ones included).
        whole = earliest is None or first - timedelta(days=days) <= clock.local_day(earliest)
        rows = Dose.objects.filter(person=person, deleted_at__isnull=True, taken_at__lt=before)
        if not whole:
            rows = rows.filter(taken_at__gte=clock.day_start(first - timedelta(days=days)))
        listed = list(rows.order_by("taken_at").values_list("taken_at", "product_id", "grams"))
        made = _Before(
            fingerprint=fingerprint,
            time=np.array([r[0].timestamp() for r in listed], dtype=np.float64),
            product=np.array([r[1] for r in listed], dtype=np.int64),
            grams=np.array([r[2] for r in listed], dtype=np.float64),
        )
        start = _streak_start(clock, first, made)
        # A streak that starts after the first day read has its day off among the days read.
        if whole or start > first - timedelta(days=days):
            break
        days *= 4
    made = replace(made, start=start)
    with _before_lock:
        for old in [k for k in _before if k[:2] == key[:2]]:
            del _before[old]  # one window start per person: yesterday's is not needed again
        _before[key] = made
    return made


def _streak_start(clock: DayClock, first: date, before: _Before) -> date:
    """The first day of a run of daily use that reaches `first` from before (else `first`).

    The streak rule sees the whole streak, so a long one keeps one start day (and one alert per
    milestone) instead of seeming to start wherever the window happens to begin.
    """
    if before.time.size == 0:
        return first
    earliest = clock.local_day(datetime.fromtimestamp(float(before.time[0]), UTC))
    if earliest >= first:
        return first
    days = clock.day_index(before.time, earliest, first - timedelta(days=1))
    used = np.zeros((first - earliest).days, dtype=np.bool_)
    used[days] = True
    # The run of used days that ends on the day before `first`, counted back from its end.
    missing = np.flatnonzero(~used)
    run = used.size if missing.size == 0 else used.size - 1 - int(missing[-1])
    return first - timedelta(days=run)


def _facts(
    person: Person,
    now: datetime,
    window: timedelta,
    line: Timeline,
    *,
    uses: Collection[SafetyFact] = SAFETY_FACTS,
    taper: Taper | None = _UNREAD,
    responses: list[ResponseFacts] | None = None,
) -> SafetyInput:
    """The timeline with the products, substances, recent responses and taper in `uses` around
    it. `taper` is the active taper and `responses` the window's responses the rules look at,
    when the caller has read them already."""
    products = (
        {
            p.pk: ProductFacts(
                id=p.pk,
                name=p.name,
                form=cast(Any, p.form),
                mitragynine_mg_per_g=p.mitragynine_mg_per_g,
                hydroxy_mg_per_g=p.hydroxy_mg_per_g,
            )
            for p in Product.objects.filter(person=person)
        }
        if "products" in uses
        else {}
    )
    substances = (
        {
            s.pk: SubstanceFacts(
                id=s.pk,
                name=s.name,
                knowledge_id=s.knowledge_id or None,
                active=s.active and s.deleted_at is None,
            )
            for s in Substance.objects.filter(person=person)
        }
        if "substances" in uses
        else {}
    )
    if "responses" not in uses:
        responses = []
    elif responses is None:
        responses = _recent_responses(person, now - window)
    facts = None
    if "taper" in uses:
        active = active_taper(person) if taper is _UNREAD else taper
        facts = None if active is None else taper_facts_of(active)
    return SafetyInput(
        timeline=line,
        products=products,
        substances=substances,
        responses=responses,
        now=now,
        taper=facts,
    )


def _window() -> timedelta:
    """How far back the rules look (the policy's look_back_days)."""
    return timedelta(days=load_policy().look_back_days)


def _recent_responses(
    person: Person, since: datetime, wanted: ResponsesRead | None = None
) -> list[ResponseFacts]:
    """The five columns the rules read of the responses since `since`, not whole rows: a
    response's answers and its other times are never decoded here. Read as the timeline reads
    its columns (its times and flags converted a column at a time, not one call per value), so
    a window of many responses costs little more than a few. With `wanted`, only the responses
    of its instruments or with one of its flags (a flag found in the stored list's text; the
    rules check each response they are given): a day of many GAD-7s is not read for a rule
    that looks at SOWS totals and crisis answers."""
    rows = Response.objects.filter(person=person, deleted_at__isnull=True, at__gte=since)
    if wanted is not None:
        which = Q(instrument__in=sorted(wanted.instruments))
        for flag in sorted(wanted.flags):
            which |= Q(flags_text__contains=json.dumps(flag))
        rows = rows.annotate(flags_text=json_text("flags")).filter(which)
    rows = rows.order_by("at").values_list(
        "pk", moment("at"), "instrument", "total", json_text("flags")
    )
    pks, times, instruments, totals, flags = columns(rows, 5)
    return [
        ResponseFacts(id=pk, instrument=instrument, at=at, total=total, flags=tuple(f or ()))
        for pk, at, instrument, total, f in zip(
            pks, moments(times), instruments, totals, json_values(flags), strict=True
        )
    ]


def safety_input(
    person: Person,
    now: datetime,
    parts: Collection[TimelinePart] = TIMELINE_PARTS,
    uses: Collection[SafetyFact] = SAFETY_FACTS,
    taper: Taper | None = _UNREAD,
    *,
    responses: list[ResponseFacts] | None = None,
) -> SafetyInput:
    """The plain data the safety rules read: the policy's window of the journal (look_back_days)
    with the kinds of entry in `parts`, and the facts in `uses` around it (`taper` and
    `responses`: the active taper and the window's responses the rules look at, when the
    caller has read them already)."""
    clock = clock_of(person)
    window = _window()
    line = build_timeline(person, clock.local_day(now - window), clock.local_day(now), parts)
    # The products and substances the doses and intakes refer to (a streak's too) always.
    uses = {
        *uses,
        *(("products",) if "doses" in parts else ()),
        *(("substances",) if "intakes" in parts else ()),
    }
    return _facts(person, now, window, line, uses=uses, taper=taper, responses=responses)


def streak_input(data: SafetyInput, person: Person) -> SafetyInput:
    """`data` with its doses followed back to the first day of a streak that reaches its window.

    The streak timeline holds doses only (times, products, grams): only the streak rule needs
    more than the window, and it reads when doses were taken. The doses before the window come
    from rows read once and used again until one of them changes, so a write does not read
    the history.
    """
    line = data.timeline
    clock = line.clock
    before = _doses_before(person, clock, line.first)
    start = before.start or line.first
    if start == line.first:
        return data
    keep = before.time >= clock.day_start(start).timestamp()
    streak = Timeline(
        clock=clock,
        first=start,
        last=line.last,
        dose_time=np.concatenate([before.time[keep], line.dose_time]),
        dose_product=np.concatenate([before.product[keep], line.dose_product]),
        dose_grams=np.concatenate([before.grams[keep], line.dose_grams]),
    )
    return replace(data, timeline=streak)


def refresh_alerts(
    person: Person, now: datetime | None = None, event: Event | None = None
) -> list[Alert]:
    """Evaluate the rules an event concerns (every rule for None); store the findings not seen
    before and withdraw those whose entries went. Returns the new alerts."""
    with _one_refresh_at_a_time(person):
        if event is not None or now is not None:
            return _refresh(person, now or timezone.now(), rules_for(event))
        # Every rule, now: the alerts then reflect every change committed before the version
        # was read.
        version = Person.objects.filter(pk=person.pk).values_list("version", flat=True).first()
        new = _refresh(person, timezone.now(), rules_for(None))
        if version is not None:
            _reflects(person, version)
        return new


def _rules_of(events: set[Event | None]) -> tuple[Rule, ...]:
    """The rules any of the events concerns, each once, in registry order."""
    if None in events:
        return rules_for(None)
    wanted = {r.id for event in events for r in rules_for(event)}
    return tuple(r for r in rules_for(None) if r.id in wanted)


def _refresh(
    person: Person, now: datetime, rules: tuple[Rule, ...], *, recount: bool = False
) -> list[Alert]:
    """Evaluate `rules` and store what is new (see `refresh_alerts`). `recount`: the person's
    days moved (a new time zone or day start), so the open alerts of the trend rules that
    count days over the span they read again (the current streak, the active taper's days)
    are withdrawn when not found on the new days."""
    taper = active_taper(person)
    if taper is None:
        rules = tuple(r for r in rules if not r.needs_taper)
    uses = {fact for r in rules for fact in r.uses}
    responses = None
    wanted = responses_read(rules)
    if "responses" in uses and wanted is not None:
        responses = _recent_responses(person, now - _window(), wanted)
    # Only the kinds of entry and the facts these rules read: a questionnaire's rules, say,
    # read no check-ins and no substances; and a rule that looks only at some responses reads
    # nothing more when none of them is in the window (it runs, finds nothing, and so its
    # alerts whose response went are withdrawn).
    parts = {
        part
        for r in rules
        if r.responses is None
        or "responses" not in r.uses
        or any(r.responses.selects(x) for x in responses or ())
        for part in r.reads
    }
    data = safety_input(person, now, parts, uses, taper, responses=responses)
    # Every rule but the streak rule reads the window; the streak rule follows a streak back.
    streak_rules = [r for r in rules if r.id in _WHOLE_STREAK]
    candidates = evaluate(data, [r for r in rules if r.id not in _WHOLE_STREAK])
    streak_since = None
    if streak_rules:
        streak = streak_input(data, person)
        candidates = sorted(
            candidates + evaluate(streak, streak_rules), key=AlertCandidate.sort_key
        )
        streak_since = streak.timeline.clock.day_start(streak.timeline.first)
    by_key = {c.evidence_key: c for c in candidates}
    since = data.timeline.clock.day_start(data.timeline.first)
    _withdraw_missing(person, {r.id for r in rules}, by_key, since, now)
    if recount:
        ran = {r.id for r in rules}
        _recounted(person, ran, by_key, streak_since=streak_since, taper=taper, now=now)
    # Only the findings' own keys: the alerts of years past are not read on every write.
    seen = set(
        Alert.objects.filter(
            person=person, evidence_key__in={c.evidence_key for c in candidates}
        ).values_list("rule", "evidence_key")
    )
    new = [
        Alert(person=person, rule=c.rule, evidence_key=c.evidence_key, **_as_found(c))
        for c in candidates
        if (c.rule, c.evidence_key) not in seen
    ]
    told = _told_already(person, [by_key[a.evidence_key] for a in new])
    for alert, known in zip(new, told, strict=True):
        if known:
            alert.acknowledged_at = now
    _crisis_seen_already(person, new)
    # ignore_conflicts: a concurrent refresh may have stored the same finding a moment ago.
    Alert.objects.bulk_create(new, ignore_conflicts=True)
    return new


def _as_found(c: AlertCandidate) -> dict[str, Any]:
    """What an alert says of a finding, as the rules found it: stored with a new alert, and
    again on one brought back."""
    return {
        "severity": c.severity,
        "rank": severity_rank(c.severity),
        "title": c.title,
        "text": c.text,
        "advice": c.advice,
        "sources": list(c.sources),
        "evidence": c.evidence.to_json(),
        "evidence_grade": c.evidence_grade,
        "at": c.at,
    }


def _recounted(
    person: Person,
    ran: set[str],
    found: dict[str, AlertCandidate],
    *,
    streak_since: datetime | None,
    taper: Any,
    now: datetime,
) -> None:
    """After the days moved: withdraw the alerts of the day-counting trend rules that read
    their whole span again and no longer find them: a streak's since the current streak began,
    and the active taper's days over its allowance. (Other trend rules look only at their
    latest week or step: their earlier alerts stand, as history.)"""
    spans = Q(pk__in=[])
    if streak_since is not None and _WHOLE_STREAK & ran:
        spans |= Q(rule__in=_WHOLE_STREAK, at__gte=streak_since)
    if taper is not None and _TAPER_DAYS in ran:
        began = f"{_TAPER_DAYS}:{taper.schedule.starts.isoformat()}:"
        spans |= Q(rule=_TAPER_DAYS, evidence_key__startswith=began)
    # Read or not: a streak the person read of is no longer true either (read, it stays read).
    stale = [
        pk
        for pk, key in Alert.objects.filter(
            spans, person=person, withdrawn_at__isnull=True
        ).values_list("pk", "evidence_key")
        if key not in found
    ]
    if stale:
        Alert.objects.filter(pk__in=stale).update(
            acknowledged_at=Coalesce("acknowledged_at", Value(now)), withdrawn_at=now
        )


#: The taper rule that tells of each day of the active taper over its allowance.
_TAPER_DAYS = "taper_over_allowance"


def _crisis_seen_already(person: Person, new: list[Alert]) -> None:
    """A crisis alert found for a response whose crisis resources the person has already seen
    (a copy of their journal read in, its card marked seen) is stored as read when they were:
    the answer is not news, and its banner is not raised again."""
    crisis = [a for a in new if a.rule == "crisis_answer" and a.acknowledged_at is None]
    if not crisis:
        return
    seen = dict(
        Response.objects.filter(person=person, crisis=True, acknowledged_at__isnull=False)
        .filter(pk__in={int(a.evidence["response"]["id"]) for a in crisis})
        .values_list("pk", "acknowledged_at")
    )
    for alert in crisis:
        alert.acknowledged_at = seen.get(int(alert.evidence["response"]["id"]))


#: How far apart in time alerts of one rule that tell of the same entries can be (a co-use
#: alert's time is its intake's or its latest dose's, within the co-use window of each other).
_TOLD_NEAR = timedelta(days=7)


def _told_already(person: Person, candidates: list[AlertCandidate]) -> list[bool]:
    """For each finding, whether alerts the person has read (and that still stand) told of all
    it tells of (`AlertCandidate.parts`): then it says nothing new and is stored as read. So a
    dose deleted from a read co-use alert's doses raises no unread alert for the rest, and one
    alert for doses that each had an alert of their own, all read, is read."""
    telling = [c for c in candidates if c.parts]
    if not telling:
        return [False] * len(candidates)
    times = [c.at for c in telling]
    read = Alert.objects.filter(
        person=person,
        rule__in={c.rule for c in telling},
        acknowledged_at__isnull=False,
        withdrawn_at__isnull=True,
    ).filter(
        Q(evidence_key__in={part for c in telling for part in c.parts})
        | Q(at__range=(min(times) - _TOLD_NEAR, max(times) + _TOLD_NEAR))
    )
    # A part told of less severely is news told more severely (a dose's product changed to a
    # concentrated 7-OH one, say): each read alert tells of its parts at its own severity.
    told: dict[int, set[str]] = {}
    for rank, rule_id, key, evidence in read.values_list(
        "rank", "rule", "evidence_key", "evidence"
    ):
        told.setdefault(rank, set()).update(told_of(rule_id, key, evidence))

    def known(candidate: AlertCandidate) -> bool:
        rank = severity_rank(candidate.severity)
        severe_enough = set().union(*(keys for r, keys in told.items() if r <= rank))
        return bool(candidate.parts) and severe_enough.issuperset(candidate.parts)

    return [known(c) for c in candidates]


def _withdraw_missing(
    person: Person,
    ran: set[str],
    found: dict[str, AlertCandidate],
    since: datetime,
    now: datetime,
) -> None:
    """Withdraw open entry-based alerts the rules that ran no longer find in their span (`found`:
    what they found, by evidence key); bring back withdrawn ones they find again."""
    # Their ids and keys only: an alert's evidence and texts are not decoded on every write.
    open_alerts = (
        Alert.objects.filter(
            person=person, rule__in=entry_rules() & ran, acknowledged_at__isnull=True
        )
        .filter(Q(at__gte=since) | Q(rule__in=undated_rules()))
        .values_list("pk", "rule", "evidence_key")
    )
    gone = [pk for pk, rule, key in open_alerts if key not in found or found[key].rule != rule]
    if gone:
        Alert.objects.filter(pk__in=gone).update(acknowledged_at=now, withdrawn_at=now)
    # An undone deletion brings its evidence back, and with it the alert: unread, unless alerts
    # read meanwhile told of all it tells of (a later dose's co-use alert, read, then undone).
    if not found:
        return
    back = [
        # Read, not only marked read by its withdrawal (which writes both times at once): it
        # comes back read, as it was.
        (pk, found[key], read if read is not None and read != gone else None)
        for pk, rule, key, read, gone in Alert.objects.filter(
            person=person,
            rule__in=ran,
            withdrawn_at__isnull=False,
            evidence_key__in=found.keys(),
        ).values_list("pk", "rule", "evidence_key", "acknowledged_at", "withdrawn_at")
        if found[key].rule == rule
    ]
    if not back:
        return
    told = _told_already(person, [candidate for _, candidate, _ in back])
    for (pk, candidate, read_before), known in zip(back, told, strict=True):
        # Said as the rules find it now: the same finding may rest on other entries than when
        # it was withdrawn (a liver alert's deleted check-in, then another with a symptom).
        Alert.objects.filter(pk=pk).update(
            acknowledged_at=read_before or (now if known else None),
            withdrawn_at=None,
            **_as_found(candidate),
        )


#: The event each kind of entry is to the safety rules (safety_rules.toml says what runs on it).
_EVENTS: dict[str, Event] = {
    "Dose": "dose",
    "CheckIn": "checkin",
    "Intake": "intake",
    "Response": "response",
    "Substance": "substance",
    "Product": "product",
    "Taper": "taper",
}


def event_of(model: type) -> Event | None:
    """The event a change to an entry of this model is (None: every rule looks again)."""
    return _EVENTS.get(model.__name__)


@dataclass
class _Queue:
    """One person's alert refreshes: writers take tickets after they commit, in order; a refresh
    covers every ticket taken before it started, with the union of their events."""

    taken: int = 0  # the last ticket taken
    covered: int = 0  # every ticket up to this one has had a refresh that started after it
    running: bool = False
    events: set[Event | None] = field(default_factory=set)  # of the tickets not yet covered
    made: set[int] = field(default_factory=set)  # the journal versions their changes made
    recount: bool = False  # a ticket's change moved the person's days (see `_refresh`)


#: Per database and person. One condition for all: a refresh's end wakes the writers waiting
#: on it, and there are never many.
_queues: dict[tuple[object, ...], _Queue] = {}
_queued = Condition()


def refresh_covering(
    person: Person, event: Event | None = None, made: int | None = None, *, recount: bool = False
) -> None:
    """Refresh the alerts after a write that has committed, returning once a refresh that
    started after that commit has finished; a failing rule never loses an entry.

    Writers in a burst share refreshes, group-commit style: while one refresh runs, the writers
    that commit meanwhile wait, and the next refresh, started after all their commits, covers
    them all. A write's alerts (a crisis answer's, a dangerous interaction's) are therefore
    stored by the time its writer returns, and the rules run once per burst, not per write.
    `made`: the journal version the write made (`refresh_after_commit` passes it), by which a
    refresh knows whether an earlier change's refresh never ended (`_caught_up`).
    """
    key = (connection.alias, str(connection.settings_dict["NAME"]), person.pk)
    with _queued:
        queue = _queues.setdefault(key, _Queue())
        queue.taken += 1
        ticket = queue.taken
        queue.events.add(event)
        queue.recount = queue.recount or recount
        if made is not None:
            queue.made.add(made)
        while queue.covered < ticket:
            if not queue.running:
                break  # no refresh is running: this writer runs the next one
            _queued.wait()
        else:
            return  # a refresh that started after this write's commit has finished
        queue.running = True
        upto, events, versions, recounted = queue.taken, queue.events, queue.made, queue.recount
        queue.events, queue.made, queue.recount = set(), set(), False
    try:
        with _uninterrupted():
            _caught_up(person, events, versions, recount=recounted)
    finally:
        with _queued:
            queue.covered = upto
            queue.running = False
            _queued.notify_all()


def _caught_up(
    person: Person, events: set[Event | None], made: set[int], *, recount: bool = False
) -> None:
    """Run the rules the events concern, and every other rule too when a change before these
    was never covered (its refresh killed, stopped or failed; a change another process is
    refreshing at this moment looks the same, and costs only the longer refresh); then note
    the version the alerts now reflect.

    The events' own rules run first and on their own: a rule that keeps failing (and so keeps
    the alerts behind the journal) never keeps a write's own alerts, a crisis answer's say, from
    being stored.
    """
    with _one_refresh_at_a_time(person):
        found = Person.objects.filter(pk=person.pk).values_list("version", "alerts_version")
        if not found:  # the person's journal was deleted meanwhile
            return
        version, reflected = found[0]
        # The alerts reflected the journal just before these changes only when every version
        # between the last one reflected and these changes' own is theirs (counted, not
        # listed: a restore moves versions on by the clock's milliseconds).
        missing = max(made, default=reflected) - reflected - sum(1 for v in made if v > reflected)
        whole = None in events or not made or missing > 0
        own = _rules_of(events)
        ran = {r.id for r in own}
        rest = tuple(r for r in rules_for(None) if r.id not in ran) if whole else ()
        now = timezone.now()
        done = True
        for rules in (own, rest):
            if not rules:
                continue
            try:
                _refresh(person, now, rules, recount=recount)
            except Exception:  # the entries are saved; a broken rule must not make it an error
                log.exception("safety rules failed for person %s", person.pk)
                done = False  # not reflected: the next refresh runs every rule again
        if done:
            # A refresh of every rule reflects every change committed before it read the
            # version; one of the events' rules, these changes.
            _reflects(person, version if whole else max(made))


def _reflects(person: Person, version: int) -> None:
    """Note that the stored alerts reflect the journal up to `version` (never moved back, and
    never past the journal's own version)."""
    Person.objects.filter(pk=person.pk, alerts_version__lt=version, version__gte=version).update(
        alerts_version=version
    )


#: The first key of the PostgreSQL advisory lock one person's refreshes take ("mitr").
_LOCK_SPACE = 0x6D697472
#: This process's refreshes of each SQLite database, one at a time (beside the file's lock).
_sqlite_locks: dict[str, Lock] = {}


@contextmanager
def _one_refresh_at_a_time(person: Person) -> Iterator[None]:
    """One refresh of a person's alerts at a time, across the processes on the database.

    Two refreshes at once could undo each other: one that read the journal before a crisis
    answer committed would withdraw, as no longer found, the alert the answer's own refresh had
    just stored. On PostgreSQL an advisory lock, held to the end of the refresh's transaction;
    on SQLite a lock file beside the database (and this process's own lock, for a database in
    memory). Writers are never held up by it: their entries commit while a refresh runs.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, person.pk])
            yield
        return
    name = str(connection.settings_dict["NAME"])
    with _queued:
        local = _sqlite_locks.setdefault(name, Lock())
    with local:
        on_disk = os.path.isabs(name) and os.path.isdir(os.path.dirname(name))
        if not on_disk or fcntl is None:
            yield
            return
        with open(private_file(Path(f"{name}.alerts.lock")), "w", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield


#: The signals that would end a command midway (Ctrl-C; `kill`, a service manager's stop; the
#: quit gunicorn's master sends its workers on Ctrl-C), in the order they are taken after it:
#: an interrupt last, so a kill that followed it still ends the process as a kill.
_HELD = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGQUIT", "SIGINT") if hasattr(signal, name)
)


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """The signals that would stop the process held until the refresh has ended, then taken as
    they would have been.

    The entries are committed before the refresh: a command stopped in the middle of it ended
    with the entry saved and its alerts (a crisis answer's, say) not stored until a later write
    refreshed them (`_caught_up`). Held, a Ctrl-C stops the command once the alerts are stored.
    Signals reach only the main thread's handlers: a server's request threads are left as they
    are, and so is a signal the process ignores.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: set[int] = set()
    before: dict[signal.Signals, Any] = {}
    try:
        for signum in _HELD:
            handler = signal.getsignal(signum)
            if handler is not signal.SIG_IGN and handler is not None:
                before[signum] = signal.signal(signum, lambda number, _frame: caught.add(number))
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
        for signum in _HELD:  # now, to the handler each would have reached
            if signum in caught:
                signal.raise_signal(signum)


def refresh_after_commit(
    person: Person, event: Event | None = None, *, recount: bool = False
) -> None:
    """The journal changed: raise its version now, and refresh alerts after the current
    transaction commits (`refresh_covering`).

    Every writer (services, the demo, imports) calls this after its write, inside its
    transaction or after it commits, so the version moves with every change and never before it.
    `recount`: the change moved the person's days (see `_refresh`).
    """
    made = journal_changed(person, None if event is None else _PARTS.get(event))
    transaction.on_commit(lambda: refresh_covering(person, event, made, recount=recount))


#: The parts of the timeline a change of each event can touch (`journal_changed`): a product's
#: figures and form are its doses', a substance's classes its intakes', and a check-in's
#: practices come and go with it. A taper is not in the timeline. An event not named here, or
#: none, may have touched anything.
_PARTS: dict[str, frozenset[TimelinePart]] = {
    "dose": frozenset({"doses"}),
    "product": frozenset({"doses"}),
    "checkin": frozenset({"checkins", "practices"}),
    "intake": frozenset({"intakes"}),
    "substance": frozenset({"intakes"}),
    "response": frozenset({"responses"}),
    "taper": frozenset(),
}


def acknowledge_alert(person: Person, alert_id: int) -> Alert:
    """The person has read an alert: it leaves the banner and stays in the history."""
    try:
        alert = Alert.objects.get(person=person, pk=alert_id)
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"no alert {alert_id} in this journal") from None
    if alert.acknowledged_at is None:
        # Only if still unread: a refresh withdrawing it at this moment keeps its own time.
        Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now()
        )
        alert.refresh_from_db(fields=["acknowledged_at"])
    return alert


def acknowledge_crisis_alert(person: Person, response_id: int, now: datetime) -> None:
    """The crisis alert a response raised was read with its crisis card."""
    Alert.objects.filter(
        person=person,
        evidence_key=crisis_alert_key(response_id),
        acknowledged_at__isnull=True,
    ).update(acknowledged_at=now)


def alert_of(person: Person, alert_id: int) -> Alert | None:
    """One of the person's alerts, or None."""
    return Alert.objects.filter(person=person, pk=alert_id).first()


def open_alerts(person: Person) -> QuerySet[Alert]:
    """Alerts not yet acknowledged, the most severe and the newest first."""
    return Alert.objects.filter(person=person, acknowledged_at__isnull=True).order_by("rank", "-at")


def alert_history(person: Person) -> QuerySet[Alert]:
    """Every alert, acknowledged or not, the most severe and the newest first."""
    return Alert.objects.filter(person=person).order_by(
        F("acknowledged_at").asc(nulls_first=True), "rank", "-at"
    )
