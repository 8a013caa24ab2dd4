"""The person's plan: its words, crisis contacts and weekly goals (each one transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from mitra.plan import Goal as GoalSpec

from .errors import NotFound
from .models import Goal, Person, Plan
from .schemas import GoalIn, PlanIn
from .services import validate
from .timeline_builder import clock_of
from .version import journal_changed

__all__ = ["check_plan", "goals_of", "plan_of", "remove_goal", "save_plan", "set_goal"]


def plan_of(person: Person) -> Plan:
    """The person's plan; an empty one (unsaved) before they write any of it."""
    return Plan.objects.filter(person=person).first() or Plan(person=person)


def goals_of(person: Person) -> list[GoalSpec]:
    """The person's weekly goals as the domain's dataclasses, in the order they were set, each
    with the local day it was set (the weeks before it are not measured against it; a goal set
    before mitra kept that day is measured in every week)."""
    clock = clock_of(person)
    return [
        GoalSpec(
            g.kind,
            g.amount,
            g.unit,  # type: ignore[arg-type]
            since=None if g.created_at is None else clock.local_day(g.created_at),
            earlier=tuple(
                (clock.local_day(datetime.fromisoformat(e["until"])), e["amount"], e["unit"])
                for e in g.earlier
            ),
        )
        for g in Goal.objects.filter(person=person).order_by("pk")
    ]


def check_plan(data: Mapping[str, Any]) -> None:
    """Refuse `data` as `save_plan` would (EntryInvalid, every field's message at once), and
    save nothing: a form that refused a field itself shows the others' refusals with it."""
    validate(PlanIn, data)


@transaction.atomic
def save_plan(person: Person, data: Mapping[str, Any]) -> Plan:
    """Save the plan's words and crisis contacts; with `goals`, replace the weekly goals too.

    What `data` leaves out keeps its value: a change of the reasons alone never clears the
    clinician or the crisis contacts (an empty value given clears its field)."""
    clean = validate(PlanIn, data)
    given = clean.model_fields_set
    plan = plan_of(person)
    for field in ("clinician_name", "clinician_contact", "reasons", "warning_signs"):
        if field in given:
            setattr(plan, field, getattr(clean, field))
    plan.save()
    # The contacts stay on the person, where the crisis page and card read them.
    if "crisis_contacts" in given:
        person.crisis_contacts = [c.model_dump() for c in clean.crisis_contacts]
        person.save(update_fields=["crisis_contacts"])
    if clean.goals is not None:
        kept = {g.kind for g in clean.goals}
        Goal.objects.filter(person=person).exclude(kind__in=kept).delete()
        for goal in clean.goals:
            _put(person, goal)
    journal_changed(person)  # cached reads (Today, the plan) must see the new plan at once
    return plan


def _put(person: Person, goal: GoalIn) -> Goal:
    """Set a goal; a changed target keeps the one it replaces, with when it was replaced."""
    saved = Goal.objects.select_for_update().filter(person=person, kind=goal.kind).first()
    if saved is None:
        return Goal.objects.create(
            person=person, kind=goal.kind, amount=goal.amount, unit=goal.unit
        )
    if (saved.amount, saved.unit) != (goal.amount, goal.unit):
        before = {"until": timezone.now().isoformat(), "amount": saved.amount, "unit": saved.unit}
        saved.earlier = [*saved.earlier, before]
        saved.amount, saved.unit = goal.amount, goal.unit
        saved.save(update_fields=["amount", "unit", "earlier", "updated_at"])
    return saved


@transaction.atomic
def set_goal(person: Person, data: Mapping[str, Any]) -> Goal:
    """Set (or change) the weekly goal of one practice, or the sleep target."""
    saved = _put(person, validate(GoalIn, data))
    journal_changed(person)
    return saved


@transaction.atomic
def remove_goal(person: Person, kind: str) -> None:
    """Remove the goal of one practice or sleep; NotFound when there is none."""
    deleted, _ = Goal.objects.filter(person=person, kind=kind).delete()
    if not deleted:
        raise NotFound(f"there is no {kind} goal in your plan")
    journal_changed(person)
