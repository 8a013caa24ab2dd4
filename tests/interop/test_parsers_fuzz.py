"""Every parser, given any bytes or any JSON, returns rows or a file error: never a crash."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.interop.importers import FORMATS, ImportFileError, parse

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)
_headers = {
    "mitra-json": {"format": "mitra-journal", "version": 1},
    "fhir": {"resourceType": "Bundle"},
    "pwj": {"experiences": []},
}


@pytest.mark.parametrize("format", FORMATS)
@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes(format: str, data: bytes) -> None:
    with contextlib.suppress(ImportFileError):
        parse(format, data, ZoneInfo("UTC"))


@pytest.mark.parametrize("format", list(_headers))  # the JSON formats; CSV ones fuzz their rows
@settings(max_examples=150, deadline=None)
@given(body=st.dictionaries(
    st.sampled_from(["products", "doses", "checkins", "practices", "responses", "substances",
                     "intakes", "entry", "experiences"]),
    st.lists(_json, max_size=4), max_size=4))  # fmt: skip
def test_any_json_with_the_right_header(format: str, body: dict[str, Any]) -> None:
    with contextlib.suppress(ImportFileError):
        parse(format, json.dumps({**body, **_headers[format]}).encode(), ZoneInfo("UTC"))
