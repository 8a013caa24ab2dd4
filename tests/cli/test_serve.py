"""`mitra serve` as `make run` starts it: SQLite in WAL mode, pages and static files served."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import open_database


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def server(served_new_journal: tuple[int, Path]) -> tuple[str, Path]:
    port, data = served_new_journal
    return f"http://127.0.0.1:{port}", data


def test_serve_creates_the_database_and_starts_at_the_welcome_page(
    server: tuple[str, Path],
) -> None:
    base, data = server
    status, headers, _ = _get(base + "/")
    assert status == 302
    assert headers["Location"] == "/welcome"
    status, _, body = _get(base + "/welcome")
    assert status == 200
    assert b"Your time zone" in body
    # The default database is SQLite in the data folder, in write-ahead-log mode.
    db = open_database(data / "mitra.sqlite3")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()
    # While it runs, its address is in the data folder (owner only), for `mitra reminders`.
    record = data / "serving.json"
    assert json.loads(record.read_text())["url"] == base
    assert record.stat().st_mode & 0o777 == 0o600


def test_serve_serves_htmx_and_the_stylesheet_from_installed_packages(
    server: tuple[str, Path],
) -> None:
    base, _ = server
    page = _get(base + "/welcome")[2].decode()
    for asset in ("/static/django_htmx/htmx-2.min.js", "/static/mitra/app.css"):
        assert asset in page
        status, _, body = _get(base + asset)
        assert status == 200, asset
        assert len(body) > 1000


@contextmanager
def _ctrl_c_once_recorded(data: Path, poll_seconds: float) -> Iterator[dict[str, Any]]:
    """`mitra serve` (SQLite) on `data` until it records its address, then the block, then
    Ctrl+C: its exit status and stderr, in the dict yielded, once the block has ended."""
    from tests.conftest import _free_port

    env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
    env["MITRA_DATA_DIR"] = str(data)
    server = subprocess.Popen(
        [sys.executable, "-m", "mitra.cli", "serve", "--port", str(_free_port())],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    ended: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 60
        while not (data / "serving.json").exists():
            assert server.poll() is None, "mitra serve ended"
            assert time.monotonic() < deadline, "no address was recorded within 60 s"
            time.sleep(poll_seconds)
        yield ended
    finally:
        server.send_signal(signal.SIGINT)
        _, ended["err"] = server.communicate(timeout=30)
        ended["status"] = server.returncode


def test_the_address_another_server_has_recorded_since_is_left_to_it(tmp_path: Path) -> None:
    """A second `mitra serve` on another port records its own address: the first, when it
    ends, takes away only a record that names itself. It ends here by Ctrl+C, as its banner
    says to stop it (the suite's other servers end by SIGTERM): quietly, with status 0."""
    record = tmp_path / "data" / "serving.json"
    # Ctrl+C as soon as it says where it answers.
    with _ctrl_c_once_recorded(tmp_path / "data", 0.01) as ended:
        other = {"url": "http://127.0.0.1:1", "pid": os.getpid()}  # another server's
        record.write_text(json.dumps(other) + "\n")
    assert (ended["status"], ended["err"]) == (0, "")
    assert json.loads(record.read_text()) == other


def test_ctrl_c_the_moment_it_records_its_address_stops_it_with_0_and_no_record_left(
    tmp_path: Path,
) -> None:
    """Ctrl+C right after the banner, while the address is still being written or before the
    server has begun to answer: it ends as any Ctrl+C does, and leaves no record behind (not
    an empty file, not its own address)."""
    with _ctrl_c_once_recorded(tmp_path / "data", 0.0005) as ended:
        pass
    assert (ended["status"], ended["err"]) == (0, "")
    assert not (tmp_path / "data" / "serving.json").exists()
