"""API: the plan and its weekly goals, as `mitra plan --json` prints them."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router

from mitra.journal import plans
from mitra.journal.schemas import Phone
from mitra.plan import GOAL_KINDS, GoalInvalid, parse_goal
from mitra.reads.plan import PlanRead, plan_read

from .documents import respond
from .people import person_of
from .problems import problem
from .writes import LINES, ONE_LINE, PROBLEMS, WRITE_PROBLEMS, Body, NoBody, require_json

router = Router(tags=["plan"])


class GoalBody(Body):
    kind: str = Field(..., max_length=24, description=", ".join(GOAL_KINDS))
    target: str = Field(
        ...,
        max_length=60,
        description='As a person types it: "70min/week", "1/week" (sessions), "7.5h" (sleep)',
    )


class ContactBody(Body):
    # A crisis contact as the journal takes one: a name, and a phone of 3 to 40 digits, spaces,
    # dots and + ( ) - (the journal's Phone, bounds and pattern alike).
    name: str = Field(..., min_length=1, max_length=120, pattern=ONE_LINE)
    phone: Phone


Words = Annotated[str | None, Field(None, max_length=4000, pattern=LINES)]


class PlanBody(Body):
    """What to change; a field left out keeps its value, an empty one clears it."""

    clinician_name: str | None = Field(None, max_length=120, pattern=ONE_LINE)
    clinician_contact: str | None = Field(
        None, max_length=200, pattern=ONE_LINE, description="Phone, e-mail or address"
    )
    reasons: Words = None
    warning_signs: Words = None
    crisis_contacts: list[ContactBody] | None = Field(None, max_length=5)


@router.get("", response={200: PlanRead, **PROBLEMS}, summary="The plan and this week's progress")
def get_plan(request: HttpRequest) -> HttpResponse:
    return respond(plan_read(person_of(request)), PlanRead)


@router.put(
    "",
    response={200: PlanRead, **WRITE_PROBLEMS},
    summary="Change the clinician, reasons, warning signs or crisis contacts (a field left out "
    "keeps its value; goals stay)",
)
def put_plan(request: HttpRequest, body: PlanBody) -> HttpResponse:
    require_json(request)
    person = person_of(request)
    # Only what was sent; a null is an empty value, as the plan's schema reads it.
    given = body.model_dump(exclude_unset=True)
    empty: dict[str, Any] = {"crisis_contacts": []}
    plans.save_plan(person, {k: empty.get(k, "") if v is None else v for k, v in given.items()})
    return respond(plan_read(person), PlanRead)


def _set_goal(request: HttpRequest, body: GoalBody) -> HttpResponse:
    require_json(request)
    person = person_of(request)
    try:
        goal = parse_goal(body.kind, body.target)
    except GoalInvalid as exc:
        # Named by the field it is about, as every other refusal is.
        return problem(422, f"target: {exc}", errors={"target": str(exc)})
    plans.set_goal(person, {"kind": goal.kind, "amount": goal.amount, "unit": goal.unit})
    return respond(plan_read(person), PlanRead)


@router.put(
    "/goals",
    response={200: PlanRead, **WRITE_PROBLEMS},
    summary="Set or change one weekly goal (a practice's minutes or sessions, or sleep hours)",
)
def put_goal(request: HttpRequest, body: GoalBody) -> HttpResponse:
    return _set_goal(request, body)


@router.post(
    "/goals",
    response={200: PlanRead, **WRITE_PROBLEMS},
    summary="Set or change one weekly goal (the same as PUT)",
)
def post_goal(request: HttpRequest, body: GoalBody) -> HttpResponse:
    return _set_goal(request, body)


@router.delete(
    "/goals/{kind}",
    response={200: PlanRead, **WRITE_PROBLEMS},
    summary="Remove one goal from the plan",
)
def delete_goal(request: HttpRequest, kind: str, nothing: NoBody | None = None) -> HttpResponse:
    person = person_of(request)
    plans.remove_goal(person, kind)  # NotFound: a 404 problem
    return respond(plan_read(person), PlanRead)


@router.post(
    "/goals/{kind}/delete",
    response={200: PlanRead, **WRITE_PROBLEMS},
    summary="Remove one goal from the plan (for clients that cannot send DELETE)",
)
def post_delete_goal(
    request: HttpRequest, kind: str, nothing: NoBody | None = None
) -> HttpResponse:
    # JSON only, like every write: a form on another web page must not change the plan.
    require_json(request)
    return delete_goal(request, kind)
