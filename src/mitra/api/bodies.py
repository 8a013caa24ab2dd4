"""How the API reads a JSON body: each key once, and every number a finite one."""

from __future__ import annotations

import json
import math
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

__all__ = ["BodyRefused", "JsonParser", "read_json"]

REPEATED = "is given more than once; send each key once"
NOT_FINITE = "must be a finite number"


class BodyRefused(ValueError):
    """The body is JSON the API does not take; `errors` maps each key (a dotted path) to why."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{key} {message}" for key, message in errors.items()))


class _Repeated(dict[str, Any]):
    """An object in which a key was written more than once (json keeps only the last)."""

    repeated: list[str]


class _NotFinite:
    """Where the body had NaN, Infinity or -Infinity, or a number beyond a float (1e400)."""


_NOT_FINITE = _NotFinite()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    repeated: list[str] = []
    for key, value in pairs:
        if key in found and key not in repeated:
            repeated.append(key)
        found[key] = value
    if not repeated:
        return found
    marked = _Repeated(found)
    marked.repeated = repeated
    return marked


def _float(text: str) -> Any:
    value = float(text)
    return value if math.isfinite(value) else _NOT_FINITE


def _constant(text: str) -> Any:
    return _NOT_FINITE


def _refusals(body: Any) -> dict[str, str]:
    """Each repeated key and each number that is not finite, by its path in the body."""
    errors: dict[str, str] = {}
    # Walked with a list, not recursion: a deeply nested body is not a server error.
    waiting: list[tuple[str, Any]] = [("", body)]
    while waiting:
        path, value = waiting.pop()
        if value is _NOT_FINITE:
            errors[path or "body"] = NOT_FINITE
        elif isinstance(value, dict):
            for key in getattr(value, "repeated", ()):
                errors[f"{path}.{key}" if path else key] = REPEATED
            waiting += [(f"{path}.{k}" if path else k, v) for k, v in value.items()]
        elif isinstance(value, list):
            waiting += [(f"{path}.{i}" if path else str(i), v) for i, v in enumerate(value)]
    return dict(sorted(errors.items()))


def read_json(text: bytes | str) -> Any:
    """The body's value; BodyRefused for a repeated key or a number that is not finite.

    Python's json takes both in silence: the last of two keys wins (`{"kind": "walk", "kind":
    "yoga"}` would save yoga), and NaN, Infinity and 1e400 become floats no bound can refuse."""
    value = json.loads(
        text, object_pairs_hook=_object, parse_float=_float, parse_constant=_constant
    )
    errors = _refusals(value)
    if errors:
        raise BodyRefused(errors)
    return value


class JsonParser(Parser):
    """django-ninja's parser, reading bodies with read_json."""

    def parse_body(self, request: HttpRequest) -> Any:
        return read_json(request.body)
