"""CLI reads: today, entries, substances, responses; bad paging input is one line, exit 2."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mitra.cli import main

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "argv",
    [
        ("entries", "--cursor", "nonsense"),
        ("entries", "--limit", "0"),
        ("entries", "--kind", "dose,nightmare"),
        ("entries", "--kind", "dose," * 30),
        ("responses", "--limit", "201"),
        ("responses", "--instrument", "GAD-8"),
    ],
)
def test_bad_paging_input_is_one_line_on_stderr_with_exit_2(
    capsys: pytest.CaptureFixture[str], alice: Any, argv: tuple[str, ...]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("mitra: ")
    assert err.count("\n") == 1


def test_today_shows_the_days_leaf_grams_and_entries(
    capsys: pytest.CaptureFixture[str], alice: Any, capsules: Any
) -> None:
    assert run(capsys, "dose", "Red", "4")[0] == 0
    code, out, _ = run(capsys, "today")
    assert code == 0
    assert "2 g of leaf" in out
    assert "Kratom: 4 Red capsules" in out
    # Capsules without a lab figure: an estimate with its range, in mg.
    assert re.search(r"about \d+ mg of mitragynine \(\d+–\d+ mg\)\.", out), out


def test_today_gives_no_range_where_a_lab_figure_makes_the_estimate_one_figure(
    capsys: pytest.CaptureFixture[str], alice: Any, powder: Any
) -> None:
    assert run(capsys, "dose", "Green", "2")[0] == 0
    out = run(capsys, "today")[1]
    assert "2 g of leaf, about 30 mg of mitragynine." in out, out
    assert "30-30" not in out


def test_entries_show_every_kind_and_filter_by_kind(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    from django.utils import timezone

    from mitra.journal import services

    now = timezone.now()
    services.add_checkin(alice, {"at": now, "anxiety": 4})
    services.log_practice(alice, {"kind": "yoga", "minutes": 20, "at": now})
    services.submit_response(alice, {"instrument": "GAD-2", "at": now, "answers": [1, 2]})
    code, out, _ = run(capsys, "entries")
    assert code == 0
    assert "Yoga: 20 min" in out
    assert "GAD-2: 3 of 6" in out
    assert "Check-in: anxiety 4/10" in out
    code, out, _ = run(capsys, "entries", "--kind", "response")
    assert "GAD-2: 3 of 6" in out
    assert "Yoga" not in out
    assert "Check-in" not in out


def test_a_sleep_quality_given_without_the_hours_is_shown_in_the_journal(
    capsys: pytest.CaptureFixture[str], alice: Any, client: Any
) -> None:
    assert run(capsys, "checkin", "3", "--sleep-quality", "2")[0] == 0
    assert "sleep quality 2/5" in run(capsys, "entries")[1]
    assert "sleep quality 2/5" in client.get("/journal").content.decode()
