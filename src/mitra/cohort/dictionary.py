"""docs/cohort.md, generated from the export's schema (`mitra cohort dictionary`)."""

from __future__ import annotations

from mitra.cohort.schema import TABLES
from mitra.vocabulary import RESEARCH_DATA_KINDS

__all__ = ["data_dictionary"]

_INTRO = """\
# Cohort export: data dictionary

Generated from `src/mitra/cohort/schema.py` by `mitra cohort dictionary --to docs/cohort.md`;
a test fails when this file is out of date. Do not edit by hand.

`mitra cohort export --to DIR` writes one folder of Parquet files per table for the persons who
consented to research (`mitra consent grant ...`), with only the kinds of data each agreed to.
`mitra cohort simulate` writes synthetic persons in the same shape.

De-identification: each person appears under a study key (HMAC-SHA256 of the study secret and
the person), never a database id, name or contact. Every date is moved by a number of days
fixed per person by the secret (60 to 1,155 days, earlier or later), so intervals within a
person are kept and no real date is written. No free text is written: notes, product names,
vendors and substance names stay in the journal. The secret lives in the data folder
(`cohort_secret`, owner-only) or in `--secret-file`; keep it apart from the export.

Withdrawal of consent removes the person from every export made after it.

A clinic on PostgreSQL can keep the cohort in its own database instead:
`mitra cohort export --to-database` stages the same rows (the same study keys and shifted dates;
the secret never enters the database) in the schema `mitra_research`, and the views
`mitra_research.<table>` expose exactly the columns below. The views join the journal's consent
as it is now: a person who withdraws, or narrows their consent, leaves them (or those kinds) at
once, without another export, and their staged rows are deleted in the same transaction.
`mitra cohort report --engine postgres` runs the same analytics on these views through Ibis's
PostgreSQL backend; a study's own database role needs `SELECT` on the views alone.
"""


def data_dictionary() -> str:
    """The data dictionary as Markdown."""
    lines = [_INTRO, "## Consent kinds", "", "| kind | what it shares |", "| --- | --- |"]
    lines += [f"| `{k}` | {v} |" for k, v in RESEARCH_DATA_KINDS.items()]
    for table in TABLES.values():
        needs = f"consent to `{table.kind}`" if table.kind else "every consenting person"
        lines += ["", f"## `{table.name}`", "", f"Rows: {table.rows}; needs {needs}.", ""]
        lines += ["| column | type | unit | meaning |", "| --- | --- | --- | --- |"]
        lines += [
            f"| `{c.name}` | {c.type} | {c.unit or '-'} | {c.meaning} |" for c in table.columns
        ]
    return "\n".join(lines) + "\n"
