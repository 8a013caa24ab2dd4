"""docs/cohort.md is generated from the export's schema and kept up to date."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from mitra.cohort.dictionary import data_dictionary
from mitra.cohort.schema import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "cohort.md"


def test_docs_cohort_md_is_the_generated_dictionary() -> None:
    assert DOC.read_text(encoding="utf-8") == data_dictionary(), (
        "docs/cohort.md is out of date: run `mitra cohort dictionary --to docs/cohort.md`"
    )


def test_every_exported_column_is_in_the_dictionary(small_cohort: Path) -> None:
    text = data_dictionary()
    for name in TABLES:
        schema = pq.read_schema(next((small_cohort / name).glob("*.parquet")))
        assert list(schema.names) == list(TABLES[name].names)
        for column in schema.names:
            assert f"| `{column}` |" in text
