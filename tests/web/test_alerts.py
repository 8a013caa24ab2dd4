"""Safety alerts: stored once per piece of evidence, on a banner by severity, with sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.alerts import acknowledge_alert, refresh_alerts
from mitra.journal.models import Alert, Dose
from mitra.vocabulary import severity_rank

pytestmark = pytest.mark.django_db


def _risky_day(alice: Any, powder: Any) -> None:
    """A benzodiazepine on the list, taken two hours after a 6 g dose, and dark urine."""
    now = datetime.now(UTC)
    xanax = services.add_substance(alice, {"name": "Xanax"})
    services.log_dose(
        alice,
        {"product_id": powder.pk, "taken_at": now - timedelta(hours=4), "amount": 6, "unit": "g"},
    )
    services.log_intake(alice, {"substance_id": xanax.pk, "taken_at": now - timedelta(hours=2)})
    services.add_checkin(
        alice, {"at": now - timedelta(hours=1), "anxiety": 4, "symptoms": ["dark_urine"]}
    )


def test_the_rules_fire_on_a_risky_day_and_each_alert_cites_sources_a_person_can_open(
    alice: Any, powder: Any
) -> None:
    from mitra.knowledge import load

    _risky_day(alice, powder)
    refresh_alerts(alice)
    rules = set(Alert.objects.values_list("rule", flat=True))
    assert {"interaction", "co_use", "dose_above_band", "liver_symptoms"} <= rules
    sources = load().sources
    for alert in Alert.objects.exclude(evidence__unknown=True):
        assert alert.sources, alert.rule
        assert all(sources[sid].url.startswith("https://") for sid in alert.sources)


def test_a_rule_never_fires_twice_for_the_same_evidence(alice: Any, powder: Any) -> None:
    _risky_day(alice, powder)
    first = refresh_alerts(alice)
    assert first
    assert refresh_alerts(alice) == []
    assert Alert.objects.count() == len(first)


def test_saving_an_entry_refreshes_the_alerts_once_it_is_committed(
    alice: Any, powder: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.add_checkin(
            alice, {"at": datetime.now(UTC), "anxiety": 3, "symptoms": ["jaundice"]}
        )
    alert = Alert.objects.get(rule="liver_symptoms")
    assert alert.severity == "danger"
    assert "livertox" in alert.sources


def test_the_banner_lists_open_alerts_most_severe_first_on_every_page(
    client: Client, alice: Any, powder: Any
) -> None:
    _risky_day(alice, powder)
    refresh_alerts(alice)
    for path in ["/", "/journal", "/substances"]:
        html = client.get(path).content.decode()
        banner = html[html.index('class="alert-banner"') : html.index("</aside>")]
        badges = [
            b
            for b in ("badge-danger", "badge-warning", "badge-caution", "badge-info")
            if b in banner
        ]
        positions = [banner.index(b) for b in badges]
        assert positions == sorted(positions), path


def test_the_alerts_page_shows_the_evidence_and_sources_and_reading_one_keeps_its_history(
    client: Client, alice: Any, powder: Any
) -> None:
    _risky_day(alice, powder)
    refresh_alerts(alice)
    html = client.get("/alerts").content.decode()
    assert "The evidence behind this alert" in html
    assert "https://" in html
    liver = Alert.objects.get(rule="liver_symptoms")
    client.post(f"/alerts/{liver.pk}/acknowledge")
    liver.refresh_from_db()
    assert liver.acknowledged_at is not None
    html = client.get("/alerts").content.decode()
    assert "alert read or withdrawn" in html or "alerts read or withdrawn" in html
    assert f'action="/alerts/{liver.pk}/acknowledge"' not in html


def test_a_crisis_answer_raises_a_danger_alert(alice: Any) -> None:
    services.submit_response(
        alice, {"instrument": "PHQ-9", "at": datetime.now(UTC), "answers": [0] * 8 + [1]}
    )
    refresh_alerts(alice)
    alert = Alert.objects.get(rule="crisis_answer")
    assert alert.severity == "danger"
    assert "simon2013" in alert.sources


def test_a_long_daily_streak_is_one_alert_per_milestone_not_one_a_day(
    alice: Any, powder: Any
) -> None:
    from mitra.journal.models import Dose

    now = datetime.now(UTC)
    Dose.objects.bulk_create(
        Dose(
            person=alice,
            product=powder,
            taken_at=now - timedelta(days=d),
            amount=2,
            unit="g",
            grams=2,
        )
        for d in range(1, 201)
    )
    for later in range(4):
        refresh_alerts(alice, now=now + timedelta(days=later))
    streak = Alert.objects.get(rule="daily_streak")  # one alert, however many days pass
    # The whole streak is counted, not just the 120 days the other rules look at.
    # 200 doses at the same UTC time cover 199 or 200 local days: across the change to winter
    # time, two of them can fall on one side of the 4:00 boundary of the same day.
    assert streak.evidence["days"] >= 199
    assert streak.evidence["milestone_days"] == 112


def test_deleting_the_dose_behind_an_alert_withdraws_the_alert(
    alice: Any, powder: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        typo = services.log_dose(
            alice,
            {
                "product_id": powder.pk,
                "taken_at": datetime.now(UTC),
                "amount": 30,
                "unit": "g",
                "confirm": True,
            },
        )
    alert = Alert.objects.get(rule="dose_above_band")
    assert alert.acknowledged_at is None
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_dose(alice, typo.pk)
    alert.refresh_from_db()
    assert alert.withdrawn_at is not None
    assert alert.acknowledged_at is not None  # off the banner, still in the history
    with django_capture_on_commit_callbacks(execute=True):
        services.restore_dose(alice, typo.pk)  # undo
    alert.refresh_from_db()
    assert (alert.withdrawn_at, alert.acknowledged_at) == (None, None)


def _stored(alice: Any, **fields: Any) -> Any:
    """An alert stored as it is, as an older mitra may have stored it."""
    return Alert.objects.create(person=alice, **{"text": "", "advice": ""} | fields)


def _dose(alice: Any, powder: Any, hours_ago: float) -> Any:
    taken = datetime.now(UTC) - timedelta(hours=hours_ago)
    return services.log_dose(
        alice, {"product_id": powder.pk, "taken_at": taken, "amount": 2, "unit": "g"}
    )


def _xanax_after_doses(alice: Any, powder: Any, *hours_ago: float) -> Any:
    """Doses `hours_ago`, then Xanax three hours ago; the substance."""
    xanax = services.add_substance(alice, {"name": "Xanax"})
    for hours in hours_ago:
        _dose(alice, powder, hours)
    services.log_intake(
        alice, {"substance_id": xanax.pk, "taken_at": datetime.now(UTC) - timedelta(hours=3)}
    )
    return xanax


def _read_alert_of_three_doses(alice: Any, powder: Any, on_commit: Any) -> Any:
    """Three doses, then Xanax: its one co-use alert, which Alice has read."""
    with on_commit(execute=True):
        _xanax_after_doses(alice, powder, 6, 5, 4)
    (alert,) = Alert.objects.filter(rule="co_use")
    assert alert.title.startswith("Xanax taken near 3 kratom doses")
    acknowledge_alert(alice, alert.pk)
    return alert


def test_one_intake_near_several_doses_is_one_alert_and_a_later_dose_alerts_again(
    alice: Any, powder: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = _read_alert_of_three_doses(alice, powder, django_capture_on_commit_callbacks)

    # Another dose near the same Xanax is news: a new alert, the read one stays read.
    with django_capture_on_commit_callbacks(execute=True):
        later = _dose(alice, powder, 1)
    first.refresh_from_db()
    assert first.acknowledged_at is not None
    assert first.withdrawn_at is None
    (now_open,) = Alert.objects.filter(rule="co_use", acknowledged_at__isnull=True)
    assert now_open.title.startswith("Xanax taken near 4 kratom doses")

    # Undoing that dose withdraws its alert; the read one is left as it was.
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_dose(alice, later.pk)
    now_open.refresh_from_db()
    assert now_open.withdrawn_at is not None
    assert not Alert.objects.filter(rule="co_use", acknowledged_at__isnull=True).exists()

    # A forgotten dose logged afterwards, earlier than the others, is news too.
    with django_capture_on_commit_callbacks(execute=True):
        _dose(alice, powder, 7)
    (back_dated,) = Alert.objects.filter(rule="co_use", acknowledged_at__isnull=True)
    assert back_dated.title.startswith("Xanax taken near 4 kratom doses")
    assert len(back_dated.evidence["earlier_doses"]) == 3


def test_an_open_alert_is_withdrawn_for_the_one_that_tells_of_a_later_dose_too(
    alice: Any, powder: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _xanax_after_doses(alice, powder, 4)
    (pair,) = Alert.objects.filter(rule="co_use")
    with django_capture_on_commit_callbacks(execute=True):
        _dose(alice, powder, 2)
    pair.refresh_from_db()
    assert pair.withdrawn_at is not None
    (group,) = Alert.objects.filter(rule="co_use", withdrawn_at__isnull=True)
    assert group.acknowledged_at is None
    assert group.title.startswith("Xanax taken near 2 kratom doses")


def test_a_dose_deleted_from_a_read_alerts_doses_raises_no_unread_alert_for_the_rest(
    alice: Any, powder: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from mitra.journal.models import Dose

    three = _read_alert_of_three_doses(alice, powder, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_dose(alice, Dose.objects.order_by("taken_at").first().pk)
    # The two doses left were told of by the alert she read: stored, read, nothing to read.
    (two,) = Alert.objects.filter(rule="co_use").exclude(pk=three.pk)
    assert two.title.startswith("Xanax taken near 2 kratom doses")
    assert two.acknowledged_at is not None
    assert two.withdrawn_at is None
    assert not Alert.objects.filter(rule="co_use", acknowledged_at__isnull=True).exists()


@pytest.mark.parametrize("read", [True, False])
def test_an_alert_brought_back_by_an_undo_is_read_when_a_read_alert_told_of_it(
    alice: Any, powder: Any, django_capture_on_commit_callbacks: Any, read: bool
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _xanax_after_doses(alice, powder, 4)
    (pair,) = Alert.objects.filter(rule="co_use")
    with django_capture_on_commit_callbacks(execute=True):
        later = _dose(alice, powder, 2)
    (group,) = Alert.objects.filter(rule="co_use", withdrawn_at__isnull=True)
    if read:
        acknowledge_alert(alice, group.pk)  # she read of both doses
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_dose(alice, later.pk)
    pair.refresh_from_db()
    assert pair.withdrawn_at is None  # back: its dose is alone near the Xanax again
    # Read of in the group's alert, it is no news; else it is open again, as it was.
    assert (pair.acknowledged_at is not None) is read
    assert Alert.objects.filter(rule="co_use", acknowledged_at__isnull=True).count() == (
        0 if read else 1
    )


@pytest.mark.parametrize(
    ("read", "severity"), [(True, "danger"), (False, "danger"), (True, "warning")]
)
def test_alerts_stored_one_per_dose_become_one_alert_read_when_each_was_read(
    alice: Any, powder: Any, read: bool, severity: str
) -> None:
    """A journal from before doses were grouped: one alert per dose, as an older mitra stored
    them. The group's alert is read when each of them was; the open ones are withdrawn."""
    from mitra.journal.models import Dose, Intake

    xanax = _xanax_after_doses(alice, powder, 5, 4)
    now = datetime.now(UTC)
    intake = Intake.objects.get().taken_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    olds = []
    for dose in Dose.objects.order_by("taken_at"):
        olds.append(
            _stored(
                alice,
                rule="co_use",
                severity=severity,
                rank=severity_rank(severity),
                title="Xanax taken near a kratom dose",
                sources=["kruegel2016"],
                evidence={},
                evidence_grade="mechanism_only",
                evidence_key=f"co_use:{dose.taken_at:%Y-%m-%dT%H:%M:%SZ}:{intake}:{xanax.pk}",
                at=now - timedelta(hours=3),
                acknowledged_at=now if read else None,
            )
        )
    refresh_alerts(alice)
    (group,) = Alert.objects.filter(rule="co_use").exclude(pk__in=[a.pk for a in olds])
    assert group.title.startswith("Xanax taken near 2 kratom doses")
    assert group.severity == "danger"
    # Read as a warning, the danger is news: the group is unread.
    told = read and severity == "danger"
    assert (group.acknowledged_at is not None) is told
    for old in olds:
        old.refresh_from_db()
        assert (old.withdrawn_at is None) is read  # a read one stays in the history as it was
    assert Alert.objects.filter(rule="co_use", acknowledged_at__isnull=True).count() == (
        0 if told else 1
    )


@pytest.mark.parametrize("name", ["2026-11-29T25:00", "2026-11-29T21:00", "2026-11-29T21:00:00Z"])
def test_a_substance_named_like_a_time_is_alerted_and_shown_verbatim(
    client: Client, alice: Any, name: str
) -> None:
    services.add_substance(alice, {"name": name})
    refresh_alerts(alice)
    alert = Alert.objects.get(rule="interaction")
    assert name in alert.title
    response = client.get("/alerts")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<dd>{name}</dd>" in html  # the fact, not a date made from it
    assert "29 Nov 2026, 21:00" not in html


def test_evidence_stored_before_it_was_typed_is_shown_as_plain_text(
    client: Client, alice: Any
) -> None:
    _stored(
        alice,
        rule="dose_above_band",
        severity="caution",
        rank=2,
        title="A dose of 6 g",
        text="An old alert.",
        advice="Take care.",
        sources=["grundmann2017"],
        evidence={"dose": {"at": "2026-11-29T25:00", "grams": 6.0}, "name": "2026-11-29T21:00"},
        evidence_key="dose_above_band:old",
        at=datetime.now(UTC),
    )
    response = client.get("/alerts")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-11-29T25:00" in html
    assert "<dd>2026-11-29T21:00</dd>" in html


def test_the_banner_says_how_many_alerts_are_open_beyond_those_it_lists(
    client: Client, alice: Any
) -> None:
    for n in range(5):
        services.add_substance(alice, {"name": f"Mystery drops {n}"})
    refresh_alerts(alice)
    html = client.get("/").content.decode()
    banner = html[html.index('class="alert-banner"') : html.index("</aside>")]
    assert banner.count("<li") == 3
    assert "All 5 alerts" in banner


def test_acknowledging_an_unknown_alert_is_not_found(client: Client, alice: Any) -> None:
    assert client.post("/alerts/999999/acknowledge").status_code == 404


def test_a_check_in_runs_the_check_in_rules_only_and_leaves_dose_alerts_alone(
    alice: Any, powder: Any
) -> None:
    now = datetime.now(UTC)
    services.log_dose(
        alice,
        {"product_id": powder.pk, "taken_at": now, "amount": 30, "unit": "g", "confirm": True},
    )
    services.add_checkin(alice, {"at": now, "anxiety": 3, "symptoms": ["dark_urine"]})
    assert {a.rule for a in refresh_alerts(alice, event="checkin")} == {"liver_symptoms"}
    assert {a.rule for a in refresh_alerts(alice, event="dose")} == {"dose_above_band"}
    refresh_alerts(alice, event="checkin")
    assert Alert.objects.get(rule="dose_above_band").withdrawn_at is None


def test_removing_a_substance_withdraws_its_interaction_alert_however_old(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        xanax = services.add_substance(alice, {"name": "Xanax"})
    found = Alert.objects.filter(rule="interaction")
    assert found.exists()  # xanax with kratom (a benzodiazepine, and CYP3A4)
    found.update(at=datetime.now(UTC) - timedelta(days=400))
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_substance(alice, xanax.pk)
    assert not Alert.objects.filter(rule="interaction", withdrawn_at__isnull=True).exists()


@pytest.mark.parametrize("read", [True, False])
def test_a_dose_whose_product_becomes_a_concentrated_7oh_one_is_told_of_again(
    alice: Any, powder: Any, django_capture_on_commit_callbacks: Any, read: bool
) -> None:
    """A dose near Xanax, then its product corrected to a concentrated 7-OH one at the same
    time: the alert said leaf powder, and the 7-OH product's interaction is its own, so the
    person is told again (unread), whether or not she had read the first; an unread first
    alert is withdrawn, a read one stays in the history as it was."""
    tablets = services.add_product(alice, {"name": "7-OH tablets", "form": "7oh", "unit": "g"})
    with django_capture_on_commit_callbacks(execute=True):
        _xanax_after_doses(alice, powder, 4)
    (leaf,) = Alert.objects.filter(rule="co_use")
    assert "Green powder" in leaf.text
    if read:
        acknowledge_alert(alice, leaf.pk)
    with django_capture_on_commit_callbacks(execute=True):
        dose = Dose.objects.get()
        services.edit_dose(
            alice,
            dose.pk,
            {"product_id": tablets.pk, "taken_at": dose.taken_at, "amount": 2, "unit": "g"},
        )
    (told,) = Alert.objects.filter(rule="co_use", acknowledged_at__isnull=True)
    assert told.pk != leaf.pk
    assert "7-OH tablets" in told.text
    assert told.evidence["interactions"][0]["interaction_rule"] == "seven_oh_cns_depressant"
    leaf.refresh_from_db()
    assert (leaf.withdrawn_at is None) is read  # a read alert stays in the history as it was


def test_the_banners_link_to_the_alerts_is_not_worded_as_the_footers_to_the_evidence(
    client: Client, alice: Any
) -> None:
    """ "See the evidence and sources" led to /alerts while the footer's "Evidence and sources"
    led to /evidence: two places under one name."""
    tabs = services.add_product(
        alice, {"name": "Tabs", "form": "7oh", "unit": "tablet", "grams_per_unit": 0.1}
    )
    services.log_dose(alice, {"product_id": tabs.pk, "amount": 1, "unit": "tablet",
                              "taken_at": datetime.now(UTC) - timedelta(hours=1)})  # fmt: skip
    refresh_alerts(alice)
    html = client.get("/").content.decode()
    assert '<a href="/alerts">Each alert with its sources</a>' in html
    assert "See the evidence and sources" not in html
    assert '<a href="/evidence">Evidence and sources</a>' in html
