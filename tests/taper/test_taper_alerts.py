"""The taper's info alerts are stored when the journal changes: a day over, a hold proposed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from mitra.journal import services
from mitra.journal.models import Alert
from mitra.reads.taper import save_preview, taper_preview

pytestmark = pytest.mark.django_db(transaction=True)


def rules(person: Any) -> set[str]:
    return set(Alert.objects.filter(person=person).values_list("rule", flat=True))


def test_a_dose_over_the_allowance_and_rising_withdrawal_store_info_alerts(
    alice: Any, powder: Any
) -> None:
    save_preview(alice, taper_preview(alice, to="0", pace="10-per-week", start_amount="8g"))
    services.log_dose(
        alice, {"product_id": powder.pk, "taken_at": timezone.now(), "amount": 9, "unit": "g"}
    )
    assert "taper_over_allowance" in rules(alice)
    now = timezone.now()
    # Two check-ins a moment apart, both inside the taper's first day whatever the hour (an
    # hour apart, the first fell on the day before the taper for an hour after the boundary).
    for seconds in (2, 1):
        services.add_checkin(
            alice,
            {
                "at": now - timedelta(seconds=seconds),
                "anxiety": 5,
                "symptoms": ["restless", "yawning", "sweating"],
            },
        )
    assert "taper_hold_proposed" in rules(alice)
    assert set(
        Alert.objects.filter(rule__startswith="taper").values_list("severity", flat=True)
    ) == {"info"}
