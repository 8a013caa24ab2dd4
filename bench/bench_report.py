"""The clinician's report: a 90-day PDF of a 5-year journal, against Typst alone.

mitra's path, timed as a person waits for it:

- cold: `mitra report --pdf` in a fresh process (what `mitra report --pdf` or the first click on
  the Report page costs): Python, Django, the report read, the charts (Vega-Lite to SVG) and
  the Typst PDF. Baseline: a fresh process that only typesets the same document with Typst
  (its sections and its charts' SVG given ready-made): the floor any PDF of this report pays.
  Its CPU time (the process's, every thread's) is a second row, steadier on a busy machine.
- after a write, in a warm process: a check-in is logged (untimed), then the report read and
  the PDF. Baseline: Typst typesetting the same document in the same process.

Runs alternate between mitra and its baseline, so both meet the same load. The journal is
`mitra demo --days 1825`, made on first use in DATA_DIR and kept there.

Run: python bench/bench_report.py DATA_DIR
     python bench/bench_report.py --typeset INPUTS.json   (the cold baseline's process)
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from table import Row

DAYS = 1825
RUNS = 5
TARGET_MS = 3000


def _env(data_dir: str) -> dict[str, str]:
    env = {**os.environ, "MITRA_DATA_DIR": data_dir}
    env.pop("MITRA_DATABASE_URL", None)
    return env


def _mitra(*args: str) -> list[str]:
    return [sys.executable, "-m", "mitra.cli", *args]


def _child_cpu_s() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of a fresh process running `args`."""
    started, cpu = time.perf_counter(), _child_cpu_s()
    # Our own interpreter and fixed arguments: nothing untrusted reaches the command line.
    subprocess.run(args, env=env, check=True, capture_output=True)
    return (time.perf_counter() - started) * 1000, (_child_cpu_s() - cpu) * 1000


def _typst_inputs(read: Any) -> tuple[bytes, dict[str, str]]:
    """The Typst source and inputs of the report's PDF, charts drawn: what the baseline typesets."""
    from mitra.reports.clinician import charts, sections, typst_source

    drawn = charts(read)
    inputs = {
        "report": json.dumps(sections(read), ensure_ascii=False),
        "charts": json.dumps(
            {k: {"svg": c.svg, "alt": f"{c.title}. {c.summary}"} for k, c in drawn.items()},
            ensure_ascii=False,
        ),
        "paper": "a4",
    }
    return typst_source().encode("utf-8"), inputs


def typeset(source: bytes, inputs: dict[str, str]) -> bytes:
    """Typst alone: the same compile call as the report's, on ready-made inputs."""
    import typst

    result = typst.compile(source, sys_inputs=inputs, ignore_system_fonts=True,
                           pdf_standards=["ua-1"])  # fmt: skip
    assert isinstance(result, bytes)
    return result


def measure(data_dir: str) -> list[Row]:
    """The report's rows of the benchmark table."""
    env = _env(data_dir)
    if not (Path(data_dir) / "mitra.sqlite3").exists():
        subprocess.run(_mitra("demo", "--days", str(DAYS)), env=env, check=True,
                       capture_output=True)  # fmt: skip
    os.environ.update(MITRA_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="mitra.settings")
    os.environ.pop("MITRA_DATABASE_URL", None)
    import django

    django.setup()
    from mitra.journal import services
    from mitra.reads.report import report
    from mitra.reports.clinician import pdf

    person = services.get_person()
    source, inputs = _typst_inputs(report(person))
    inputs_file = Path(data_dir) / "report-typst-inputs.json"
    inputs_file.write_text(json.dumps({"source": source.decode("utf-8"), "inputs": inputs}))

    cold: list[tuple[float, float]] = []
    cold_base: list[tuple[float, float]] = []
    target = str(Path(data_dir) / "report.pdf")
    for _ in range(RUNS):
        cold.append(_timed(_mitra("report", "--pdf", target), env))
        cold_base.append(_timed([sys.executable, __file__, "--typeset", str(inputs_file)], env))

    counter = iter(range(1_000_000))

    def write() -> None:
        note = f"bench {time.time_ns()} {next(counter)}"
        services.add_checkin(person, {"at": _now(), "anxiety": 4, "note": note})

    pdf(report(person))  # the process is warm: the renderer started, the modules imported
    warm, warm_base = [], []
    for _ in range(RUNS):
        write()
        started = time.perf_counter()
        pdf(report(person))
        warm.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        typeset(source, inputs)
        warm_base.append((time.perf_counter() - started) * 1000)
    name = "mitra report --pdf, cold (90 days of 5 years)"
    base = "Typst alone, fresh process"
    return [
        Row(name, _median(cold, 0), _median(cold_base, 0), base, limit=TARGET_MS),
        Row(f"{name}: CPU time", _median(cold, 1), _median(cold_base, 1), base),
        Row(
            "report PDF after a write, warm process",
            statistics.median(warm),
            statistics.median(warm_base),
            "Typst alone",
        ),
    ]


def _median(samples: list[tuple[float, float]], index: int) -> float:
    return statistics.median(sample[index] for sample in samples)


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(microsecond=0)


def _typeset_file(path: str) -> None:
    document = json.loads(Path(path).read_text())
    typeset(document["source"].encode("utf-8"), document["inputs"])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--typeset"]:
        _typeset_file(sys.argv[2])
        sys.exit(0)
    for row in measure(sys.argv[1]):
        print("ROW " + row.to_json(), flush=True)
