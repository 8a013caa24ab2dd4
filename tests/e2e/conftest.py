"""Browser fixtures: Debian's Chromium, headless, driven by Playwright (never a downloaded one);
tabs on the test's own live server, or on a demo journal served once per test process."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import serving

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from such a
# thread unless told that this test process knows what it is doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def tab(browser: Any, base_url: str, **options: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, timezone_id="Europe/Berlin", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = base_url  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture(scope="session")
def _live_tab(browser: Any, live_server: Any) -> Iterator[Any]:
    yield from tab(browser, live_server.url, service_workers="block")


@pytest.fixture
def page(_live_tab: Any) -> Any:
    """A tab on the test's live server, whose journal the test makes: one tab per test process
    (a new browser context costs a renderer process and most of a second of CPU), left on a
    blank page with no cookies (so no session of an earlier test) at a phone's width for each
    test. The service worker is blocked; the offline tests open a tab of their own with it."""
    _live_tab.goto("about:blank")
    _live_tab.context.clear_cookies()
    _live_tab.set_viewport_size(PHONE)
    return _live_tab


@pytest.fixture
def new_tab(browser: Any, live_server: Any) -> Iterator[Any]:
    """A tab of its own on the test's live server, in a new browser context, the service worker
    at work as on a phone."""
    yield from tab(browser, live_server.url)


# Alice in Berlin with two months of the synthetic journal (and, for the taper, four weeks into
# the demo's taper with a hold proposed today), made as the tests' `alice` fixture makes her.
_DEMO_JOURNAL = """
import sys
from mitra.cli.app import django_ready

django_ready()
from mitra.journal import services
from mitra.journal.demo import load_demo

alice = services.set_up_person({"time_zone": "Europe/Berlin"})
load_demo(alice, days=60, seed=1, taper=sys.argv[1] == "taper")
if sys.argv[1] == "medicine":
    services.add_substance(alice, {"name": "sertraline"})
"""


def _made_demo(tmp_path_factory: pytest.TempPathFactory, kind: str) -> Path:
    """The demo journal `kind` in a data folder, made once for the whole run: the test processes
    (pytest-xdist) share the run's temporary root, and the first to ask makes it while the others
    wait on a lock."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's root, above each process's own folder
    made = root / f"demo-{kind}-made"
    with open(root / f"demo-{kind}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (made / "complete").exists():
            shutil.rmtree(made, ignore_errors=True)
            env = {k: v for k, v in os.environ.items() if k != "MITRA_DATABASE_URL"}
            env["MITRA_DATA_DIR"] = str(made / "data")
            done = subprocess.run(
                [sys.executable, "-c", _DEMO_JOURNAL, kind],
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr[-2000:]
            (made / "complete").touch()
    return made / "data"


def _served_demo(tmp_path_factory: pytest.TempPathFactory, kind: str) -> Iterator[str]:
    # Each test process serves its own copy (modes kept), so no two servers share a file.
    data = tmp_path_factory.mktemp(f"demo-{kind}") / "data"
    shutil.copytree(_made_demo(tmp_path_factory, kind), data)
    with serving(data) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def served_demo_journal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`mitra serve` on two months of demo journal with a listed medicine, so pages are full:
    its address. Made once per test process and shared, so its users only read."""
    yield from _served_demo(tmp_path_factory, "medicine")


@pytest.fixture(scope="session")
def served_taper_journal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`mitra serve` on the demo journal four weeks into its taper, with a hold proposed today:
    its address. Made once per test process and shared, so its users only read."""
    yield from _served_demo(tmp_path_factory, "taper")


# The pages of a served journal are read, not written, so one tab per journal serves every test
# of a process that reads it: a new browser context costs a renderer process and most of a
# second of CPU, several times what opening a page in it costs. Each test starts at a phone's
# width and opens its own page. The tab blocks the service worker, whose installation would fetch
# and render Today, the crisis page and the offline page again (the worker has its own tests, on
# the live server, in tabs of their own).
@pytest.fixture(scope="session")
def _demo_tab(browser: Any, served_demo_journal: str) -> Iterator[Any]:
    yield from tab(browser, served_demo_journal, service_workers="block")


@pytest.fixture(scope="session")
def _taper_tab(browser: Any, served_taper_journal: str) -> Iterator[Any]:
    yield from tab(browser, served_taper_journal, service_workers="block")


@pytest.fixture
def demo_page(_demo_tab: Any) -> Any:
    """The tab on the served two-month demo journal, at a phone's width."""
    _demo_tab.set_viewport_size(PHONE)
    return _demo_tab


@pytest.fixture
def taper_page(_taper_tab: Any) -> Any:
    """The tab on the served demo journal with a taper in progress, at a phone's width."""
    _taper_tab.set_viewport_size(PHONE)
    return _taper_tab
