"""`mitra export --format fhir` and GET /api/v1/fhir/Bundle give the same Bundle."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from django.test import Client

from mitra.cli import main


def test_the_api_serves_the_bundle_as_fhir_json(alice: Any, capsules: Any) -> None:
    answer = Client().get("/api/v1/fhir/Bundle")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/fhir+json"
    assert json.loads(answer.content)["type"] == "collection"


def test_the_cli_writes_the_bundle_to_a_private_file(alice: Any, tmp_path: Path) -> None:
    target = tmp_path / "journal.fhir.json"
    main(["export", "--format", "fhir", "--output", str(target)])
    assert json.loads(target.read_text())["resourceType"] == "Bundle"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
