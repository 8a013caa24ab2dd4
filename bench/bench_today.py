"""Today page server time on a 5-year journal, against a bare Django view of the same size.

Both run in this process through the same middleware and test client, so the ratio shows what
the Today page itself costs. Target: under 50 ms.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable

DAYS = 1825
RUNS = 40
TARGET_MS = 50.0
_size = {"bytes": 0}


def bare(request: object) -> object:
    """The baseline: a view that returns the same number of bytes and does nothing else."""
    from django.http import HttpResponse

    return HttpResponse(b"x" * _size["bytes"], content_type="text/html")


def _urls() -> list[object]:
    from django.urls import include, path

    return [path("bench/bare", bare), path("", include("mitra.web.urls"))]


def _median_ms(call: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> dict[str, float]:
    """Run the benchmark and print its figures."""
    folder = tempfile.mkdtemp(prefix="mitra-bench-")
    os.environ["MITRA_DATA_DIR"] = folder
    os.environ.pop("MITRA_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitra.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from mitra.journal import services
    from mitra.journal.demo import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    person = services.set_up_person({"time_zone": "Europe/Berlin"})
    start = time.perf_counter()
    counts = load_demo(person, days=DAYS, seed=1)
    made = time.perf_counter() - start
    print(
        f"journal: {DAYS} days, {counts['doses']} doses, {counts['checkins']} check-ins, "
        f"{counts['practices']} practices (made in {made:.1f} s)"
    )
    from types import ModuleType

    # Django accepts a module object as the URLconf, so this works however the benchmark
    # module was loaded (directly, or by path from bench/run.py).
    urlconf = ModuleType("bench_today_urls")
    urlconf.urlpatterns = _urls()  # type: ignore[attr-defined]
    with override_settings(ROOT_URLCONF=urlconf):
        client = Client()
        first = client.get("/")
        assert first.status_code == 200, first.status_code
        _size["bytes"] = len(first.content)
        today_ms = _median_ms(lambda: client.get("/"), RUNS)
        bare_ms = _median_ms(lambda: client.get("/bench/bare"), RUNS)
    ratio = today_ms / bare_ms
    verdict = "meets" if today_ms < TARGET_MS else "MISSES"
    print(
        f"Today page: {today_ms:.1f} ms median of {RUNS} ({_size['bytes'] / 1024:.0f} KiB); "
        f"bare view of the same size: {bare_ms:.2f} ms; ratio {ratio:.1f}x; "
        f"{verdict} the {TARGET_MS:.0f} ms target"
    )
    return {"today_ms": today_ms, "bare_ms": bare_ms, "ratio": ratio}


if __name__ == "__main__":
    main()
