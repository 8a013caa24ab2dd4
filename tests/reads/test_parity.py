"""Every CLI read's `--json` prints the same document as its API route (one serialiser)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from mitra.cli import main

pytestmark = pytest.mark.django_db


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = 0
    try:
        main([*argv, "--json"])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def api_json(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def _score_path(code: str, answers: str) -> str:
    return f"/api/v1/instruments/{code}/score?" + "&".join(f"answer={a}" for a in answers)


# (CLI arguments, API path): each pair must print one and the same document.
PAIRS = [
    (("products",), "/api/v1/products"),
    (("entries",), "/api/v1/entries"),
    (("entries", "--limit", "1"), "/api/v1/entries?limit=1"),
    (("entries", "--kind", "response,intake"), "/api/v1/entries?kind=response,intake"),
    (("entries", "deleted"), "/api/v1/entries/deleted"),
    (("substances",), "/api/v1/substances"),
    (("responses",), "/api/v1/responses"),
    (("responses", "--instrument", "GAD-2"), "/api/v1/responses?instrument=GAD-2"),
    (("today",), "/api/v1/today"),
    (("exposure", "--recent"), "/api/v1/exposure"),
    (("insights",), "/api/v1/insights"),
    (("insights", "--card", "kratom.dose_trend"), "/api/v1/insights/kratom.dose_trend"),
    (("alerts", "--all"), "/api/v1/alerts?all=true"),
    (("report",), "/api/v1/report?days=90"),
    (
        ("report", "--from", "2026-01-01", "--to", "2026-02-01"),
        "/api/v1/report?from=2026-01-01&to=2026-02-01",
    ),
    (
        ("taper", "plan", "--to", "0", "--pace", "10-per-week", "--from", "8g"),
        "/api/v1/taper/plan?to=0&pace=10-per-week&from=8g",
    ),
    (("taper", "status"), "/api/v1/taper/status"),
    (("plan",), "/api/v1/plan"),
    (("reminders",), "/api/v1/reminders"),
    (
        ("interactions", "Xanax", "sertraline", "xanaks", "no-such-thing"),
        "/api/v1/interactions?name=Xanax&name=sertraline&name=xanaks&name=no-such-thing",
    ),
    (("settings",), "/api/v1/settings"),
    (("score", "GAD-7", "1", "2", "3", "0", "1", "2", "1"), _score_path("GAD-7", "1230121")),
    # A crisis answer: both carry the crisis lines of alice's country (Germany) first.
    (("score", "PHQ-9", *"000000001"), _score_path("PHQ-9", "000000001")),
    (("score", "PHQ-4", "2", "1", "0", "0"), _score_path("PHQ-4", "2100")),
    (("compare", "GAD-7", "15", "10"), "/api/v1/instruments/GAD-7/compare?before=15&after=10"),
    (("compare", "PHQ-2", "2", "5"), "/api/v1/instruments/PHQ-2/compare?before=2&after=5"),
]


@pytest.mark.parametrize(("argv", "path"), PAIRS, ids=[p for _, p in PAIRS])
def test_the_cli_and_the_api_print_the_same_document(
    capsys: pytest.CaptureFixture[str],
    client: Client,
    alice: Any,
    capsules: Any,
    argv: Any,
    path: str,
) -> None:
    from_cli = cli_json(capsys, *argv)
    from_api = api_json(client, path)
    assert from_cli == from_api
    assert from_cli, "the journal has data, so the document is not empty"


@pytest.fixture(autouse=True)
def _report_made_at_one_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report says when it was made: both calls make it at the same moment."""
    from mitra.reads import report

    made = datetime.now(UTC)
    monkeypatch.setattr(report, "_now", lambda: made)


@pytest.fixture(autouse=True)
def _journal_with_entries(alice: Any) -> None:
    """A check-in, a substance with a use, and two responses, so every document has rows.

    No dose: the exposure curve's "hours since the last dose" moves with the clock between the
    two calls, so Today is compared without one.
    """
    from django.utils import timezone

    from mitra.journal import services

    now = timezone.now()
    services.add_checkin(alice, {"at": now, "anxiety": 4})
    substance = services.add_substance(alice, {"name": "alcohol"})
    services.log_intake(
        alice, {"substance_id": substance.pk, "taken_at": now, "amount": 1, "unit": "drink"}
    )
    for answers in ([1, 1], [2, 1]):
        services.submit_response(alice, {"instrument": "GAD-2", "at": now, "answers": answers})
