"""A clinic deployment: `mitra serve --workers 4` (gunicorn) on PostgreSQL, with accounts on,
takes writes from several clients of two persons at once with no error and no lost write, each
into its own person's journal; a lockout made through some workers holds in all of them;
`/healthz` answers a load balancer."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

CLIENTS = 5
WRITES_PER_CLIENT = 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PASSWORD = "correct horse battery staple"


def _request(
    port: int, method: str, path: str, body: Any = None, token: str = ""
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _sign_in(port: int, name: str, password: str) -> int:
    """The status of one sign-in through the login form, on a new connection (any worker)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
    try:
        connection.request("GET", "/login")
        page = connection.getresponse()
        html = page.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "")
        field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert cookie, "the login page set no CSRF cookie"
        assert field, "the login form holds no CSRF token"
        body = (
            f"csrfmiddlewaretoken={field.group(1)}&username={name}&password={password}"
        ).replace(" ", "+")
        connection.request(
            "POST",
            "/login",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie.group(1)}",
            },
        )
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def _worker_pids(pid: int) -> list[int]:
    """The processes the server (gunicorn's arbiter) has forked."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return (
        [int(p) for p in children.read_text(encoding="utf-8").split()] if children.exists() else []
    )


def _worker_processes(pid: int) -> int:
    """How many processes the server (gunicorn's arbiter) has forked."""
    return len(_worker_pids(pid))


# A clinic's deployment is a PostgreSQL one: tested in the PostgreSQL run, on a database of its own.
@pytest.mark.postgres
def test_four_workers_on_postgresql_take_every_write_from_several_clients(
    fresh_postgres_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITRA_ENCRYPTION_KEY")}
    env |= {"MITRA_DATABASE_URL": fresh_postgres_url, "MITRA_DATA_DIR": str(tmp_path / "data")}
    mitra = [sys.executable, "-m", "mitra.cli"]
    subprocess.run([*mitra, "settings", "--timezone", "UTC"], env=env, check=True, timeout=120)

    def command(*argv: str, answer: str | None = None) -> str:
        done = subprocess.run([*mitra, *argv], input=answer, env=env, check=True, timeout=120,
                              text=True, capture_output=True)  # fmt: skip
        return done.stdout.strip()

    tokens = {}
    for name in ("alice", "bob"):
        command("user", "add", name, "--password-stdin", answer=PASSWORD + "\n")
        tokens[name] = command(
            "token", "add", name, "--name", "clinic test", "--scope", "read-write"
        )
    port = _free_port()
    server = subprocess.Popen(
        [*mitra, "serve", "--workers", "4", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                status, body = _request(port, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the workers did not answer within 120 s"
            time.sleep(0.2)
        assert json.loads(body) == {"status": "ok", "database": "ok"}
        assert _worker_processes(server.pid) == 4
        # Where it answers, for `mitra reminders`' feed, naming gunicorn's master; a worker
        # that ends (and is replaced) leaves it in place.
        record = tmp_path / "data" / "serving.json"
        assert json.loads(record.read_text(encoding="utf-8")) == {
            "url": f"http://127.0.0.1:{port}",
            "pid": server.pid,
        }
        ended = _worker_pids(server.pid)[0]
        os.kill(ended, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while ended in _worker_pids(server.pid) or _worker_processes(server.pid) != 4:
            assert time.monotonic() < deadline, "the worker was not replaced within 60 s"
            time.sleep(0.2)
        assert record.exists()

        acknowledged: list[tuple[str, int]] = []
        failures: list[tuple[str, int]] = []
        lock = threading.Lock()

        def client(number: int) -> None:
            person = "alice" if number % 2 == 0 else "bob"
            for n in range(WRITES_PER_CLIENT):
                token = f"clinic-{person}-{number}-{n}"
                try:
                    status, _ = _request(
                        port,
                        "POST",
                        "/api/v1/checkins",
                        {"anxiety": n % 11, "token": token},
                        token=tokens[person],
                    )
                except OSError as exc:  # no answer: a failure too, never a lost thread
                    status = -1
                    print(f"{token}: {exc!r}")
                with lock:
                    (acknowledged if status == 201 else failures).append((token, status))

        threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        assert failures == []
        assert len(acknowledged) == CLIENTS * WRITES_PER_CLIENT
        # Without a token the API answers nobody.
        assert _request(port, "POST", "/api/v1/checkins", {"anxiety": 3})[0] == 401

        # Five wrong passwords, each on a new connection (spread over the workers), lock alice's
        # name from this address in every worker: the right password is refused too.
        assert _sign_in(port, "bob", PASSWORD) == 302
        for _ in range(5):
            assert _sign_in(port, "alice", "wrong password") in {400, 429}
        assert {_sign_in(port, "alice", PASSWORD) for _ in range(4)} == {429}
        assert _sign_in(port, "bob", PASSWORD) == 302  # another name goes on
        # Static files come from whitenoise in each worker.
        status, css = _request(port, "GET", "/static/mitra/app.css")
        assert status == 200
        assert css
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            stopped = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            stopped = server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()
    assert stopped == 0
    assert not (tmp_path / "data" / "serving.json").exists()

    import psycopg

    with psycopg.connect(fresh_postgres_url) as db:
        stored = {
            (row[0], row[1])
            for row in db.execute(
                "SELECT c.token, u.username FROM journal_checkin c "
                "JOIN accounts_account a ON a.person_id = c.person_id "
                "JOIN auth_user u ON u.id = a.user_id WHERE c.token LIKE 'clinic-%'"
            )
        }
    # Every acknowledged write is stored once, in the journal of the token's person.
    assert stored == {(token, token.split("-")[1]) for token, _ in acknowledged}


def test_several_workers_on_sqlite_are_refused_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
    env["MITRA_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-m", "mitra.cli", "serve", "--workers", "2", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "mitra: several workers need PostgreSQL (set MITRA_DATABASE_URL): SQLite takes one "
        "writer at a time, so more processes only wait on each other; use --workers 1 or leave "
        "--workers out"
    ]


@pytest.mark.django_db
def test_healthz_says_ok_without_a_journal_or_a_login(client: Client) -> None:
    # No journal is set up: every page leads to /welcome, but the health check answers.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError, connection

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}
    assert b"refused" not in response.content  # the reason stays in the log
