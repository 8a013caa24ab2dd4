"""Screenshots of every page at a phone's and a laptop's width, into docs/screenshots/.

A demo journal (60 days, seed 1, Europe/Berlin) in a fresh data folder, served by `mitra serve` on
a free loopback port and photographed by Debian's Chromium through Playwright. Names are
`<page>-<width>.png`; a long page is cut at a fixed height, and each file is stored with a small
palette (Pillow), to keep them small. Run by `make screenshots`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
WIDTHS = (360, 1280)
#: The longest part of a page kept, in CSS px at each width: the top of a page shows what it is.
MOST_HEIGHT = {360: 2000, 1280: 1400}
PAGES = {
    "today": "/",
    "journal": "/journal",
    "plan": "/plan",
    "insights": "/insights",
    "questionnaires": "/questionnaires",
    "questionnaire-gad-7": "/questionnaires/GAD-7",
    "products": "/products",
    "substances": "/substances",
    "interactions": "/substances/check?name=tramadol",
    "taper": "/taper",
    "alerts": "/alerts",
    "report": "/report",
    "settings": "/settings",
    "sharing": "/sharing",
    "delete": "/settings/delete",
    "import": "/import",
    "evidence": "/evidence",
    "crisis": "/crisis",
    "offline": "/offline",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310  our own loopback server
                return
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.3)


def _shrink(path: Path) -> None:
    """Store the PNG with a palette of at most 128 colours (a page is flat colour and text)."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(
            colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, optimize=True)


#: Pages of the accounts, shown once the journal has them: (name, path, who is signed in).
ACCOUNT_PAGES = (
    ("login", "/login", None),
    ("account", "/account", "alice"),
    ("tokens", "/account/tokens", "alice"),
    ("two-factor", "/account/two-factor", "dana"),
    ("research", "/account/research", "dana"),
    ("shared-with-me", "/account/shared-with-me", "carol"),
    ("shared-with-me-report", "", "carol"),  # the first report shared with her
    ("shared-with-me-trends", "", "carol"),  # that person's trends (report and data shared)
)
#: Pages reached from the clinician's list, by the link that opens them.
SHARED_LINKS = {
    "shared-with-me-report": "main li > a[href^='/account/shared-with-me/']",
    "shared-with-me-trends": "main a[href$='/trends']",
}
PASSWORD = "correct horse battery staple"  # noqa: S105  a demo account in a throwaway folder


def _totp(secret: str) -> str:
    """The code an authenticator app shows now for a base32 `secret` (RFC 6238, SHA-1)."""
    clean = "".join(secret.split()).upper()
    key = base64.b32decode(clean + "=" * (-len(clean) % 8))
    counter = struct.pack(">Q", int(time.time()) // 30)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def _shoot(page: Any, name: str) -> None:
    width = page.viewport_size["width"]
    height = min(page.evaluate("document.documentElement.scrollHeight"), MOST_HEIGHT[width])
    target = OUT / f"{name}-{width}.png"
    page.screenshot(
        path=str(target),
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
        animations="disabled",
        caret="hide",
    )
    _shrink(target)
    print(f"{target.relative_to(OUT.parent.parent)}  {target.stat().st_size // 1024} KiB")


def _account_pages(browser: Any, base: str) -> None:
    """The sign-in, account, tokens, two-factor and research pages, with accounts on."""
    for who in dict.fromkeys(w for _, _, w in ACCOUNT_PAGES):
        context = browser.new_context(timezone_id="Europe/Berlin", service_workers="block")
        page = context.new_page()
        if who is not None:
            page.goto(base + "/login")
            page.get_by_label("Account name").fill(who)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state("networkidle")
        if who == "carol":  # a clinician enrols her authenticator app at the first sign-in
            _enrol(page)
        for name, listed, _ in (p for p in ACCOUNT_PAGES if p[2] == who):
            path = listed
            if not path:
                page.goto(base + "/account/shared-with-me")
                link = page.locator(SHARED_LINKS[name]).first
                path = link.get_attribute("href") or ""
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                _shoot(page, name)
            if name == "two-factor":  # enrol, as the admin would, to reach the next page
                _enrol(page)
        if who == "alice":  # alice shares her report and data with carol, her clinician
            page.goto(base + "/sharing")
            page.get_by_label("Your clinician's account name").fill("carol")
            page.get_by_label("My report and my journal's data").check()
            page.get_by_role("button", name="Share", exact=True).click()
            page.wait_for_load_state("networkidle")
        context.close()


def _enrol(page: Any) -> None:
    """Turn on two-factor sign-in from the enrolment page, as an authenticator app would."""
    page.get_by_label("Code from your app").fill(_totp(page.inner_text(".secret")))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.wait_for_load_state("networkidle")


def _first_run(mitra: str) -> None:
    """The welcome page, as a new person first sees it (a server on an empty data folder)."""
    from playwright.sync_api import sync_playwright

    empty = tempfile.mkdtemp(prefix="mitra-screenshots-first-")
    env = {**os.environ, "MITRA_DATA_DIR": empty}
    env.pop("MITRA_DATABASE_URL", None)
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603  our own command
        [mitra, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/crisis")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                page.goto(f"http://127.0.0.1:{port}/welcome")
                page.wait_for_load_state("networkidle")
                _shoot(page, "welcome")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(empty, ignore_errors=True)


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        print(f"screenshots need Debian's Chromium at {CHROMIUM} (apt install chromium)")
        return 1
    mitra = str(Path(sys.executable).parent / "mitra")
    OUT.mkdir(exist_ok=True)
    _first_run(mitra)
    data = tempfile.mkdtemp(prefix="mitra-screenshots-")
    env = {**os.environ, "MITRA_DATA_DIR": data}
    env.pop("MITRA_DATABASE_URL", None)
    subprocess.run(  # noqa: S603  our own command
        [mitra, "demo", "--days", "60", "--seed", "1", "--timezone", "Europe/Berlin"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603  our own command
        [mitra, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    OUT.mkdir(exist_ok=True)
    try:
        _wait_for(base + "/crisis")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            context = browser.new_context(timezone_id="Europe/Berlin", service_workers="block")
            page = context.new_page()
            for name, path in PAGES.items():
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 800})
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    _shoot(page, name)
            context.close()
            # Accounts last: the first one turns sign-in on for every page.
            for who, role in (("alice", "person"), ("dana", "admin"), ("carol", "clinician")):
                subprocess.run(  # noqa: S603  our own command
                    [mitra, "user", "add", who, "--role", role, "--password-stdin"],
                    input=PASSWORD + "\n",
                    text=True,
                    env=env,
                    check=True,
                    capture_output=True,
                )
            time.sleep(2.5)  # the server looks for accounts again at most every 2 s
            _account_pages(browser, base)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
