"""Fill the journal with a synthetic person (`mitra demo`)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from mitra.instruments import score
from mitra.simulation import SyntheticJournal, synthetic_journal

from . import services
from .alerts import refresh_after_commit
from .models import CheckIn, Dose, Person, Practice, Response

Progress = Callable[[int], None]


def demo_journal(person: Person, *, days: int, seed: int) -> SyntheticJournal:
    """The synthetic person's records and ground truth, on this person's clock."""
    return synthetic_journal(days, seed=seed, time_zone=person.time_zone)


@transaction.atomic
def load_demo(
    person: Person,
    *,
    days: int,
    seed: int,
    progress: Progress | None = None,
    journal: SyntheticJournal | None = None,
) -> dict[str, int]:
    """Add `days` days of a synthetic person's entries. Returns counts."""
    journal = journal or demo_journal(person, days=days, seed=seed)
    products = [services.add_product(person, data) for data in journal.products]
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
    checkins = [
        CheckIn(person=person, **{k: v for k, v in record.items() if k != "practices"})
        for record in journal.checkins
    ]
    CheckIn.objects.bulk_create(checkins, batch_size=1000)
    practices = [
        Practice(person=person, checkin=checkin, at=checkin.at, **p)
        for checkin, record in zip(checkins, journal.checkins, strict=True)
        for p in record["practices"]
    ]
    Practice.objects.bulk_create(practices, batch_size=1000)
    responses = []
    for record in journal.responses:
        result = score(record["instrument"], record["answers"])
        responses.append(
            Response(
                person=person,
                instrument=result.instrument,
                at=record["at"],
                answers=list(result.answers),
                total=result.total,
                band=result.band.id if result.band else "",
                flags=[flag.id for flag in result.flags],
                crisis=result.crisis,
            )
        )
    Response.objects.bulk_create(responses, batch_size=1000)
    if progress:
        progress(len(checkins) + len(practices) + len(responses))
    refresh_after_commit(person)
    return {
        "products": len(products),
        "doses": len(doses),
        "checkins": len(checkins),
        "practices": len(practices),
        "responses": len(responses),
    }
