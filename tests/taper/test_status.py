"""A saved taper: its status, a hold proposed when withdrawal rises, and the person's choices."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mitra import wording
from mitra.cli import main
from mitra.journal import services

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def save(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "taper", "plan", "--to", "0", "--pace", "10-per-week", "--from", "8g", "--save"
    )
    assert code == 0, err


def status(capsys: pytest.CaptureFixture[str]) -> Any:
    code, out, err = run(capsys, "taper", "status", "--json")
    assert code == 0, err
    return json.loads(out)


def test_without_a_taper_the_status_says_so(capsys: pytest.CaptureFixture[str], alice: Any) -> None:
    assert status(capsys)["active"] is False


def test_a_preview_is_saved_only_with_save(capsys: pytest.CaptureFixture[str], alice: Any) -> None:
    run(capsys, "taper", "plan", "--to", "0", "--pace", "10-per-week", "--from", "8g")
    assert status(capsys)["active"] is False
    save(capsys)
    doc = status(capsys)
    assert (doc["step"], doc["allowance"], doc["unit"]) == (1, 7.2, "g")


def test_todays_use_is_counted_against_the_allowance(
    capsys: pytest.CaptureFixture[str], alice: Any, powder: Any
) -> None:
    save(capsys)
    services.log_dose(
        alice, {"product_id": powder.pk, "taken_at": timezone.now(), "amount": 8, "unit": "g"}
    )
    doc = status(capsys)
    assert doc["used_today"] == 8.0
    assert doc["left_today"] == 0.0
    assert doc["over_today"] is True
    # The next step's day in words, as the Taper page says it (not an ISO date).
    next_step = date.fromisoformat(doc["next_step"])
    out = run(capsys, "taper", "status")[1]
    assert f"The next step is due on {wording.day(next_step)}." in out
    assert doc["next_step"] not in out


def test_withdrawal_symptoms_on_consecutive_checkins_propose_a_hold(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    save(capsys)
    now = timezone.now()
    # Two check-ins a moment apart, both inside the taper's first day whatever the hour (an
    # hour apart, the first fell on the day before the taper for an hour after the boundary).
    for seconds in (2, 1):
        services.add_checkin(
            alice,
            {
                "at": now - timedelta(seconds=seconds),
                "anxiety": 5,
                "symptoms": ["restless", "yawning", "sweating"],
            },
        )
    doc = status(capsys)
    assert doc["hold"]["hold_proposed"] is True
    assert "check-ins in a row" in doc["hold"]["reasons"][0]
    _, out, _ = run(capsys, "taper", "status")
    assert "Hold proposed" in out
    assert "increase" not in out.lower()
    # Once held, the status says so, and proposes it no more (as the Taper page).
    assert run(capsys, "taper", "hold")[0] == 0
    _, out, _ = run(capsys, "taper", "status")
    assert "This step is held; resume with 'mitra taper resume'." in out
    assert "proposed" not in out


def test_hold_resume_and_back_are_recorded_and_refused_when_they_do_not_apply(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    assert run(capsys, "taper", "hold")[0] == 2
    save(capsys)
    assert (
        run(capsys, "taper", "resume")[2].strip()
        == "mitra: the taper is not held; nothing to resume"
    )
    assert run(capsys, "taper", "hold")[0] == 0
    assert status(capsys)["held"] is True
    assert run(capsys, "taper", "hold")[0] == 2
    assert run(capsys, "taper", "back")[0] == 0
    doc = status(capsys)
    assert (doc["step"], doc["allowance"]) == (0, 8.0)
    assert "Taper, at the starting amount, before step 1 of" in run(capsys, "taper", "status")[1]
    code, _, err = run(capsys, "taper", "back")
    assert code == 2
    assert "never goes above it" in err
    assert [c["action"] for c in doc["choices"]] == ["hold", "back"]


@pytest.mark.django_db(transaction=True)  # committed for real: the refresh runs after it
def test_ctrl_c_once_a_step_back_is_saved_says_so_rather_than_interrupted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, alice: Any
) -> None:
    """ "mitra: interrupted" read as nothing saved, and 'mitra taper back' run again went back a
    second step. Ctrl-C during the alert refresh (held until it ends) stops the command after
    the choice is saved."""
    from mitra.journal import alerts

    save(capsys)
    refresh = alerts.refresh_covering

    def refresh_then_ctrl_c(*args: Any, **kwargs: Any) -> None:
        refresh(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(alerts, "refresh_covering", refresh_then_ctrl_c)
    code, _, err = run(capsys, "taper", "back")
    monkeypatch.undo()
    assert code == 130
    assert err.strip().splitlines() == [
        "mitra: stopped once the step back was saved; it is in the journal, so do not run "
        "'mitra taper back' again (see it: mitra taper status)"
    ]
    doc = status(capsys)
    assert (doc["step"], [c["action"] for c in doc["choices"]]) == (0, ["back"])


def test_the_api_saves_reports_and_records_choices(client: Client, alice: Any) -> None:
    body = {"to": "0", "pace": "10-per-month", "from": "10g"}
    saved = client.post("/api/v1/taper/plan", body, content_type="application/json")
    assert saved.status_code == 201
    assert saved.json()["saved"] is True
    assert client.get("/api/v1/taper/status").json()["allowance"] == 9.0
    held = client.post("/api/v1/taper/hold", content_type="application/json")
    assert held.json()["held"] is True
    again = client.post("/api/v1/taper/hold", content_type="application/json")
    assert again.status_code == 422
    assert again["Content-Type"] == "application/problem+json"


def test_the_api_takes_a_taper_only_as_json_with_the_keys_it_has(
    client: Client, alice: Any
) -> None:
    import json

    body = json.dumps({"to": "0", "pace": "10-per-month", "from": "10g"})
    # A text/plain post, as any web page could send to loopback, ends no taper and holds none.
    assert client.post("/api/v1/taper/plan", body, content_type="text/plain").status_code == 415
    assert client.post("/api/v1/taper/hold", "", content_type="text/plain").status_code == 415
    assert client.get("/api/v1/taper/status").json()["active"] is False
    typo = client.post(
        "/api/v1/taper/plan", {"to": "0", "pase": "10-per-month"}, content_type="application/json"
    )
    assert typo.status_code == 422
    assert "pase" in typo.json()["errors"]


def test_a_taper_that_starts_later_says_on_which_day(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    start = timezone.localdate() + timedelta(days=5)
    code, _, err = run(capsys, "taper", "plan", "--to", "0", "--pace", "10-per-week",
                       "--from", "8g", "--start", start.isoformat(), "--save")  # fmt: skip
    assert code == 0, err
    out = run(capsys, "taper", "status")[1]
    assert f"Your taper starts on {wording.day(start)}." in out
    assert "next step is due" not in out


def test_the_cli_says_when_a_new_plan_ends_the_taper_in_progress(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    argv = ("taper", "plan", "--to", "0", "--pace", "10-per-week", "--from", "8g")
    code, out, _ = run(capsys, *argv, "--save")
    assert code == 0
    assert out.rstrip().endswith("Saved as your taper.")
    # With a taper in progress, as the Taper page says beside its form.
    code, out, _ = run(capsys, *argv)
    assert out.rstrip().endswith(
        "Nothing was saved (add --save; saving ends the taper in progress)."
    )
    code, out, _ = run(capsys, *argv, "--save")
    assert out.rstrip().endswith("Saved as your taper; the one in progress has ended.")


def test_todays_doses_the_taper_cannot_count_are_said_on_every_face(
    capsys: pytest.CaptureFixture[str], alice: Any, powder: Any, client: Client
) -> None:
    """A gram taper counts grams of leaf: a 7-OH tablet today is named, not silently left out."""
    save(capsys)
    tabs = services.add_product(
        alice, {"name": "Tabs", "form": "7oh", "unit": "tablet", "grams_per_unit": 0.1}
    )
    now = timezone.now()
    services.log_dose(alice, {"product_id": tabs.pk, "amount": 1, "unit": "tablet",
                              "taken_at": now})  # fmt: skip
    said = "1 dose not counted (not leaf: an extract, a shot or a 7-OH product)"
    # The document holds the words alone; each face puts them in its sentence.
    assert status(capsys)["not_counted_today"] == said
    code, out, _ = run(capsys, "taper", "status")
    assert code == 0
    assert f"0 g used, 7.2 g left; {said}" in " ".join(out.split())
    page = " ".join(client.get("/taper").content.decode().split())
    assert f"(used 0 g; {said})" in page
