"""`mitra plan`: the plan, this week's progress against each goal, and setting or removing goals."""

from typing import Annotated, Any

import typer
from rich.markup import escape

from mitra.wording import day

from .app import (
    JsonFlag,
    app,
    fail,
    out,
    print_document,
    refused,
    subcommand_follows,
    the_person,
)

plan_app = typer.Typer(
    help="Your plan: weekly goals per practice, a sleep target, and this week's progress.",
    invoke_without_command=True,
)
app.add_typer(plan_app, name="plan")


def _show(read: Any) -> None:
    week = read.this_week
    out.print(
        f"[bold]This week[/] ({day(week.week_start)} to {day(week.week_end)}; "
        f"weeks start on {week.week_starts_on}):",
        highlight=False,
    )
    if not week.goals:
        out.print("  No goals yet. Set one: mitra plan goal mindfulness 70min/week")
    for goal in week.goals:
        mark = "met" if goal.met else f"{goal.percent}%"
        out.print(f"  {escape(goal.label)}: {goal.text} ({mark})", highlight=False)
    _week_by_week(read.weeks)
    if read.clinician_name or read.clinician_contact:
        out.print(
            f"Clinician: {escape(read.clinician_name)} {escape(read.clinician_contact)}".rstrip(),
            highlight=False,
        )
    for contact in read.crisis_contacts:
        out.print(f"Crisis contact: {escape(contact.name)} {escape(contact.phone)}")


def _week_by_week(weeks: Any) -> None:
    """The last weeks as the Plan page's table gives them, oldest first: the mean share of each
    goal's target met (each goal counting up to 100%) and the goals met in full."""
    if not any(w.goals for w in weeks):
        return
    from rich.table import Table

    table = Table(
        "week starting (Monday)", "share of targets met", "goals met in full",
        title="Week by week", title_justify="left", box=None, pad_edge=False,
    )  # fmt: skip
    for w in weeks:
        table.add_row(
            day(w.week_start),
            "–" if w.percent is None else f"{w.percent}%",
            f"{w.goals_met} of {w.goals}" if w.goals else "no goal set yet",
        )
    out.print()
    out.print(table)


@plan_app.callback()
def plan_show(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Show your plan and this week's progress (weeks start on Monday)."""
    if subcommand_follows(ctx):
        return
    person = the_person()
    from mitra.reads.plan import PlanRead, plan_read

    read = plan_read(person)
    if json_out:
        print_document(read, PlanRead)
        return
    _show(read)


@plan_app.command("goal")
def plan_goal(
    kind: Annotated[
        str,
        typer.Argument(
            help="mindfulness, breathing, exercise, yoga, walk, therapy, journaling or sleep."
        ),
    ],
    target: Annotated[
        str,
        typer.Argument(help='A weekly goal: "70min/week", "1/week" (sessions), or "7.5h" (sleep).'),
    ],
    json_out: JsonFlag = False,
) -> None:
    """Set or change a weekly goal: mitra plan goal mindfulness 70min/week."""
    person = the_person()
    from mitra.journal import plans
    from mitra.journal.errors import EntryInvalid
    from mitra.plan import GoalInvalid, parse_goal
    from mitra.reads.plan import PlanRead, plan_read

    try:
        goal = parse_goal(kind, target)
    except GoalInvalid as exc:
        fail(f"plan goal: {exc}")
    try:
        plans.set_goal(person, {"kind": goal.kind, "amount": goal.amount, "unit": goal.unit})
    except EntryInvalid as exc:
        refused(exc)
    read = plan_read(person)
    if json_out:
        print_document(read, PlanRead)
        return
    from mitra.plan import goal_text

    out.print(f"Goal set: {goal.kind}, {goal_text(goal)}.", highlight=False)
    _show(read)


@plan_app.command("remove")
def plan_remove(
    kind: Annotated[str, typer.Argument(help="The goal to remove, e.g. yoga or sleep.")],
    json_out: JsonFlag = False,
) -> None:
    """Remove a goal from your plan."""
    person = the_person()
    from mitra.journal import plans
    from mitra.journal.errors import NotFound
    from mitra.reads.plan import PlanRead, plan_read

    try:
        plans.remove_goal(person, kind)
    except NotFound as exc:
        fail(f"plan remove: {exc}")
    if json_out:
        print_document(plan_read(person), PlanRead)
        return
    out.print(f"Goal removed: {escape(kind)}.")
