"""Reads cached on the journal's version: every change is seen at once, nothing else recomputes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from mitra.journal import services
from mitra.journal.version import journal_version
from mitra.reads import cache
from mitra.reads import insights as insight_reads
from mitra.reads import today as today_reads

NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


@pytest.fixture
def journal(alice: Any, powder: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Alice with three weeks of a morning dose and an evening check-in, read at NOW."""
    from mitra.reads import exposure

    monkeypatch.setattr(exposure, "_now", lambda: NOW)
    monkeypatch.setattr(insight_reads, "_now", lambda: NOW)
    for d in range(21, 0, -1):
        morning = NOW - timedelta(days=d, hours=2)
        services.log_dose(
            alice, {"product_id": powder.pk, "taken_at": morning, "amount": 3.0, "unit": "g"}
        )
        services.add_checkin(alice, {"at": morning + timedelta(hours=10), "anxiety": 3 + d % 4})
    return alice


def _dose(person: Any, product: Any, grams: float, at: datetime = NOW) -> Any:
    return services.log_dose(
        person, {"product_id": product.pk, "taken_at": at, "amount": grams, "unit": "g"}
    )


def test_unchanged_journal_is_read_from_the_cache(journal: Any) -> None:
    first = insight_reads.insights(journal)
    again = insight_reads.insights(journal)
    assert again is first
    day = today_reads.today(journal, now=NOW)
    assert today_reads.today(journal, now=NOW).entries is day.entries


def test_a_dose_is_on_today_at_once(journal: Any, powder: Any) -> None:
    before = today_reads.today(journal, now=NOW)
    _dose(journal, powder, 2.5, NOW - timedelta(minutes=5))
    after = today_reads.today(journal, now=NOW)
    assert after.totals.grams_leaf == pytest.approx(before.totals.grams_leaf + 2.5)
    assert len(after.entries) == len(before.entries) + 1
    assert after.exposure.doses == before.exposure.doses + 1


def test_the_first_product_brings_the_dose_form_to_today_at_once(alice: Any) -> None:
    assert not today_reads.today(alice, now=NOW).has_products  # "add a product first"
    services.add_product(alice, {"name": "Green powder", "unit": "g"})
    assert today_reads.today(alice, now=NOW).has_products


def test_a_checkin_is_in_the_insights_at_once(journal: Any) -> None:
    before = insight_reads.insights(journal)
    services.add_checkin(journal, {"at": NOW - timedelta(hours=1), "anxiety": 9})
    after = insight_reads.insights(journal)
    assert after is not before
    assert after == insight_reads._insights(journal, after.last)  # what a fresh read computes


def test_a_deletion_and_its_undo_are_seen_at_once(journal: Any, powder: Any) -> None:
    dose = _dose(journal, powder, 4.0, NOW - timedelta(minutes=30))
    with_it = today_reads.today(journal, now=NOW).totals.grams_leaf
    services.delete_dose(journal, dose.pk)
    assert today_reads.today(journal, now=NOW).totals.grams_leaf == pytest.approx(with_it - 4.0)
    assert insight_reads.insights(journal).doses == 21
    services.restore_dose(journal, dose.pk)
    assert today_reads.today(journal, now=NOW).totals.grams_leaf == pytest.approx(with_it)
    assert insight_reads.insights(journal).doses == 22


def test_an_edit_is_seen_at_once(journal: Any, powder: Any) -> None:
    dose = _dose(journal, powder, 1.0, NOW - timedelta(minutes=30))
    before = today_reads.today(journal, now=NOW).totals.grams_leaf
    services.edit_dose(
        journal,
        dose.pk,
        {"product_id": powder.pk, "taken_at": dose.taken_at, "amount": 6.0, "unit": "g"},
    )
    assert today_reads.today(journal, now=NOW).totals.grams_leaf == pytest.approx(before + 5.0)


def test_a_new_time_zone_moves_the_day_at_once(journal: Any) -> None:
    later = NOW + timedelta(hours=4)  # 16:00 in Berlin, 5:00 the next day in Kiritimati
    berlin = today_reads.today(journal, now=later)
    person = services.set_up_person({"time_zone": "Pacific/Kiritimati"})  # UTC+14
    kiritimati = today_reads.today(person, now=later)
    assert kiritimati.day == berlin.day + timedelta(days=1)


def test_every_kind_of_change_raises_the_version(journal: Any, powder: Any) -> None:
    seen = [journal_version(journal)]

    def changed() -> None:
        now = journal_version(journal)
        assert now > seen[-1]
        seen.append(now)

    dose = _dose(journal, powder, 1.0)
    changed()
    services.edit_dose(
        journal, dose.pk, {"product_id": powder.pk, "taken_at": NOW, "amount": 2.0, "unit": "g"}
    )
    changed()
    services.delete_dose(journal, dose.pk)
    changed()
    services.restore_dose(journal, dose.pk)
    changed()
    checkin = services.add_checkin(journal, {"at": NOW, "anxiety": 2})
    changed()
    services.edit_checkin(journal, checkin.pk, {"at": NOW, "anxiety": 3})
    changed()
    services.log_practice(journal, {"at": NOW, "kind": "yoga", "minutes": 20})
    changed()
    substance = services.add_substance(journal, {"name": "sertraline"})
    changed()
    services.log_intake(journal, {"substance_id": substance.pk, "taken_at": NOW})
    changed()
    services.edit_product(journal, powder.pk, {"name": "Green", "mitragynine_mg_per_g": 12.0})
    changed()
    services.add_product(journal, {"name": "Red capsules", "form": "capsules", "unit": "capsule",
                                   "grams_per_unit": 0.5})  # fmt: skip
    changed()
    services.submit_response(
        journal, {"instrument": "GAD-7", "answers": [1, 1, 1, 1, 0, 0, 0], "at": NOW}
    )
    changed()
    services.set_up_person({"day_boundary_hour": 5})
    changed()


def test_a_demo_import_raises_the_version(alice: Any) -> None:
    from mitra.journal.demo import load_demo

    before = journal_version(alice)
    load_demo(alice, days=20, seed=3)
    assert journal_version(alice) > before
    assert insight_reads.insights(alice).doses > 0


def test_a_failed_write_leaves_the_version(journal: Any) -> None:
    from mitra.journal.errors import EntryInvalid

    before = journal_version(journal)
    with pytest.raises(EntryInvalid):
        services.add_checkin(journal, {"at": NOW, "anxiety": 11})
    assert journal_version(journal) == before


def test_a_cached_timeline_cannot_be_changed_by_a_caller(journal: Any) -> None:
    line = cache.timeline(journal, NOW.date() - timedelta(days=7), NOW.date())
    with pytest.raises(ValueError, match="read-only"):
        line.dose_grams[0] = 99.0
    assert np.all(line.dose_grams == 3.0)


def test_a_database_made_again_never_meets_an_old_entry(journal: Any) -> None:
    # The key holds the person's creation time: the same id in a new database is a new journal.
    assert cache.journal_stamp(journal)[1] == str(journal.created_at)


def test_warming_fills_the_cache_with_what_a_page_reads(
    journal: Any, django_assert_max_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from mitra.reads.warm import warm_reads

    monkeypatch.setattr(connection, "close", lambda: None)  # the test's own connection
    warm_reads()
    with django_assert_max_num_queries(1):  # the version only
        insight_reads.insights(journal)


def _kept_files(kind: str) -> list[Any]:
    from django.conf import settings

    folder = settings.DATA_DIR / "cache" / kind
    return sorted(folder.glob("*.cache")) if folder.exists() else []


def test_insights_survive_a_restart_in_the_data_folder_owner_only(
    journal: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stat

    first = insight_reads.insights(journal)
    cache.clear(kept=False)  # what a restart forgets

    def not_again(*args: Any) -> Any:
        raise AssertionError("computed again although the journal did not change")

    monkeypatch.setattr(insight_reads, "_insights", not_again)
    assert insight_reads.insights(journal) == first
    kept = _kept_files("reads")
    assert kept
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    assert stat.S_IMODE(kept[0].parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("change", ["checkin", "delete", "undo", "import"])
def test_a_kept_result_is_never_served_after_a_change(
    journal: Any, powder: Any, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if change == "import":  # the demo's days end at the real today
        monkeypatch.setattr(insight_reads, "_now", lambda: datetime.now(UTC))
    dose = _dose(journal, powder, 4.0, NOW - timedelta(minutes=30))
    if change == "undo":
        services.delete_dose(journal, dose.pk)
    before = insight_reads.insights(journal)
    if change == "checkin":
        services.add_checkin(journal, {"at": NOW - timedelta(hours=1), "anxiety": 9})
    elif change == "delete":
        services.delete_dose(journal, dose.pk)
    elif change == "undo":
        services.restore_dose(journal, dose.pk)
    else:
        from mitra.journal.demo import load_demo

        load_demo(journal, days=5, seed=2)
    cache.clear(kept=False)  # a restart: the file kept before the change is still there
    after = insight_reads.insights(journal)
    assert after != before
    assert after == insight_reads._insights(journal, after.last)


def test_a_damaged_kept_file_is_only_a_miss(journal: Any) -> None:
    first = insight_reads.insights(journal)
    for path in _kept_files("reads"):
        path.write_text('{"first": "not a date"')
    cache.clear(kept=False)
    assert insight_reads.insights(journal) == first


def test_warming_the_server_caches_todays_figures_and_the_insights(
    journal: Any, django_assert_max_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from mitra.web.warm import warm_pages

    monkeypatch.setattr(connection, "close", lambda: None)  # the test's own connection
    cache.clear()
    warm_pages()
    with django_assert_max_num_queries(1):  # the version only
        insight_reads.insights(journal)


def test_a_card_made_from_unchanged_weeks_is_reused_and_a_dose_changes_it_at_once(
    journal: Any, powder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mitra.insights import kratom

    trend = insight_reads.insight(journal, "kratom.dose_trend")
    services.add_checkin(journal, {"at": NOW - timedelta(days=10, hours=3), "anxiety": 5})
    made = []
    original = kratom._dose_trend
    monkeypatch.setattr(kratom, "_dose_trend", lambda *a: made.append(1) or original(*a))
    assert insight_reads.insight(journal, "kratom.dose_trend") == trend
    assert made == [], "a check-in in a counted week leaves the weekly doses as they were"
    _dose(journal, powder, 9.0, NOW - timedelta(days=10))
    after = insight_reads.insight(journal, "kratom.dose_trend")
    assert made == [1]
    assert after is not None
    assert trend is not None
    assert after.data["weekly"] != trend.data["weekly"]
    cache.clear()
    assert (
        insight_reads.insights(journal).cards == insight_reads._insights(journal, NOW.date()).cards
    )


# --- Results reused on equal inputs: each follows a write, an undo, a delete and an import ---


@dataclass(frozen=True)
class _Row:
    """An imported row, as a parser hands it over."""

    where: str
    kind: str
    key: str
    data: dict[str, Any]


def _fresh(person: Any) -> Any:
    """The insights computed from nothing: no cached read, no card kept from before."""
    cache.clear()
    return insight_reads.insights(person)


@pytest.fixture
def demo_journal(alice: Any) -> Any:
    """Alice with 200 days of the demo: doses, check-ins, practices and GAD-7s, read now."""
    from mitra.journal.demo import load_demo

    load_demo(alice, days=200, seed=3)
    return alice


def test_kept_cards_and_quarters_follow_every_kind_of_change(
    demo_journal: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from mitra.insights import kratom, trends

    person = demo_journal
    fits: list[int] = []
    scored: list[int] = []
    quarters, gad7 = kratom._quarter_slopes, trends._gad7_card
    monkeypatch.setattr(
        kratom, "_quarter_slopes", lambda fitted: fits.extend([1] * len(fitted)) or quarters(fitted)
    )
    monkeypatch.setattr(trends, "_gad7_card", lambda *a: scored.append(1) or gad7(*a))
    first = insight_reads.insights(person)
    shown = {c.id: c for c in first.cards}
    assert len(shown["kratom.tolerance"].data["quarters"]) >= 2
    assert shown["gad7.history"].status == "shown"
    fits.clear()
    scored.clear()

    def card(read: Any, card_id: str) -> Any:
        return next(c for c in read.cards if c.id == card_id)

    def commit(change: Any) -> Any:
        """`change()` committed as a request's would be (so its version is noted)."""
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    # A check-in: the GAD-7 card is the one made before, and only the last quarter is refitted.
    commit(
        lambda: services.add_checkin(
            person, {"at": datetime.now(UTC) - timedelta(hours=1), "anxiety": 9}
        )
    )
    after = insight_reads.insights(person)
    assert scored == []
    assert len(fits) <= 1
    assert after.cards == _fresh(person).cards
    # A GAD-7 is seen at once, and its deletion, and its undo.
    history = len(card(after, "gad7.history").data["history"])
    gad7_answers = {
        "instrument": "GAD-7",
        "answers": [3] * 7,
        "at": datetime.now(UTC) - timedelta(hours=2),
    }
    answered = commit(lambda: services.submit_response(person, gad7_answers))
    added = insight_reads.insights(person)
    assert len(card(added, "gad7.history").data["history"]) == history + 1
    assert card(added, "gad7.history").sentence.startswith("Your latest GAD-7 total is 21")
    assert added.cards == _fresh(person).cards
    insight_reads.insights(person)
    commit(lambda: services.delete_response(person, answered.pk))
    deleted = insight_reads.insights(person)
    assert len(card(deleted, "gad7.history").data["history"]) == history
    assert deleted.cards == _fresh(person).cards
    insight_reads.insights(person)
    commit(lambda: services.restore_response(person, answered.pk))
    restored = insight_reads.insights(person)
    assert len(card(restored, "gad7.history").data["history"]) == history + 1
    assert restored.cards == _fresh(person).cards
    # An import of an old GAD-7 and old check-ins changes an early quarter and the history.
    from mitra.journal.imports import import_rows

    insight_reads.insights(person)
    early = datetime.now(UTC) - timedelta(days=150)
    rows = [
        _Row("line 1", "response", "r1", {"instrument": "GAD-7", "answers": [0] * 7, "at": early}),
        *(
            _Row(
                f"line {i + 2}",
                "checkin",
                f"c{i}",
                {"at": early + timedelta(hours=i), "anxiety": 10},
            )
            for i in range(3)
        ),
    ]
    result = commit(lambda: import_rows(person, "csv", rows))
    assert sum(result.added.values()) == 4, result.skipped
    imported = insight_reads.insights(person)
    assert len(card(imported, "gad7.history").data["history"]) == history + 2
    assert card(imported, "kratom.tolerance").data != card(restored, "kratom.tolerance").data
    assert imported.cards == _fresh(person).cards


def test_todays_curve_is_drawn_once_a_quarter_hour_and_a_dose_redraws_it(
    journal: Any, powder: Any
) -> None:
    from mitra.reads import exposure

    quarter = datetime(2026, 3, 2, 11, 1, tzinfo=UTC)
    first = today_reads.today(journal, now=quarter)
    drawn = exposure._curves.cache_info().misses
    later = today_reads.today(journal, now=quarter + timedelta(minutes=10))
    assert exposure._curves.cache_info().misses == drawn, "the same quarter hour, the same curve"
    assert later.exposure.concentration_nM == first.exposure.concentration_nM
    # The hours since the last dose are of the moment of reading, not of the curve's.
    assert first.exposure.hours_since_last_dose is not None
    assert later.exposure.hours_since_last_dose == pytest.approx(
        first.exposure.hours_since_last_dose + 10 / 60
    )
    dose = _dose(journal, powder, 5.0, quarter - timedelta(hours=1))
    with_dose = today_reads.today(journal, now=quarter + timedelta(minutes=10))
    assert with_dose.exposure.doses == first.exposure.doses + 1
    assert max(with_dose.exposure.concentration_nM) > max(first.exposure.concentration_nM)
    services.delete_dose(journal, dose.pk)
    assert (
        today_reads.today(journal, now=quarter + timedelta(minutes=10)).exposure.concentration_nM
        == first.exposure.concentration_nM
    )
    services.restore_dose(journal, dose.pk)
    assert (
        today_reads.today(journal, now=quarter + timedelta(minutes=10)).exposure.concentration_nM
        == with_dose.exposure.concentration_nM
    )


# --- The timeline after a change: only the parts it touched are read again ---


def _same_lines(a: Any, b: Any) -> None:
    from mitra.timeline import Timeline

    for name in Timeline.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype, name
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
        else:
            assert x == y, name


def test_after_a_change_only_its_parts_are_read_and_the_timeline_is_as_fresh(
    journal: Any,
    powder: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.db import connection, transaction

    from mitra.journal import timeline_builder
    from mitra.journal.imports import import_rows
    from mitra.timeline import TIMELINE_PARTS

    first, last = NOW.date() - timedelta(days=30), NOW.date()
    read: list[frozenset[str]] = []
    build = timeline_builder.build_timeline

    def spy(person: Any, start: Any, end: Any, parts: Any = TIMELINE_PARTS) -> Any:
        read.append(frozenset(parts))
        return build(person, start, end, parts)

    monkeypatch.setattr(timeline_builder, "build_timeline", spy)

    def after(change: Any) -> frozenset[str]:
        """The parts read again after `change`, checked against a timeline read afresh."""
        cache.timeline(journal, first, last)
        read.clear()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        line = cache.timeline(journal, first, last)
        _same_lines(line, build(journal, first, last))
        return read[0] if read else frozenset()

    everything = frozenset(TIMELINE_PARTS)
    checkin = services.add_checkin
    assert after(lambda: checkin(journal, {"at": NOW - timedelta(hours=1), "anxiety": 8})) == {
        "checkins",
        "practices",
    }
    dose = _dose(journal, powder, 1.5, NOW - timedelta(hours=3))
    assert after(lambda: _dose(journal, powder, 2.0, NOW - timedelta(hours=2))) == {"doses"}
    assert after(lambda: services.delete_dose(journal, dose.pk)) == {"doses"}
    assert after(lambda: services.restore_dose(journal, dose.pk)) == {"doses"}
    figures = {"name": "Green", "form": "powder", "mitragynine_mg_per_g": 20.0}
    assert after(lambda: services.edit_product(journal, powder.pk, figures)) == {"doses"}
    gad7 = {"instrument": "GAD-7", "answers": [2] * 7, "at": NOW - timedelta(hours=4)}
    assert after(lambda: services.submit_response(journal, gad7)) == {"responses"}
    substance = services.add_substance(journal, {"name": "sertraline"})
    intake = {"substance_id": substance.pk, "taken_at": NOW - timedelta(hours=5)}
    assert after(lambda: services.log_intake(journal, intake)) == {"intakes"}
    rows = [_Row("line 1", "checkin", "k1", {"at": NOW - timedelta(days=3), "anxiety": 1})]
    assert after(lambda: import_rows(journal, "csv", rows)) == everything
    assert after(lambda: services.log_practice(journal, {"at": NOW, "kind": "yoga", "minutes": 5}))
    assert read[0] == everything, "a change that does not say what it touched reads everything"

    # A change rolled back notes nothing: when another process then makes a change of its own
    # under the same version number, everything is read again.
    def write_and_fail() -> None:
        with transaction.atomic():
            checkin(journal, {"at": NOW - timedelta(minutes=30), "anxiety": 2})
            raise RuntimeError

    def rolled_back_then_another_process() -> None:
        with pytest.raises(RuntimeError):
            write_and_fail()
        with connection.cursor() as cursor:
            cursor.execute('UPDATE "journal_dose" SET "grams" = 7 WHERE "id" = %s', [dose.pk])
            cursor.execute('UPDATE "journal_person" SET "version" = "version" + 1')

    assert after(rolled_back_then_another_process) == everything
    assert 7.0 in cache.timeline(journal, first, last).dose_grams
