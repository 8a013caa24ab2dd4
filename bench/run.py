"""Run every benchmark and print one table: path, mitra, baseline, ratio, target, met.

`--only KIND` (repeatable) runs some of them: exposure, demo, daily, cli, report, import,
cohort (10,000 synthetic persons x 2 years simulated to Parquet, then the cohort report on
DuckDB and on Spark local[2]: the longest, several minutes; PERSONS and DAYS make it smaller).

`python bench/run.py` prints the table; `--check` also exits 1 when a target is missed (timings
are noisy, so this is `make bench-check`, never part of the test suite). Each journal's
benchmarks run in their own process on their own data folder, made on first use under
BENCH_DATA (default: a new temporary folder) and kept there for the next run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from table import Row, format_table, missed  # noqa: E402  the folder is put on the path above

#: The benchmarks `--only` can choose, in the order they run.
KINDS = ["exposure", "demo", "daily", "cli", "report", "import", "cohort"]


def _rows_of(args: list[str]) -> list[Row]:
    """Run a benchmark script in its own process and read its ROW lines."""
    done = subprocess.run(
        [sys.executable, *args], check=False, capture_output=True, text=True, env=os.environ
    )
    if done.returncode:  # the other benchmarks still run; this one's error is shown
        print(f"{Path(args[0]).name} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
    return [Row.from_json(line[4:]) for line in done.stdout.splitlines() if line.startswith("ROW ")]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the table; with --check, 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--only", choices=KINDS, action="append")
    args = parser.parse_args(argv)
    chosen = set(args.only or KINDS)
    data = Path(os.environ.get("BENCH_DATA") or tempfile.mkdtemp(prefix="mitra-bench-"))
    print(f"before: {_load()}", flush=True)
    rows: list[Row] = []
    if "exposure" in chosen:
        import bench_exposure

        rows += bench_exposure.measure()
    for kind in ("demo", "daily"):
        if kind in chosen:
            folder = data / kind
            folder.mkdir(parents=True, exist_ok=True)
            rows += _rows_of([str(HERE / "bench_journal.py"), kind, str(folder)])
    if "cli" in chosen:
        folder = data / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        _rows_of([str(HERE / "bench_journal.py"), "demo", str(folder), "--make"])
        rows += _rows_of([str(HERE / "bench_cli.py"), str(folder)])
    for kind in ("report", "import"):
        if kind in chosen:
            folder = data / kind
            folder.mkdir(parents=True, exist_ok=True)
            rows += _rows_of([str(HERE / f"bench_{kind}.py"), str(folder)])
    if "cohort" in chosen:
        folder = data / "cohort"
        folder.mkdir(parents=True, exist_ok=True)
        # Simulated afresh each run: its throughput is one of the figures.
        rows += _rows_of([str(HERE / "bench_cohort.py"), "--data", str(folder / "parquet")])
    print(f"after:  {_load()}")
    print(format_table(rows))
    failed = missed(rows)
    if failed:
        print(f"{len(failed)} of {sum(r.met is not None for r in rows)} targets missed")
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
