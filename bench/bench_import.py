"""Importing 20,000 rows (a PsychonautWiki Journal export of kratom doses), against a baseline.

The baseline is what a competent engineer would write without mitra's checks: json.loads, one
Dose per ingestion with its grams, one bulk_create, committed. mitra's path adds the source keys
(so a second import adds nothing), the entry schemas, dose normalisation, the per-row reasons
and, after its commit, the one alert refresh a person waits for too. Each run is committed and
then removed again (untimed), so every run starts from the same journal; runs alternate between
mitra and the baseline. Rows: wall time (target under 2 s) and CPU time, steadier than wall
time on a busy machine.

Run: python bench/bench_import.py DATA_DIR   (a journal with no entries is made there)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from table import Row

ROWS = 20_000
RUNS = 3
TARGET_MS = 2000
BASELINE = "json.loads + bulk_create"


def export(rows: int) -> bytes:
    """A PsychonautWiki Journal export of `rows` kratom ingestions, an hour apart."""
    start = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
    ingestions = [
        {"substanceName": "Kratom", "time": start + i * 3_600_000, "creationDate": start + i,
         "administrationRoute": "ORAL", "dose": 2.0 + (i % 5) * 0.5, "units": "g",
         "isDoseAnEstimate": False, "notes": ""}
        for i in range(rows)
    ]  # fmt: skip
    return json.dumps(
        {"experiences": [{"title": "all", "text": "", "ingestions": ingestions}]}
    ).encode()


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def measure(data_dir: str) -> list[Row]:
    """The import's rows of the benchmark table."""
    os.environ.update(MITRA_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="mitra.settings")
    os.environ.pop("MITRA_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from mitra.interop.importing import import_file
    from mitra.journal import services

    # The baseline writes rows directly, as a script would; the tidying removes both kinds.
    from mitra.journal.models import Alert, Dose, Product

    call_command("migrate", interactive=False, verbosity=0)
    person = services.get_person() or services.set_up_person({"time_zone": "Europe/Berlin"})
    data = export(ROWS)

    def tidy() -> None:
        for model in (Dose, Product, Alert):
            model.objects.filter(person=person).delete()

    def baseline() -> None:
        with transaction.atomic():
            product = services.add_product(person, {"name": "Kratom baseline"})
            document = json.loads(data)
            doses = [
                Dose(person=person, product=product, amount=item["dose"], unit="g",
                     grams=item["dose"],
                     taken_at=datetime.fromtimestamp(item["time"] / 1000, tz=UTC))
                for experience in document["experiences"]
                for item in experience["ingestions"]
            ]  # fmt: skip
            Dose.objects.bulk_create(doses, batch_size=1000)

    def mitra() -> None:
        report = import_file(person, "pwj", data, dry_run=False)
        assert report.added["dose"] == ROWS, report.added

    tidy()
    ours: list[tuple[float, float]] = []
    base: list[tuple[float, float]] = []
    for _ in range(RUNS):
        base.append(_timed(baseline))
        tidy()
        ours.append(_timed(mitra))
        tidy()
    name = f"import {ROWS:,} PsychonautWiki rows"
    return [
        Row(name, _median(ours, 0), _median(base, 0), BASELINE, limit=TARGET_MS),
        Row(f"{name}: CPU time", _median(ours, 1), _median(base, 1), BASELINE),
    ]


def _median(samples: list[tuple[float, float]], index: int) -> float:
    return statistics.median(sample[index] for sample in samples)


def _rows_of(result: Any) -> None:
    for row in result:
        print("ROW " + row.to_json(), flush=True)


if __name__ == "__main__":
    _rows_of(measure(sys.argv[1]))
