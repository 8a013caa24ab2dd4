"""The alerts read: one typed result for the Alerts page, `mitra alerts` and the API alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.alerts import refresh_alerts
from mitra.journal.models import Alert
from mitra.reads import alerts as alert_reads
from tests.reads.test_parity import api_json, cli_json

pytestmark = pytest.mark.django_db


def _risky_day(alice: Any, powder: Any) -> None:
    """A benzodiazepine on the list, taken two hours after a 6 g dose, and a crisis answer."""
    now = datetime.now(UTC)
    xanax = services.add_substance(alice, {"name": "Xanax"})
    services.log_dose(
        alice,
        {"product_id": powder.pk, "taken_at": now - timedelta(hours=4), "amount": 6, "unit": "g"},
    )
    services.log_intake(alice, {"substance_id": xanax.pk, "taken_at": now - timedelta(hours=2)})
    services.submit_response(
        alice, {"instrument": "PHQ-9", "at": now - timedelta(hours=1), "answers": [0] * 8 + [1]}
    )
    refresh_alerts(alice)


def test_each_alert_reads_with_its_facts_citations_and_severity_label(
    alice: Any, powder: Any
) -> None:
    _risky_day(alice, powder)
    found = alert_reads.alerts(alice)
    assert found.open_count == len(found.alerts) >= 4
    co_use = next(a for a in found.alerts if a.rule == "co_use")
    assert co_use.severity == "danger"
    assert co_use.severity_label
    labels = {f.label for f in co_use.facts}
    assert {"Kratom dose", "Substance", "Time apart"} <= labels
    assert "6 g of Green powder" in next(f.text for f in co_use.facts if f.label == "Kratom dose")
    assert all(c.url.startswith("https://") and c.citation for c in co_use.sources)
    assert co_use.crisis is None


def test_the_crisis_alert_brings_crisis_resources_and_comes_first(alice: Any, powder: Any) -> None:
    _risky_day(alice, powder)
    found = alert_reads.alerts(alice).alerts
    crisis = next(a for a in found if a.rule == "crisis_answer")
    assert crisis.crisis is not None
    assert crisis.crisis.lines, "a crisis line for the person's country"
    assert found[0].severity == "danger"


def test_reading_an_alert_moves_it_from_the_open_list_to_the_history(
    alice: Any, powder: Any
) -> None:
    _risky_day(alice, powder)
    first = alert_reads.alerts(alice).alerts[0]
    before = alert_reads.alert(alice, first.id)
    assert before is not None
    assert not before.acknowledged
    from mitra.journal.alerts import acknowledge_alert

    acknowledge_alert(alice, first.id)
    assert first.id not in {a.id for a in alert_reads.alerts(alice).alerts}
    history = alert_reads.alerts(alice, include_read=True)
    assert history.open_count == len(history.alerts) - 1
    assert history.alerts[-1].id == first.id
    assert history.alerts[-1].acknowledged


def test_the_api_lists_open_alerts_and_the_history(client: Client, alice: Any, powder: Any) -> None:
    _risky_day(alice, powder)
    open_doc = api_json(client, "/api/v1/alerts")
    assert open_doc["includes_read"] is False
    assert {"interaction", "co_use", "dose_above_band", "crisis_answer"} <= {
        a["rule"] for a in open_doc["alerts"]
    }
    assert api_json(client, "/api/v1/alerts?all=true")["includes_read"] is True


def test_the_api_acknowledges_an_alert_and_answers_it(
    client: Client, alice: Any, powder: Any
) -> None:
    _risky_day(alice, powder)
    alert = Alert.objects.get(rule="dose_above_band")
    response = client.post(
        f"/api/v1/alerts/{alert.pk}/acknowledge", "{}", content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alert.pk
    assert body["acknowledged"] is True
    assert alert.pk not in {a["id"] for a in api_json(client, "/api/v1/alerts")["alerts"]}


def test_the_api_answers_an_unknown_alert_with_a_not_found_problem(
    client: Client, alice: Any
) -> None:
    response = client.post(
        "/api/v1/alerts/999999/acknowledge", "{}", content_type="application/json"
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "999999" in response.json()["detail"]


def test_a_form_post_from_another_page_cannot_clear_an_alert(
    client: Client, alice: Any, powder: Any
) -> None:
    _risky_day(alice, powder)
    alert = Alert.objects.get(rule="dose_above_band")
    response = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge", {"x": "1"})
    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"
    assert alert.pk in {a["id"] for a in api_json(client, "/api/v1/alerts")["alerts"]}


def test_the_openapi_document_describes_the_alerts(client: Client, alice: Any) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"AlertList", "AlertView", "AlertFact", "Citation"} <= set(schemas)


def test_the_cli_and_the_api_print_the_same_alerts(
    capsys: pytest.CaptureFixture[str], client: Client, alice: Any, powder: Any
) -> None:
    _risky_day(alice, powder)
    from_cli = cli_json(capsys, "alerts", "--all")
    assert from_cli == api_json(client, "/api/v1/alerts?all=true")
    assert len(from_cli["alerts"]) >= 4
