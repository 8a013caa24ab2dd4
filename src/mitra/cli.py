"""The `mitra` command: thin faces over the journal's services (Typer + rich)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(
    help="mitra: a private journal and safety monitor for an anxiety plan that includes kratom.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
products_app = typer.Typer(help="List or add kratom products.", invoke_without_command=True)
app.add_typer(products_app, name="products")

out = Console()
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


# Typer bundles its own copy of click; its usage errors derive from the base of BadParameter.
UsageError: type[Any] = typer.BadParameter.__mro__[1]


class CommandError(Exception):
    """A refusal: printed as one line on stderr, exit status 2."""


def fail(message: str) -> NoReturn:
    raise CommandError(message)


def _django(*, database: bool = True) -> None:
    """Configure Django and bring the database schema up to date (first run creates it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitra.settings")
    import django
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    django.setup()
    if not database:
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


def _system_zone() -> str:
    from mitra.timeline import zone_names

    candidates = [os.environ.get("TZ", "")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        candidates.append(str(localtime.resolve()).split("zoneinfo/")[-1])
    timezone_file = Path("/etc/timezone")
    if timezone_file.exists():
        candidates.append(timezone_file.read_text(encoding="utf-8").strip())
    names = set(zone_names())
    return next((c for c in candidates if c in names), "UTC")


def _person(time_zone: str | None = None) -> Any:
    """The journal's person; created on first use with the given or the machine's time zone."""
    _django()
    from mitra.journal import services
    from mitra.journal.errors import EntryInvalid

    person = services.get_person()
    if person is None or (time_zone and time_zone != person.time_zone):
        zone = time_zone or _system_zone()
        try:
            person = services.set_up_person({"time_zone": zone})
        except EntryInvalid as exc:
            fail(f"--timezone {exc.errors.get('time_zone', 'is not valid')}")
        if not time_zone:
            # Information, not an error: stdout, so stderr stays one line when a command fails.
            print(f"mitra: using time zone {zone}; change it with 'mitra settings --timezone'")
    return person


def _when(text: str | None, zone: ZoneInfo, option: str) -> datetime:
    """Parse a time given on the command line; a time without offset is on the person's clock."""
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        fail(f"{option}: '{text}' is not a time; use 2026-11-25T08:30 or '2026-11-25 08:30'")
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _token(*parts: object) -> str:
    """A replay token from an entry's content: the same command run twice is stored once."""
    return "cli-" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def _refused(exc: Any) -> NoReturn:
    field, message = next(iter(exc.errors.items()))
    name = field.replace("_", " ").replace(".", " ")
    reads_on = message.startswith(("is ", "must ", "needs ", "may ", "lists "))
    fail(f"{name} {message}" if reads_on else f"{name}: {message}")


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


# --- serve ---------------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Start the web app at http://HOST:PORT (creates and migrates the database on first run)."""
    if not _is_loopback(host):
        fail(
            f"refusing to listen on {host}: mitra has no accounts yet, so anyone who can reach "
            "this address could read the journal; use 127.0.0.1"
        )
    _django()
    from django.conf import settings
    from waitress import serve as waitress_serve

    from mitra.reports.charts import warm_up
    from mitra.wsgi import application

    # The chart renderer takes about a second to start: start it now, not on the first page.
    threading.Thread(target=warm_up, daemon=True).start()

    db = settings.DATABASES["default"]
    where = (
        db["NAME"] if str(db["ENGINE"]).endswith("sqlite3") else f"PostgreSQL {db.get('HOST', '')}"
    )
    print(
        f"mitra is running at http://{host}:{port}/ (data: {where}). Press Ctrl+C to stop.",
        flush=True,
    )
    waitress_serve(application, host=host.strip("[]"), port=port, threads=4, _quiet=True)


# --- settings ------------------------------------------------------------------------------------


@app.command("settings")
def settings_cmd(
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="IANA time zone, e.g. Europe/Berlin.")
    ] = None,
    day_starts: Annotated[
        int | None, typer.Option("--day-starts", help="Hour (0-23) at which your day starts.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Show or change your time zone and the hour at which your day starts."""
    person = _person(timezone)
    if day_starts is not None:
        from mitra.journal import services
        from mitra.journal.errors import EntryInvalid

        try:
            person = services.set_up_person(
                {"time_zone": person.time_zone, "day_boundary_hour": day_starts}
            )
        except EntryInvalid as exc:
            _refused(exc)
    data = {"time_zone": person.time_zone, "day_boundary_hour": person.day_boundary_hour}
    if json_out:
        _print_json(data)
    else:
        out.print(
            f"Time zone {data['time_zone']}; your day starts at {data['day_boundary_hour']}:00."
        )


# --- products ------------------------------------------------------------------------------------


def _product_row(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "vendor": p.vendor,
        "strain": p.strain,
        "vein": p.vein,
        "form": p.form,
        "unit": p.unit,
        "grams_per_unit": p.grams_per_unit,
        "mitragynine_mg_per_g": p.mitragynine_mg_per_g,
        "hydroxy_mg_per_g": p.hydroxy_mg_per_g,
    }


@products_app.callback()
def products_list(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """List your products (or add one: mitra products add --help)."""
    if ctx.invoked_subcommand is not None:
        return
    person = _person()
    from mitra.journal import queries

    rows = [_product_row(p) for p in queries.products(person)]
    if json_out:
        _print_json(rows)
        return
    if not rows:
        out.print("No products yet. Add one: mitra products add NAME --unit g")
        return
    table = Table("id", "name", "form", "counted in", "mitragynine mg/g", "7-OH mg/g")
    for r in rows:
        unit = "g" if r["unit"] == "g" else f"{r['unit']} ({r['grams_per_unit'] or '?'} g)"
        table.add_row(
            str(r["id"]),
            escape(r["name"]),
            r["form"],
            unit,
            str(r["mitragynine_mg_per_g"] or "–"),
            str(r["hydroxy_mg_per_g"] or "–"),
        )
    out.print(table)


@products_app.command("add")
def products_add(
    name: Annotated[str, typer.Argument(help="The product's name.")],
    vendor: Annotated[str, typer.Option(help="Who sells it.")] = "",
    strain: Annotated[str, typer.Option(help="The vendor's strain label, e.g. Maeng Da.")] = "",
    vein: Annotated[str, typer.Option(help="white, green, red, yellow or unknown.")] = "unknown",
    form: Annotated[
        str, typer.Option(help="powder, capsules, tea, extract, 7oh or shot.")
    ] = "powder",
    unit: Annotated[
        str, typer.Option(help="g, capsule, tablet, scoop, teaspoon, shot or ml.")
    ] = "g",
    grams_per_unit: Annotated[
        float | None, typer.Option(help="Grams in one unit (e.g. 0.5 per capsule).")
    ] = None,
    mitragynine_mg_per_g: Annotated[
        float | None, typer.Option(help="Lab-tested mitragynine, mg per g.")
    ] = None,
    hydroxy_mg_per_g: Annotated[
        float | None, typer.Option(help="Lab-tested 7-OH, mg per g.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Add a kratom product."""
    person = _person()
    from mitra.journal import services
    from mitra.journal.errors import EntryInvalid

    data = {
        "name": name,
        "vendor": vendor,
        "strain": strain,
        "vein": vein,
        "form": form,
        "unit": unit,
        "grams_per_unit": grams_per_unit,
        "mitragynine_mg_per_g": mitragynine_mg_per_g,
        "hydroxy_mg_per_g": hydroxy_mg_per_g,
    }
    try:
        product = services.add_product(person, data)
    except EntryInvalid as exc:
        _refused(exc)
    if json_out:
        _print_json(_product_row(product))
    else:
        out.print(f"Added product {product.pk}: {escape(product.name)}")


def _find_product(person: Any, ref: str) -> Any:
    from mitra.journal import queries

    products = list(queries.products(person))
    if ref.isdigit():
        match = [p for p in products if p.pk == int(ref)]
    else:
        match = [p for p in products if p.name.lower() == ref.lower()] or [
            p for p in products if p.name.lower().startswith(ref.lower())
        ]
    if len(match) == 1:
        return match[0]
    names = ", ".join(f"{p.pk}={p.name}" for p in products) or "none yet (mitra products add)"
    if match:
        fail(f"product '{ref}' matches several: {', '.join(p.name for p in match)}")
    fail(f"no product '{ref}'; your products: {names}")


# --- dose and check-in ---------------------------------------------------------------------------


@app.command()
def dose(
    product: Annotated[str, typer.Argument(help="Product name (or the start of it) or id.")],
    amount: Annotated[float, typer.Argument(help="How much.")],
    unit: Annotated[
        str | None, typer.Argument(help="g, mg, or the product's unit (default).")
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="When, e.g. '2026-11-25 08:30' (default now).")
    ] = None,
    note: Annotated[str, typer.Option(help="A note.")] = "",
    json_out: JsonFlag = False,
) -> None:
    """Log a kratom dose."""
    person = _person()
    from mitra.journal import services
    from mitra.journal.errors import DuplicateSubmission, EntryInvalid
    from mitra.journal.queries import unit_text
    from mitra.journal.timeline_builder import clock_of

    chosen = _find_product(person, product)
    taken_at = _when(at, clock_of(person).zone, "--at")
    unit = unit or chosen.unit
    data = {
        "product_id": chosen.pk,
        "taken_at": taken_at,
        "amount": amount,
        "unit": unit,
        "note": note,
    }
    token = _token(
        "dose", chosen.pk, taken_at.replace(second=0, microsecond=0).isoformat(), amount, unit
    )
    try:
        saved = services.log_dose(person, data, token=token)
    except DuplicateSubmission as exc:
        fail(f"this dose is already in the journal (dose {exc.entry.pk})")
    except EntryInvalid as exc:
        _refused(exc)
    row = {
        "id": saved.pk,
        "product": chosen.name,
        "taken_at": saved.taken_at.astimezone(UTC).isoformat(),
        "amount": saved.amount,
        "unit": saved.unit,
        "grams": saved.grams,
        "mg_mitragynine": saved.mg_mitragynine,
    }
    if json_out:
        _print_json(row)
    else:
        out.print(
            f"Logged {unit_text(amount, unit)} of {escape(chosen.name)} = {saved.grams:g} g "
            f"(dose {saved.pk})."
        )


def _practices(values: list[str]) -> list[dict[str, Any]]:
    parsed = []
    for value in values:
        kind, _, minutes = value.partition("=")
        if not minutes.strip().isdigit():
            fail(f"--practice '{value}': use KIND=MINUTES, e.g. mindfulness=15")
        parsed.append({"kind": kind.strip(), "minutes": int(minutes)})
    return parsed


@app.command()
def checkin(
    anxiety: Annotated[int, typer.Argument(help="Anxiety right now, 0 (none) to 10 (worst).")],
    mood: Annotated[int | None, typer.Option(help="Mood, 1 (very low) to 5 (very good).")] = None,
    sleep_hours: Annotated[float | None, typer.Option(help="Hours slept last night.")] = None,
    sleep_quality: Annotated[int | None, typer.Option(help="Sleep quality, 1 to 5.")] = None,
    symptom: Annotated[
        list[str] | None, typer.Option(help="A symptom id (repeatable), e.g. restless.")
    ] = None,
    practice: Annotated[
        list[str] | None, typer.Option(help="KIND=MINUTES (repeatable), e.g. mindfulness=15.")
    ] = None,
    note: Annotated[str, typer.Option(help="A note.")] = "",
    at: Annotated[str | None, typer.Option(help="When (default now).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Log a check-in: anxiety, mood, sleep, practices and symptoms."""
    person = _person()
    from mitra.journal import services
    from mitra.journal.errors import DuplicateSubmission, EntryInvalid
    from mitra.journal.timeline_builder import clock_of

    when = _when(at, clock_of(person).zone, "--at")
    data = {
        "at": when,
        "anxiety": anxiety,
        "mood": mood,
        "sleep_hours": sleep_hours,
        "sleep_quality": sleep_quality,
        "symptoms": symptom or [],
        "practices": _practices(practice or []),
        "note": note,
    }
    token = _token(
        "checkin", when.replace(second=0, microsecond=0).isoformat(), anxiety, mood, note
    )
    try:
        saved = services.add_checkin(person, data, token=token)
    except DuplicateSubmission as exc:
        fail(f"this check-in is already in the journal (check-in {exc.entry.pk})")
    except EntryInvalid as exc:
        _refused(exc)
    if json_out:
        _print_json(
            {"id": saved.pk, "at": saved.at.astimezone(UTC).isoformat(), "anxiety": saved.anxiety}
        )
    else:
        out.print(f"Check-in saved (anxiety {anxiety}/10, check-in {saved.pk}).")


# --- questionnaires ------------------------------------------------------------------------------


def _crisis_resources(person: Any | None = None) -> dict[str, Any]:
    """Crisis resources for the person's country, their own contacts, and the sources."""
    from mitra.journal.crisis import crisis_resources_json

    return crisis_resources_json(person)


def _print_crisis(person: Any | None = None) -> None:
    crisis = _crisis_resources(person)
    for r in crisis["resources"]:
        out.print(f"  [bold]{r['action']}[/]: {r['name']}. {r['detail']}", highlight=False)
    for c in crisis["contacts"]:
        out.print(
            f"  [bold]Call {escape(c['name'])}[/]: {escape(c['phone'])} (your contact)",
            highlight=False,
        )
    for source in crisis["sources"]:
        out.print(f"  Source: {source['citation']} {source['url']}", highlight=False)


def _print_score(result: Any, person: Any | None = None) -> None:
    """A score for a person: crisis resources first when the answers call for them."""
    if result.crisis:
        flag = next(f for f in result.flags if f.id == "crisis")
        out.print(f"[bold red]{flag.message}[/]")
        _print_crisis(person)
        out.print()
    band = f", {result.band.label}" if result.band else ""
    out.print(f"{result.instrument}: {result.total} of {result.maximum}{band}.")
    if result.band:
        out.print(result.band.meaning)
    elif result.band_note:
        out.print(result.band_note)
    for sub in result.subscales:
        out.print(f"{sub.label}: {sub.total} of {sub.maximum}.")
    for flag in result.flags:
        if flag.id != "crisis":
            out.print(flag.message)


def _score_or_fail(code: str, answers: list[int | None]) -> Any:
    from mitra.instruments import InstrumentError, score

    try:
        return score(code, answers)
    except InstrumentError as exc:
        fail(str(exc))


@app.command("score")
def score_cmd(
    code: Annotated[
        str, typer.Argument(help="Questionnaire: GAD-7, GAD-2, PHQ-9, PHQ-2, PHQ-4, SOWS or SDS.")
    ],
    answers: Annotated[list[int], typer.Argument(help="Each item's answer value, in order.")],
    json_out: JsonFlag = False,
) -> None:
    """Score a questionnaire without saving it."""
    _django(database=False)
    result = _score_or_fail(code, list(answers))
    if json_out:
        data = result.as_dict()
        data["crisis"] = result.crisis
        if result.crisis:
            data["crisis_resources"] = _crisis_resources()
        _print_json(data)
    else:
        _print_score(result)


@app.command()
def compare(
    code: Annotated[str, typer.Argument(help="Questionnaire, e.g. GAD-7.")],
    before_total: Annotated[int, typer.Argument(help="The earlier total.")],
    after_total: Annotated[int, typer.Argument(help="The later total.")],
    json_out: JsonFlag = False,
) -> None:
    """Change between two totals, against the minimal important and reliable change thresholds."""
    from mitra.instruments import InstrumentError, change

    try:
        result = change(code, before_total, after_total)
    except InstrumentError as exc:
        fail(str(exc))
    data = result.as_dict()
    if json_out:
        _print_json(data)
        return
    out.print(
        f"{data['instrument']}: {before_total} to {after_total}, "
        f"{data['difference']:+d} points, {data['direction']}."
    )
    for name, key in (
        ("minimal clinically important difference", "mcid"),
        ("reliable change", "reliable_change"),
    ):
        if data[key] is None:
            out.print(f"The {name} is not established for {data['instrument']}.")
        else:
            verdict = "meets" if data[f"meets_{key}"] else "is below"
            out.print(f"The change {verdict} the {name} of {data[key]} points.")
    for source in data["sources"]:
        out.print(f"Source: {source['citation']}", highlight=False)


@app.command()
def questionnaire(
    code: Annotated[str, typer.Argument(help="Questionnaire, e.g. GAD-7.")],
) -> None:
    """Answer a questionnaire in the terminal; it is scored and saved."""
    from mitra.instruments import InstrumentError, instrument

    try:
        definition = instrument(code)
    except InstrumentError as exc:
        fail(str(exc))
    person = _person()
    from django.utils import timezone

    from mitra.journal import services
    from mitra.journal.errors import EntryInvalid

    out.print(f"[bold]{definition.code}[/]: {definition.name}")
    out.print(f"{definition.stem} (about {definition.recall})")
    answers: list[int | None] = []
    total_items = len(definition.items)
    for number, item in enumerate(definition.items, start=1):
        options = definition.options(number)
        out.print(f"\n[bold]{number} of {total_items}.[/] {item.text}")
        for option in options:
            out.print(f"  {option.value}  {option.label}")
        allowed = {str(o.value) for o in options}
        while True:
            try:
                raw = input(f"Answer ({'/'.join(sorted(allowed))}): ").strip()
            except EOFError:
                print()
                fail("questionnaire stopped before every question was answered; nothing was saved")
            if raw in allowed:
                answers.append(int(raw))
                break
            out.print(f"Please type one of {', '.join(sorted(allowed))}.")
    try:
        saved = services.submit_response(
            person, {"instrument": definition.code, "at": timezone.now(), "answers": answers}
        )
    except EntryInvalid as exc:
        _refused(exc)
    result = _score_or_fail(definition.code, answers)
    out.print()
    _print_score(result, person)
    out.print(f"Saved (response {saved.pk}).")


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
        _print_json(report_document(reports))
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
    return _when(when, zone, "--dose"), grams


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

    zone = ZoneInfo(_system_zone())
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
        end = (_when(until, zone, "--until") - origin).total_seconds() / 3600
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
        _print_json(data)
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
    person = _person()
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
                row["crisis_resources"] = _crisis_resources(person)
        _print_json(rows)
        return
    if not rows:
        out.print("No open alerts. (A missing alert is not a sign of safety.)")
        return
    if crisis:
        out.print("[bold red]Crisis help, now:[/]")
        _print_crisis(person)
        out.print()
    for row in rows:
        out.print(f"[bold]{row['severity'].upper()}[/] {escape(row['title'])}")
        out.print(f"  {escape(row['text'])}", highlight=False)
        out.print(f"  What to do: {row['advice']}", highlight=False)
        for source in row["sources"]:
            out.print(f"  Source: {source['citation']} {source['url']}", highlight=False)


@app.command()
def insights(json_out: JsonFlag = False) -> None:
    """What seems to help and what seems to hurt, with intervals; associations, not causes."""
    person = _person()
    from mitra.journal.analysis import insights_report

    report = insights_report(person).as_dict()
    if json_out:
        _print_json(report)
        return
    out.print(f"[bold]Insights[/] ({report['first']} to {report['last']}). {report['disclaimer']}")
    for card in report["cards"]:
        out.print(f"\n[bold]{card['title']}[/]")
        out.print(card["sentence"], highlight=False)
        if card["status"] == "shown":
            out.print(f"[dim]Method: {card['method']}[/]", highlight=False)
            out.print(f"[dim]Caveat: {card['caveat']}[/]", highlight=False)


# --- demo and export -----------------------------------------------------------------------------


@app.command()
def demo(
    days: Annotated[int, typer.Option(help="Days of journal to make.", min=1, max=36500)] = 180,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same person).")] = 0,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="The person's time zone.")
    ] = None,
    into_existing: Annotated[
        bool,
        typer.Option("--into-existing", help="Add made-up entries to a journal that has entries."),
    ] = False,
) -> None:
    """Fill an empty journal with a synthetic person, to try mitra out."""
    _django()
    from mitra.journal import queries

    if queries.has_entries() and not into_existing:
        fail(
            "this journal already has entries, and the demo would mix made-up ones into them; "
            "use an empty MITRA_DATA_DIR, or pass --into-existing"
        )
    person = _person(timezone)
    from django.conf import settings
    from rich.progress import Progress

    from mitra.journal.demo import demo_journal, load_demo

    journal = demo_journal(person, days=days, seed=seed)
    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("Making a synthetic journal", total=None)
        counts = load_demo(
            person, days=days, seed=seed, journal=journal, progress=lambda n: bar.advance(task, n)
        )
    # The synthetic person's true effects, saved beside the data so the insights can be checked.
    truth_file = Path(settings.DATA_DIR) / f"demo-truth-seed{seed}.json"
    truth_file.parent.mkdir(parents=True, exist_ok=True)
    truth_file.write_text(json.dumps(journal.truth, indent=2, default=str) + "\n", encoding="utf-8")
    out.print(
        f"Added {days} days: {counts['doses']} doses, {counts['checkins']} check-ins, "
        f"{counts['practices']} practices, {counts['responses']} GAD-7s, "
        f"{counts['products']} products. Ground truth: {truth_file}. Now run: mitra serve"
    )


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", help="Export format: json.")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """Export the whole journal."""
    if format != "json":
        fail(f"--format {format} is not available; use json")
    person = _person()
    from mitra.interop.json_export import export_json

    text = json.dumps(export_json(person), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"--output {output}: {exc.strerror or exc}")
        print(f"Wrote {output}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: refusals and usage errors are one line on stderr with exit status 2."""
    try:
        app(args=argv, prog_name="mitra", standalone_mode=False)
    except CommandError as exc:
        print(f"mitra: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except UsageError as exc:
        message = " ".join(exc.format_message().split())
        command = exc.ctx.command_path if exc.ctx else "mitra"
        print(f"mitra: {message} (see: {command} --help)", file=sys.stderr)
        raise SystemExit(2) from None
    except typer.Abort:
        print("mitra: aborted", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
