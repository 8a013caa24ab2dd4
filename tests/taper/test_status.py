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


def test_the_cli_replaces_a_taper_in_progress_only_with_replace_and_keeps_its_history(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    """A second --save quietly ended the taper in progress and put another in its place."""
    from mitra.journal.models import Taper

    argv = ("taper", "plan", "--to", "0", "--pace", "10-per-week", "--from", "8g")
    code, out, _ = run(capsys, *argv, "--save")
    assert code == 0
    assert out.rstrip().endswith("Saved as your taper.")
    assert run(capsys, "taper", "hold")[0] == 0
    # With a taper in progress, as the Taper page says beside its form.
    code, out, _ = run(capsys, *argv)
    assert out.rstrip().endswith(
        "Nothing was saved (a taper is in progress: --save --replace replaces it)."
    )
    # The same command again: saved once.
    code, _, err = run(capsys, *argv, "--save")
    first = Taper.objects.get()
    assert (code, err) == (
        2,
        f"mitra: this taper is already saved (taper {first.pk}); see it: mitra taper status\n",
    )
    other = ("taper", "plan", "--to", "2g", "--pace", "10-per-month", "--from", "8g")
    code, _, err = run(capsys, *other, "--save")
    assert code == 2
    assert err == (
        "mitra: a taper is in progress (8 g to 0 g a day, from "
        f"{wording.day(timezone.localdate())}), so this one was not saved; replacing it ends it "
        "today and keeps it, with its holds and steps back, in your journal's history (every "
        "export lists it); add --replace to replace it\n"
    )
    assert Taper.objects.get().ended_at is None
    assert run(capsys, *other, "--replace")[2] == (
        "mitra: --replace goes with --save: it replaces the taper in progress when saving\n"
    )
    code, out, _ = run(capsys, *other, "--save", "--replace")
    assert code == 0
    assert " ".join(out.split()).endswith(
        "Saved as your taper; the one in progress has ended, and is kept with its holds and "
        "steps back."
    )
    ended, now = Taper.objects.order_by("pk")
    assert (ended.pk, now.ended_at) == (first.pk, None)
    assert ended.ended_at is not None
    assert [c.action for c in ended.choices.all()] == ["hold"]  # its history, kept


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


def test_the_api_plans_a_taper_once_per_token_and_replaces_one_only_when_asked(
    client: Client, alice: Any
) -> None:
    """POST /taper/plan had no token: sent twice, it answered 201 twice, and the second ended
    the taper in progress (its holds and steps back with it) and put itself in its place."""
    from mitra.journal.models import Taper

    def post(**body: Any) -> Any:
        plan = {"to": "0", "pace": "10-per-month", "from": "10g", **body}
        return client.post("/api/v1/taper/plan", plan, content_type="application/json")

    first = post(token="plan-1")
    assert first.status_code == 201
    assert client.post("/api/v1/taper/hold", content_type="application/json").status_code == 200
    again = post(token="plan-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Taper.objects.count() == 1
    # The same token with another body: refused as every write's, nothing saved.
    other = post(token="plan-1", to="2g")
    assert other.status_code == 409
    assert other.json()["code"] == "token_reused"
    # Another plan while one is in progress: refused until replacing it is asked for.
    taken = post(token="plan-2", to="2g")
    assert taken.status_code == 409
    assert taken["Content-Type"] == "application/problem+json"
    problem = taken.json()
    assert problem["code"] == "taper_in_progress"
    assert problem["detail"].startswith("taper: a taper is in progress (10 g to 0 g a day, ")
    assert "keeps it, with its holds and steps back" in problem["detail"]
    assert problem["detail"].endswith('To replace it, send this again with "replace": true.')
    assert Taper.objects.get().ended_at is None
    assert client.get("/api/v1/taper/status").json()["held"] is True
    replaced = post(token="plan-2", to="2g", replace=True)
    assert replaced.status_code == 201
    ended, now = Taper.objects.order_by("pk")
    assert ended.ended_at is not None
    assert now.ended_at is None
    assert [c.action for c in ended.choices.all()] == ["hold"]  # its history, kept
    assert post(token="plan-2", to="2g", replace=True).status_code == 200
    # The first token again, its taper replaced since: not answered as the taper in progress.
    late = post(token="plan-1")
    assert late.status_code == 409
    assert f"has ended since (taper {ended.pk})" in late.json()["detail"]
    assert Taper.objects.count() == 2
    assert post(replace="yes").status_code == 422  # a yes-or-no is a JSON boolean


@pytest.mark.parametrize("start", ["1704067200", 1704067200, "0", "20260101"])
def test_a_start_day_written_as_a_number_is_refused_not_read_as_a_unix_time(
    client: Client, alice: Any, start: Any
) -> None:
    """pydantic reads "1704067200" as the Unix time of 2024-01-01 and "0" as 1970-01-01: a
    taper was planned from a day the person never wrote, and "20260101" got a message about
    datetimes given to dates."""
    from mitra.journal.models import Taper

    body = {"to": "0", "pace": "10-per-month", "from": "10g", "start": start}
    saved = client.post("/api/v1/taper/plan", body, content_type="application/json")
    assert saved.status_code == 422
    assert saved["Content-Type"] == "application/problem+json"
    assert saved.json()["errors"] == {"start": "must be a date, like 2026-11-25"}
    preview = client.get(f"/api/v1/taper/plan?to=0&from=10g&pace=10-per-month&start={start}")
    assert preview.status_code == 422
    assert preview.json()["errors"] == {"start": "must be a date, like 2026-11-25"}
    assert not Taper.objects.exists()
    fine = client.get("/api/v1/taper/plan?to=0&from=10g&pace=10-per-month&start=2026-12-07")
    assert fine.status_code == 200


def test_at_the_starting_amount_the_page_does_not_speak_of_going_back(
    capsys: pytest.CaptureFixture[str], alice: Any, client: Client
) -> None:
    """Gone back to the starting amount, there is no Go back button, yet the page said
    "Going back one step is your choice"."""
    save(capsys)
    assert run(capsys, "taper", "back")[0] == 0
    assert status(capsys)["step"] == 0
    page = " ".join(client.get("/taper").content.decode().split())
    assert "Go back one step</button>" not in page
    assert "Going back one step is your choice" not in page
    assert "You are at your starting amount: there is no step to go back to" in page
