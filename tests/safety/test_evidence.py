"""Typed evidence: stored with its kind, read back into the same type, shown as labelled facts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from mitra.safety import StoredEvidence, evaluate, evidence_from_json
from mitra.safety.evidence import DoseSeen, ProductSeen, SubstanceSeen, evidence_kinds
from mitra.safety.rules.dose_bands import BandUsed, DoseBandEvidence
from mitra.safety.rules.interaction import UnknownSubstanceEvidence
from tests.safety.test_rules import alice, at, busy_journal

BERLIN = ZoneInfo("Europe/Berlin")


def test_every_rules_evidence_survives_storage_as_the_same_type() -> None:
    monday = date(2025, 6, 23)
    week = [(at(monday + timedelta(days=d)), {"craving", "muscle_aches"}) for d in (0, 2, 4)]
    candidates = evaluate(busy_journal()) + evaluate(alice(checkins=week))
    kinds = set()
    for candidate in candidates:
        stored = json.loads(json.dumps(candidate.as_dict()["evidence"]))
        assert stored["kind"] == candidate.evidence.kind
        back = evidence_from_json(stored)
        assert back == candidate.evidence, candidate.rule
        assert back.facts(BERLIN), candidate.rule
        kinds.add(back.kind)
    assert kinds == set(evidence_kinds())


def test_a_time_is_shown_on_the_persons_clock_because_its_field_is_a_time() -> None:
    evidence = DoseBandEvidence(
        dose=DoseSeen(datetime(2025, 3, 3, 20, tzinfo=UTC), 6.0, ProductSeen(1, "Red", "powder")),
        band_used=BandUsed("grundmann2017_adverse", "adverse", 5.0, None, False),
    )
    assert evidence.facts(BERLIN)[0].text == "6 g of Red at 3 Mar 2025, 21:00"


def test_a_name_that_looks_like_a_time_is_shown_as_it_was_written() -> None:
    for name in ("2026-11-29T25:00", "2026-11-29T21:00"):
        evidence = UnknownSubstanceEvidence(journal_substance=SubstanceSeen(1, name, None))
        back = evidence_from_json(evidence.to_json())
        assert back.facts(BERLIN)[0].text == name


def test_evidence_stored_without_a_kind_is_plain_labelled_text_never_parsed() -> None:
    old = {"journal_substance": {"id": 1, "name": "2026-11-29T21:00"}, "unknown": True}
    back = evidence_from_json(old)
    assert isinstance(back, StoredEvidence)
    facts = {f.label: f.text for f in back.facts(BERLIN)}
    assert facts["Journal substance"] == '{"id": 1, "name": "2026-11-29T21:00"}'
    assert facts["Unknown"] == "true"


def test_evidence_whose_fields_no_longer_fit_its_kind_is_shown_as_plain_text() -> None:
    back = evidence_from_json({"kind": "daily_streak", "days": "many"})
    assert isinstance(back, StoredEvidence)
    assert ("Days", "many") in [(f.label, f.text) for f in back.facts(BERLIN)]
