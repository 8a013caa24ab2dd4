"""Numbers on the command line mean the same in any Unicode decimal digits, in every command."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mitra.cli import main
from mitra.journal.models import CheckIn

ARABIC_INDIC_3 = "\u0663"
FULL_WIDTH_2 = "\uff12"
DEVANAGARI_7 = "\u096d"


@pytest.mark.django_db
def test_score_takes_answers_in_any_digits(capsys: pytest.CaptureFixture[str]) -> None:
    main(["score", "GAD-2", ARABIC_INDIC_3, FULL_WIDTH_2, "--json"])
    assert json.loads(capsys.readouterr().out)["total"] == 5


@pytest.mark.django_db
def test_score_still_refuses_what_is_not_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["score", "GAD-2", "1", "x"])
    assert exited.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.django_db
def test_numeric_arguments_and_options_take_any_digits(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    main(["checkin", ARABIC_INDIC_3, "--mood", FULL_WIDTH_2, "--sleep-hours", f"{DEVANAGARI_7}.5"])
    checkin = CheckIn.objects.get()
    assert (checkin.anxiety, checkin.mood, checkin.sleep_hours) == (3, 2, 7.5)
    capsys.readouterr()
    main(["entries", "--limit", ARABIC_INDIC_3, "--json"])
    assert len(json.loads(capsys.readouterr().out)["days"][0]["entries"]) == 1


@pytest.mark.django_db
def test_text_arguments_keep_their_digits(capsys: pytest.CaptureFixture[str], alice: Any) -> None:
    main(["products", "add", f"Batch {ARABIC_INDIC_3}", "--json"])
    assert f"Batch {ARABIC_INDIC_3}" in capsys.readouterr().out
