"""The JSON export: the whole journal in one document, with its format's header."""

from __future__ import annotations

from typing import Any

from mitra.interop.json_export import export_json
from mitra.journal import services
from tests.conftest import utc


def _capsules(product: Any, amount: int) -> dict[str, Any]:
    return {
        "product_id": product.pk,
        "taken_at": utc(2026, 3, 10, 8),
        "amount": amount,
        "unit": "capsule",
    }


def test_the_export_holds_responses_settings_and_the_removed_products_of_kept_doses(
    alice: Any, capsules: Any
) -> None:
    services.log_dose(alice, _capsules(capsules, 4))
    services.delete_product(alice, capsules.pk)
    services.submit_response(
        alice, {"instrument": "GAD-2", "at": utc(2026, 3, 10, 9), "answers": [1, 2]}
    )
    data = export_json(alice)
    assert [(p["id"], p["removed"]) for p in data["products"]] == [(capsules.pk, True)]
    assert {d["product_id"] for d in data["doses"]} <= {p["id"] for p in data["products"]}
    assert data["responses"][0]["total"] == 3
    assert data["person"]["gad7_every_days"] == 14


def test_the_export_names_its_format_and_version_and_leaves_out_deleted_entries(
    alice: Any, capsules: Any
) -> None:
    dose = services.log_dose(alice, _capsules(capsules, 2))
    services.delete_dose(alice, dose.pk)
    data = export_json(alice)
    assert (data["format"], data["version"]) == ("mitra-journal", 1)
    assert data["exported_at"].endswith("+00:00")
    assert data["doses"] == []
    assert [p["removed"] for p in data["products"]] == [False]
