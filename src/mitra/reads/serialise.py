"""The one serialiser: a read's typed result as a JSON document, for the API and the CLI alike."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from pydantic import TypeAdapter

__all__ = ["document", "document_text", "schema"]


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def document(value: Any, kind: Any = None) -> Any:
    """`value` (a read's dataclass, or a list of them: give `kind`, e.g. list[ProductView]) as
    plain JSON data: datetimes in ISO 8601 with their offset, tuples as lists, NaN as null."""
    chosen: Any = kind if kind is not None else type(value)
    return _adapter(chosen).dump_python(value, mode="json")


def document_text(value: Any, kind: Any = None) -> str:
    """The JSON text of `document(value, kind)`, as both the API and `--json` print it."""
    return json.dumps(document(value, kind), indent=2, ensure_ascii=False) + "\n"


def schema(kind: Any) -> dict[str, Any]:
    """The JSON Schema of a read's result (the API's OpenAPI document uses the same types)."""
    return _adapter(kind).json_schema(mode="serialization")
