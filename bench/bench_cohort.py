"""Cohort at scale: simulate N persons x D days to Parquet, then the report on DuckDB and Spark.

`make bench-cohort` (10,000 persons x 730 days: minutes; PERSONS and DAYS make it smaller).
Targets from the issue: the DuckDB report under 60 s with peak memory under 4 GB; Spark
local[2]'s time is reported. Baselines: simulation alone (no rows, no Parquet) per person, and
DuckDB reading every column of every table (the floor of any report on these files).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from table import Row, format_table  # noqa: E402  the folder is put on the path above


def _report(folder: Path, *engine: str) -> tuple[float, float]:
    """Wall time (ms) and peak memory (MB) of `mitra cohort report` in a fresh process."""
    command = [sys.executable, "-m", "mitra.cli", "cohort", "report", "--from", str(folder),
               "--json", *engine]  # fmt: skip
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    # wait4 gives this child's own peak memory (Popen.wait would not).
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = (time.perf_counter() - started) * 1000.0
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return elapsed, usage.ru_maxrss / 1024.0  # Linux: kB


def _floor(folder: Path) -> float:
    """DuckDB reading every column of every table into Arrow (ms)."""
    import duckdb

    from mitra.cohort.schema import TABLES

    started = time.perf_counter()
    with duckdb.connect() as con:
        for name in TABLES:
            pattern = str(folder / name / "*.parquet")
            con.execute("SELECT * FROM read_parquet(?)", [pattern]).to_arrow_table()
    return (time.perf_counter() - started) * 1000.0


def _simulation_alone(persons: int, days: int, seed: int) -> float:
    """ms per person of mitra.simulation alone, for a sample of persons (one core)."""
    from datetime import UTC, datetime, timedelta

    from mitra.cohort.simulate import _END, synthetic_person
    from mitra.simulation import simulate

    now = datetime.combine(_END + timedelta(days=1), datetime.min.time(), UTC)
    started = time.perf_counter()
    for index in range(persons):
        simulate(days, synthetic_person(seed, index, days), seed=index, end=_END, now=now)
    return (time.perf_counter() - started) * 1000.0 / persons


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=int(os.environ.get("PERSONS", "10000")))
    parser.add_argument("--days", type=int, default=int(os.environ.get("DAYS", "730")))
    parser.add_argument("--data", type=Path, default=None, help="keep the cohort here")
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args()
    folder = args.data or Path(tempfile.mkdtemp(prefix="mitra-cohort-")) / "cohort"
    from mitra.cohort.simulate import simulate_cohort

    one, five, _ = os.getloadavg()
    print(f"before: load average {one:.2f} {five:.2f} on {os.cpu_count()} cores", flush=True)
    started = time.perf_counter()
    summary = simulate_cohort(folder, persons=args.persons, days=args.days, seed=1)
    wall = time.perf_counter() - started
    size = f"{args.persons:,} persons x {args.days} days"
    rows = [
        Row(
            f"cohort simulate, {size}: ms per person ({summary.workers} workers; "
            f"{args.persons / wall:.1f} persons/s, {summary.rows:,} rows)",
            wall * 1000.0 / args.persons,
            _simulation_alone(min(50, args.persons), args.days, 1) / summary.workers,
            "simulation alone, no rows or Parquet (same workers)",
        )
    ]
    duck_ms, duck_mb = _report(folder)
    floor = _floor(folder)
    rows.append(Row(f"cohort report on DuckDB, {size}", duck_ms, floor,
                    "DuckDB reading every column (floor)", limit=60_000))  # fmt: skip
    rows.append(Row(f"cohort report on DuckDB, {size}: peak memory", duck_mb, None, "-",
                    unit="MB", limit=4096))  # fmt: skip
    if not args.no_spark:
        spark_ms, _ = _report(folder, "--engine", "spark", "--master", "local[2]")
        rows.append(Row(f"cohort report on Spark local[2], {size}", spark_ms, duck_ms,
                        "the same report on DuckDB"))  # fmt: skip
    one, five, _ = os.getloadavg()
    print(f"after:  load average {one:.2f} {five:.2f}")
    print(format_table(rows))
    for row in rows:  # for bench/run.py's one table
        print("ROW " + row.to_json(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
