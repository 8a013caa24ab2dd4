"""Writes under load: concurrent API clients against `mitra serve` on five-year demo journals.

Starts the server as `mitra serve` does (waitress) on a fresh journal filled by
`mitra demo --days 1825` (a fresh MITRA_DATA_DIR; a fresh PostgreSQL database when
MITRA_DATABASE_URL is set), runs CLIENTS concurrent clients that each save GAD-7 responses through
POST /api/v1/responses for SECONDS, then reads the journal back and prints writes/s, p50/p99
latency, errors and acknowledged writes that were lost. The clock starts once the server has
answered its first pages and finished warming up. Loopback only; every loop is bounded.

    python bench/load.py [--clients 50] [--seconds 60] [--days 1825]

Target: at least 60 writes/s, p99 under 1.5 s, no errors, nothing lost.

A clinic (`--accounts --workers 4`, on PostgreSQL: MITRA_DATABASE_URL, else loopback's):
accounts on, PERSONS person accounts (made by the services `mitra user add` and `mitra token add`
use, in one process) each with a demo journal of DAYS days and a read-write token,
`mitra serve --workers 4` (gunicorn);
the clients are spread over the persons and write with `Authorization: Bearer`. Afterwards every
person's journal must hold each write acknowledged to that person's clients exactly once, and no
other.

    python bench/load.py --accounts --workers 4 [--persons 10] [--clients 50] [--seconds 60]

Target: at least 150 writes/s, p99 under 1 s, no errors, nothing lost.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
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
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

HOST = "127.0.0.1"  # loopback only: the load never leaves the machine
TARGET_WRITES_PER_S = 60.0
TARGET_P99_S = 1.5
# A clinic: accounts on, gunicorn workers on PostgreSQL (issue: accounts, item 8).
CLINIC_TARGET_WRITES_PER_S = 150.0
CLINIC_TARGET_P99_S = 1.0
CLINIC_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# A client gives up on one request after this long; it then counts as an error.
REQUEST_TIMEOUT_S = 30.0
# Upper bound on one client's writes, so a loop ends even if the clock misbehaves.
MAX_WRITES_PER_CLIENT = 100_000
PASSWORD = "load test passphrase, not a secret"  # noqa: S105 - a throwaway database's account


@dataclass(frozen=True)
class Setup:
    """What is loaded: how many clients for how long, on which server, for whom."""

    clients: int
    seconds: float
    days: int
    workers: int | None = None  # gunicorn's worker processes; None: waitress, one process
    persons: int = 0  # person accounts (0: accounts off, the one journal)

    @property
    def clinic(self) -> bool:
        return self.persons > 0 and self.workers is not None

    @property
    def targets(self) -> tuple[float, float]:
        if self.clinic:
            return CLINIC_TARGET_WRITES_PER_S, CLINIC_TARGET_P99_S
        return TARGET_WRITES_PER_S, TARGET_P99_S


@dataclass
class ClientResult:
    """What one client saw: latency of each acknowledged write, its tokens, and its errors."""

    person: str = ""  # the account it writes as ("" with accounts off)
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

    name = f"mitra_load_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(urlparse(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env: dict[str, str], argv: list[str], what: str, answer: str | None = None) -> str:
    """The output of a Python process run with `argv`; its notes on stderr are shown only when
    it fails (as "`what` failed")."""
    done = subprocess.run(
        [sys.executable, *argv],
        env=env,
        input=answer,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"{what} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def _run_mitra(env: dict[str, str], *args: str) -> str:
    """A mitra command's output."""
    return _run(env, ["-m", "mitra.cli", *args], f"mitra {args[0]}")


# The person accounts, their tokens and the other persons' demo journals, in one process (Django
# starts once, not twice per person): what `mitra user add` and `mitra token add` do, through the
# same services. The first account takes over the journal `mitra demo` filled; each other person's
# demo journal has its own seed. Prints {name: token} as JSON.
_ADD_PERSONS = """
import json
import sys

from mitra.cli.app import django_ready

django_ready()
from mitra.accounts import services as accounts
from mitra.journal.demo import load_demo

days, password, names = int(sys.argv[1]), sys.stdin.readline().rstrip("\\n"), sys.argv[2:]
tokens = {}
for seed, name in enumerate(names):
    account = accounts.add_account(name, "person", password)
    tokens[name] = accounts.add_token(account, "load", "read-write").secret
    if seed:
        load_demo(account.person, days=days, seed=seed)
print(json.dumps(tokens))
"""


def _add_persons(env: dict[str, str], setup: Setup) -> dict[str, str]:
    """Person accounts, each with a demo journal and a read-write token: {name: token}."""
    names = [f"load{n:03d}" for n in range(setup.persons)]
    argv = ["-c", _ADD_PERSONS, str(setup.days), *names]
    out = _run(env, argv, "adding the persons", answer=PASSWORD + "\n")
    tokens: dict[str, str] = json.loads(out.strip().splitlines()[-1])
    return tokens


@contextmanager
def _server(env: dict[str, str], port: int, workers: int | None) -> Iterator[subprocess.Popen[str]]:
    # The server's log goes to a file: a pipe nobody reads fills up under load (waitress warns
    # of its queue depth) and then blocks the server's main loop mid-run.
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in the finally below)
    command = [sys.executable, "-m", "mitra.cli", "serve", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True)
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
        log.seek(0)
        if errors := log.read().strip():
            print(f"server log (last lines):\n{errors[-1500:]}", file=sys.stderr)
        log.close()


def _client(
    port: int, number: int, deadline: float, result: ClientResult, bearer: str | None
) -> None:
    """Save GAD-7 responses until the deadline, one at a time, on one keep-alive connection."""
    rng = random.Random(number)
    headers = {"Content-Type": "application/json"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
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
            connection.request("POST", "/api/v1/responses", body, headers)
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


def _stored_tokens(env: dict[str, str], data_dir: Path) -> Counter[tuple[str, str]]:
    """The load's writes as the database holds them, read after the server has stopped: how
    often each (account name, token) is stored; the name is "" with accounts off."""
    query = (
        "SELECT coalesce(u.username, ''), r.token FROM journal_response r "
        "LEFT JOIN accounts_account a ON a.person_id = r.person_id "
        "LEFT JOIN auth_user u ON u.id = a.user_id "
        "WHERE r.token LIKE 'load-%' AND r.deleted_at IS NULL"
    )
    if url := env.get("MITRA_DATABASE_URL"):
        import psycopg

        with psycopg.connect(url) as db:
            return Counter((row[0], row[1]) for row in db.execute(query))
    from mitra.journal.sqlcipher.key import encryption_key

    if key := encryption_key():  # an encrypted journal (MITRA_ENCRYPTION_KEY)
        from mitra.journal.sqlcipher.base import open_keyed

        db = open_keyed(str(data_dir / "mitra.sqlite3"), key)
    else:
        db = sqlite3.connect(data_dir / "mitra.sqlite3")
    try:
        return Counter((row[0], row[1]) for row in db.execute(query))
    finally:
        db.close()


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class Cpu:
    """CPU seconds used during the load, by whom, and the machine's capacity over it."""

    server: float = 0.0
    postgres: float = float("nan")
    clients: float = 0.0
    capacity: float = float("nan")  # wall seconds times the machine's cores
    machine: float = float("nan")  # every process on the machine (others' too)


def run(setup: Setup) -> int:
    """Fill fresh journals, load them, print the figures; 0 when every target is met."""
    data_dir = Path(tempfile.mkdtemp(prefix="mitra-load-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "MITRA_DATABASE_URL" and not k.startswith("MITRA_ENCRYPTION_KEY")
    }
    if setup.persons == 0:  # the one-person journal may be encrypted as a person's is
        env |= {k: v for k, v in os.environ.items() if k.startswith("MITRA_ENCRYPTION_KEY")}
    env["MITRA_DATA_DIR"] = str(data_dir)
    postgres = os.environ.get("MITRA_DATABASE_URL")
    if setup.workers is not None and not postgres:
        postgres = CLINIC_POSTGRES_URL
    tokens: dict[str, str] = {}
    try:
        with _fresh_postgres(postgres) if postgres else _no_database() as url:
            if url:
                env["MITRA_DATABASE_URL"] = url
            where = "PostgreSQL" if url else "SQLite"
            started = time.perf_counter()
            _run_mitra(env, "demo", "--days", str(setup.days), "--timezone", "UTC")
            if setup.persons:
                tokens = _add_persons(env, setup)
            journals = f"{setup.persons} persons' journals" if setup.persons else "demo journal"
            print(
                f"{journals}: {setup.days} days each on {where} in "
                f"{time.perf_counter() - started:.0f} s"
            )
            port = _free_port()
            with _server(env, port, setup.workers) as server:
                warmed = _warmed(port, server.pid, setup.workers or 1)
                print(f"server warmed: first pages answered and idle after {warmed:.1f} s")
                names = sorted(tokens)
                results = [
                    ClientResult(person=names[n % len(names)] if names else "")
                    for n in range(setup.clients)
                ]
                deadline = time.monotonic() + setup.seconds
                threads = [
                    threading.Thread(
                        target=_client,
                        args=(port, n, deadline, results[n], tokens.get(results[n].person)),
                    )
                    for n in range(setup.clients)
                ]
                cpu = Cpu()
                postgres_before = _postgres_cpu_s(url) if url else None
                began = time.perf_counter()
                server_before = _server_cpu_s(server.pid)
                clients_before = time.process_time()
                machine_before = _machine_cpu_s()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(setup.seconds + 2 * REQUEST_TIMEOUT_S)
                duration = time.perf_counter() - began
                cpu.server = _server_cpu_s(server.pid) - server_before
                cpu.clients = time.process_time() - clients_before
                cpu.machine = _machine_cpu_s() - machine_before
                cpu.capacity = duration * (os.cpu_count() or 1)
                postgres_after = _postgres_cpu_s(url) if url else None
                if postgres_before is not None and postgres_after is not None:
                    cpu.postgres = postgres_after - postgres_before
            stored = _stored_tokens(env, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return _report(setup, results, duration, stored, cpu)


def _warmed(port: int, pid: int, workers: int) -> float:
    """Open the first pages (Today, Insights) as a person would, then wait until the server's
    start-up warming has finished (its CPU use falls idle), at most a minute; seconds taken.

    With several workers each page is asked for once per worker (a new connection may land on
    any of them). The load measures a running server: its start-up (the first page's wait is
    a row of `make bench`) is not counted in the writes' latencies.
    """
    started = time.monotonic()
    for path in ("/", "/insights", "/healthz") * workers:
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


def _proc_cpu(stat: Path) -> tuple[int, int, float] | None:
    """(pid, parent pid, CPU seconds) of one /proc/PID/stat, or None if it ended meanwhile."""
    try:
        text = stat.read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; the fields after it are plain numbers.
    fields = text[text.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(stat.parent.name), int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks


def _server_cpu_s(pid: int) -> float:
    """CPU seconds (user and system) the server and its worker processes have used so far.

    Read from /proc (Linux); NaN elsewhere.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return float("nan")
    total = 0.0
    for stat in proc.glob("[0-9]*/stat"):
        found = _proc_cpu(stat)
        if found and pid in found[:2]:
            total += found[2]
    return total


def _postgres_cpu_s(url: str) -> float | None:
    """CPU seconds PostgreSQL has used so far, when it runs on this machine (its /proc is
    readable); else None.

    Its postmaster's own, that of every process it has started and reaped (cutime: backends
    that served a connection and ended, during the load too), and that of those alive now
    (backends, the WAL writer, autovacuum); every database's, on a machine given to the load.
    """
    import psycopg

    # The backend is looked at while its connection is open: once closed, the process ends
    # and its /proc entry goes (read after, it looked like another machine's pid, at random).
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute("SELECT pg_backend_pid()").fetchone()
        backend = _proc_cpu(Path(f"/proc/{int(row[0])}/stat")) if row else None
        if backend is None or not _is_postgres(backend[0]):  # another machine's (a container's)
            return None
    postmaster = backend[1]
    try:
        text = Path(f"/proc/{postmaster}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    total = sum(int(f) for f in fields[11:15]) / ticks  # utime, stime, cutime, cstime
    for stat in Path("/proc").glob("[0-9]*/stat"):
        found = _proc_cpu(stat)
        if found and found[1] == postmaster:
            total += found[2]
    return total


def _is_postgres(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().startswith("postgres")
    except OSError:
        return False


def _machine_cpu_s() -> float:
    """CPU seconds every process on the machine has used since boot (/proc/stat); NaN elsewhere."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return float("nan")
    # user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
    busy = sum(int(v) for i, v in enumerate(first[1:9]) if i not in (3, 4))
    return busy / os.sysconf("SC_CLK_TCK")


@contextmanager
def _no_database() -> Iterator[None]:
    yield None


def _report(
    setup: Setup,
    results: list[ClientResult],
    duration: float,
    stored: Counter[tuple[str, str]],
    cpu: Cpu,
) -> int:
    target_rate, target_p99 = setup.targets
    latencies = [x for r in results for x in r.latencies]
    acknowledged = {(r.person, t) for r in results for t in r.acknowledged}
    errors = [e for r in results for e in r.errors]
    lost = [w for w in acknowledged if w not in stored]
    twice = [w for w, count in stored.items() if count > 1]
    strays = [w for w in stored if w not in acknowledged]  # stored, never acknowledged (or
    # stored in another person's journal than the token's)
    rate = len(acknowledged) / duration
    p50, p99 = _percentile(latencies, 0.50), _percentile(latencies, 0.99)
    mode = (
        "waitress, one process" if setup.workers is None else f"gunicorn, {setup.workers} workers"
    )
    who = f"accounts on, {setup.persons} persons" if setup.persons else "accounts off"
    print(f"server: {mode}; {who}")
    print(
        f"clients: {setup.clients}, duration: {duration:.1f} s, acknowledged: {len(acknowledged)}"
    )
    print(f"writes/s: {rate:.1f} (target >= {target_rate:g})")
    print(f"latency p50: {p50:.3f} s, p99: {p99:.3f} s (target p99 < {target_p99:g} s)")
    if latencies:
        print(f"latency mean: {statistics.fmean(latencies):.3f} s, max: {max(latencies):.3f} s")
    if acknowledged:
        # Steadier than the rates on a shared machine: what each write cost the server.
        per_write = 1000 * cpu.server / len(acknowledged)
        print(f"server CPU: {cpu.server:.1f} s, {per_write:.1f} ms per acknowledged write")
        if not math.isnan(cpu.postgres):  # PostgreSQL runs on this machine
            per_write = 1000 * cpu.postgres / len(acknowledged)
            print(f"PostgreSQL CPU: {cpu.postgres:.1f} s, {per_write:.1f} ms per write")
    if cpu.capacity > 0:  # NaN: no /proc
        share = ", ".join(
            f"{name} {100 * used / cpu.capacity:.0f}%"
            for name, used in (
                ("server", cpu.server),
                ("PostgreSQL", cpu.postgres),
                ("load clients", cpu.clients),
                ("whole machine", cpu.machine),
            )
            if not math.isnan(used)  # NaN: not measured here
        )
        print(f"CPU share of the machine's {os.cpu_count()} cores: {share}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"lost acknowledged writes: {len(lost)}")
    if setup.persons:
        print(f"writes stored twice: {len(twice)}, stored but not acknowledged: {len(strays)}")
    met = rate >= target_rate and p99 < target_p99 and not errors and not lost
    met = met and not twice and not (setup.persons and strays)
    print("target met" if met else "target missed")
    return 0 if met else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the load."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50, choices=range(1, 501), metavar="1-500")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--days", type=int, default=1825, choices=range(1, 36501), metavar="DAYS")
    parser.add_argument(
        "--workers",
        type=int,
        choices=range(1, 65),
        metavar="1-64",
        help="run `mitra serve --workers N` (gunicorn) on PostgreSQL",
    )
    parser.add_argument(
        "--accounts", action="store_true", help="person accounts, each client with its token"
    )
    parser.add_argument(
        "--persons",
        type=int,
        default=10,
        choices=range(1, 101),
        metavar="1-100",
        help="person accounts with --accounts (default 10)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 3600:
        parser.error("--seconds must be more than 0 and at most 3600")
    persons = args.persons if args.accounts else 0
    if persons > args.clients:
        parser.error("--persons must be at most --clients: each person needs a client")
    setup = Setup(args.clients, args.seconds, args.days, args.workers, persons)
    return run(setup)


if __name__ == "__main__":
    sys.exit(main())
