"""Every list in the API comes a page at a time: each item exactly once, in the list's order."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.models import Alert, Product
from mitra.vocabulary import SEVERITIES, severity_rank

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)


def _all_pages(client: Client, path: str, key: str, limit: int) -> list[list[Any]]:
    """Every page of a list, following next_cursor until it is null."""
    pages: list[list[Any]] = []
    cursor = None
    sep = "&" if "?" in path else "?"
    for _ in range(100):
        query = f"{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(path + query)
        assert response.status_code == 200, response.content
        page = response.json()
        pages.append(page[key])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("the pages never ended")


def _alert(alice: Any, n: int, severity: str, at: datetime, read: datetime | None) -> Alert:
    return Alert.objects.create(
        person=alice,
        rule="co_use",
        severity=severity,
        rank=severity_rank(severity),
        title=f"alert {n}",
        text="",
        advice="",
        evidence_key=f"k{n}",
        at=at,
        acknowledged_at=read,
    )


@pytest.fixture
def many_alerts(alice: Any) -> list[Alert]:
    """Fourteen alerts: every severity, several at one moment, some read (two at one moment)."""
    made = []
    for n in range(14):
        severity = str(SEVERITIES[n % len(SEVERITIES)])
        at = T0 + timedelta(hours=n % 3)  # ties in time within a severity
        read = None if n % 4 else T0 + timedelta(days=1, hours=n // 8)
        made.append(_alert(alice, n, severity, at, read))
    return made


def _expected_order(alerts: list[Alert], *, include_read: bool) -> list[int]:
    # Open first, read ones by when they were read; then most severe, newest, highest id.
    shown = [a for a in alerts if include_read or a.acknowledged_at is None]
    far = datetime.max.replace(tzinfo=UTC)
    shown.sort(key=lambda a: (a.at.timestamp(), a.pk), reverse=True)
    shown.sort(key=lambda a: (a.acknowledged_at is not None, a.acknowledged_at or far, a.rank))
    return [a.pk for a in shown]


@pytest.mark.parametrize("include_read", [False, True])
@pytest.mark.parametrize("limit", [1, 3, 50])
def test_paging_through_alerts_gives_each_once_most_severe_first(
    client: Client, many_alerts: list[Alert], include_read: bool, limit: int
) -> None:
    path = "/api/v1/alerts?all=true" if include_read else "/api/v1/alerts"
    pages = _all_pages(client, path, "alerts", limit)
    seen = [a["id"] for page in pages for a in page]
    assert seen == _expected_order(many_alerts, include_read=include_read)
    assert all(len(page) <= limit for page in pages)
    open_count = sum(a.acknowledged_at is None for a in many_alerts)
    first = client.get(f"{path}{'&' if include_read else '?'}limit=1").json()
    assert first["open_count"] == open_count, "the count is of every open alert, not the page"


def test_the_whole_list_of_alerts_fits_one_page_by_default(
    client: Client, many_alerts: list[Alert]
) -> None:
    found = client.get("/api/v1/alerts?all=true").json()
    assert len(found["alerts"]) == len(many_alerts)
    assert found["next_cursor"] is None


def test_an_alert_read_between_pages_is_not_shown_twice_on_the_open_list(
    client: Client, many_alerts: list[Alert]
) -> None:
    first = client.get("/api/v1/alerts?limit=2").json()
    shown = {x["id"] for x in first["alerts"]}
    later = [a for a in many_alerts if a.acknowledged_at is None and a.pk not in shown]
    Alert.objects.filter(pk=first["alerts"][0]["id"]).update(acknowledged_at=T0)
    rest = _all_pages(client, f"/api/v1/alerts?cursor={first['next_cursor']}", "alerts", 50)
    seen = [a["id"] for page in rest for a in page]
    assert sorted(seen) == sorted(a.pk for a in later)


def test_paging_through_products_gives_each_once_by_name(client: Client, alice: Any) -> None:
    names = ["Bali", "bali", "Maeng Da", "Bali", "Red", "Green", "Bali", "Żółty"]
    # A new product may not take a name already used, but a journal from before that rule may
    # hold the same name twice, so ties in the order of names are still paged through.
    made = [Product.objects.create(person=alice, name=n, unit="g") for n in names]
    services.delete_product(alice, made[-1].pk)
    # One page of them all is in the database's own order of names (its collation).
    live = client.get("/api/v1/products?limit=200").json()["products"]
    assert sorted(p["id"] for p in live) == [p.pk for p in made[:-1]]
    pages = _all_pages(client, "/api/v1/products", "products", 2)
    assert [p["id"] for page in pages for p in page] == [p["id"] for p in live]
    # Same names come in the order they were added.
    bali = [p["id"] for p in live if p["name"] == "Bali"]
    assert bali == sorted(bali)
    assert all(len(page) <= 2 for page in pages)


def test_paging_through_substances_keeps_every_interaction_on_every_page(
    client: Client, alice: Any
) -> None:
    for name in ["Xanax", "alcohol", "sertraline", "caffeine", "tramadol"]:
        services.add_substance(alice, {"name": name})
    whole = client.get("/api/v1/substances").json()
    assert whole["next_cursor"] is None
    pages = []
    cursor = None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get("/api/v1/substances" + query).json()
        pages.append(page)
        assert page["interactions"] == whole["interactions"], "no page hides an interaction"
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [s for p in pages for s in p["substances"]] == whole["substances"]
    assert [len(p["substances"]) for p in pages] == [2, 2, 1]
    # As a list is read, not upper case first ("Xanax" came before "alcohol").
    assert [s["name"] for s in whole["substances"]] == [
        "alcohol", "caffeine", "sertraline", "tramadol", "Xanax"
    ]  # fmt: skip


def test_names_are_listed_without_case_or_accents_on_every_database_and_every_page(
    client: Client, alice: Any
) -> None:
    """SQLite's LOWER() folds ASCII only and a database's collation may put "É" after "z", so
    "Éclair" and "Öl" came after "Zeta": the order is kept with each name (name_order), the
    same on SQLite and PostgreSQL, and the pages' cursors follow it."""
    for name in ["Zeta", "Öl", "éclair", "alpha", "Emile", "Bali"]:
        services.add_product(alice, {"name": name})
    order = ["alpha", "Bali", "éclair", "Emile", "Öl", "Zeta"]
    whole = client.get("/api/v1/products").json()["products"]
    assert [p["name"] for p in whole] == order
    pages = _all_pages(client, "/api/v1/products", "products", 2)
    assert [p["name"] for page in pages for p in page] == order
    renamed = Product.objects.get(name="Zeta")
    services.edit_product(alice, renamed.pk, {"name": "Åland"})  # a rename moves it
    assert [p["name"] for p in client.get("/api/v1/products").json()["products"]][:2] == [
        "Åland", "alpha"
    ]  # fmt: skip


@pytest.mark.parametrize("path", ["/api/v1/alerts", "/api/v1/products", "/api/v1/substances"])
@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=201",
        "limit=x",
        "cursor=nonsense",
        "cursor=W10",  # an empty list
        "cursor=WzEsMiwzXQ",  # [1,2,3]: the wrong keys
        "cursor=" + "x" * 201,
    ],
)
def test_bad_page_requests_are_422_problems(
    client: Client, alice: Any, path: str, query: str
) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["status"] == 422
