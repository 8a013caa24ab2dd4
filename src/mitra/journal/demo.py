"""The demo service: fill the journal with a synthetic person (`mitra demo`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.db import transaction

from mitra.simulation import DEFAULT_PERSON, SyntheticJournal, synthetic_journal
from mitra.simulation.person import DEMO_TAPER

from . import services, tapers
from .alerts import refresh_after_commit
from .models import CheckIn, Dose, Person, Practice, Product, Response
from .schemas import name_key

Progress = Callable[[int], None]


def demo_journal(person: Person, *, days: int, seed: int, taper: bool = False) -> SyntheticJournal:
    """The synthetic person's records and ground truth, on this person's clock.

    With `taper`, the person is in the fourth week of a 10%-a-week taper (DEMO_TAPER); it needs
    at least 38 days (the taper's 24 and the 14 its starting amount is measured over).
    """
    parameters = replace(DEFAULT_PERSON, taper=DEMO_TAPER) if taper else DEFAULT_PERSON
    return synthetic_journal(days, seed=seed, time_zone=person.time_zone, parameters=parameters)


def _product(person: Person, data: dict[str, Any]) -> Product:
    """The demo's product, or the journal's own of its name and form (a demo added before):
    a second demo into the same journal puts its doses on it, never a second of one name."""
    wanted = name_key(str(data["name"]))
    for mine in Product.objects.filter(person=person, deleted_at__isnull=True):
        if name_key(mine.name) == wanted and mine.form == data.get("form", "powder"):
            return mine
    return services.add_product(person, data)


@transaction.atomic
def load_demo(
    person: Person,
    *,
    days: int,
    seed: int,
    progress: Progress | None = None,
    journal: SyntheticJournal | None = None,
    taper: bool = False,
) -> dict[str, int]:
    """Add `days` days of a synthetic person's entries (and their taper). Returns counts."""
    journal = journal or demo_journal(person, days=days, seed=seed, taper=taper)
    before = set(Product.objects.filter(person=person).values_list("pk", flat=True))
    products = [_product(person, data) for data in journal.products]
    doses = []
    for record in journal.doses:
        product = products[record["product"]]
        dose = Dose(
            person=person,
            product=product,
            taken_at=record["taken_at"],
            amount=record["amount"],
            unit=record["unit"],
        )
        services.normalise_into(dose, product)  # the same rule as log_dose
        doses.append(dose)
    Dose.objects.bulk_create(doses, batch_size=1000)
    if progress:
        progress(len(doses))
    # Check-ins and responses take the same validation and mapping as the person's own entries:
    # a demo row is what the same entry typed into the app would have stored.
    rows = [services.checkin_rows(person, record) for record in journal.checkins]
    checkins = [checkin for checkin, _ in rows]
    CheckIn.objects.bulk_create(checkins, batch_size=1000)
    practices = [practice for _, practices_of_one in rows for practice in practices_of_one]
    Practice.objects.bulk_create(practices, batch_size=1000)  # each takes its check-in's new id
    responses = [services.response_row(person, record) for record in journal.responses]
    Response.objects.bulk_create(responses, batch_size=1000)
    if journal.taper is not None:  # saved as the person saves theirs: through the service
        tapers.save_taper(person, journal.taper)
    if progress:
        progress(len(checkins) + len(practices) + len(responses))
    refresh_after_commit(person)
    return {
        "products": len({p.pk for p in products} - before),  # those added, not reused
        "doses": len(doses),
        "checkins": len(checkins),
        "practices": len(practices),
        "responses": len(responses),
        "tapers": int(journal.taper is not None),
    }
