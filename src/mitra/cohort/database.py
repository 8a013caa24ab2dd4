"""The cohort inside a clinic's PostgreSQL: de-identified rows, read through consent-filtered views.

`mitra cohort export --to-database` builds the same rows as the Parquet export (the same row
builder: study keys and shifted dates from the study secret, which never enters the database;
alkaloid estimates, scores and the interdose insight from mitra's own code) and stages them in
the schema `mitra_research`, one table `staged_<table>` per export table. The views
`mitra_research.<table>` expose exactly the export's columns (cohort/schema.py) and join the
journal's consent table as it is now, so they hold only persons who take part now and only the
kinds they agree to now: a withdrawal (or a narrower consent) takes effect in the views at once,
with no new export. A trigger on the consent table also deletes a withdrawn or erased person's
staged rows (after a narrower consent, those of the kinds withdrawn) in the same transaction.
`mitra cohort report --engine postgres` runs the cohort's Ibis expressions on these views
through Ibis's PostgreSQL backend.

The command makes the schema, not a migration: the staged values need the study secret and
mitra's Python, which a migration has neither of, and a journal on SQLite has no use for them.
The staged tables hold the person's database id (to join consent) and are never read by the
report; grant a study's database role `SELECT` on the views alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mitra.cohort.export import ExportSummary, consenting_facts
from mitra.cohort.rows import person_rows
from mitra.cohort.schema import TABLES
from mitra.vocabulary import RESEARCH_DATA_KINDS

__all__ = [
    "SCHEMA",
    "NotOnPostgres",
    "connect_postgres",
    "on_postgres",
    "stage_cohort",
    "views_exist",
]

SCHEMA = "mitra_research"
_PERSON = "person_id"  # the staged tables' private column, joined with consent, never in a view
_SQL_TYPES = {
    "string": "text",
    "date32": "date",
    "int32": "integer",
    "float64": "double precision",
    "bool": "boolean",
}
#: Persons staged per round trip (each round copies every table's rows).
_BATCH = 200


class NotOnPostgres(RuntimeError):
    """The journal's database is not PostgreSQL (a person's own journal is on SQLite)."""


def on_postgres() -> bool:
    """Whether the journal's database is PostgreSQL (a clinic's)."""
    from django.db import connection

    return connection.vendor == "postgresql"


def _needs_postgres() -> None:
    if not on_postgres():
        raise NotOnPostgres(
            "needs the clinic's PostgreSQL (MITRA_DATABASE_URL=postgres://...); "
            "this journal is on SQLite: use 'mitra cohort export --to DIR'"
        )


def _name(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _staged(table: str) -> str:
    return f"{SCHEMA}.{_name('staged_' + table)}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _holds(kinds_column: str, *kinds: str, row: str = "c") -> str:
    """SQL: the consent's kinds (a JSON array) in `row` include every one of `kinds`."""
    array = "[" + ",".join(f'"{k}"' for k in kinds) + "]"
    return f"{row}.{kinds_column} @> {_literal(array)}::jsonb"


def _view(table: str, consent: dict[str, str]) -> str:
    """The view of one table: its export columns, for persons who consent now to its kind."""
    kinds = _name(consent["kinds"])
    columns = []
    for column in TABLES[table].columns:
        value = f"s.{_name(column.name)}"
        if table == "persons" and column.name == "consent_kinds":
            # The kinds staged and still agreed to, sorted as the export sorts them.
            value = (
                f"(SELECT string_agg(k, ',' ORDER BY k COLLATE \"C\") FROM "  # noqa: S608  names from the schema, quoted
                f"unnest(string_to_array(s.{_name(column.name)}, ',')) AS k "
                f"WHERE c.{kinds} @> jsonb_build_array(k))"
            )
        elif table == "persons" and column.name.startswith("interdose_"):
            value = f"CASE WHEN {_holds(kinds, 'checkins', 'doses')} THEN {value} END"
        elif table == "questionnaires" and column.name == "days_since_taper_step":
            value = f"CASE WHEN {_holds(kinds, 'taper')} THEN {value} END"
        columns.append(f"{value} AS {_name(column.name)}")
    kind = TABLES[table].kind
    if kind is None:  # a person row while any staged kind is still agreed to
        known = ", ".join(_literal(k) for k in RESEARCH_DATA_KINDS)
        agreed = (
            f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(c.{kinds}) AS k "  # noqa: S608  names from the schema, quoted
            f"WHERE k IN ({known}) AND k = ANY(string_to_array(s.consent_kinds, ',')))"
        )
    else:
        agreed = _holds(kinds, kind)
    return (
        f"CREATE VIEW {SCHEMA}.{_name(table)} AS SELECT {', '.join(columns)} "  # noqa: S608  names from the schema, quoted
        f"FROM {_staged(table)} AS s JOIN {_name(consent['table'])} AS c "
        f"ON c.{_name(consent['person'])} = s.{_PERSON} "
        f"WHERE c.{_name(consent['opted_in'])} AND {agreed}"
    )


def _forget(consent: dict[str, str]) -> list[str]:
    """Triggers on the consent table: a withdrawal or an erased person deletes all their staged
    rows, a narrower consent the rows of the kinds no longer agreed to, in the same transaction."""
    person = _name(consent["person"])
    everything = "".join(
        f"DELETE FROM {_staged(t)} WHERE {_PERSON} = OLD.{person}; "  # noqa: S608  names from the schema, quoted
        for t in TABLES
    )
    narrower = "".join(
        f"DELETE FROM {_staged(t.name)} WHERE {_PERSON} = NEW.{person} "  # noqa: S608  names from the schema
        f"AND NOT {_holds(_name(consent['kinds']), t.kind, row='NEW')}; "
        for t in TABLES.values()
        if t.kind is not None
    )
    table = _name(consent["table"])
    body = (
        f"BEGIN IF TG_OP = 'DELETE' OR NOT NEW.{_name(consent['opted_in'])} THEN {everything}"
        f"ELSE {narrower}END IF; RETURN NULL; END"
    )
    return [
        f"CREATE OR REPLACE FUNCTION {SCHEMA}.forget_person() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ {body} $$",
        f"DROP TRIGGER IF EXISTS mitra_research_consent ON {table}",
        f"CREATE TRIGGER mitra_research_consent AFTER UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.forget_person()",
    ]


def _ddl() -> list[str]:
    """Schema, staged tables (emptied), views and triggers, made afresh by each export."""
    from mitra.journal.consent import consent_sql_names

    consent = consent_sql_names()
    statements = [f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"]
    statements += [f"DROP VIEW IF EXISTS {SCHEMA}.{_name(t)}" for t in TABLES]
    for name, table in TABLES.items():
        columns = ", ".join(f"{_name(c.name)} {_SQL_TYPES[c.type]}" for c in table.columns)
        statements += [
            f"DROP TABLE IF EXISTS {_staged(name)}",
            f"CREATE TABLE {_staged(name)} ({_PERSON} bigint NOT NULL, {columns})",
            f"CREATE INDEX ON {_staged(name)} ({_PERSON})",
        ]
    statements += [_view(t, consent) for t in TABLES]
    return statements + _forget(consent)


def _batches(secret: bytes) -> Iterator[list[tuple[int, dict[str, dict[str, list[Any]]]]]]:
    batch: list[tuple[int, dict[str, dict[str, list[Any]]]]] = []
    for person, facts in consenting_facts():
        batch.append((person, person_rows(facts, secret)))
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def stage_cohort(secret: bytes, *, progress: Callable[[int], None] | None = None) -> ExportSummary:
    """Stage every consenting person's de-identified rows in the clinic's PostgreSQL and make
    the consent-filtered views; one transaction, so a reader sees the old rows or the new."""
    from django.db import connection, transaction

    _needs_postgres()
    persons = rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in _ddl():
            cursor.execute(statement)
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        for batch in _batches(secret):
            for table in TABLES.values():
                names = ", ".join(_name(n) for n in (_PERSON, *table.names))
                with raw.copy(f"COPY {_staged(table.name)} ({names}) FROM STDIN") as copy:
                    for person, person_tables in batch:
                        columns = person_tables[table.name]
                        for values in zip(*(columns[n] for n in table.names), strict=True):
                            copy.write_row((person, *values))
                            rows += 1
            persons += len(batch)
            if progress is not None:
                progress(len(batch))
    return ExportSummary(folder=f"PostgreSQL: {SCHEMA}", persons=persons, rows=rows)


def connect_postgres() -> Any:
    """An Ibis PostgreSQL backend on the journal's own database (the clinic's)."""
    import ibis
    from django.db import connection

    _needs_postgres()
    settings = connection.settings_dict
    options = {
        "host": settings.get("HOST") or None,
        "port": int(settings["PORT"]) if settings.get("PORT") else None,
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "database": settings["NAME"],
    }
    return ibis.postgres.connect(**{k: v for k, v in options.items() if v is not None})


def views_exist(backend: Any) -> bool:
    """Whether `mitra cohort export --to-database` has made the views."""
    return set(TABLES) <= set(backend.list_tables(database=SCHEMA))
