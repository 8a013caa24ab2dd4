"""Every quantity has a smallest sensible value and a precision: 1e-320 is a slip, not a dose."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.errors import EntryInvalid
from mitra.journal.models import Dose

pytestmark = pytest.mark.django_db

TINY = 1e-320


def _an_hour_ago() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


def _dose(alice: Any, powder: Any, amount: float) -> Any:
    return services.log_dose(
        alice, {"product_id": powder.id, "taken_at": _an_hour_ago(), "amount": amount, "unit": "g"}
    )


def _capsules(alice: Any, powder: Any, grams: float) -> Any:
    return services.add_product(alice, {"name": "C", "unit": "capsule", "grams_per_unit": grams})


def _lab(alice: Any, powder: Any, mg: float) -> Any:
    return services.add_product(alice, {"name": "L", "unit": "g", "hydroxy_mg_per_g": mg})


def _sleep(alice: Any, powder: Any, hours: float) -> Any:
    return services.add_checkin(alice, {"at": _an_hour_ago(), "anxiety": 3, "sleep_hours": hours})


def _intake(alice: Any, powder: Any, amount: float) -> Any:
    substance = services.add_substance(alice, {"name": "sertraline"})
    return services.log_intake(
        alice,
        {"substance_id": substance.id, "taken_at": _an_hour_ago(), "amount": amount, "unit": "mg"},
    )


QUANTITIES: list[tuple[str, Callable[[Any, Any, float], Any], str, str]] = [
    ("dose amount", _dose, "amount", "amount"),
    ("grams per unit", _capsules, "grams_per_unit", "grams_per_unit"),
    ("7-OH mg per g", _lab, "hydroxy_mg_per_g", "hydroxy_mg_per_g"),
    ("sleep hours", _sleep, "sleep_hours", "sleep_hours"),
    ("intake amount", _intake, "amount", "amount"),
]
IDS = [q[0] for q in QUANTITIES]


@pytest.mark.parametrize(("what", "enter", "field", "attribute"), QUANTITIES, ids=IDS)
def test_a_vanishingly_small_quantity_is_refused(
    what: str,
    enter: Callable[[Any, Any, float], Any],
    field: str,
    attribute: str,
    alice: Any,
    powder: Any,
) -> None:
    with pytest.raises(EntryInvalid) as refused:
        enter(alice, powder, TINY)
    assert "at least" in refused.value.errors[field], what


@pytest.mark.parametrize(("what", "enter", "field", "attribute"), QUANTITIES, ids=IDS)
def test_a_quantity_keeps_a_sensible_precision(
    what: str,
    enter: Callable[[Any, Any, float], Any],
    field: str,
    attribute: str,
    alice: Any,
    powder: Any,
) -> None:
    saved = enter(alice, powder, 1.23456789)
    assert getattr(saved, attribute) in {1.23, 1.235, 1.2346}, what


def test_zero_stays_possible_where_it_means_something(alice: Any, powder: Any) -> None:
    assert _sleep(alice, powder, 0).sleep_hours == 0  # a sleepless night
    assert _lab(alice, powder, 0).hydroxy_mg_per_g == 0  # not detected by the lab


def test_the_dose_form_shows_the_smallest_amount_beside_the_field(
    alice: Any, powder: Any, client: Client
) -> None:
    response = client.post(
        "/doses",
        {
            "token": "t-tiny",
            "product_id": str(powder.id),
            "taken_at": "2026-01-10T08:00",
            "amount": "1e-320",
            "unit": "g",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    error = re.search(r'<ul class="errorlist" id="dose_amount_error">(.*?)</ul>', page, re.S)
    assert error, "the message stands beside the amount"
    assert "at least 0.001" in error.group(1)
    assert not Dose.objects.exists()


def test_a_dose_typed_with_other_scripts_digits_is_the_same_number(
    alice: Any, powder: Any, client: Client
) -> None:
    for token, amount in [("t-arabic", "٣"), ("t-fullwidth", "１.５")]:
        response = client.post(
            "/doses",
            {
                "token": token,
                "product_id": str(powder.id),
                "taken_at": "2026-01-10T08:00",
                "amount": amount,
                "unit": "g",
            },
        )
        assert response.status_code == 302, amount
    assert sorted(Dose.objects.values_list("amount", flat=True)) == [1.5, 3.0]
