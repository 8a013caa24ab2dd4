"""Run the safety rules over a person's recent journal and keep each new finding once."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from mitra.safety.rules import ProductFacts, ResponseFacts, SafetyInput, SubstanceFacts, evaluate
from mitra.timeline import DayClock
from mitra.vocabulary import severity_rank

from .errors import NotFound
from .models import Alert, Dose, Person, Product, Response, Substance
from .timeline_builder import build_timeline, clock_of

log = logging.getLogger(__name__)

# How far back the rules look. Escalation compares weekly totals over several months.
WINDOW = timedelta(days=120)

# Rules whose finding rests on particular entries: when a new evaluation no longer finds it
# (the dose was deleted, the symptom corrected, the substance removed), the alert is withdrawn.
# Trend rules (escalation, streaks, intervals) describe a period and stay as history.
ENTRY_RULES = frozenset(
    {
        "interaction",
        "co_use",
        "seven_oh_product",
        "dose_above_band",
        "day_total_above_band",
        "withdrawal_sows",
        "withdrawal_symptoms",
        "liver_symptoms",
        "crisis_answer",
    }
)


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
    first = _streak_start(person, clock, clock.local_day(now - WINDOW))
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
            person=person, deleted_at__isnull=True, at__gte=now - WINDOW
        ).order_by("at")
    ]
    return SafetyInput(
        timeline=build_timeline(person, first, last),
        products=products,
        substances=substances,
        responses=responses,
        now=now,
    )


def refresh_alerts(person: Person, now: datetime | None = None) -> list[Alert]:
    """Evaluate every rule; store the findings not seen before. Returns the new alerts."""
    now = now or timezone.now()
    data = safety_input(person, now)
    candidates = evaluate(data)
    found = {(c.rule, c.evidence_key) for c in candidates}
    _withdraw_missing(person, found, data.timeline.clock.day_start(data.timeline.first), now)
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
            evidence=c.evidence,
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
    person: Person, found: set[tuple[str, str]], since: datetime, now: datetime
) -> None:
    """Withdraw open entry-based alerts the rules no longer find in the span they looked at."""
    open_alerts = Alert.objects.filter(
        person=person, rule__in=ENTRY_RULES, acknowledged_at__isnull=True
    ).filter(Q(at__gte=since) | Q(rule="interaction"))
    gone = [a.pk for a in open_alerts if (a.rule, a.evidence_key) not in found]
    if gone:
        Alert.objects.filter(pk__in=gone).update(acknowledged_at=now, withdrawn_at=now)
    # An undone deletion brings its evidence back, and with it the alert.
    back = [
        a.pk
        for a in Alert.objects.filter(person=person, withdrawn_at__isnull=False)
        if (a.rule, a.evidence_key) in found
    ]
    if back:
        Alert.objects.filter(pk__in=back).update(acknowledged_at=None, withdrawn_at=None)


def refresh_after_commit(person: Person) -> None:
    """Refresh alerts after the current transaction commits; a failing rule never loses an entry."""

    def run() -> None:
        try:
            refresh_alerts(person)
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


def open_alerts(person: Person) -> QuerySet[Alert]:
    """Alerts not yet acknowledged, the most severe and the newest first."""
    return Alert.objects.filter(person=person, acknowledged_at__isnull=True).order_by("rank", "-at")


def alert_history(person: Person) -> QuerySet[Alert]:
    """Every alert, acknowledged or not, the most severe and the newest first."""
    return Alert.objects.filter(person=person).order_by(
        F("acknowledged_at").asc(nulls_first=True), "rank", "-at"
    )
