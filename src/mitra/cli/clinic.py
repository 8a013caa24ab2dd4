"""`mitra serve --workers N`: the web app under gunicorn, N processes, for a clinic on PostgreSQL.

Imported only by that command: a person's `mitra serve` (waitress, one process) never loads it.
"""

import errno
import socket
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from .app import fail

# Each worker takes one request at a time (gunicorn's sync workers): requests queue at the shared
# socket and go to whichever worker is free, so under load every client waits about as long as
# the others. Threaded workers kept each keep-alive connection on one worker, unevenly: measured
# with 50 clients on 2 cores (make bench-load-clinic), the same throughput, but p99 0.65-1.3 s
# against 0.40-0.55 s. A slow client would hold a sync worker, so a clinic puts the HTTPS proxy
# the README asks for in front: it reads whole requests before it passes them on.
WORKER_CLASS = "sync"


def _check_port(host: str, port: int) -> None:
    """A busy port is the person's to fix: said in one line before gunicorn starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(
                    f"port {port} on {host} is already in use (is mitra already running?); "
                    "choose another with --port"
                )
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def serve_workers(
    host: str, port: int, workers: int, *, recorded: Callable[[], AbstractContextManager[None]]
) -> None:
    """Run gunicorn with `workers` processes; static files come from whitenoise in each."""
    from django.conf import settings
    from django.db import connections

    db = settings.DATABASES["default"]
    if workers > 1 and not str(db["ENGINE"]).endswith("postgresql"):
        fail(
            "several workers need PostgreSQL (set MITRA_DATABASE_URL): SQLite takes one writer "
            "at a time, so more processes only wait on each other; use --workers 1 or leave "
            "--workers out"
        )
    _check_port(host, port)
    from gunicorn.app.base import BaseApplication

    bind = f"[{host.strip('[]')}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "worker_class": WORKER_CLASS,
        # Each worker loads the app itself: no database connection is shared across a fork.
        "preload_app": False,
        "timeout": 120,
        "graceful_timeout": 20,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "mitra",
    }

    class Mitra(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from mitra.web.warm import warm_api, warm_today
            from mitra.wsgi import application

            # In each worker before it takes requests: Today's modules and templates and the
            # API's routes and safety rules are ready, so no client waits on the imports a
            # first page or write would otherwise pay.
            warm_today()
            warm_api()
            return application

    connections.close_all()  # the migration check's connection stays in this process
    postgres = str(db["ENGINE"]).endswith("postgresql")
    where = f"PostgreSQL {db.get('HOST', '')}/{db['NAME']}" if postgres else str(db["NAME"])
    print(
        f"mitra is running at http://{host}:{port}/ with {workers} workers (gunicorn; data: "
        f"{where}). Press Ctrl+C to stop.",
        flush=True,
    )
    with recorded():  # where it answers, while it does (gunicorn's master runs here)
        Mitra().run()
