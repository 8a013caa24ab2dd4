"""PsychonautWiki Journal: kratom ingestions become doses, the rest intakes; nothing dropped."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.interop.importers import ImportFileError, parse
from mitra.interop.importing import import_file
from mitra.journal import queries

SAMPLE = Path(__file__).parent / "samples" / "pwj-export.json"


def test_the_sample_gives_doses_intakes_and_a_reason_for_the_dose_without_an_amount(
    alice: Any,
) -> None:
    report = import_file(alice, "pwj", SAMPLE.read_bytes(), dry_run=False)
    assert report.added["dose"] == 1
    assert report.added["intake"] == 2
    assert report.added["product"] == 1
    assert report.skipped == [
        {
            "where": "experiences[0].ingestions[2]",
            "reason": "a Kratom ingestion without a dose amount",
        }
    ]
    dose = queries.last_dose(alice)
    assert dose is not None
    assert (dose.grams, dose.product.name) == (3.0, "Kratom")
    assert "Rough Monday" in dose.note
    assert import_file(alice, "pwj", SAMPLE.read_bytes(), dry_run=False).added["dose"] == 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_give_rows_or_a_file_error_never_a_crash(data: bytes) -> None:
    with contextlib.suppress(ImportFileError):
        parse("pwj", data, ZoneInfo("Europe/Berlin"))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
_ingestion = st.fixed_dictionaries(
    {},
    optional={
        "substanceName": st.sampled_from(["Kratom", "kratom", "Caffeine", ""])
        | st.text(max_size=10),
        "time": st.integers() | st.floats() | st.none() | st.text(max_size=5),
        "dose": st.floats() | st.integers() | st.none() | st.text(max_size=5),
        "units": st.sampled_from(["g", "mg", "ml", ""]) | _json,
        "isDoseAnEstimate": _json,
        "notes": _json,
    },
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({"ingestions": st.lists(_ingestion | _json, max_size=3)},
                                      optional={"title": _json, "text": _json}) | _json,
                max_size=4))  # fmt: skip
def test_any_experiences_give_rows_and_skips_never_a_crash(experiences: list[Any]) -> None:
    data = json.dumps({"experiences": experiences}).encode()
    parse("pwj", data, ZoneInfo("UTC"))
