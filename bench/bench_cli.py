"""The terminal and the server from a cold process: what a person waits for after pressing Enter.

Each figure is the wall time of a fresh process (the median of several), against the floor of
starting the same Python with nothing imported. The terminal's commands are run as the `mitra`
command runs them, twice: with no command server (the first command after an idle hour, or
MITRA_COMMAND_SERVER=off) and with the one the first command starts (see `mitra.launcher`).
`mitra serve` is timed until its port accepts a connection, then its first page; the memory row
is the peak RSS of `mitra insights`.

Run: python bench/bench_cli.py DATA_DIR   (a folder holding a 10-year journal)
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from table import Row

RUNS = 5


def _env(data_dir: str) -> dict[str, str]:
    env = {**os.environ, "MITRA_DATA_DIR": data_dir}
    # As a person's terminal has it: no database URL, and no Django settings chosen for the
    # command (the other benchmarks of this process set DJANGO_SETTINGS_MODULE for their own).
    env.pop("MITRA_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _wall_ms(args: list[str], env: dict[str, str], runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, env=env, check=True, capture_output=True)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _mitra(*args: str) -> list[str]:
    return [sys.executable, "-m", "mitra.cli", *args]


def _typed(*args: str) -> list[str]:
    """The `mitra` console command (its entry point, run by this Python)."""
    return [sys.executable, "-c", "from mitra.launcher import main; main()", *args]


_SOCKET = "import os; from mitra import launcher; print(launcher.socket_path(dict(os.environ)))"


def _start_command_server(env: dict[str, str]) -> None:
    """Run one command so it starts the server, and wait until the server answers."""
    from mitra import launcher

    subprocess.run(_typed("--help"), env=env, check=True, capture_output=True)
    where = subprocess.run(
        [sys.executable, "-c", _SOCKET], env=env, check=True, capture_output=True, text=True
    )
    path = Path(where.stdout.strip())
    deadline = time.monotonic() + 120
    while launcher.ask(path, "status") is None:
        if time.monotonic() > deadline:
            raise RuntimeError("the command server did not start")
        time.sleep(0.1)


def _stop_command_server(env: dict[str, str]) -> None:
    subprocess.run(_typed("command-server", "stop"), env=env, check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(env: dict[str, str]) -> tuple[float, float]:
    """(ms until `mitra serve` accepts a connection, ms of its first page)."""
    port = _free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        _mitra("serve", "--port", str(port)),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.05).close()
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - started > 60:
                    raise RuntimeError("mitra serve did not start") from None
                time.sleep(0.01)
        listening = (time.perf_counter() - started) * 1000
        began = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as answer:
            answer.read()
        return listening, (time.perf_counter() - began) * 1000
    finally:
        server.terminate()
        server.wait(timeout=30)


def _peak_rss_mb(args: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of one run, MB (from a fresh child: the maximum of its own)."""
    script = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, check=True, capture_output=True, text=True
    )
    return int(done.stdout.strip()) / 1024


def _first_page_after_restart(env: dict[str, str]) -> float:
    """A fresh process set up as `mitra serve` sets itself up, timing its first GET / once
    the start-up warming (renderer, page modules, cached reads; where it exists) is done."""
    script = (
        "import os, time, django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mitra.settings')\n"
        "from mitra.cli.app import django_ready\n"
        "django_ready()\n"
        "try:\n"
        "    from mitra.web.warm import warm_pages  # what `mitra serve` runs at start\n"
        "    warm_pages()\n"
        "except ImportError:  # a version that warmed the charts and the reads apart\n"
        "    from mitra.reports.charts import warm_up\n"
        "    warm_up()\n"
        "    try:\n"
        "        from mitra.reads.warm import warm_reads\n"
        "        warm_reads()\n"
        "    except ImportError:  # a version without warming\n"
        "        pass\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "t = time.perf_counter(); r = c.get('/'); ms = (time.perf_counter() - t) * 1000\n"
        "assert r.status_code == 200, r.status_code\n"
        "print(ms)\n"
    )
    samples = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
        )
        samples.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def measure(data_dir: str) -> list[Row]:
    """The terminal's rows of the benchmark table, on a copy of the journal in `data_dir` made
    for this run: the check-ins and doses it logs go with the copy, so every run starts from the
    same journal (they used to pile up in it, a few dozen on one day after a few runs, and each
    run's doses were checked against more of them than the last)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mitra-bench-cli-") as scratch:
        copy = Path(scratch) / "data"
        # Not a command server's socket (a file copytree cannot copy) or its lock.
        shutil.copytree(data_dir, copy, ignore=shutil.ignore_patterns("command-*"))
        copy.chmod(0o700)  # as mitra makes its data folder: the command server needs it private
        return _measure(str(copy))


def _measure(data_dir: str) -> list[Row]:
    env = _env(data_dir)
    floor = _wall_ms([sys.executable, "-c", "pass"], env)
    product = subprocess.run(
        _mitra("products", "--json"), env=env, check=True, capture_output=True, text=True
    )
    import json

    listed: Any = json.loads(product.stdout)
    if isinstance(listed, dict):  # a page of a paginated list
        listed = next(v for v in listed.values() if isinstance(v, list))
    name = str(listed[0]["id"])
    counter = iter(range(10_000))

    def checkin() -> list[str]:
        return ["checkin", "4", "--note", f"bench {time.time()} {next(counter)}"]

    rows: list[Row] = []
    # Each command as a person types it: with no command server running (the first command
    # after an idle hour, or MITRA_COMMAND_SERVER=off: the command runs in the process the
    # shell started), then with the server the first command started.
    for served in (False, True):
        how = "command server running" if served else "no command server"
        run_env = env if served else env | {"MITRA_COMMAND_SERVER": "off"}
        if served:
            _start_command_server(run_env)
        rows.append(
            Row(f"mitra --help ({how})", _wall_ms(_typed("--help"), run_env), floor,
                "python -c pass", limit=250)
        )  # fmt: skip
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            subprocess.run(_typed(*checkin()), env=run_env, check=True, capture_output=True)
            samples.append((time.perf_counter() - started) * 1000)
        rows.append(
            Row(f"mitra checkin ({how})", statistics.median(samples), floor, "python -c pass",
                limit=400)
        )  # fmt: skip
        samples = []
        for i in range(RUNS):
            # The replay token is the dose's content and minute: each run an amount of its own.
            at = (datetime.now(UTC) - timedelta(minutes=7 + i)).isoformat(timespec="seconds")
            amount = f"{0.4 + (time.time_ns() // 1000 % 100_000) / 1e6:.6f}"
            # Confirmed, as the API bench does: the runs add up past the highest dose band.
            args = _typed("dose", name, amount, "--at", at, "--yes")
            started = time.perf_counter()
            subprocess.run(args, env=run_env, check=True, capture_output=True)
            samples.append((time.perf_counter() - started) * 1000)
        rows.append(
            Row(f"mitra dose ({how})", statistics.median(samples), floor, "python -c pass",
                limit=400)
        )  # fmt: skip
    _stop_command_server(env)
    listening, first_page = zip(*(_serve(env) for _ in range(3)), strict=True)
    rows.append(
        Row(
            "mitra serve: listening",
            statistics.median(listening),
            floor,
            "python -c pass",
            limit=1500,
        )
    )
    rows.append(Row("mitra serve: first page", statistics.median(first_page), None, "", limit=300))
    rows.append(
        Row("Today: first GET after a restart", _first_page_after_restart(env), None, "", limit=150)
    )
    rows.append(
        Row(
            "mitra insights: peak memory",
            _peak_rss_mb(_mitra("insights"), env),
            _peak_rss_mb([sys.executable, "-c", "import numpy, django"], env),
            "numpy + django",
            unit="MB",
            limit=150,
        )
    )
    return rows


if __name__ == "__main__":
    for row in measure(sys.argv[1]):
        print("ROW " + row.to_json(), flush=True)
