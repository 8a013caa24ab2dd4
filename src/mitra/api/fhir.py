"""API: the journal as a FHIR R4 Bundle (the same document as `mitra export --format fhir`)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from mitra.interop.fhir_export import export_fhir

from .people import person_of
from .writes import PROBLEMS

router = Router(tags=["interop"])


@router.get(
    "/Bundle",
    response={200: dict[str, Any], **PROBLEMS},
    summary="The whole journal as a FHIR R4 Bundle of type collection",
)
def get_bundle(request: HttpRequest) -> HttpResponse:
    text = json.dumps(export_fhir(person_of(request)), indent=2) + "\n"
    return HttpResponse(text, content_type="application/fhir+json")
