"""HEAD through `mitra serve` (waitress): headers only, so a keep-alive connection stays usable."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def port(tmp_path: Path) -> Iterator[int]:
    """A running `mitra serve` on a fresh journal."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = int(sock.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
    env["MITRA_DATA_DIR"] = str(tmp_path / "data")
    process = subprocess.Popen(
        [sys.executable, "-m", "mitra.cli", "serve", "--port", str(free)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", free), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, "mitra serve exited"
            time.sleep(0.2)
    yield free
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize(
    "path", ["/welcome", "/crisis", "/static/mitra/app.css", "/api/v1/instruments"]
)
def test_head_sends_no_body_and_the_connection_serves_the_next_request(
    port: int, path: str
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    got = connection.getresponse()
    body = got.read()
    assert got.status == 200
    connection.request("HEAD", path)
    head = connection.getresponse()
    assert head.read() == b""
    assert head.status == 200
    assert head.getheader("Content-Type") == got.getheader("Content-Type")
    assert head.getheader("Content-Length") == str(len(body))
    # Had the server sent a body after the HEAD headers, this would read it as the next answer.
    connection.request("GET", "/crisis")
    after = connection.getresponse()
    assert after.status == 200
    assert b"crisis" in after.read()
    connection.close()
