"""Safety: interactions, the exposure estimate and alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from .app import (
    JsonFlag,
    app,
    fail,
    out,
    parse_time,
    print_json,
    system_zone,
    the_person,
)
from .crisis import crisis_json, print_crisis

# --- safety ---------------------------------------------------------------------------------------


@app.command()
def interactions(
    names: Annotated[
        list[str], typer.Argument(help="Medications or substances, e.g. Xanax sertraline alcohol.")
    ],
    json_out: JsonFlag = False,
) -> None:
    """Interactions of kratom with each named substance, with severity, evidence and sources.

    An unknown name is reported as unknown with close matches, never as "no interaction".
    """
    from mitra.safety.interactions import check, report_document

    if any(not name.strip() for name in names):
        fail("a substance name is empty; give a name such as sertraline or Xanax")
    reports = check(names)
    if json_out:
        print_json(report_document(reports))
        return
    for report in (r.as_dict() for r in reports):
        if report["status"] == "unknown":
            close = ", ".join(m["name"] for m in report["close_matches"])
            out.print(
                f"[bold]{escape(report['query'])}[/]: [yellow]unknown to mitra[/]. {report['note']}"
            )
            if close:
                out.print(f"  Did you mean: {close}?")
            continue
        guess = " (a guess from the spelling: check it)" if report["match"] == "spelling" else ""
        out.print(
            f"[bold]{escape(report['query'])}[/] = {escape(str(report['name']))}{guess}; "
            f"classes: {', '.join(report['classes'])}"
        )
        if not report["interactions"]:
            out.print(f"  {report['note']}")
        for finding in report["interactions"]:
            out.print(f"  [bold]{finding['severity'].upper()}[/] {finding['title']}")
            out.print(f"    {finding['mechanism']}", highlight=False)
            out.print(f"    What to do: {finding['advice']}", highlight=False)
            out.print(
                f"    Evidence: {finding['evidence'].replace('_', ' ')}. {finding['evidence_note']}"
            )
            for source in finding["sources"]:
                out.print(f"    Source: {source['citation']} {source['url']}", highlight=False)


def _dose_option(value: str, zone: ZoneInfo) -> tuple[datetime, float]:
    when, sep, amount = value.rpartition("=")
    if not sep or not when:
        fail(f"--dose '{value}': use TIME=GRAMS, e.g. --dose 2026-11-25T08:00=3")
    try:
        grams = float(amount)
    except ValueError:
        fail(f"--dose '{value}': '{amount}' is not an amount in grams")
    if not grams > 0:
        fail(f"--dose '{value}': the amount must be more than 0 g")
    return parse_time(when, zone, "--dose"), grams


@app.command()
def exposure(
    dose: Annotated[list[str], typer.Option("--dose", help="TIME=GRAMS of product (repeatable).")],
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
    body_mass_kg: Annotated[
        float | None,
        typer.Option(
            "--body-mass-kg", help="Body mass, for sets that give volume per kg.", min=20, max=400
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Estimated mitragynine concentration after the given doses (a model, not a measurement)."""
    import numpy as np

    from mitra.knowledge.pharmacokinetics import load_pharmacokinetics
    from mitra.pharmacology import alkaloid_dose, exposure_curve
    from mitra.pharmacology.exposure import DEFAULT_PARAMETER_SET

    params = params or DEFAULT_PARAMETER_SET

    zone = ZoneInfo(system_zone())
    doses = sorted(_dose_option(value, zone) for value in dose)
    sets = load_pharmacokinetics().modelled_sets()
    if params not in {s.id for s in sets}:
        fail(
            f"--params {params} is not a modelled parameter set; "
            f"use one of {', '.join(s.id for s in sets)}"
        )
    if mg_per_g is not None and not 0 <= mg_per_g <= 1000:
        fail("--mg-per-g must be between 0 and 1000")
    contents = [alkaloid_dose(grams, lab_mg_per_g=mg_per_g) for _, grams in doses]
    origin = doses[0][0]
    hours = np.array([(t - origin).total_seconds() / 3600 for t, _ in doses])
    grid = None
    if until is not None:
        end = (parse_time(until, zone, "--until") - origin).total_seconds() / 3600
        if end <= 0:
            fail("--until must be after the first dose")
        grid = np.arange(0.0, end + step_hours / 2, step_hours)
    try:
        curve = exposure_curve(
            hours,
            [c.mg for c in contents],
            grid,
            parameter_set=params,
            step_hours=step_hours,
            body_mass_kg=body_mass_kg,
        )
    except (ValueError, KeyError) as exc:
        fail(str(exc).strip("'\""))
    data = curve.as_dict()
    data["times_hours"] = data.pop("times")
    data["times"] = [(origin + timedelta(hours=h)).isoformat() for h in data["times_hours"]]
    data["doses"] = [
        {
            "time": t.isoformat(),
            "grams": g,
            "mg_mitragynine": c.mg,
            "mg_low": c.low_mg,
            "mg_high": c.high_mg,
            "estimate": c.is_estimate,
        }
        for (t, g), c in zip(doses, contents, strict=True)
    ]
    data["sources"] = sorted(set(data["sources"]) | {sid for c in contents for sid in c.sources})
    if json_out:
        print_json(data)
        return
    estimated = any(c.is_estimate for c in contents)
    out.print(f"Estimated mitragynine (parameter set {params}; a model, not a measurement)")
    if estimated:
        out.print("Doses without --mg-per-g use a typical leaf content: the estimate is rougher.")
    out.print(
        f"Peak {curve.cmax_nM:.0f} nmol/L, {curve.tmax_hours or 0:.1f} h after a dose; "
        f"AUC {curve.auc_nM_h:.0f} nmol/L x h over the curve; "
        f"half-life {curve.half_life_hours:.1f} h."
    )
    for caveat in data["caveats"]:
        out.print(f"  Note: {caveat}", highlight=False)
    out.print("Sources: " + ", ".join(data["sources"]))


@app.command()
def alerts(
    include_read: Annotated[
        bool, typer.Option("--all", help="Include alerts already read.")
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """The journal's safety alerts, most severe first, each with its evidence and sources."""
    person = the_person()
    from mitra.journal import alerts as journal_alerts
    from mitra.knowledge import load as load_knowledge

    journal_alerts.refresh_alerts(person)
    found = (
        journal_alerts.alert_history(person) if include_read else journal_alerts.open_alerts(person)
    )
    kb = load_knowledge()
    rows = [
        {
            "id": a.pk,
            "rule": a.rule,
            "severity": a.severity,
            "title": a.title,
            "text": a.text,
            "advice": a.advice,
            "at": a.at.astimezone(UTC).isoformat(),
            "evidence": a.evidence,
            "evidence_grade": a.evidence_grade,
            "sources": [
                {"id": c.id, "citation": c.citation, "url": c.url}
                for c in kb.cite([sid for sid in a.sources if sid in kb.sources])
            ],
            "acknowledged": a.acknowledged_at is not None,
        }
        for a in found
    ]
    crisis = any(row["rule"] == "crisis_answer" and not row["acknowledged"] for row in rows)
    if json_out:
        for row in rows:
            if row["rule"] == "crisis_answer":
                row["crisis_resources"] = crisis_json(person)
        print_json(rows)
        return
    if not rows:
        out.print("No open alerts. (A missing alert is not a sign of safety.)")
        return
    if crisis:
        out.print("[bold red]Crisis help, now:[/]")
        print_crisis(person)
        out.print()
    for row in rows:
        out.print(f"[bold]{row['severity'].upper()}[/] {escape(row['title'])}")
        out.print(f"  {escape(row['text'])}", highlight=False)
        out.print(f"  What to do: {row['advice']}", highlight=False)
        for source in row["sources"]:
            out.print(f"  Source: {source['citation']} {source['url']}", highlight=False)
