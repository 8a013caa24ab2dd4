"""Safety: interactions, the exposure estimate and alerts."""

import sys
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from mitra.vocabulary import PRODUCT_FORMS, AmountInvalid, parse_amount
from mitra.wording import moment

from .app import (
    JsonFlag,
    PageCursor,
    PageLimit,
    app,
    fail,
    journal_zone,
    out,
    parse_time,
    print_document,
    readable_id,
    short_citation,
    the_person,
)
from .crisis import print_crisis

# --- safety ---------------------------------------------------------------------------------------


@app.command()
def interactions(
    names: Annotated[
        list[str], typer.Argument(help="Medications or substances, e.g. Xanax sertraline alcohol.")
    ],
    details: Annotated[
        bool, typer.Option("--details", help="Also how each interaction works, and its evidence.")
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """Interactions of kratom with each named substance, with severity, evidence and sources.

    An unknown name is reported as unknown with close matches, never as "no interaction".
    """
    from mitra.reads.interactions import MAX_NAME_LENGTH, MAX_NAMES
    from mitra.reads.interactions import interactions as check_interactions

    if any(not name.strip() for name in names):
        fail("a substance name is empty; give a name such as sertraline or Xanax")
    if any(len(name) > MAX_NAME_LENGTH for name in names):
        fail(f"a substance name is at most {MAX_NAME_LENGTH} characters")
    if len(names) > MAX_NAMES:
        fail(f"at most {MAX_NAMES} names at a time")
    read = check_interactions(names)
    if json_out:
        print_document(read)
        return
    out.print(read.summary, highlight=False)
    for report in read.reports:
        out.print()
        if report.status == "unknown":
            # The note says it all, close matches included ("Did you mean ...?"), once.
            out.print(
                f"[bold]{escape(report.query)}[/]: [yellow]unknown to mitra[/]. "
                f"{escape(report.note)}"
            )
            continue
        guess = " (a guess from the spelling: check it)" if report.match == "spelling" else ""
        out.print(
            f"[bold]{escape(report.query)}[/] = {escape(str(report.name))}{guess}; "
            f"{escape(', '.join(report.class_names))}"
        )
        if not report.interactions:
            out.print(f"  {escape(report.note)}")
        for finding in report.interactions:
            out.print(f"  [bold]{finding.severity.upper()}[/] {escape(finding.title)}")
            if details:
                out.print(f"    {escape(finding.mechanism)}", highlight=False)
            out.print(f"    What to do: {escape(finding.advice)}", highlight=False)
            evidence = finding.evidence.replace("_", " ")
            if details:
                evidence += f". {finding.evidence_note}"
            out.print(f"    Evidence: {escape(evidence)}", highlight=False)
            # Safety content always shows its sources, with or without --details.
            for source in finding.sources:
                out.print(f"    Source: {short_citation(source.id)} {source.url}", highlight=False)
    if not details and any(r.interactions for r in read.reports):
        out.print("\nHow each interaction works and how strong the evidence is: add --details")


def _has_offset(text: str) -> bool:
    """Whether a typed time carries its own offset (then no time zone is needed to read it)."""
    try:
        value = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        return False
    return value.tzinfo is not None


def _dose_option(value: str) -> tuple[str, float, str | None]:
    """--dose TIME=AMOUNT as (time text, amount, unit or None for grams)."""
    when, sep, amount = value.rpartition("=")
    if not sep or not when:
        fail(f"--dose '{value}': use TIME=AMOUNT, e.g. --dose 2026-11-25T08:00=3g")
    try:
        number, unit = parse_amount(amount)
    except AmountInvalid as exc:
        fail(f"--dose '{value}': {exc}")
    return when, number, unit


def _typed_exposure(
    values: list[str],
    *,
    form: str,
    mg_per_g: float | None,
    grams_per_unit: float | None,
    until: str | None,
    step_hours: float,
    params: str | None,
    body_mass_kg: float | None,
) -> tuple[Any, str | None, Any]:
    """The curve of doses typed as --dose TIME=AMOUNT, a note when no journal gave the zone, and
    the zone its times are said in."""
    from mitra.pharmacology import DEFAULT_PARAMETER_SET
    from mitra.reads.exposure import exposure as exposure_read
    from mitra.reads.exposure import typed_doses

    typed = [_dose_option(value) for value in values]
    if mg_per_g is not None and not 0 <= mg_per_g <= 1000:
        fail("--mg-per-g must be between 0 and 1000")
    texts = [when for when, _, _ in typed] + ([until] if until is not None else [])
    zone: Any
    note: str | None = None
    if not all(_has_offset(text) for text in texts):
        # A time without an offset is on the journal's clock, as for `mitra dose --at`.
        zone, note = journal_zone()
    else:
        # Every time has its offset: they are said at the first dose's offset, as typed.
        first = texts[0]
        zone = datetime.fromisoformat(first.replace(" ", "T", 1)).tzinfo or ZoneInfo("UTC")
    doses = sorted(
        ((parse_time(when, zone, "--dose"), number, unit) for when, number, unit in typed),
        key=lambda d: d[0],
    )
    line = typed_doses(doses, form=form, lab_mg_per_g=mg_per_g, grams_per_unit=grams_per_unit)
    start = end = None
    if until is not None:
        start, end = doses[0][0], parse_time(until, zone, "--until")
        if end <= start:
            fail("--until must be after the first dose")
    read = exposure_read(
        line,
        start,
        end,
        step_hours=step_hours,
        parameter_set=params or DEFAULT_PARAMETER_SET,
        body_mass_kg=body_mass_kg,
    )
    return read, note, zone


@app.command()
def exposure(
    dose: Annotated[
        list[str] | None,
        typer.Option(
            "--dose",
            help="TIME=AMOUNT of product, e.g. 2026-11-25T08:00=2g, =500mg or ='4 capsules' "
            "(a bare number is grams; repeatable). A time without an offset is on your "
            "journal's clock.",
        ),
    ] = None,
    recent: Annotated[
        bool,
        typer.Option("--recent", help="The journal's recent curve instead (as the Today page)."),
    ] = False,
    hours: Annotated[
        float, typer.Option("--hours", help="With --recent: how many hours back to draw.")
    ] = 72,
    ahead_hours: Annotated[
        float,
        typer.Option(
            "--ahead-hours",
            help="With --recent: how many hours past now to project if no dose is added (0-72).",
        ),
    ] = 24,
    form: Annotated[
        str,
        typer.Option("--form", help="The product's form: " + ", ".join(PRODUCT_FORMS) + "."),
    ] = "powder",
    mg_per_g: Annotated[
        float | None,
        typer.Option(
            "--mg-per-g",
            help="Lab mitragynine, mg per g (else a literature default, marked as an estimate).",
        ),
    ] = None,
    params: Annotated[
        str | None,
        typer.Option("--params", help="The study whose parameter set to use (default tanna2022)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", help="End of the curve (default: five half-lives after the last dose)."
        ),
    ] = None,
    step_hours: Annotated[
        float, typer.Option("--step-hours", help="Spacing of the curve, hours.", min=0.01, max=24)
    ] = 0.25,
    grams_per_unit: Annotated[
        float | None,
        typer.Option(
            "--grams-per-unit",
            help="Grams of product in one capsule, scoop, ... (for doses typed in such units).",
            min=0.001,
            max=1000,
        ),
    ] = None,
    body_mass_kg: Annotated[
        float | None,
        typer.Option(
            "--body-mass-kg", help="Body mass, for sets that give volume per kg.", min=20, max=400
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Estimated mitragynine concentration after the given doses (a model, not a measurement)."""
    from mitra.reads.exposure import ExposureRead, ExposureRefused, recent_exposure

    if recent == bool(dose):
        fail("give either --dose TIME=AMOUNT (one or more) or --recent")
    note = None
    try:
        if recent:
            person = the_person()
            zone = ZoneInfo(person.time_zone)  # times are said on the journal's clock
            read = recent_exposure(person, hours=hours, ahead_hours=ahead_hours)
        else:
            read, note, zone = _typed_exposure(
                dose or [],
                form=form,
                mg_per_g=mg_per_g,
                grams_per_unit=grams_per_unit,
                until=until,
                step_hours=step_hours,
                params=params,
                body_mass_kg=body_mass_kg,
            )
    except ExposureRefused as exc:
        fail(str(exc))
    if note:
        # After the read succeeded, so a refusal stays one line; stderr keeps --json clean.
        print(note, file=sys.stderr)
    if json_out:
        print_document(read, ExposureRead)
        return
    out.print(
        f"Estimated mitragynine (the model fitted to {readable_id(read.parameter_set)}; a model, "
        "not a measurement)"
    )
    out.print(read.note, highlight=False)
    if read.peak_nM is not None and read.peak_at is not None:
        peak_at = read.peak_at.astimezone(zone)
        out.print(
            f"Peak {read.peak_nM:.0f} nmol/L at {moment(peak_at)} ({peak_at:%Z}), "
            f"{read.tmax_hours or 0:.1f} h after a dose; AUC {read.auc_nM_h:.0f} nmol/L x h over "
            f"the curve; half-life {read.half_life_hours:.1f} h."
        )
    if read.hours_since_last_dose is not None:
        out.print(f"Last dose {read.hours_since_last_dose:.1f} h ago.")
    if read.ahead_hours and read.times:
        out.print(
            f"The curve is projected for the next {read.ahead_hours:g} h if no dose is added."
        )
    if read.average_7d_nM is not None:
        out.print(f"About {read.average_7d_nM:.0f} nmol/L on average over the last 7 days.")
    for caveat in read.caveats:
        out.print(f"  Note: {caveat}", highlight=False)
    out.print("Sources: " + "; ".join(f"{short_citation(s.id)} {s.url}" for s in read.citations))


@app.command()
def alerts(
    include_read: Annotated[
        bool, typer.Option("--all", help="Include alerts already read.")
    ] = False,
    limit: PageLimit = 50,
    cursor: PageCursor = None,
    json_out: JsonFlag = False,
) -> None:
    """The journal's safety alerts, most severe first, each with its evidence and sources."""
    person = the_person()
    from mitra.journal import alerts as journal_alerts
    from mitra.reads import alerts as alert_reads
    from mitra.reads.cursor import CursorInvalid

    # A command is the only moment a terminal user's rules look again (a streak grows by days).
    journal_alerts.refresh_alerts(person)
    try:
        found = alert_reads.alerts(person, include_read=include_read, cursor=cursor, limit=limit)
    except CursorInvalid as exc:
        fail(f"--cursor {exc}")
    if json_out:
        print_document(found)
        return
    if not found.alerts:
        out.print("No open alerts. (A missing alert is not a sign of safety.)")
        return
    if any(a.crisis and not a.acknowledged for a in found.alerts):
        out.print("[bold red]Crisis help, now:[/]")
        print_crisis(person)
        out.print()
    for a in found.alerts:
        out.print(f"[bold]{a.severity.upper()}[/] {escape(a.title)}")
        out.print(f"  {escape(a.text)}", highlight=False)
        out.print(f"  What to do: {escape(a.advice)}", highlight=False)
        for fact in a.facts:
            out.print(f"  {escape(fact.label)}: {escape(fact.text)}", highlight=False)
        for source in a.sources:
            out.print(f"  Source: {short_citation(source.id)} {source.url}", highlight=False)
        # With --all: what is no longer open says so, as the Alerts page does.
        zone = ZoneInfo(person.time_zone)
        if a.withdrawn and a.withdrawn_at is not None:
            gone = moment(a.withdrawn_at.astimezone(zone))
            out.print(f"  Withdrawn {gone}: {a.withdrawn_because}.", highlight=False)
        elif a.acknowledged and a.acknowledged_at is not None:
            out.print(f"  Read {moment(a.acknowledged_at.astimezone(zone))}.", highlight=False)
    if found.next_cursor:
        more = " --all" if include_read else ""
        out.print(f"More: mitra alerts{more} --cursor {found.next_cursor}")
