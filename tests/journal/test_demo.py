"""The demo service stores synthetic entries the way the person's own entries are stored."""

from __future__ import annotations

from typing import Any

import pytest

from mitra.journal import services
from mitra.journal.demo import load_demo
from mitra.journal.models import CheckIn, Practice, Response

pytestmark = pytest.mark.django_db


def test_demo_check_ins_and_responses_go_through_the_services_row_mapping(
    alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    for name in ("checkin_rows", "response_row"):
        original = getattr(services, name)

        def spy(*args: Any, _original: Any = original, _name: str = name, **kw: Any) -> Any:
            seen.append(_name)
            return _original(*args, **kw)

        monkeypatch.setattr(services, name, spy)
    counts = load_demo(alice, days=30, seed=2)
    assert seen.count("checkin_rows") == counts["checkins"] == CheckIn.objects.count() > 0
    assert seen.count("response_row") == counts["responses"] == Response.objects.count() > 0
    assert counts["practices"] == Practice.objects.filter(checkin__isnull=False).count()


def test_a_demo_response_is_stored_as_the_same_submission_would_be(alice: Any) -> None:
    load_demo(alice, days=30, seed=2)
    stored = Response.objects.order_by("at").first()
    assert stored is not None
    again = services.response_row(
        alice, {"instrument": stored.instrument, "at": stored.at, "answers": stored.answers}
    )
    fields = ("instrument", "answers", "total", "band", "flags", "crisis")
    assert [getattr(stored, f) for f in fields] == [getattr(again, f) for f in fields]
