"""A starting server: its first page waits neither for the API, the statistics nor the renderer."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.reports import charts

FIRST_PAGE = """
import sys
from django.test import Client
from django.urls import reverse
from mitra.cli.app import django_ready
django_ready()
client = Client()
assert client.get("/").status_code == 200
print("imported:" + ",".join(m for m in ("mitra.api.v1", "scipy", "altair") if m in sys.modules))
assert client.get("/api/v1/openapi.json").status_code == 200
assert client.get("/api/v1/no-such-thing").status_code == 404
print("reversed:" + reverse("api-v1:openapi-json"))
"""


def test_the_first_page_of_a_fresh_process_imports_neither_the_api_nor_scipy(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "MITRA_DATA_DIR": str(tmp_path)}
    env.pop("MITRA_DATABASE_URL", None)
    run = [sys.executable, "-m", "mitra.cli"]
    subprocess.run([*run, "checkin", "3"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-c", FIRST_PAGE], env=env, check=False, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    assert lines["imported"] == ""
    assert lines["reversed"] == "/api/v1/openapi.json"  # the API's routes load when asked for


@pytest.fixture
def starting() -> Iterator[None]:
    """The charts as in a server that has not started its renderer yet (nothing drawn or kept)."""
    kept, items = charts._cache.kept, charts._cache.items
    charts._cache.kept, charts._cache.items = None, OrderedDict()
    charts.draw_later_until_warm()
    try:
        yield
    finally:
        charts._cache.warming = False
        charts._cache.kept, charts._cache.items = kept, items


def _dose(person: Any, product: Any, grams: float) -> None:
    taken = (datetime.now(UTC) - timedelta(minutes=30)).isoformat()
    services.log_dose(
        person, {"product_id": product.pk, "amount": grams, "unit": "g", "taken_at": taken}
    )


@pytest.mark.django_db
class TestTodayWhileTheServerStarts:
    def test_today_draws_its_charts_at_once_without_the_renderer(
        self, client: Client, alice: Any, powder: Any, starting: None, monkeypatch: Any
    ) -> None:
        def not_drawn(*args: Any) -> str:
            raise AssertionError("Today waited for the chart renderer")

        monkeypatch.setattr(charts.vlc, "vegalite_to_svg", not_drawn)
        _dose(alice, powder, 3)
        html = client.get("/").content.decode()
        assert html.count('<svg role="img" aria-label="Anxiety and kratom, last 30 days.') == 2
        assert html.count('<svg role="img" aria-label="Estimated mitragynine in the body.') == 2
        assert "/today/charts/" not in html
        assert "<caption>Anxiety and kratom, last 30 days</caption>" in html
        assert "<caption>Estimated mitragynine in the body</caption>" in html

    def test_a_dose_is_in_the_fetched_chart_at_once(
        self, client: Client, alice: Any, powder: Any, starting: None
    ) -> None:
        _dose(alice, powder, 1)
        before = client.get("/today/charts/last-30-days").content.decode()
        assert "kratom on 1 of 30 days, 1.0 g on average on those days" in before
        _dose(alice, powder, 4)
        after = client.get("/today/charts/last-30-days").content.decode()
        assert "kratom on 1 of 30 days, 5.0 g on average on those days" in after
        exposure = client.get("/today/charts/exposure").content.decode()
        assert '<div class="drawing-wide"><svg role="img"' in exposure

    def test_an_unknown_chart_is_not_found(self, client: Client, alice: Any) -> None:
        assert client.get("/today/charts/elsewhere").status_code == 404
        assert client.post("/today/charts/exposure").status_code == 405
