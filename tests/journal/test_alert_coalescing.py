"""Writers in a burst share alert refreshes, and each still returns with its own alerts stored."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection

from mitra.journal import alerts, services
from mitra.journal.models import Alert, Response
from mitra.safety import RULES, crisis_alert_key, rules_for

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 6
# A test waits this long at most for threads it started: a hang fails instead of blocking.
JOIN_S = 60.0

CRISIS = {"instrument": "PHQ-9", "answers": [0] * 8 + [1]}


def _crisis_answer(person: Any) -> Response:
    return services.submit_response(person, {**CRISIS, "at": datetime.now(UTC)})


def _crisis_keys() -> Counter[str]:
    """How many crisis alerts are stored under each evidence key."""
    return Counter(
        Alert.objects.filter(rule="crisis_answer").values_list("evidence_key", flat=True)
    )


def _in_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run `work(n)` in `count` threads, each with its own connection; the errors they raised."""
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            work(number)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_S)
    assert not any(t.is_alive() for t in threads), "a writer never returned"
    return errors


def _stored_at_return(person: Any, seen: dict[int, bool]) -> Callable[[int], None]:
    """A writer that saves a crisis answer and notes whether its alert was stored on return."""

    def write(number: int) -> None:
        response = _crisis_answer(person)
        seen[response.pk] = Alert.objects.filter(
            person=person, evidence_key=crisis_alert_key(response.pk)
        ).exists()

    return write


def test_each_concurrent_writer_returns_with_its_crisis_alert_already_stored(alice: Any) -> None:
    seen: dict[int, bool] = {}
    assert _in_threads(WRITERS, _stored_at_return(alice, seen)) == []
    assert len(seen) == WRITERS
    assert all(seen.values()), "a crisis answer returned before its alert was stored"
    keys = _crisis_keys()
    assert set(keys) == {crisis_alert_key(pk) for pk in seen}
    assert set(keys.values()) == {1}, "a finding was stored twice"


class _Held:
    """Holds the first refresh after it has read the journal, until released; counts refreshes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.refreshes = 0
        self.reading = threading.Event()
        self.release = threading.Event()
        read = alerts.safety_input

        def held_read(person: Any, now: datetime, *parts: Any, **named: Any) -> Any:
            self.refreshes += 1
            data = read(person, now, *parts, **named)
            if self.refreshes == 1:
                self.reading.set()
                assert self.release.wait(JOIN_S)
            return data

        monkeypatch.setattr(alerts, "safety_input", held_read)

    def tickets_taken(self, person: Any) -> int:
        with alerts._queued:
            found = [q for k, q in alerts._queues.items() if k[-1] == person.pk]
            return found[0].taken if found else 0


def _while_the_first_refresh_is_held(
    person: Any, held: _Held, burst: Callable[[int], None], count: int
) -> list[BaseException]:
    """One write whose refresh is held after reading; `count` writers commit meanwhile."""
    before = held.tickets_taken(person)
    first: list[BaseException] = []
    opener = threading.Thread(target=lambda: first.extend(_in_threads(1, burst)))
    opener.start()
    assert held.reading.wait(JOIN_S)
    others: list[BaseException] = []
    writers = threading.Thread(target=lambda: others.extend(_in_threads(count, burst)))
    writers.start()
    # Wait until every writer of the burst has committed and waits for a refresh to cover it.
    deadline = time.monotonic() + JOIN_S
    while held.tickets_taken(person) < before + 1 + count:
        assert time.monotonic() < deadline, "the burst never committed"
        time.sleep(0.01)
    held.release.set()
    opener.join(JOIN_S)
    writers.join(JOIN_S)
    return first + others


def test_writers_that_commit_during_a_refresh_share_the_next_one(
    alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = _Held(monkeypatch)
    seen: dict[int, bool] = {}
    errors = _while_the_first_refresh_is_held(alice, held, _stored_at_return(alice, seen), WRITERS)
    assert errors == []
    # The held refresh read the journal before the burst committed, so it covers none of it;
    # one more refresh, started after every commit of the burst, covers them all.
    assert held.refreshes == 2
    assert len(seen) == WRITERS + 1
    assert all(seen.values()), "a writer returned before a refresh that saw its write"
    keys = _crisis_keys()
    assert keys == Counter({crisis_alert_key(pk): 1 for pk in seen})


def test_a_shared_refresh_runs_the_rules_of_every_writer_it_covers(
    alice: Any, powder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    xanax = services.add_substance(alice, {"name": "alprazolam"})  # sedating with kratom
    now = datetime.now(UTC)
    services.log_dose(alice, {"product_id": powder.pk, "amount": 3, "unit": "g", "taken_at": now})
    Alert.objects.filter(person=alice).delete()
    held = _Held(monkeypatch)

    def burst(number: int) -> None:
        # Check-ins, whose rules never look for co-use, and one intake beside the dose, whose
        # rules do: whichever writer runs the shared refresh, it runs both sets.
        if number == 1:
            services.log_intake(alice, {"substance_id": xanax.pk, "taken_at": now})
        else:
            services.add_checkin(alice, {"anxiety": 3, "at": now})

    assert _while_the_first_refresh_is_held(alice, held, burst, 3) == []
    assert held.refreshes == 2
    assert Alert.objects.filter(person=alice, rule="co_use").count() == 1


def test_the_rules_of_several_events_are_each_rule_once() -> None:
    both = [r.id for r in alerts._rules_of({"checkin", "intake"})]
    assert set(both) == {r.id for e in ("checkin", "intake") for r in rules_for(e)}
    assert len(both) == len(set(both))
    assert {r.id for r in alerts._rules_of({"dose", None})} == {r.id for r in RULES}


def test_a_failing_refresh_releases_the_writers_waiting_on_it_and_keeps_their_entries(
    alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = _Held(monkeypatch)
    real = alerts.evaluate
    calls = Counter[str]()

    def broken_first(data: Any, rules: Any = None) -> Any:
        calls["evaluate"] += 1
        if held.refreshes == 1:
            raise RuntimeError("a rule broke")
        return real(data, rules)

    monkeypatch.setattr(alerts, "evaluate", broken_first)
    seen: dict[int, bool] = {}
    errors = _while_the_first_refresh_is_held(alice, held, _stored_at_return(alice, seen), 3)
    assert errors == []
    assert Response.objects.filter(person=alice).count() == 4
    # The writers that waited on the broken refresh got one of their own that worked. (The
    # first writer may also find its alert, if that later refresh, which reads the whole
    # window, finished before it looked.) The broken refresh left its change unchecked, so
    # that later refresh ran its writers' rules and then every other rule.
    assert held.refreshes == 3
    assert sum(seen.values()) >= 3
    assert set(_crisis_keys()) == {crisis_alert_key(pk) for pk in seen}
