"""The package's surface: exactly what `__all__` promises, and no Django underneath."""

from __future__ import annotations

import subprocess
import sys

import mitra.instruments

PUBLIC = {
    "AnswerCountError",
    "AnswerRangeError",
    "BandResult",
    "Change",
    "Direction",
    "Flag",
    "InstrumentError",
    "MissingAnswersError",
    "Score",
    "ScreeningResult",
    "SubscaleScore",
    "TotalRangeError",
    "UnknownInstrumentError",
    "change",
    "fhir_questionnaire",
    "instrument",
    "known_codes",
    "score",
}


def test_all_lists_exactly_the_public_names() -> None:
    assert set(mitra.instruments.__all__) == PUBLIC
    assert all(hasattr(mitra.instruments, name) for name in PUBLIC)


def test_every_error_is_an_instrument_error_and_a_value_error() -> None:
    for name in PUBLIC:
        obj = getattr(mitra.instruments, name)
        if name.endswith("Error"):
            assert issubclass(obj, mitra.instruments.InstrumentError)
            assert issubclass(obj, ValueError)


def test_scoring_imports_neither_django_nor_the_journal() -> None:
    # A fresh interpreter: this test process has Django loaded by pytest-django already.
    probe = (
        "import sys, mitra.instruments as m; m.score('GAD-7', [0] * 7); "
        "m.fhir_questionnaire('PHQ-9'); "
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'django' "
        "or n.startswith(('mitra.journal', 'mitra.web', 'mitra.cli'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
