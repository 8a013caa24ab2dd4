"""kill -9 during writes: every acknowledged write survives and the SQLite file stays sound."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import open_database

WRITERS = 3
WRITE_SECONDS = 1.5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _post(port: int, body: dict[str, object]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(
            "POST", "/api/v1/checkins", json.dumps(body), {"Content-Type": "application/json"}
        )
        return connection.getresponse().status
    finally:
        connection.close()


def _wait_until_serving(port: int, server: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "mitra serve exited early"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            connection.request("GET", "/api/v1/instruments")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise AssertionError(f"mitra serve did not answer within {seconds} s")


def test_acknowledged_writes_survive_kill_9_and_the_database_is_intact(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
    env["MITRA_DATA_DIR"] = str(tmp_path / "data")
    mitra = [sys.executable, "-m", "mitra.cli"]
    # Set the journal up first (creates and migrates the database), so the server only writes.
    subprocess.run(
        [*mitra, "settings", "--timezone", "Europe/Berlin"], env=env, check=True, timeout=120
    )
    port = _free_port()
    server = subprocess.Popen(
        [*mitra, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def write(writer: int) -> None:
        n = 0
        while not stop.is_set():
            token = f"w{writer}-{n}"
            n += 1
            try:
                status = _post(port, {"anxiety": n % 11, "token": token, "note": token})
            except OSError:
                return  # the server is gone: this write was never acknowledged
            if status == 201:
                with lock:
                    acknowledged.append(token)

    try:
        _wait_until_serving(port, server, seconds=90)
        threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        for thread in threads:
            thread.start()
        # The kill comes WRITE_SECONDS after the first acknowledged write, however slowly a
        # busy machine brings the server to its first one.
        deadline = time.monotonic() + 90
        while not acknowledged and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(WRITE_SECONDS)
        server.send_signal(signal.SIGKILL)  # mid-write: no shutdown, no checkpoint
        server.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)

    assert acknowledged, "no write was acknowledged before the kill"
    database = open_database(tmp_path / "data" / "mitra.sqlite3")
    try:
        assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = {row[0] for row in database.execute("SELECT token FROM journal_checkin")}
    finally:
        database.close()
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {sorted(missing)[:3]}"
