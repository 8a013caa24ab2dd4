"""Shared fixtures: alice, the journal's person; the PostgreSQL run; the browser; a server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run against PostgreSQL (MITRA_DATABASE_URL) in a fresh database",
    )


def _postgres_reachable(url: str) -> bool:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), 2):
            return True
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    _as_from_a_terminal()
    if not config.getoption("--postgres"):
        return
    url = os.environ.get("MITRA_DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise pytest.UsageError("--postgres needs MITRA_DATABASE_URL=postgres://...")
    if not _postgres_reachable(url):
        if IN_CI:
            raise pytest.UsageError(f"PostgreSQL is not reachable at {url}; CI must run this suite")
        pytest.exit(f"PostgreSQL run skipped: nothing listens at {url}", returncode=0)


def _as_from_a_terminal() -> None:
    """Ctrl-C and Ctrl-\\ as a terminal delivers them, to this process and each it starts.

    A suite started in the background by a script (`make test &` in a shell without job
    control) inherits SIGINT and SIGQUIT ignored, and so does every process it starts: `mitra
    serve` then rightly keeps Ctrl-C ignored (as a job started so should), and each test that
    stops a server or a command with Ctrl-C waits until its timeout. The tests that need a
    signal ignored set it in their own child."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGQUIT) is signal.SIG_IGN:
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)


# What makes a test depend on the suite's database: the marker and fixtures that open it in the
# test process, and, in its module's text, what starts a process or opens a journal file (which
# takes the database and the encryption key from the environment).
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "client",
        "admin_client",
        "served_new_journal",
        "fresh_postgres_url",
    }
)
DATABASE_IN_TEXT = ("subprocess", "sys.executable", "os.fork", "open_database", "MITRA_")


@pytest.hookimpl(tryfirst=True)  # before -m reads the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark `once` what uses no database; skip what needs PostgreSQL off PostgreSQL."""
    _once_without_database(items)
    _postgres_only(config, items)


def _once_without_database(items: list[pytest.Item]) -> None:
    """A test that uses no database gives the same result on every database: mark it `once`,
    so the encrypted and the PostgreSQL runs (-m "not once") leave it to the SQLite run."""
    texts: dict[Path, str] = {}
    for item in items:
        if item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ())
        ):
            continue
        path = Path(item.path)
        if path not in texts:
            texts[path] = path.read_text(encoding="utf-8")
        if not any(word in texts[path] for word in DATABASE_IN_TEXT):
            item.add_marker(pytest.mark.once)


def _postgres_only(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` run in the PostgreSQL pass (CI runs one); elsewhere they are
    skipped with that reason, never silently."""
    if config.getoption("--postgres"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: runs in the pass with --postgres")
    for item in items:
        if item.get_closest_marker("postgres") is not None:
            item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    return "mitra database: " + settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A fresh, uniquely named test database per run, dropped at the end: on PostgreSQL a new
    database, on SQLite a file as `mitra serve` uses (WAL), so threads write to it at once as
    they do in the server; an in-memory database shared between threads refuses that."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        db.setdefault("TEST", {})["NAME"] = f"test_mitra_{os.getpid()}_{int(time.time())}"
    else:
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MITRA_DATA_DIR", str(tmp_path_factory.getbasetemp() / "data"))


@pytest.fixture(autouse=True)
def _accounts_looked_up_again() -> Iterator[None]:
    """Whether accounts exist is cached per process; each test's database starts without.

    Forgotten when the test starts as well as when it ends: a request of the last test's page
    still under way in the live server (the browser tab is shared) can look after the end's
    forgetting, before the database is emptied, and find that test's accounts; the next test
    then met a sign-in page."""
    from mitra.accounts.services import forget_accounts_state

    forget_accounts_state()
    yield
    forget_accounts_state()


@pytest.fixture
def alice(db: Any) -> Any:
    """Alice, the journal's person, in Berlin, with the default 4:00 day boundary."""
    from mitra.journal import services

    return services.set_up_person({"time_zone": "Europe/Berlin"})


@pytest.fixture
def powder(alice: Any) -> Any:
    """Alice's lab-tested leaf powder (15 mg mitragynine per g)."""
    from mitra.journal import services

    return services.add_product(
        alice, {"name": "Green powder", "unit": "g", "mitragynine_mg_per_g": 15.0}
    )


@pytest.fixture
def capsules(alice: Any) -> Any:
    """Alice's capsules, 0.5 g of leaf each."""
    from mitra.journal import services

    return services.add_product(
        alice,
        {"name": "Red capsules", "form": "capsules", "unit": "capsule", "grams_per_unit": 0.5},
    )


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database for a server or command started by a test
    (this run's own, or loopback's when the run is on SQLite); dropped afterwards."""
    from urllib.parse import urlparse, urlunparse

    import psycopg

    admin_url = (
        os.environ.get("MITRA_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    )
    name = f"mitra_fresh_{os.getpid()}_{time.monotonic_ns()}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is not reachable at {admin_url}: {exc}")
        pytest.skip(f"PostgreSQL is not reachable at {admin_url}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunparse(urlparse(admin_url)._replace(path=f"/{name}"))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def open_database(path: Path) -> Any:
    """A DB-API connection to a mitra SQLite file as the app opens it: with SQLCipher and the
    key when the run is encrypted (`make test-encrypted`), else the standard module."""
    from mitra.journal.sqlcipher.key import encryption_key

    key = encryption_key()
    if key is None:
        import sqlite3

        return sqlite3.connect(path)
    from mitra.journal.sqlcipher.base import open_keyed

    return open_keyed(str(path), key)


def utc(*args: int) -> datetime:
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; CI must have it, elsewhere the browser tests skip with a reason."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        if IN_CI:
            pytest.fail("Debian's chromium is not installed; CI must run the browser tests")
        pytest.skip("Debian's chromium is not installed (apt install chromium)")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(data: Path) -> Iterator[int]:
    """`mitra serve` as `make run` starts it (SQLite) on the data folder `data`, until the block
    ends: its port."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
    env["MITRA_DATA_DIR"] = str(data)
    process = subprocess.Popen(
        [sys.executable, "-m", "mitra.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"mitra serve did not start: {output}")
            time.sleep(0.1)
    try:
        yield port
    finally:
        process.terminate()
        ended = process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
    # Ended as a service manager or `kill` ends it (SIGTERM): cleanly, taking with it the
    # address it recorded for `mitra reminders`.
    assert ended == 0
    assert not (data / "serving.json").exists()


@pytest.fixture(scope="session")
def served_new_journal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """`mitra serve` as `make run` starts it (SQLite), on a new journal nobody has set up yet:
    its port and data folder. Started once per test process and shared, so its users only read.
    """
    data = tmp_path_factory.mktemp("served") / "data"
    with serving(data) as port:
        yield port, data
