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


def test_settings_and_the_report_page_download_the_same_bundle_as_the_api(
    alice: Any, capsules: Any
) -> None:
    """On the web, a person hands their clinician's system the journal as FHIR from Settings
    or the report page: the same Bundle the API and the terminal give, kept by no cache."""
    from mitra.journal import services

    services.log_dose(alice, {"product_id": capsules.pk, "taken_at": "2026-03-10T08:00:00Z",
                              "amount": 2, "unit": "capsule"})  # fmt: skip
    client = Client()
    link = '<a href="/export/fhir.json" download>Download it as FHIR R4</a>'
    assert link in client.get("/settings").content.decode()
    assert 'href="/export/fhir.json" download>' in client.get("/report").content.decode()
    download = client.get("/export/fhir.json")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/fhir+json"
    assert download["Content-Disposition"] == 'attachment; filename="mitra-journal-fhir.json"'
    assert download["Cache-Control"] == "private, no-store"
    ours = json.loads(download.content)
    api = json.loads(client.get("/api/v1/fhir/Bundle").content)
    for bundle in (ours, api):
        bundle.pop("timestamp", None)
    assert ours == api
    assert any(e["resource"]["resourceType"] == "MedicationAdministration" for e in ours["entry"])
