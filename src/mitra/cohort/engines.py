"""The engines the analytics run on: DuckDB embedded (the default) or Spark (local or a cluster)
over a Parquet export, or a clinic's PostgreSQL over its consent-filtered views (database.py).

No DuckDB extension is ever loaded (they would be downloaded at run time): Parquet reading is
built into DuckDB itself.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from mitra.cohort.schema import TABLES

__all__ = [
    "ENGINES",
    "FILE_ENGINES",
    "EngineUnavailable",
    "connect",
    "read_tables",
    "spark_session",
]

ENGINES = ("duckdb", "spark", "postgres")
#: The engines that read a Parquet export (PostgreSQL reads the clinic's database).
FILE_ENGINES = ("duckdb", "spark")


class EngineUnavailable(RuntimeError):
    """The engine cannot start here (no Java for Spark, say): one line that says why."""


@cache
def spark_session(master: str) -> Any:
    """One Spark session per process and master (Spark allows one active session anyway)."""
    import shutil

    if shutil.which("java") is None and not __import__("os").environ.get("JAVA_HOME"):
        raise EngineUnavailable("Spark needs Java 17 or newer (Debian: default-jre-headless)")
    from pyspark.sql import SparkSession

    local = master.startswith("local")
    session = (
        SparkSession.builder.master(master)
        .appName("mitra-cohort")
        .config("spark.ui.enabled", "false")  # no web server on the clinic's machine
        .config("spark.ui.showConsoleProgress", "false")  # stdout stays the report
        # The cohort's aggregates are small: few shuffle partitions keep local runs quick
        # (a cluster's own spark-defaults may raise it).
        .config("spark.sql.shuffle.partitions", "2" if local else "64")
        # A local driver runs a few dozen short queries: the quick compiler and a serial
        # collector start faster than the defaults made for long jobs.
        .config(
            "spark.driver.extraJavaOptions",
            "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" if local else "",
        )
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect(engine: str, master: str | None = None) -> Any:
    """An Ibis backend: an in-memory DuckDB, or Spark at `master` (default local[*])."""
    import ibis

    if engine == "duckdb":
        # Never fetch an extension at run time: nothing here needs one (Parquet is built in),
        # and a download would reach outside the machine.
        return ibis.duckdb.connect(
            autoinstall_known_extensions=False, autoload_known_extensions=False
        )
    if engine == "spark":
        import warnings

        from pandas import errors

        # PySpark 4.0 and Ibis 12 hand Spark's rows through pandas with options pandas 3
        # deprecates: nothing the person can act on, so it stays off their terminal.
        category = getattr(errors, "Pandas4Warning", FutureWarning)
        warnings.filterwarnings("ignore", category=category, module=r"(pyspark|ibis)\.")
        return ibis.pyspark.connect(spark_session(master or "local[*]"))
    if engine == "postgres":
        from mitra.cohort.database import NotOnPostgres, connect_postgres

        try:
            return connect_postgres()
        except NotOnPostgres as exc:
            raise EngineUnavailable(f"--engine postgres {exc}") from None
    raise ValueError(f"engine must be one of {', '.join(ENGINES)}")


def read_tables(backend: Any, folder: Path | None, engine: str) -> dict[str, Any]:
    """Every table of the export in `folder` (or of the clinic's research views, on
    PostgreSQL) as an Ibis table on `backend`."""
    if engine == "postgres":
        from mitra.cohort.database import SCHEMA, views_exist

        if not views_exist(backend):
            raise FileNotFoundError(
                f"the database has no {SCHEMA} views yet: run 'mitra cohort export --to-database'"
            )
        return {name: backend.table(name, database=SCHEMA) for name in TABLES}
    assert folder is not None, "a Parquet engine reads a folder"
    tables = {}
    for name in TABLES:
        where = folder / name
        if not where.is_dir() or not any(where.glob("*.parquet")):
            raise FileNotFoundError(f"{where} has no Parquet files; is {folder} a cohort export?")
        path = str(where / "*.parquet") if engine == "duckdb" else str(where)
        tables[name] = backend.read_parquet(path, table_name=f"cohort_{name}")
    return tables
