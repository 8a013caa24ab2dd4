"""HEAD through `mitra serve` (waitress): headers only, so a keep-alive connection stays usable."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest


@pytest.fixture
def port(served_new_journal: tuple[int, Path]) -> int:
    """A running `mitra serve` on a new journal (shared: these tests only read)."""
    return served_new_journal[0]


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
