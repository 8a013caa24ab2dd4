"""Rows to Parquet: one folder per table, one file per part, types from the schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mitra.cohort.schema import TABLES

__all__ = ["RowBuffer", "arrow_schema", "prepare_folder"]


def arrow_schema(table: str) -> Any:
    """The pyarrow schema of a table, from its definition."""
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "date32": pa.date32(),
        "int32": pa.int32(),
        "float64": pa.float64(),
        "bool": pa.bool_(),
    }
    return pa.schema([pa.field(c.name, types[c.type]) for c in TABLES[table].columns])


def prepare_folder(folder: Path) -> None:
    """Make `folder` and a subfolder per table, owner-only (the files are health data)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    for name in TABLES:
        (folder / name).mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder / name, 0o700)
        for old in (folder / name).glob("*.parquet"):  # a new export replaces the last one
            old.unlink()


class RowBuffer:
    """Rows gathered per table, written as one Parquet file per table and part."""

    def __init__(self, folder: Path, part: str) -> None:
        self.folder = folder
        self.part = part
        self.columns: dict[str, dict[str, list[Any]]] = {
            name: {c: [] for c in table.names} for name, table in TABLES.items()
        }

    def add(self, rows: dict[str, dict[str, list[Any]]]) -> None:
        """Append one person's rows."""
        for table, columns in rows.items():
            target = self.columns[table]
            for name, values in columns.items():
                target[name].extend(values)

    def write(self) -> int:
        """Write every table's part (an empty table too, so each folder has its schema)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        written = 0
        for table, columns in self.columns.items():
            schema = arrow_schema(table)
            data = pa.table({n: pa.array(v, type=schema.field(n).type) for n, v in columns.items()},
                            schema=schema)  # fmt: skip
            path = self.folder / table / f"part-{self.part}.parquet"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                pq.write_table(data, handle, compression="zstd")
            written += data.num_rows
        return written
