"""Export the journal as one JSON document (`mitra export --format json`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

import mitra

from .models import CheckIn, Dose, Intake, Person, Practice, Product, Substance


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(queryset: Any, fields: list[str]) -> list[dict[str, Any]]:
    return [{k: _iso(v) for k, v in row.items()} for row in queryset.values(*fields)]


def export_json(person: Person) -> dict[str, Any]:
    """Everything in the person's journal that is not deleted, as plain JSON-ready data."""
    live = {"person": person, "deleted_at__isnull": True}
    return {
        "format": "mitra-journal",
        "version": 1,
        "app_version": mitra.__version__,
        "exported_at": timezone.now().isoformat(),
        "person": {"time_zone": person.time_zone, "day_boundary_hour": person.day_boundary_hour},
        "products": _rows(
            Product.objects.filter(**live).order_by("pk"),
            [
                "id",
                "name",
                "vendor",
                "strain",
                "vein",
                "form",
                "unit",
                "grams_per_unit",
                "mitragynine_mg_per_g",
                "hydroxy_mg_per_g",
                "notes",
            ],
        ),
        "doses": _rows(
            Dose.objects.filter(**live).order_by("taken_at"),
            [
                "id",
                "product_id",
                "taken_at",
                "amount",
                "unit",
                "grams",
                "mg_mitragynine",
                "mg_7oh",
                "note",
            ],
        ),
        "checkins": _rows(
            CheckIn.objects.filter(**live).order_by("at"),
            ["id", "at", "anxiety", "mood", "sleep_hours", "sleep_quality", "symptoms", "note"],
        ),
        "practices": _rows(
            Practice.objects.filter(**live, checkin__deleted_at__isnull=True).order_by("at"),
            ["id", "checkin_id", "at", "kind", "minutes"],
        ),
        "substances": _rows(
            Substance.objects.filter(**live).order_by("pk"),
            ["id", "name", "knowledge_id", "dose_text", "active"],
        ),
        "intakes": _rows(
            Intake.objects.filter(**live).order_by("taken_at"),
            ["id", "substance_id", "taken_at", "amount", "unit", "note"],
        ),
    }
