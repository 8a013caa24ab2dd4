"""Importing 20,000 rows (a PsychonautWiki Journal export of kratom doses), against a baseline.

The baseline is what a competent engineer would write without mitra's checks: json.loads, one
Dose per ingestion with its grams, one bulk insert. mitra's path adds the source keys (so a
second import adds nothing), the entry schemas, dose normalisation and the per-row reasons.
Both run in one transaction that is rolled back, so each run starts from the same journal.
Target: under 2 s.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime

ROWS = 20_000
TARGET_S = 2.0


class _Rollback(Exception):
    pass


def _export(rows: int) -> bytes:
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


def _timed(call: Callable[[], object]) -> float:
    from django.db import transaction

    start = time.perf_counter()
    try:
        with transaction.atomic():
            call()
            elapsed = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def main() -> dict[str, float]:
    """Run the benchmark and print its figures."""
    os.environ.setdefault("MITRA_DATA_DIR", tempfile.mkdtemp(prefix="mitra-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitra.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from mitra.interop.importing import import_file
    from mitra.journal import services
    from mitra.journal.models import Dose  # the baseline writes rows directly, as a script would

    call_command("migrate", interactive=False, verbosity=0)
    person = services.get_person() or services.set_up_person({"time_zone": "Europe/Berlin"})
    data = _export(ROWS)

    def baseline() -> None:
        product = services.add_product(person, {"name": "Kratom baseline"})
        document = json.loads(data)
        doses = [
            Dose(person=person, product=product, amount=item["dose"], unit="g",
                 grams=item["dose"], taken_at=datetime.fromtimestamp(item["time"] / 1000, tz=UTC))
            for experience in document["experiences"]
            for item in experience["ingestions"]
        ]  # fmt: skip
        Dose.objects.bulk_create(doses, batch_size=1000)

    def mitra() -> None:
        report = import_file(person, "pwj", data, dry_run=False)
        assert report.added["dose"] == ROWS, report.added

    base = min(_timed(baseline) for _ in range(3))
    ours = min(_timed(mitra) for _ in range(3))
    verdict = "ok" if ours < TARGET_S else "MISSED"
    print(
        f"import of {ROWS} rows: mitra {ours:.2f} s, baseline (json + bulk insert) {base:.2f} s,"
        f" ratio {ours / base:.1f}x; target < {TARGET_S:g} s: {verdict}"
    )
    return {"mitra_s": ours, "baseline_s": base}


if __name__ == "__main__":
    main()
