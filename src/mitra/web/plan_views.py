"""The Plan page: weekly goals, the clinician, the person's words, crisis contacts, progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from mitra.journal import plans
from mitra.journal.errors import EntryInvalid, NotFound
from mitra.plan import Goal
from mitra.reads.plan import plan_read
from mitra.reports.charts import weekly_adherence_chart

from .plan_forms import PlanForm, goal_initial
from .views import current_person, saved_redirect


def _initial(read: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "clinician_name": read.clinician_name,
        "clinician_contact": read.clinician_contact,
        "reasons": read.reasons,
        "warning_signs": read.warning_signs,
    }
    for goal in read.this_week.goals:
        initial[f"goal_{goal.kind}"] = goal_initial(Goal(goal.kind, goal.amount, goal.unit))
    for n, contact in enumerate(read.crisis_contacts, start=1):
        initial[f"contact_{n}_name"] = contact.name
        initial[f"contact_{n}_phone"] = contact.phone
    return initial


@require_http_methods(["GET", "HEAD", "POST"])
def plan_page(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    read = plan_read(person)
    form = PlanForm(request.POST or None, initial=_initial(read))
    if request.method == "POST":
        try:
            if form.is_valid():
                plans.save_plan(person, form.payload())
                return saved_redirect(request, "Plan saved.", "plan")
            # The form refused a field itself (a goal it cannot read): the journal's refusals
            # of the other fields come with it, all at once, not one submit after another.
            plans.check_plan(form.payload())
        except EntryInvalid as exc:
            form.show_errors(exc)
    # No goals, no weeks to measure: the page says so instead of drawing empty axes.
    chart = (
        weekly_adherence_chart(
            [(w.week_start, w.percent, w.goals_met, w.goals) for w in read.weeks]
        )
        if read.weeks
        else None
    )
    status = 422 if form.errors else 200
    context = {"form": form, "plan": read, "progress": read.this_week, "chart": chart}
    return render(request, "web/plan.html", context, status=status)


@require_POST
def goal_remove(request: HttpRequest, kind: str) -> HttpResponse:
    person = current_person(request)
    try:
        plans.remove_goal(person, kind)
    except NotFound as exc:
        messages.error(request, f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
        return redirect("plan")
    return saved_redirect(request, "Goal removed.", "plan")
