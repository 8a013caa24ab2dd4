"""The alert refresh reads the window and what changed; a streak is still followed to its start."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from mitra.journal import alerts, services
from mitra.journal.models import Alert, Dose
from mitra.timeline import DayClock

NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


def _walk_back(clock: DayClock, first: date, times: list[datetime]) -> date:
    """The reference: walk back through every earlier dose, newest first (main's algorithm)."""
    start = first
    for taken_at in sorted(times, reverse=True):
        day = clock.local_day(taken_at)
        if day == start - timedelta(days=1):
            start = day
        elif day < start - timedelta(days=1):
            break
    return start


@pytest.mark.parametrize("seed", range(8))
def test_the_streak_start_is_the_walk_back_through_every_dose(seed: int) -> None:
    rng = np.random.default_rng(seed)
    clock = DayClock("Europe/Berlin", 4)
    first = date(2026, 1, 10)
    gap = int(rng.integers(1, 400))  # days without kratom somewhere before `first`
    times = [
        datetime(2026, 1, 10, 6, tzinfo=UTC) - timedelta(days=d, hours=float(rng.uniform(0, 20)))
        for d in range(1, 800)
        if d != gap and rng.random() < 0.97
    ]
    before = alerts._Before(
        fingerprint=(),
        time=np.array(sorted(t.timestamp() for t in times)),
        product=np.zeros(len(times), dtype=np.int64),
        grams=np.ones(len(times)),
    )
    assert alerts._streak_start(clock, first, before) == _walk_back(clock, first, times)


def _streak_days(person: Any) -> int:
    data = alerts.safety_input(person, NOW)
    return (data.timeline.first - alerts.streak_input(data, person).timeline.first).days


def _daily(person: Any, product: Any, days: range, at: datetime = NOW) -> list[Dose]:
    """A 2 g dose `d` days before `at` for each d in `days`, stored without a refresh."""
    made = [
        Dose(person=person, product=product, taken_at=at - timedelta(days=d), amount=2, unit="g")
        for d in days
    ]
    for dose in made:
        services.normalise_into(dose, product)
    return Dose.objects.bulk_create(made)


def test_a_back_dated_dose_that_closes_a_gap_lengthens_the_streak_at_once(
    alice: Any, powder: Any
) -> None:
    _daily(alice, powder, range(1, 200))
    gap = NOW - timedelta(days=150)
    Dose.objects.filter(taken_at=gap).delete()
    shorter = _streak_days(alice)
    assert shorter < 40
    services.log_dose(alice, {"product_id": powder.pk, "taken_at": gap, "amount": 2, "unit": "g"})
    assert _streak_days(alice) > shorter + 40


def test_a_first_refresh_reads_back_to_the_streak_s_day_off_not_the_whole_history(
    alice: Any, powder: Any
) -> None:
    _daily(alice, powder, range(1, 400))
    first = alerts.safety_input(alice, NOW).timeline.first
    off = (NOW.date() - first).days + 10  # a day without kratom ten days before the window
    Dose.objects.filter(taken_at=NOW - timedelta(days=off)).delete()
    alerts._before.clear()  # as after a restart, or in a command's own process
    assert _streak_days(alice) == 9
    (read,) = alerts._before.values()
    # The weeks back to that day, not the hundreds of days of history before the window.
    assert read.time.size <= alerts._LOOK_BACK_DAYS


@pytest.mark.parametrize("off", [56, 57, 224, 225, 300])
def test_a_day_off_at_the_edge_of_each_read_ends_the_streak_there(
    alice: Any, powder: Any, off: int
) -> None:
    # The look-back reads 56 days, then 224, then 896: a day off on the first day of a read,
    # or on the day just before it, ends the streak on the right day either way.
    _daily(alice, powder, range(1, 700))
    first = alerts.safety_input(alice, NOW).timeline.first
    days_to_first = (NOW.date() - first).days
    Dose.objects.filter(taken_at=NOW - timedelta(days=days_to_first + off)).delete()
    alerts._before.clear()
    assert _streak_days(alice) == off - 1


def test_a_new_time_zone_is_a_new_streak_day_count_at_once(alice: Any, powder: Any) -> None:
    # A dose at 03:30 UTC each day for a year: on UTC's clock with days from 4:00 that is one
    # dose a day; on London's, summer time moves it to 04:30, so the day the clocks go forward
    # has none. The zone changes, the doses do not: the streak is read again, not kept.
    services.set_up_person({"time_zone": "Etc/UTC", "day_boundary_hour": 4}, alice)
    start = datetime(2025, 1, 1, 3, 30, tzinfo=UTC)
    made = [
        Dose(person=alice, product=powder, taken_at=start + timedelta(days=d), amount=2, unit="g")
        for d in range((NOW - start).days)
    ]
    for dose in made:
        services.normalise_into(dose, powder)
    Dose.objects.bulk_create(made)
    on_utc = _streak_days(alice)
    services.set_up_person({"time_zone": "Europe/London"}, alice)
    on_london = _streak_days(alice)
    alerts._before.clear()
    assert on_london == _streak_days(alice)  # as read afresh
    assert on_london < on_utc


def test_deleting_and_restoring_an_old_dose_is_seen_at_once(alice: Any, powder: Any) -> None:
    doses = _daily(alice, powder, range(1, 200))
    whole = _streak_days(alice)
    old = next(d for d in doses if d.taken_at == NOW - timedelta(days=150))
    services.delete_dose(alice, old.pk)
    assert _streak_days(alice) < whole
    services.restore_dose(alice, old.pk)
    assert _streak_days(alice) == whole


def test_moving_an_old_dose_into_the_window_is_seen_at_once(alice: Any, powder: Any) -> None:
    doses = _daily(alice, powder, range(1, 200))
    whole = _streak_days(alice)
    old = next(d for d in doses if d.taken_at == NOW - timedelta(days=150))
    services.edit_dose(
        alice,
        old.pk,
        {"product_id": powder.pk, "taken_at": NOW - timedelta(hours=1), "amount": 2, "unit": "g"},
    )
    assert _streak_days(alice) < whole


def test_the_rows_before_the_window_are_read_once_while_they_do_not_change(
    alice: Any, powder: Any, django_assert_max_num_queries: Any
) -> None:
    _daily(alice, powder, range(1, 200))
    _streak_days(alice)
    services.log_dose(alice, {"product_id": powder.pk, "taken_at": NOW, "amount": 2, "unit": "g"})
    data = alerts.safety_input(alice, NOW)
    with django_assert_max_num_queries(1):  # the fingerprint only
        alerts.streak_input(data, alice)


def test_a_write_reads_only_the_responses_its_rules_look_at_and_still_finds_them(
    alice: Any,
) -> None:
    from mitra.journal.models import Alert
    from mitra.safety import ResponsesRead

    now = datetime.now(UTC)

    def answer(instrument: str, answers: list[int], minutes_ago: int) -> Any:
        at = now - timedelta(minutes=minutes_ago)
        return services.submit_response(
            alice, {"instrument": instrument, "answers": answers, "at": at}
        )

    # Many GAD-7s, some flagged for care (as a day of load or a long daily habit makes), one
    # SOWS at the withdrawal mean and one PHQ-9 with a crisis answer.
    for n in range(12):
        answer("GAD-7", [3] * 6 + [n % 4], 60 - n)
    sows = answer("SOWS", [2] * 16, 30)
    crisis = answer("PHQ-9", [0] * 8 + [1], 20)
    since = now - timedelta(days=1)
    wanted = ResponsesRead(instruments=frozenset({"SOWS"}), flags=frozenset({"crisis"}))
    read = alerts._recent_responses(alice, since, wanted)
    assert [r.id for r in read] == [sows.pk, crisis.pk]
    assert read[1].flags == ("crisis",)
    assert len(alerts._recent_responses(alice, since)) == 14
    # The refresh a response's write runs (after its commit) finds both from these alone.
    found = {a.rule for a in alerts.refresh_alerts(alice, now, "response")}
    assert {"crisis_answer", "withdrawal_sows"} <= found
    assert set(Alert.objects.filter(person=alice).values_list("rule", flat=True)) >= found


def test_a_questionnaire_with_no_sows_or_crisis_answer_reads_no_doses_and_still_withdraws(
    alice: Any, powder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A SOWS at the withdrawal mean after a dose: its alert; the SOWS deleted, a GAD-7's write
    # (no SOWS, no crisis answer in the window) reads no timeline part and withdraws it.
    from mitra.journal.models import Alert

    now = datetime.now(UTC)
    services.log_dose(
        alice,
        {"product_id": powder.pk, "taken_at": now - timedelta(hours=30), "amount": 3, "unit": "g"},
    )
    sows = services.submit_response(
        alice, {"instrument": "SOWS", "answers": [2] * 16, "at": now - timedelta(hours=2)}
    )
    assert "withdrawal_sows" in {a.rule for a in alerts.refresh_alerts(alice, now, "response")}
    services.delete_response(alice, sows.pk)
    services.submit_response(
        alice, {"instrument": "GAD-7", "answers": [1] * 7, "at": now - timedelta(minutes=5)}
    )
    built: list[set[str]] = []
    build = alerts.build_timeline

    def recording(person: Any, first: Any, last: Any, parts: Any = ()) -> Any:
        built.append(set(parts))
        return build(person, first, last, parts)

    monkeypatch.setattr(alerts, "build_timeline", recording)
    alerts.refresh_alerts(alice, now, "response")
    assert built == [set()]
    sows_alert = Alert.objects.get(person=alice, rule="withdrawal_sows")
    assert sows_alert.withdrawn_at is not None


def test_a_new_time_zone_tells_a_streak_on_the_new_days_at_once(
    alice: Any, powder: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A dose at 03:30 UTC every day for over a year: on London's clock the day summer time
    starts has none, so the streak the alerts told of on UTC's days is two streaks now. The
    alerts say so when the setting changes, not only after the next entry, and the open alert
    of the streak as UTC's days counted it, no longer true, is withdrawn, saying why."""
    services.set_up_person({"time_zone": "Etc/UTC", "day_boundary_hour": 4}, alice)
    at = datetime.now(UTC).replace(hour=3, minute=30, second=0, microsecond=0)
    _daily(alice, powder, range(1, 400), at)  # a March in any 400 days
    alerts.refresh_alerts(alice)

    def told() -> set[str]:
        return set(
            Alert.objects.filter(
                person=alice, rule="daily_streak", acknowledged_at=None, withdrawn_at=None
            ).values_list("evidence_key", flat=True)
        )

    on_utc = told()
    assert len(on_utc) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.set_up_person({"time_zone": "Europe/London"}, alice)
    on_london = told()
    assert len(on_london) == 1
    assert on_london != on_utc
    alerts.refresh_alerts(alice)  # every rule, afresh: nothing was left to correct
    assert told() == on_london
    from mitra.reads.alerts import alerts as alert_list

    (gone,) = [
        a for a in alert_list(alice, include_read=True).alerts
        if a.rule == "daily_streak" and a.withdrawn
    ]  # fmt: skip
    assert "counted anew (a new time zone or day start" in gone.withdrawn_because
    # Back on UTC's days, the streak as they count it is told again: the same alert, unread.
    with django_capture_on_commit_callbacks(execute=True):
        services.set_up_person({"time_zone": "Etc/UTC"}, alice)
    assert told() == on_utc


def _open_alert(person: Any, rule: str, key: str, days_ago: int) -> Alert:
    return Alert.objects.create(
        person=person, rule=rule, severity="caution", rank=2, title="t", text="t", advice="a",
        sources=[], evidence={}, evidence_grade="heuristic", evidence_key=f"{rule}:{key}",
        at=datetime.now(UTC) - timedelta(days=days_ago),
    )  # fmt: skip


def test_a_new_clock_leaves_trend_alerts_the_rules_do_not_read_again_as_they_were(
    alice: Any, powder: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Escalation looks only at its latest week, and a streak long over is not followed back:
    their unread alerts are history the new clock does not recount, and stay open."""
    _daily(alice, powder, range(1, 30))
    weekly = _open_alert(alice, "escalation", "2026-W01", 20)
    old_streak = _open_alert(alice, "daily_streak", "2025-01-01:14", 300)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_up_person({"time_zone": "Asia/Tokyo"}, alice)
    for alert in (weekly, old_streak):
        alert.refresh_from_db()
        assert alert.withdrawn_at is None
        assert alert.acknowledged_at is None


def test_a_new_clock_whose_refresh_fails_hides_no_alert(
    alice: Any, powder: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    at = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    _daily(alice, powder, range(1, 30), at)
    alerts.refresh_alerts(alice)
    streak = Alert.objects.get(person=alice, rule="daily_streak")

    def fails(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("a rule failed")

    monkeypatch.setattr(alerts, "evaluate", fails)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_up_person({"time_zone": "Asia/Tokyo"}, alice)
    streak.refresh_from_db()
    assert streak.withdrawn_at is None


def test_a_read_streak_alert_no_longer_true_is_withdrawn_and_comes_back_read(
    alice: Any, powder: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The walkthrough's case: a streak alert read, then the days move so the streak is
    another; the read alert is withdrawn too (its figures contradict the new one's), and back
    on the first clock it returns as it was: read."""
    services.set_up_person({"time_zone": "Etc/UTC", "day_boundary_hour": 4}, alice)
    at = datetime.now(UTC).replace(hour=3, minute=30, second=0, microsecond=0)
    _daily(alice, powder, range(1, 400), at)
    alerts.refresh_alerts(alice)
    (streak,) = Alert.objects.filter(person=alice, rule="daily_streak")
    alerts.acknowledge_alert(alice, streak.pk)
    read_at = Alert.objects.get(pk=streak.pk).acknowledged_at
    with django_capture_on_commit_callbacks(execute=True):
        services.set_up_person({"time_zone": "Europe/London"}, alice)
    streak.refresh_from_db()
    assert streak.withdrawn_at is not None
    assert streak.acknowledged_at == read_at
    with django_capture_on_commit_callbacks(execute=True):
        services.set_up_person({"time_zone": "Etc/UTC"}, alice)
    streak.refresh_from_db()
    assert streak.withdrawn_at is None
    assert streak.acknowledged_at == read_at  # back as it was: read
