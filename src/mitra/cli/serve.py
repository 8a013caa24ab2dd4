"""`mitra serve`: the web app on loopback."""

import errno
import ipaddress
import json
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from .app import (
    SERVING_FILE,
    app,
    django_ready,
    fail,
)
from .data import write_private

# Worker threads of the web server. Writes wait on the database and on a shared alert refresh
# far more than they compute, and writers in a burst share one refresh (journal.alerts), so
# more threads let a burst share more; 16 idle threads cost little on a person's machine.
WAITRESS_THREADS = 16

# --- serve ---------------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (beyond loopback only with accounts).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    behind_proxy: Annotated[
        bool,
        typer.Option(
            "--behind-proxy",
            help="An HTTPS proxy is in front: trust its X-Forwarded-Proto, cookies HTTPS-only.",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Run N worker processes under gunicorn (a clinic, on PostgreSQL); "
            "default: one process.",
            min=1,
            max=64,
        ),
    ] = None,
) -> None:
    """Start the web app at http://HOST:PORT (creates and migrates the database on first run)."""
    if behind_proxy:
        # Read by the settings when Django starts, just below.
        os.environ["MITRA_BEHIND_PROXY"] = "1"
    if not _is_loopback(host):
        os.environ.setdefault("MITRA_ALLOWED_HOSTS", "*")
    django_ready()
    from django.conf import settings

    from mitra.accounts.services import accounts_on

    if not _is_loopback(host):
        if not accounts_on():
            fail(
                f"refusing to listen on {host}: mitra has no accounts yet, so anyone who can "
                "reach this address could read the journal; use 127.0.0.1, or first add an "
                "account with: mitra user add NAME"
            )
        print(
            f"mitra: listening on {host}: put an HTTPS proxy in front (and start with "
            "--behind-proxy), or passwords and health data cross the network in the clear",
            file=sys.stderr,
            flush=True,
        )
    if workers is not None:
        from .clinic import serve_workers

        serve_workers(host, port, workers, recorded=lambda: _until_stopped(host, port))
        return
    from waitress import create_server

    from mitra.web.warm import warm_after_first_page, warm_today
    from mitra.wsgi import application

    # Today's page (its modules, figures and templates) is made ready before the server
    # listens, so the first page costs what any page costs; its charts are fetched by the page
    # until the renderer has started (about a second: its start holds the interpreter, so it
    # waits until the first page is out), followed by the other pages' modules and the
    # Insights report, in one thread: two would share the interpreter with the pages.
    warm_today()

    db = settings.DATABASES["default"]
    where = (
        db["NAME"] if str(db["ENGINE"]).endswith("sqlite3") else f"PostgreSQL {db.get('HOST', '')}"
    )
    try:
        server = create_server(
            application, host=host.strip("[]"), port=port, threads=WAITRESS_THREADS
        )
    except OSError as exc:
        # Binding happens here: a busy port or a missing address is the person's to fix.
        if exc.errno == errno.EADDRINUSE:
            fail(
                f"port {port} on {host} is already in use (is mitra already running?); "
                "choose another with --port"
            )
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    warm_after_first_page()
    print(
        f"mitra is running at http://{host}:{port}/ (data: {where}). Press Ctrl+C to stop.",
        flush=True,
    )
    with _until_stopped(host, port):
        server.run()


@contextmanager
def _until_stopped(host: str, port: int) -> Iterator[None]:
    """From the banner on, Ctrl+C stops the server as the banner says, and so does a service
    manager or `kill` (SIGTERM): it closes (waitress inside run(), gunicorn's master by its own
    handlers once it has started), the address it recorded is taken away, and the exit status
    is 0, even when the signal comes before the server has begun. A SIGINT the shell left
    ignored (a job started with `&` by a script) stays ignored here; gunicorn's master, once
    started, takes Ctrl+C by its own handlers whatever the shell left."""
    stopping = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        stopping.append(signal.SIGINT)
    before = {}
    try:
        for signum in stopping:
            before[signum] = signal.signal(signum, _stop)
        with _recorded(host, port):
            yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


@contextmanager
def _recorded(host: str, port: int) -> Iterator[None]:
    """While the server answers, where it answers (`serving.json`), for `mitra reminders`'
    feed address: only on loopback, since beyond it an HTTPS proxy's address is the one to
    give (with --base-url). The file names this process: gunicorn's master, with workers."""
    from django.conf import settings

    if not _is_loopback(host):
        yield
        return
    record = Path(settings.DATA_DIR) / SERVING_FILE
    mine = os.getpid()
    try:
        url = f"http://{'[' + host.strip('[]') + ']' if ':' in host else host}:{port}"
        # Written beside it and put in its place whole: a stop that comes meanwhile never leaves
        # a half-written record (an empty file) behind.
        written = record.with_name(f".{record.name}.{mine}")
        try:
            write_private(written, json.dumps({"url": url, "pid": mine}) + "\n")
            os.replace(written, record)
        finally:
            written.unlink(missing_ok=True)
        yield
    finally:
        # A gunicorn worker is a fork of the master and leaves through this block too when it
        # ends: only the process that wrote the address takes it away.
        # Nor one that another server (a second `mitra serve`) has written since.
        if os.getpid() == mine and _recorded_pid(record) == mine:
            record.unlink(missing_ok=True)


def _recorded_pid(record: Path) -> int | None:
    try:
        return int(json.loads(record.read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _stop(_signum: int, _frame: object) -> None:
    raise SystemExit(0)
