"""Export the whole journal as one JSON document (`mitra export --format json`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

import mitra

from .models import CheckIn, Dose, Intake, Person, Practice, Product, Response, Substance

PRODUCT_FIELDS = [
    "id", "name", "vendor", "strain", "vein", "form", "unit", "grams_per_unit",
    "mitragynine_mg_per_g", "hydroxy_mg_per_g", "notes",
]  # fmt: skip


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(queryset: Any, fields: list[str]) -> list[dict[str, Any]]:
    return [{k: _iso(v) for k, v in row.items()} for row in queryset.values(*fields)]


def export_json(person: Person) -> dict[str, Any]:
    """Everything in the person's journal that is not deleted, as plain JSON-ready data.

    A removed product is kept, marked `removed`, when a kept dose refers to it.
    """
    live = {"person": person, "deleted_at__isnull": True}
    live_doses = Dose.objects.filter(**live)
    products = (
        Product.objects.filter(person=person)
        .filter(Q(deleted_at__isnull=True) | Q(pk__in=live_doses.values("product_id")))
        .order_by("pk")
    )
    return {
        "format": "mitra-journal",
        "version": 1,
        "app_version": mitra.__version__,
        "exported_at": timezone.now().isoformat(),
        "person": {
            "time_zone": person.time_zone,
            "day_boundary_hour": person.day_boundary_hour,
            "gad7_every_days": person.gad7_every_days,
            "crisis_contacts": person.crisis_contacts,
        },
        "products": [
            {**row, "removed": row.pop("deleted_at") is not None}
            for row in _rows(products, [*PRODUCT_FIELDS, "deleted_at"])
        ],
        "doses": _rows(
            live_doses.order_by("taken_at"),
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
        "responses": _rows(
            Response.objects.filter(**live).order_by("at"),
            ["id", "instrument", "at", "answers", "total", "band", "flags", "crisis"],
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
