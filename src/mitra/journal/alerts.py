"""Run the safety rules over a person's recent journal and keep each new finding once."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from mitra.safety import (
    Event,
    ProductFacts,
    ResponseFacts,
    SafetyInput,
    SubstanceFacts,
    crisis_alert_key,
    entry_rules,
    evaluate,
    load_policy,
    rules_for,
    undated_rules,
)
from mitra.timeline import DayClock
from mitra.vocabulary import severity_rank

from .errors import NotFound
from .models import Alert, Dose, Person, Product, Response, Substance
from .tapers import taper_facts
from .timeline_builder import build_timeline, clock_of

log = logging.getLogger(__name__)


def _streak_start(person: Person, clock: DayClock, first: date) -> date:
    """The first day of a run of daily use that reaches `first` from before (else `first`).

    The rules see the whole streak, so a long one keeps one start day (and one alert per
    milestone) instead of seeming to start wherever the window happens to begin.
    """
    earlier = (
        Dose.objects.filter(
            person=person, deleted_at__isnull=True, taken_at__lt=clock.day_start(first)
        )
        .order_by("-taken_at")
        .values_list("taken_at", flat=True)
        .iterator()
    )
    start = first
    for taken_at in earlier:
        day = clock.local_day(taken_at)
        if day == start - timedelta(days=1):
            start = day
        elif day < start - timedelta(days=1):
            break
    return start


def safety_input(person: Person, now: datetime) -> SafetyInput:
    """The plain data the safety rules read: the recent timeline and the facts around it."""
    clock = clock_of(person)
    last = clock.local_day(now)
    window = timedelta(days=load_policy().look_back_days)
    first = _streak_start(person, clock, clock.local_day(now - window))
    products = {
        p.pk: ProductFacts(
            id=p.pk,
            name=p.name,
            form=cast(Any, p.form),
            mitragynine_mg_per_g=p.mitragynine_mg_per_g,
            hydroxy_mg_per_g=p.hydroxy_mg_per_g,
        )
        for p in Product.objects.filter(person=person)
    }
    substances = {
        s.pk: SubstanceFacts(
            id=s.pk,
            name=s.name,
            knowledge_id=s.knowledge_id or None,
            active=s.active and s.deleted_at is None,
        )
        for s in Substance.objects.filter(person=person)
    }
    responses = [
        ResponseFacts(
            id=r.pk, instrument=r.instrument, at=r.at, total=r.total, flags=tuple(r.flags)
        )
        for r in Response.objects.filter(
            person=person, deleted_at__isnull=True, at__gte=now - window
        ).order_by("at")
    ]
    return SafetyInput(
        timeline=build_timeline(person, first, last),
        products=products,
        substances=substances,
        responses=responses,
        now=now,
        taper=taper_facts(person),
    )


def refresh_alerts(
    person: Person, now: datetime | None = None, event: Event | None = None
) -> list[Alert]:
    """Evaluate the rules an event concerns (every rule for None); store the findings not seen
    before and withdraw those whose entries went. Returns the new alerts."""
    now = now or timezone.now()
    data = safety_input(person, now)
    rules = rules_for(event)
    candidates = evaluate(data, rules)
    found = {(c.rule, c.evidence_key) for c in candidates}
    since = data.timeline.clock.day_start(data.timeline.first)
    _withdraw_missing(person, {r.id for r in rules}, found, since, now)
    seen = set(Alert.objects.filter(person=person).values_list("rule", "evidence_key"))
    new = [
        Alert(
            person=person,
            rule=c.rule,
            severity=c.severity,
            rank=severity_rank(c.severity),
            title=c.title,
            text=c.text,
            advice=c.advice,
            sources=list(c.sources),
            evidence=c.evidence.to_json(),
            evidence_grade=c.evidence_grade,
            evidence_key=c.evidence_key,
            at=c.at,
        )
        for c in candidates
        if (c.rule, c.evidence_key) not in seen
    ]
    # ignore_conflicts: a concurrent refresh may have stored the same finding a moment ago.
    Alert.objects.bulk_create(new, ignore_conflicts=True)
    return new


def _withdraw_missing(
    person: Person, ran: set[str], found: set[tuple[str, str]], since: datetime, now: datetime
) -> None:
    """Withdraw open entry-based alerts the rules that ran no longer find in their span."""
    open_alerts = Alert.objects.filter(
        person=person, rule__in=entry_rules() & ran, acknowledged_at__isnull=True
    ).filter(Q(at__gte=since) | Q(rule__in=undated_rules()))
    gone = [a.pk for a in open_alerts if (a.rule, a.evidence_key) not in found]
    if gone:
        Alert.objects.filter(pk__in=gone).update(acknowledged_at=now, withdrawn_at=now)
    # An undone deletion brings its evidence back, and with it the alert.
    back = [
        a.pk
        for a in Alert.objects.filter(person=person, rule__in=ran, withdrawn_at__isnull=False)
        if (a.rule, a.evidence_key) in found
    ]
    if back:
        Alert.objects.filter(pk__in=back).update(acknowledged_at=None, withdrawn_at=None)


#: The event each kind of entry is to the safety rules (safety_rules.toml says what runs on it).
_EVENTS: dict[str, Event] = {
    "Dose": "dose",
    "CheckIn": "checkin",
    "Intake": "intake",
    "Response": "response",
    "Substance": "substance",
    "Product": "product",
}


def event_of(model: type) -> Event | None:
    """The event a change to an entry of this model is (None: every rule looks again)."""
    return _EVENTS.get(model.__name__)


def refresh_after_commit(person: Person, event: Event | None = None) -> None:
    """Refresh alerts after the current transaction commits; a failing rule never loses an entry."""

    def run() -> None:
        try:
            refresh_alerts(person, event=event)
        except Exception:  # the entry is saved; a broken rule must not turn that into an error
            log.exception("safety rules failed for person %s", person.pk)

    transaction.on_commit(run)


def acknowledge_alert(person: Person, alert_id: int) -> Alert:
    """The person has read an alert: it leaves the banner and stays in the history."""
    try:
        alert = Alert.objects.get(person=person, pk=alert_id)
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"no alert {alert_id} in this journal") from None
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_at"])
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
