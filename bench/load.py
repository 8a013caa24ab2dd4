"""Writes under load: concurrent API clients against `mitra serve` on a five-year demo journal.

Starts the server as `mitra serve` does (waitress) on a fresh journal filled by
`mitra demo --days 1825` (a fresh MITRA_DATA_DIR; a fresh PostgreSQL database when
MITRA_DATABASE_URL is set), runs CLIENTS concurrent clients that each save GAD-7 responses through
POST /api/v1/responses for SECONDS, then reads the journal back and prints writes/s, p50/p99
latency, errors and acknowledged writes that were lost. The clock starts once the server has
answered its first pages and finished warming up. Loopback only; every loop is bounded.

    python bench/load.py [--clients 50] [--seconds 60] [--days 1825]

Target: at least 60 writes/s, p99 under 1.5 s, no errors, nothing lost.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

HOST = "127.0.0.1"  # loopback only: the load never leaves the machine
TARGET_WRITES_PER_S = 60.0
TARGET_P99_S = 1.5
# A client gives up on one request after this long; it then counts as an error.
REQUEST_TIMEOUT_S = 30.0
# Upper bound on one client's writes, so a loop ends even if the clock misbehaves.
MAX_WRITES_PER_CLIENT = 100_000


@dataclass
class ClientResult:
    """What one client saw: latency of each acknowledged write, its tokens, and its errors."""

    latencies: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def _fresh_postgres(url: str) -> Iterator[str]:
    """A new, empty database beside the one `url` names; dropped afterwards."""
    import psycopg

    name = f"mitra_load_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(urlparse(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_mitra(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "mitra.cli", *args], env=env, check=True)


@contextmanager
def _server(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[str]]:
    # The server's log goes to a file: a pipe nobody reads fills up under load (waitress warns
    # of its queue depth) and then blocks the server's main loop mid-run.
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in the finally below)
    process = subprocess.Popen(
        [sys.executable, "-m", "mitra.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    process.wait()
                    log.seek(0)
                    message = f"mitra serve did not start: {log.read()[-2000:]}"
                    raise SystemExit(message) from None
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _client(port: int, number: int, deadline: float, result: ClientResult) -> None:
    """Save GAD-7 responses until the deadline, one at a time, on one keep-alive connection."""
    rng = random.Random(number)
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    for sequence in range(MAX_WRITES_PER_CLIENT):
        if time.monotonic() >= deadline:
            break
        token = f"load-{number}-{sequence}"
        body = json.dumps(
            {"instrument": "gad7", "answers": [rng.randint(0, 3) for _ in range(7)], "token": token}
        )
        started = time.perf_counter()
        try:
            connection.request(
                "POST", "/api/v1/responses", body, {"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            result.errors.append(f"{type(exc).__name__}: {exc}")
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
            continue
        elapsed = time.perf_counter() - started
        if response.status == 201:
            result.latencies.append(elapsed)
            result.acknowledged.append(token)
        else:
            result.errors.append(f"HTTP {response.status}")
    connection.close()


def _stored_tokens(env: dict[str, str], data_dir: Path) -> set[str]:
    """The load's tokens as the database holds them, read after the server has stopped."""
    query = "SELECT token FROM journal_response WHERE token LIKE 'load-%' AND deleted_at IS NULL"
    if url := env.get("MITRA_DATABASE_URL"):
        import psycopg

        with psycopg.connect(url) as db:
            return {row[0] for row in db.execute(query)}
    from mitra.journal.sqlcipher.key import encryption_key

    if key := encryption_key():  # an encrypted journal (MITRA_ENCRYPTION_KEY)
        from mitra.journal.sqlcipher.base import open_keyed

        db = open_keyed(str(data_dir / "mitra.sqlite3"), key)
    else:
        db = sqlite3.connect(data_dir / "mitra.sqlite3")
    try:
        return {row[0] for row in db.execute(query)}
    finally:
        db.close()


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(clients: int, seconds: float, days: int) -> int:
    """Fill a fresh journal, load it, print the figures; 0 when every target is met."""
    data_dir = Path(tempfile.mkdtemp(prefix="mitra-load-"))
    env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
    env["MITRA_DATA_DIR"] = str(data_dir)
    postgres = os.environ.get("MITRA_DATABASE_URL")
    try:
        with _fresh_postgres(postgres) if postgres else _no_database() as url:
            if url:
                env["MITRA_DATABASE_URL"] = url
            where = "PostgreSQL" if url else "SQLite"
            started = time.perf_counter()
            _run_mitra(env, "demo", "--days", str(days), "--timezone", "UTC")
            print(f"demo journal: {days} days on {where} in {time.perf_counter() - started:.0f} s")
            port = _free_port()
            with _server(env, port) as server:
                warmed = _warmed(port, server.pid)
                print(f"server warmed: first pages answered and idle after {warmed:.1f} s")
                results = [ClientResult() for _ in range(clients)]
                deadline = time.monotonic() + seconds
                threads = [
                    threading.Thread(target=_client, args=(port, n, deadline, results[n]))
                    for n in range(clients)
                ]
                began = time.perf_counter()
                cpu_before = _server_cpu_s(server.pid)
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(seconds + 2 * REQUEST_TIMEOUT_S)
                duration = time.perf_counter() - began
                server_cpu = _server_cpu_s(server.pid) - cpu_before
            stored = _stored_tokens(env, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return _report(results, duration, stored, clients, server_cpu)


def _warmed(port: int, pid: int) -> float:
    """Open the first pages (Today, Insights) as a person would, then wait until the server's
    start-up warming has finished (its CPU use falls idle), at most a minute; seconds taken.

    The load measures a running server: its start-up (the first page's wait is a row of
    `make bench`) is not counted in the writes' latencies.
    """
    started = time.monotonic()
    for path in ("/", "/insights"):
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            connection.request("GET", path)
            status = connection.getresponse().status
        finally:
            connection.close()
        if status >= 400:
            raise SystemExit(f"GET {path} answered {status} before the load")
    before = _server_cpu_s(pid)
    while time.monotonic() - started < 60:
        time.sleep(0.5)
        now = _server_cpu_s(pid)
        if now - before < 0.05:  # under 10% of a core for half a second: idle
            break
        before = now
    return time.monotonic() - started


def _server_cpu_s(pid: int) -> float:
    """CPU seconds (user and system) the server and its worker processes have used so far.

    Read from /proc (Linux); NaN elsewhere.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended while the folder was read
        # The command name (field 2) may hold spaces; the fields after it are plain numbers.
        fields = text[text.rindex(")") + 2 :].split()
        own, parent = int(stat.parent.name), int(fields[1])
        if pid in (own, parent):
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


@contextmanager
def _no_database() -> Iterator[None]:
    yield None


def _report(
    results: list[ClientResult], duration: float, stored: set[str], clients: int, server_cpu: float
) -> int:
    latencies = [x for r in results for x in r.latencies]
    acknowledged = [t for r in results for t in r.acknowledged]
    errors = [e for r in results for e in r.errors]
    lost = [t for t in acknowledged if t not in stored]
    rate = len(acknowledged) / duration
    p50, p99 = _percentile(latencies, 0.50), _percentile(latencies, 0.99)
    print(f"clients: {clients}, duration: {duration:.1f} s, acknowledged: {len(acknowledged)}")
    print(f"writes/s: {rate:.1f} (target >= {TARGET_WRITES_PER_S:g})")
    print(f"latency p50: {p50:.3f} s, p99: {p99:.3f} s (target p99 < {TARGET_P99_S:g} s)")
    if latencies:
        print(f"latency mean: {statistics.fmean(latencies):.3f} s, max: {max(latencies):.3f} s")
    if acknowledged:
        # Steadier than the rates on a shared machine: what each write cost the server.
        per_write = 1000 * server_cpu / len(acknowledged)
        print(f"server CPU: {server_cpu:.1f} s, {per_write:.1f} ms per acknowledged write")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"lost acknowledged writes: {len(lost)}")
    met = rate >= TARGET_WRITES_PER_S and p99 < TARGET_P99_S and not errors and not lost
    print("target met" if met else "target missed")
    return 0 if met else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the load."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50, choices=range(1, 501), metavar="1-500")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--days", type=int, default=1825, choices=range(1, 36501), metavar="DAYS")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 3600:
        parser.error("--seconds must be more than 0 and at most 3600")
    return run(args.clients, args.seconds, args.days)


if __name__ == "__main__":
    sys.exit(main())
