"""An empty or blank argument or option value is refused by every command: one line, exit 2."""

from __future__ import annotations

from typing import Any

import pytest

from mitra.cli import main
from mitra.journal.models import CheckIn, Dose, Person, Product

pytestmark = pytest.mark.django_db

# Each row: a command line with one empty or blank value, and the name the refusal gives.
EMPTY = [
    (["settings", "--timezone", ""], "--timezone"),
    (["settings", "--timezone", "   "], "--timezone"),
    (["checkin", "3", "--at", ""], "--at"),
    (["checkin", "3", "--at", " "], "--at"),
    (["checkin", "3", "--note", ""], "--note"),
    (["checkin", "3", "--symptom", ""], "--symptom"),
    (["checkin", "3", "--practice", "\t"], "--practice"),
    (["dose", "", "1"], "product"),
    (["dose", "Green", "1", "--at", ""], "--at"),
    (["dose", "Green", "1", "g", "--note", " "], "--note"),
    (["dose", "Green", "1", ""], "unit"),
    (["products", "add", ""], "name"),
    (["products", "add", "Green", "--vendor", ""], "--vendor"),
    (["interactions", "sertraline", ""], "names"),
    (["score", "", "1"], "code"),
    (["questionnaire", " "], "code"),
    (["responses", "--instrument", ""], "--instrument"),
    (["responses", "--cursor", ""], "--cursor"),
    (["entries", "--cursor", ""], "--cursor"),
    (["insights", "--card", ""], "--card"),
    (["exposure", "--dose", ""], "--dose"),
    (["export", "--output", ""], "--output"),
    (["export", "--format", ""], "--format"),
    (["demo", "--timezone", ""], "--timezone"),
    (["serve", "--host", ""], "--host"),
]


@pytest.mark.parametrize(("argv", "name"), EMPTY, ids=[" ".join(a) for a, _ in EMPTY])
def test_an_empty_value_is_refused_in_one_line_with_exit_status_2(
    capsys: pytest.CaptureFixture[str], alice: Any, powder: Any, argv: list[str], name: str
) -> None:
    before = (Person.objects.get().time_zone, CheckIn.objects.count(), Dose.objects.count())
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"mitra: {name} is empty; give a value")
    assert "Traceback" not in captured.err
    after = (Person.objects.get().time_zone, CheckIn.objects.count(), Dose.objects.count())
    assert after == before
    assert Product.objects.count() == 1


def test_a_default_left_out_is_not_an_empty_value(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    # --note defaults to "" and --at to now: leaving them out is not giving them empty.
    main(["checkin", "3"])
    assert CheckIn.objects.count() == 1
