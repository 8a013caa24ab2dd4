"""Journals for the reads' tests: `mixed_journal`, several weeks of mixed kratom products, and
`one_of_each`, one entry of each kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

#: The moment the mixed journal is read at (the reads' clock is fixed to it).
NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
WEEKS = 9


@dataclass(frozen=True)
class MixedJournal:
    """Alice's journal of four products over `WEEKS` weeks up to `NOW`, and what it holds."""

    person: Any
    now: datetime
    powder: Any  # leaf powder with a lab figure (15 mg mitragynine per g): exact
    capsules: Any  # leaf capsules, 0.5 g each, no lab figure: a literature estimate
    extract: Any  # an extract without a lab figure: no estimate exists
    seven_oh: Any  # a 7-OH product without a lab figure: no mitragynine estimate
    doses: dict[str, int]  # doses logged per product name
    grams_leaf: float  # grams of leaf in the whole journal (powder and capsules only)


@pytest.fixture
def mixed_journal(alice: Any, monkeypatch: pytest.MonkeyPatch) -> MixedJournal:
    """Every morning 3 g of lab-tested powder, every other afternoon 4 capsules, every third
    evening 1 g of extract, every fifth night one 7-OH tablet; anxiety twice a day; a GAD-7
    every two weeks. The reads' clock reads `NOW`."""
    from mitra.journal import services
    from mitra.reads import exposure, insights

    monkeypatch.setattr(exposure, "_now", lambda: NOW)
    monkeypatch.setattr(insights, "_now", lambda: NOW)
    add = services.add_product
    powder = add(alice, {"name": "Lab powder", "form": "powder", "mitragynine_mg_per_g": 15.0})
    capsules = add(
        alice,
        {"name": "Caps", "form": "capsules", "unit": "capsule", "grams_per_unit": 0.5},
    )
    extract = add(alice, {"name": "Extract", "form": "extract"})
    seven_oh = add(
        alice, {"name": "7-OH tabs", "form": "7oh", "unit": "tablet", "grams_per_unit": 0.1}
    )
    days = WEEKS * 7
    first = (NOW - timedelta(days=days - 1)).replace(hour=0, minute=0)
    counts = {"powder": 0, "capsules": 0, "extract": 0, "7oh": 0}
    leaf = 0.0

    def dose(product: Any, at: datetime, amount: float, unit: str) -> None:
        if at <= NOW:
            services.log_dose(
                alice, {"product_id": product.pk, "taken_at": at, "amount": amount, "unit": unit}
            )
            counts[product.form] += 1

    for d in range(days):
        day = first + timedelta(days=d)
        dose(powder, day + timedelta(hours=7), 3.0, "g")
        if d % 2 == 0:
            dose(capsules, day + timedelta(hours=13), 4, "capsule")
        if d % 3 == 0:
            dose(extract, day + timedelta(hours=19), 1.0, "g")
        if d % 5 == 0:
            dose(seven_oh, day + timedelta(hours=21), 1, "tablet")
        for hour, anxiety in ((9, 3 + d % 3), (17, 4 + d % 4)):
            if day + timedelta(hours=hour) <= NOW:
                services.add_checkin(alice, {"at": day + timedelta(hours=hour), "anxiety": anxiety})
        if d % 14 == 0:
            services.submit_response(
                alice,
                {
                    "instrument": "GAD-7",
                    "answers": [2, 2, 1, 1, 1, 1, 1] if d < 28 else [1, 1, 1, 1, 0, 0, 0],
                    "at": day + timedelta(hours=20),
                },
            )
    leaf = counts["powder"] * 3.0 + counts["capsules"] * 2.0
    return MixedJournal(
        person=alice,
        now=NOW,
        powder=powder,
        capsules=capsules,
        extract=extract,
        seven_oh=seven_oh,
        doses=counts,
        grams_leaf=leaf,
    )


NOON = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def one_of_each(alice: Any, powder: Any) -> dict[str, int]:
    """One entry of each kind, an hour apart: check-in oldest, response newest."""
    from mitra.journal import services

    at = [NOON + timedelta(hours=n) for n in range(5)]
    checkin = services.add_checkin(
        alice, {"at": at[0], "anxiety": 4, "practices": [{"kind": "breathing", "minutes": 5}]}
    )
    dose = services.log_dose(
        alice, {"product_id": powder.pk, "taken_at": at[1], "amount": 2, "unit": "g"}
    )
    practice = services.log_practice(alice, {"kind": "yoga", "minutes": 20, "at": at[2]})
    substance = services.add_substance(alice, {"name": "alcohol"})
    intake = services.log_intake(
        alice, {"substance_id": substance.pk, "taken_at": at[3], "amount": 2, "unit": "drinks"}
    )
    response = services.submit_response(
        alice, {"instrument": "PHQ-9", "at": at[4], "answers": [1] * 8 + [0]}
    )
    return {
        "checkin": checkin.pk,
        "dose": dose.pk,
        "practice": practice.pk,
        "intake": intake.pk,
        "response": response.pk,
    }
