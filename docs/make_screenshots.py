"""Screenshots of every page at a phone's and a laptop's width, into docs/screenshots/.

A demo journal (60 days, seed 1, Europe/Berlin) in a fresh data folder, served by `mitra serve` on
a free loopback port and photographed by Debian's Chromium through Playwright. Names are
`<page>-<width>.png`; a long page is cut at a fixed height, and each file is stored with a small
palette (Pillow), to keep them small. Run by `make screenshots`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

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


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        print(f"screenshots need Debian's Chromium at {CHROMIUM} (apt install chromium)")
        return 1
    mitra = str(Path(sys.executable).parent / "mitra")
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
                    height = min(
                        page.evaluate("document.documentElement.scrollHeight"), MOST_HEIGHT[width]
                    )
                    target = OUT / f"{name}-{width}.png"
                    page.screenshot(
                        path=str(target),
                        full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": height},
                        animations="disabled",
                        caret="hide",
                    )
                    _shrink(target)
                    kib = target.stat().st_size // 1024
                    print(f"{target.relative_to(OUT.parent.parent)}  {kib} KiB")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
