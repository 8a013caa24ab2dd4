"""A change whose alert refresh never ended (the process killed, stopped or failing there) is
caught up by the next refresh, whatever that refresh's write was."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mitra.journal import alerts, services
from mitra.journal.models import Alert, Person

pytestmark = pytest.mark.django_db(transaction=True)  # committed for real: refreshes run after

CRISIS = {"instrument": "PHQ-9", "answers": [0] * 8 + [1]}


def _versions(person: Any) -> tuple[int, int]:
    found = Person.objects.values_list("version", "alerts_version").get(pk=person.pk)
    return int(found[0]), int(found[1])


def _rules_run(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The ids of the rules each refresh from now on runs."""
    runs: list[set[str]] = []
    real = alerts._refresh

    def spied(person: Any, now: datetime, rules: Any, **options: Any) -> Any:
        runs.append({r.id for r in rules})
        return real(person, now, rules, **options)

    monkeypatch.setattr(alerts, "_refresh", spied)
    return runs


def test_a_crisis_answer_whose_refresh_never_ran_is_raised_by_the_next_check_in(
    alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.add_checkin(alice, {"anxiety": 3, "at": datetime.now(UTC)})
    # The process ends between the answer's commit and its refresh (killed, say).
    with monkeypatch.context() as killed:
        killed.setattr(alerts, "refresh_covering", lambda *args, **kwargs: None)
        services.submit_response(alice, {**CRISIS, "at": datetime.now(UTC)})
    assert not Alert.objects.filter(rule="crisis_answer").exists()
    version, reflected = _versions(alice)
    assert reflected < version
    runs = _rules_run(monkeypatch)
    # A check-in's own rules read no questionnaire: this refresh runs every rule instead.
    services.add_checkin(alice, {"anxiety": 4, "at": datetime.now(UTC)})
    assert "crisis_answer" in runs[-1]
    assert Alert.objects.filter(rule="crisis_answer").count() == 1
    assert _versions(alice)[1] == _versions(alice)[0]


def test_writes_whose_refreshes_ended_run_only_their_own_rules(
    alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.add_checkin(alice, {"anxiety": 3, "at": datetime.now(UTC)})
    runs = _rules_run(monkeypatch)
    services.add_checkin(alice, {"anxiety": 5, "at": datetime.now(UTC)})
    services.add_checkin(alice, {"anxiety": 6, "at": datetime.now(UTC)})
    assert len(runs) == 2
    assert "crisis_answer" not in runs[0] | runs[1]
    version, reflected = _versions(alice)
    assert reflected == version


def test_a_failing_rule_leaves_the_change_to_be_looked_at_again(
    alice: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    services.add_checkin(alice, {"anxiety": 3, "at": datetime.now(UTC)})
    with monkeypatch.context() as broken:

        def fails(*_args: Any) -> None:
            raise RuntimeError("a rule failed")

        broken.setattr(alerts, "_refresh", fails)
        services.submit_response(alice, {**CRISIS, "at": datetime.now(UTC)})  # still saved
    assert "safety rules failed" in caplog.text
    services.add_checkin(alice, {"anxiety": 4, "at": datetime.now(UTC)})
    assert Alert.objects.filter(rule="crisis_answer").count() == 1


def test_a_rule_that_keeps_failing_never_keeps_a_crisis_answer_from_its_alert(
    alice: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A check-in rule broken for good leaves the alerts behind the journal, so each later
    refresh runs every rule again; the write's own rules still run, and store, on their own."""
    real = alerts.evaluate

    def broken_liver_rule(data: Any, rules: Any = None) -> Any:
        if any(r.id == "liver_symptoms" for r in rules or ()):
            raise RuntimeError("the liver rule is broken")
        return real(data, rules)

    monkeypatch.setattr(alerts, "evaluate", broken_liver_rule)
    services.add_checkin(alice, {"anxiety": 3, "at": datetime.now(UTC)})
    assert "safety rules failed" in caplog.text
    version, reflected = _versions(alice)
    assert reflected < version  # left to be looked at again
    services.submit_response(alice, {**CRISIS, "at": datetime.now(UTC)})
    assert Alert.objects.filter(rule="crisis_answer", withdrawn_at__isnull=True).count() == 1
    assert _versions(alice)[1] < _versions(alice)[0]  # the broken rule still has to pass


def test_a_refresh_that_read_the_journal_before_a_crisis_answer_never_withdraws_its_alert(
    alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two refreshes for one person at once (a server's and a command's, say): one that found
    its alerts before a crisis answer committed waits no more than it must, and never takes
    away, as no longer found, the alert the answer's own refresh stored."""
    import threading

    from django.db import connection

    evaluated, release = threading.Event(), threading.Event()
    real = alerts._withdraw_missing

    def paused(*args: Any) -> Any:
        if threading.current_thread().name == "earlier":
            evaluated.set()
            release.wait(30)
        return real(*args)

    monkeypatch.setattr(alerts, "_withdraw_missing", paused)
    errors: list[BaseException] = []

    def in_thread(work: Any) -> Any:
        def run() -> None:
            try:
                work()
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)
            finally:
                connection.close()

        return run

    earlier = threading.Thread(
        target=in_thread(lambda: alerts.refresh_alerts(alice)), name="earlier"
    )
    answer = threading.Thread(
        target=in_thread(
            lambda: services.submit_response(alice, {**CRISIS, "at": datetime.now(UTC)})
        )
    )
    earlier.start()
    assert evaluated.wait(30)
    answer.start()
    answer.join(0.5)  # the answer's write or its refresh waits for the earlier refresh
    release.set()
    earlier.join(60)
    answer.join(60)
    assert not errors
    assert Alert.objects.filter(rule="crisis_answer", withdrawn_at__isnull=True).count() == 1


def test_signals_held_through_a_refresh_are_taken_after_it_a_kill_before_an_interrupt() -> None:
    """Ctrl-C, then a kill, during a refresh: both reach their handlers once it has ended, the
    kill first (so the process ends as killed); a signal the process ignores stays ignored."""
    import signal

    reached: list[int] = []

    def handler(number: int, _frame: Any) -> None:
        reached.append(number)

    before = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    ignored = signal.signal(signal.SIGQUIT, signal.SIG_IGN)
    try:
        with alerts._uninterrupted():
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGTERM)
            signal.raise_signal(signal.SIGQUIT)
            assert reached == []  # held while the refresh runs
        assert reached == [signal.SIGTERM, signal.SIGINT]
        assert signal.getsignal(signal.SIGINT) is handler
        assert signal.getsignal(signal.SIGQUIT) is signal.SIG_IGN
    finally:
        for number, old in before.items():
            signal.signal(number, old)
        signal.signal(signal.SIGQUIT, ignored)
