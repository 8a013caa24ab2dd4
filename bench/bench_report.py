"""The clinician's report: a 90-day PDF of a 5-year journal, against Typst alone.

mitra's path, timed as a person waits for it: the report read, the charts (Vega-Lite to SVG)
and the Typst PDF, in a fresh process (`mitra report --pdf`, cold) and again in a warm one.
Baseline: Typst compiling the same worded document with no charts (the typesetting floor any
PDF of this report pays). Target: under 3 s cold.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DAYS = 1825
TARGET_S = 3.0


def main() -> dict[str, float]:
    """Run the benchmark and print its figures."""
    folder = tempfile.mkdtemp(prefix="mitra-bench-report-")
    env = {**os.environ, "MITRA_DATA_DIR": folder}
    env.pop("MITRA_DATABASE_URL", None)
    mitra = [sys.executable, "-m", "mitra.cli"]
    # Our own interpreter and fixed arguments: nothing untrusted reaches the command line.
    subprocess.run([*mitra, "demo", "--days", str(DAYS)], env=env, check=True, capture_output=True)
    target = Path(folder) / "report.pdf"
    start = time.perf_counter()
    command = [*mitra, "report", "--pdf", str(target)]
    subprocess.run(command, env=env, check=True, capture_output=True)
    cold = time.perf_counter() - start

    os.environ.update(MITRA_DATA_DIR=folder, DJANGO_SETTINGS_MODULE="mitra.settings")
    import django

    django.setup()
    from mitra.journal import services
    from mitra.reads.report import report
    from mitra.reports.clinician import pdf

    person = services.get_person()
    read = report(person)
    pdf(read)  # warm the chart renderer and Typst
    start = time.perf_counter()
    read = report(person)
    data = pdf(read)
    warm = time.perf_counter() - start
    start = time.perf_counter()
    pdf(read, with_charts=False)
    baseline = time.perf_counter() - start
    print(
        f"90-day report of a {DAYS}-day journal: cold process {cold:.2f} s "
        f"(target {TARGET_S:.0f} s), warm {warm * 1000:.0f} ms; baseline Typst, no charts "
        f"{baseline * 1000:.0f} ms (ratio warm/baseline {warm / baseline:.1f}); "
        f"{len(data) // 1024} KiB"
    )
    return {"cold_s": cold, "warm_ms": warm * 1000, "baseline_ms": baseline * 1000}


if __name__ == "__main__":
    main()
