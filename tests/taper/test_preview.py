"""`mitra taper plan` and its API route: a schedule previewed, never saved; bad asks refused."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mitra.cli import main
from mitra.journal import clock, services

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def log_daily(person: Any, product: Any, amount: float, days: int = 14) -> None:
    now = timezone.now()
    for back in range(1, days + 1):
        services.log_dose(
            person,
            {
                "product_id": product.pk,
                "taken_at": now - timedelta(days=back),
                "amount": amount,
                "unit": product.unit,
            },
        )


def test_a_preview_from_current_use_measures_the_last_14_days(
    capsys: pytest.CaptureFixture[str], alice: Any, powder: Any
) -> None:
    log_daily(alice, powder, 4.0)
    code, out, err = run(capsys, "taper", "plan", "--to", "0", "--pace", "10-per-week", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["start_from"] == "journal"
    assert doc["measured"]["days"] == 14
    assert doc["schedule"]["start_amount"] == 4.0
    assert doc["schedule"]["steps"][0]["allowance"] == 3.6
    assert doc["saved"] is False


def test_a_journal_of_a_few_days_asks_for_the_start_instead_of_counting_the_rest_as_none(
    capsys: pytest.CaptureFixture[str], alice: Any, powder: Any
) -> None:
    """Two days of 10 g, logged in a journal begun two days ago, once measured as 1.4 g a day
    over 14 days (the 12 days before the journal counted as days without kratom): the first
    step was a cut of 87%. Too few days with entries now ask for the starting amount; a
    check-in is enough to make a day without a dose known."""
    day_clock = clock(alice)
    today = day_clock.today()

    def noon(back: int) -> Any:  # a local noon: on its day whatever the clocks did since
        return day_clock.day_start(today - timedelta(days=back)) + timedelta(hours=8)

    for back in (1, 2):
        services.log_dose(alice, {"product_id": powder.pk, "taken_at": noon(back),
                                  "amount": 10.0, "unit": "g"})  # fmt: skip
    code, out, err = run(capsys, "taper", "plan", "--to", "0", "--pace", "10-per-week")
    assert (code, out) == (2, "")
    said = " ".join(err.split())
    assert "only 2 of the 14 days before today" in said
    assert said.endswith("too few to measure your usual use (at least 10 are needed); give "
                         "the starting amount, e.g. 8 g")  # fmt: skip
    # The Taper page says it beside the starting amount, and saves nothing.
    client = Client()
    page = client.post(
        "/taper/plan", {"to": "0", "pace": "10-per-week", "start_amount": "", "action": "preview"}
    )
    assert page.status_code == 422
    assert "Only 2 of the 14 days" in " ".join(page.context["form"].errors["start_amount"])
    for back in range(3, 11):  # eight more days known: check-ins, no kratom
        services.add_checkin(alice, {"anxiety": 3, "at": noon(back)})
    code, out, err = run(capsys, "taper", "plan", "--to", "0", "--pace", "10-per-week", "--json")
    assert code == 0, err
    measured = json.loads(out)["measured"]
    assert (measured["mean_daily"], measured["days_with_entries"]) == (1.429, 10)
    assert "10 of them with entries" in measured["text"]


def test_a_capsule_taper_counts_whole_capsules(
    capsys: pytest.CaptureFixture[str], alice: Any, capsules: Any
) -> None:
    code, out, err = run(
        capsys,
        "taper",
        "plan",
        "--to",
        "0",
        "--pace",
        "10-per-week",
        "--from",
        "6 capsules",
        "--json",
    )
    assert code == 0, err
    steps = json.loads(out)["schedule"]["steps"]
    assert [s["allowance"] for s in steps] == [5, 4, 3, 2, 1, 0]


def test_the_human_preview_names_the_pace_its_borrowed_source_and_saves_nothing(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    code, out, _ = run(capsys, "taper", "plan", "--to", "0", "--pace", "metered-5", "--from", "8g")
    assert code == 0
    assert "anecdotal" in out
    assert "prescribed opioids" in " ".join(out.split())
    assert "Nothing was saved" in out
    assert "increase" not in out.lower()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--to", "9g", "--from", "8g"), "must be below the starting amount"),
        (("--to", "0", "--from", "8g", "--pace", "fast"), "pace 'fast' is not known"),
        (("--to", "0", "--from", "8g", "--start", "2000-01-01"), "more than 7 days in the past"),
        (("--to", "0", "--from", "8g", "--start", "soon"), "is not a date"),
        (("--to", "0", "--from", "8g", "--start", "2099-01-01"), "is more than 90 days ahead"),
        (("--to", "0", "--from", "100000g"), "100000 g a day, is more than 200 g a day"),
        (("--to", "0", "--from", "5000mg"), "5000 mg a day, is more than 3896 mg a day"),
        (("--to", "0"), "no kratom use is logged"),
        (("--to", "2g", "--from", "120mg"), "same unit"),
        (("--to", "0", "--from", "eight"), "is not an amount"),
    ],
)
def test_bad_asks_get_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], alice: Any, argv: tuple[str, ...], message: str
) -> None:
    args = list(argv) if "--pace" in argv else [*argv, "--pace", "10-per-week"]
    code, _, err = run(capsys, "taper", "plan", *args)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1


def test_a_start_up_to_a_week_ago_is_accepted(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    week_ago = clock(alice).today() - timedelta(days=7)
    code, out, err = run(
        capsys,
        "taper",
        "plan",
        "--to",
        "0",
        "--pace",
        "10-per-month",
        "--from",
        "8g",
        "--start",
        week_ago.isoformat(),
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["schedule"]["starts"] == week_ago.isoformat()


def test_the_api_refuses_a_bad_ask_with_problem_json(client: Client, alice: Any) -> None:
    response = client.get("/api/v1/taper/plan?to=9g&from=8g&pace=10-per-week")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "must be below the starting amount" in response.json()["detail"]
    # A parameter that is not an amount is named as the API spells it.
    response = client.get("/api/v1/taper/plan?to=0&from=lots&pace=10-per-week")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("from: 'lots' is not an amount")


def test_the_api_lists_the_paces_with_their_sources(client: Client, alice: Any) -> None:
    rows = client.get("/api/v1/taper/paces").json()
    assert {r["id"]: r["basis"] for r in rows}["metered-5"] == "anecdotal"
    assert all(r["sources"] for r in rows)


def test_doses_the_measure_cannot_count_are_named_not_left_out_in_silence(
    capsys: pytest.CaptureFixture[str], alice: Any, powder: Any
) -> None:
    """In mg of mitragynine, an extract without a lab figure and a 7-OH product have no figure:
    the measured use says they were not counted, and a start too small to taper says why."""
    extract = services.add_product(alice, {"name": "Plain extract", "form": "extract"})
    tabs = services.add_product(
        alice, {"name": "Tabs", "form": "7oh", "unit": "tablet", "grams_per_unit": 0.1}
    )
    labelled = services.add_product(
        alice, {"name": "Lab extract", "form": "extract", "mitragynine_mg_per_g": 20.0}
    )
    now = timezone.now()
    for back in range(1, 15):  # a check-in each day: every measured day is known
        services.add_checkin(alice, {"anxiety": 3, "at": now - timedelta(days=back)})
    for back, product, amount, unit in (
        (3, labelled, 2.0, "g"), (4, extract, 1.0, "g"), (5, tabs, 1.0, "tablet"),
    ):  # fmt: skip
        services.log_dose(alice, {"product_id": product.pk, "amount": amount, "unit": unit,
                                  "taken_at": now - timedelta(days=back)})  # fmt: skip
    code, _, err = run(capsys, "taper", "plan", "--to", "0", "--pace", "10-per-week")
    assert code == 2
    said = " ".join(err.split())
    assert "there is nothing to taper; 2 doses not counted (no mitragynine figure: an " in said
    assert said.endswith("7-OH product); give the starting amount, e.g. 8 g")
    # Any other refusal is said as it is, without the measure's words.
    code, _, err = run(capsys, "taper", "plan", "--to", "0", "--pace", "bogus")
    assert code == 2
    assert "not counted" not in err
    assert "give the starting amount" not in err
    # With leaf use as well, the measured use is given, and what it left out with it.
    log_daily(alice, powder, 4.0)
    code, out, err = run(capsys, "taper", "plan", "--to", "0", "--pace", "10-per-week", "--json")
    assert code == 0, err
    measured = json.loads(out)["measured"]
    assert measured["unit"] == "mg"
    assert measured["text"].endswith(
        "; 2 doses not counted (no mitragynine figure: an extract without a lab figure or a "
        "7-OH product)"
    )
