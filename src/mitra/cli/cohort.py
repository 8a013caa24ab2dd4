"""`mitra cohort`: de-identified export, synthetic cohorts, and the cohort's report.

Ibis, DuckDB, PySpark and pyarrow are imported inside these commands only, so every other
command starts as fast as before.
"""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from .app import JsonFlag, app, fail, out, print_document, progress_bar

cohort_app = typer.Typer(
    help="Research on consenting persons: de-identified Parquet export and cohort analytics.",
    no_args_is_help=True,
)
app.add_typer(cohort_app, name="cohort")

_ENGINE_HELP = (
    "duckdb (embedded, the default) or spark, on --from DIR; or postgres: the clinic's "
    "database, through its consent-filtered views (see export --to-database)."
)


def _needs(*modules: str) -> None:
    """Refuse in one line when the cohort extra is not installed (it is large: Spark)."""
    from importlib.util import find_spec

    missing = [m for m in modules if find_spec(m) is None]
    if missing:
        fail(
            f"this command needs {', '.join(missing)}: install mitra with its cohort extra "
            "(pip install 'mitra[cohort]')"
        )


def _folder(path: Path, option: str) -> Path:
    if path.exists() and not path.is_dir():
        fail(f"{option} {path} is a file; give a folder")
    return path


def _secret(secret_file: Path | None) -> bytes:
    from mitra.cohort.keys import SecretInvalid, read_secret

    if secret_file is None:
        from mitra.settings import private_data_dir

        path, create = private_data_dir() / "cohort_secret", True
    else:
        path, create = secret_file, False
    try:
        return read_secret(path, create=create)
    except SecretInvalid as exc:
        fail(f"--secret-file: {exc}")
    except OSError as exc:
        fail(f"--secret-file: {path} cannot be read ({exc.strerror or exc})")


def _progress(total: int, label: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn

    return progress_bar(
        f"[bold]{label}[/]", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    )


@cohort_app.command("export")
def cohort_export(
    to: Annotated[
        Path | None, typer.Option("--to", help="Folder for the Parquet files (one per table).")
    ] = None,
    to_database: Annotated[
        bool,
        typer.Option(
            "--to-database",
            help="Stage the same rows in the clinic's PostgreSQL, read through views that "
            "follow consent (for --engine postgres).",
        ),
    ] = False,
    secret_file: Annotated[
        Path | None,
        typer.Option(
            help="The study secret (hex, 0600); default: the data folder's cohort_secret."
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Write the consenting persons' data, de-identified, as Parquet (or into PostgreSQL)."""
    from .app import django_ready

    if (to is None) == (not to_database):
        fail("give either --to DIR or --to-database")
    _needs("pyarrow" if to is not None else "psycopg")
    folder = None if to is None else _folder(to, "--to")
    secret = _secret(secret_file)
    django_ready()
    from mitra.cohort.export import ExportSummary, export_cohort

    if folder is None:
        from mitra.cohort.database import NotOnPostgres, stage_cohort

        try:
            summary = stage_cohort(secret)
        except NotOnPostgres as exc:
            fail(f"--to-database {exc}")
    else:
        try:
            summary = export_cohort(folder, secret)
        except OSError as exc:
            fail(f"--to: {folder} cannot be written ({exc.strerror or exc})")
    if json_out:
        print_document(summary, ExportSummary)
        return
    out.print(
        f"Exported {summary.persons} consenting person(s), {summary.rows} rows, to "
        f"{escape(summary.folder)}.",
        highlight=False,
    )


@cohort_app.command("simulate")
def cohort_simulate(
    to: Annotated[Path, typer.Option("--to", help="Folder for the Parquet files.")],
    persons: Annotated[int, typer.Option(min=1, max=1_000_000, help="Synthetic persons.")] = 100,
    days: Annotated[int, typer.Option(min=14, max=3650, help="Days per person.")] = 365,
    seed: Annotated[int, typer.Option(min=0, max=2**31 - 1, help="Seed of the cohort.")] = 0,
    workers: Annotated[
        int | None, typer.Option(min=1, max=256, help="Worker processes (default: one per core).")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Simulate a synthetic cohort (all synthetic) straight to Parquet, in parallel."""
    _needs("pyarrow")
    folder = _folder(to, "--to")
    from mitra.cohort.simulate import SimulationSummary, simulate_cohort

    with _progress(persons, "Simulating") as bar:
        task = bar.add_task("persons", total=persons)
        try:
            summary = simulate_cohort(
                folder, persons=persons, days=days, seed=seed, workers=workers,
                progress=lambda n: bar.advance(task, n),
            )  # fmt: skip
        except OSError as exc:
            fail(f"--to: {folder} cannot be written ({exc.strerror or exc})")
    if json_out:
        print_document(summary, SimulationSummary)
        return
    out.print(
        f"Simulated {summary.persons} synthetic persons x {summary.days} days "
        f"({summary.rows} rows, {summary.workers} workers) into {escape(summary.folder)}.",
        highlight=False,
    )


@cohort_app.command("report")
def cohort_report_command(
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A folder made by 'mitra cohort export' or 'simulate' (duckdb and spark).",
        ),
    ] = None,
    engine: Annotated[str, typer.Option(help=_ENGINE_HELP)] = "duckdb",
    master: Annotated[
        str | None, typer.Option(help="Spark master URL (default local[*]); only with spark.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """The cohort's figures with 95% intervals (observational associations, not effects)."""
    from mitra.cohort.engines import ENGINES, EngineUnavailable

    _needs("ibis", "pyarrow", *(("pyspark",) if engine == "spark" else ()))
    if engine not in ENGINES:
        fail(f"--engine must be one of {', '.join(ENGINES)}, not '{engine[:20]}'")
    if master is not None and engine != "spark":
        fail("--master applies to --engine spark only")
    if engine == "postgres":
        if source is not None:
            fail("--from applies to duckdb and spark; postgres reads the clinic's database")
        from .app import django_ready

        django_ready()
    elif source is None:
        fail(f"--engine {engine} needs --from DIR (a folder made by 'mitra cohort export')")
    elif not source.is_dir():
        fail(f"--from {source} is not a folder")
    from mitra.cohort.report import CohortReport, cohort_report

    try:
        report = cohort_report(source, engine, master)
    except (FileNotFoundError, EngineUnavailable) as exc:
        prefix = "--from: " if isinstance(exc, FileNotFoundError) and source else ""
        fail(f"{prefix}{exc}")
    if json_out:
        print_document(report, CohortReport)
        return
    _show(report)


def _interval(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f" (95% interval {low:.3g} to {high:.3g})"


def _show(report: Any) -> None:
    out.print(f"[bold]Cohort report[/] (engine: {report.engine})")
    for f in report.figures:
        value = "not enough data" if f.estimate is None else f"{f.estimate:.3g} {f.unit}"
        out.print(f"  {f.title}: {value}{_interval(f.low, f.high)}, n = {f.n}", highlight=False)
    if report.dose_trajectory:
        out.print("  Mean daily grams of leaf by month of follow-up:")
        for p in report.dose_trajectory:
            value = "-" if p.estimate is None else f"{p.estimate:.2f} g"
            out.print(f"    month {p.x}: {value}{_interval(p.low, p.high)}, n = {p.n}")
    if report.sows_by_days_since_step:
        out.print("  Mean SOWS total by days since a taper step:")
        for p in report.sows_by_days_since_step:
            value = "-" if p.estimate is None else f"{p.estimate:.2f} points"
            out.print(f"    day {p.x}: {value}{_interval(p.low, p.high)}, n = {p.n}")
    out.print(escape(report.statement), highlight=False)


@cohort_app.command("dictionary")
def cohort_dictionary(
    to: Annotated[
        Path | None, typer.Option("--to", help="Write to this file (default: print).")
    ] = None,
) -> None:
    """The export's data dictionary (docs/cohort.md), generated from its schema."""
    from mitra.cohort.dictionary import data_dictionary

    text = data_dictionary()
    if to is None:
        typer.echo(text, nl=False)
        return
    try:
        to.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"--to: {to} cannot be written ({exc.strerror or exc})")
