"""The Import page: upload, the dry run's preview (counts, mapping, skipped rows), confirm."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mitra.journal.models import CheckIn, Dose, Intake, Practice

SAMPLES = Path(__file__).parents[1] / "interop" / "samples"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("mitra.settings.DATA_DIR", tmp_path)
    return tmp_path


def _upload(client: Client, name: str, format: str, mapping: str = "") -> Any:
    data = SimpleUploadedFile(name, (SAMPLES / name).read_bytes(), content_type="text/csv")
    return client.post("/import", {"action": "preview", "format": format, "file": data,
                                   "mapping": mapping})  # fmt: skip


def test_the_page_has_a_labelled_form_and_settings_links_to_it(client: Client, alice: Any) -> None:
    html = client.get("/import").content.decode()
    assert '<label for="id_format"' in html
    assert '<label for="id_file"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'href="/import"' in client.get("/settings").content.decode()


def test_preview_shows_counts_mapping_and_skipped_rows_then_confirm_imports(
    client: Client, alice: Any, data_dir: Path
) -> None:
    response = _upload(client, "bearable-export.csv", "bearable", "Socialising=therapy:60")
    html = response.content.decode()
    assert response.status_code == 200
    assert "line 17" in html
    assert "31st Jun 2024" in html
    assert "therapy:60" in html
    # Kinds of entry in words, each with how many are new and how many were there already.
    assert re.search(r'<th scope="row">Check-ins</th><td>9</td><td>0</td>', html)
    assert re.search(r'<th scope="row">Substance uses</th><td>\d+</td><td>0</td>', html)
    assert "checkin" not in html.split("Entries by kind", 1)[1].split("</table>", 1)[0]
    assert CheckIn.objects.filter(person=alice).count() == 0
    kept = list((data_dir / "imports").iterdir())
    assert len(kept) == 1
    assert kept[0].stat().st_mode & 0o777 == 0o600
    upload = re.search(r'name="upload" value="([^"]+)"', html)
    assert upload is not None
    form = {"action": "confirm", "upload": upload[1], "format": "bearable",
            "mapping": "Socialising=therapy:60"}  # fmt: skip
    confirmed = client.post("/import", form, follow=True)
    assert "Imported: " in confirmed.content.decode()
    assert CheckIn.objects.filter(person=alice).count() == 9
    assert Dose.objects.filter(person=alice).count() == 1
    assert list((data_dir / "imports").iterdir()) == []


def test_errors_are_shown_beside_their_fields(client: Client, alice: Any, data_dir: Path) -> None:
    wrong = _upload(client, "daylio-export.csv", "bearable")
    assert wrong.status_code == 422
    assert "not a Bearable CSV export" in wrong.content.decode()
    bad_map = _upload(client, "bearable-export.csv", "bearable", "Running=flying")
    assert bad_map.status_code == 422
    assert "is not a target" in bad_map.content.decode()
    none = client.post("/import", {"action": "preview", "format": "bearable"})
    assert "Choose the file to import." in none.content.decode()


def test_an_unknown_or_expired_upload_imports_nothing(
    client: Client, alice: Any, data_dir: Path
) -> None:
    for upload in ("../../etc/passwd", "A" * 32):
        response = client.post("/import", {"action": "confirm", "upload": upload,
                                           "format": "bearable"}, follow=True)  # fmt: skip
        assert "expired" in response.content.decode()
    assert CheckIn.objects.filter(person=alice).count() == 0


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    client: Client, alice: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mitra.web.import_views.MAX_UPLOAD", 10)
    response = _upload(client, "bearable-export.csv", "bearable")
    assert response.status_code == 413
    assert "larger than" in response.content.decode()


def test_the_preview_names_a_time_the_clocks_skipped_and_how_it_was_read(
    client: Client, alice: Any, data_dir: Path
) -> None:
    # Track & Graph, a timestamp without its offset at 02:30 on the night Berlin's clocks
    # went from 02:00 to 03:00: kept, read as 03:30, and said in the preview.
    rows = "FeatureName,Timestamp,Value,Label,Note\nAnxiety,2026-03-29T02:30:00,4,,\n"
    data = SimpleUploadedFile("tg.csv", rows.encode(), content_type="text/csv")
    html = client.post(
        "/import", {"action": "preview", "format": "track-and-graph", "file": data}
    ).content.decode()
    assert "Rows read at another time" in html
    assert (
        "<strong>line 2</strong>: 02:30 on 29 Mar 2026 is not a time in Europe/Berlin (the clocks "
        "went forward): read as 03:30" in html
    )


def test_a_phone_keeps_a_copy_from_settings_and_restores_it_on_the_import_page(
    client: Client, alice: Any, powder: Any, data_dir: Path
) -> None:
    """The only download on a phone was the CSV zip, which the Import page cannot read back
    (its message spoke of bytes, and said "export" twice); the delete page sent people to a
    Settings page without any download. Settings now offers the journal's own JSON, which the
    Import page takes back, and the zip is named as what it is."""
    import json
    from datetime import UTC, datetime, timedelta

    from mitra.journal import services
    from mitra.journal.erase import delete_journal

    at = datetime.now(UTC) - timedelta(hours=3)
    services.add_checkin(alice, {"at": at, "anxiety": 5, "note": "kept"})
    services.log_dose(alice, {"product_id": powder.pk, "taken_at": at, "amount": 2, "unit": "g"})
    services.log_practice(alice, {"kind": "yoga", "minutes": 25, "at": at})  # on its own
    wine = services.add_substance(alice, {"name": "wine"})
    services.log_intake(alice, {"substance_id": wine.pk, "taken_at": at, "amount": 1,
                                "unit": "glass"})  # fmt: skip
    settings_page = client.get("/settings").content.decode()
    assert 'href="/export/journal.json" download>Download your whole journal</a>' in settings_page
    delete_page = client.get("/settings/delete").content.decode()
    assert 'href="/export/journal.json" download>download your whole journal</a>' in delete_page
    copy = client.get("/export/journal.json")
    assert copy.status_code == 200
    assert copy["Content-Disposition"] == 'attachment; filename="mitra-journal.json"'
    assert copy["Cache-Control"] == "private, no-store"  # the whole journal: kept by no cache
    document = json.loads(copy.content)
    assert document["checkins"][0]["note"] == "kept"
    # Restored into a new journal (another phone): every entry comes back.
    delete_journal(alice)
    services.set_up_person({"time_zone": "Europe/Berlin"})
    upload = SimpleUploadedFile("mitra-journal.json", copy.content, "application/json")
    preview = client.post("/import", {"action": "preview", "format": "mitra-json", "file": upload})
    assert preview.status_code == 200, preview.content.decode()[:2000]
    token = re.search(r'name="upload" value="([^"]+)"', preview.content.decode())
    assert token is not None
    client.post("/import", {"action": "confirm", "upload": token[1], "format": "mitra-json"})
    assert CheckIn.objects.get().note == "kept"
    assert Dose.objects.get().amount == 2
    # Every entry, a practice logged on its own and a substance use too.
    assert list(Practice.objects.values_list("kind", "minutes", "checkin_id")) == [
        ("yoga", 25, None)
    ]
    assert Intake.objects.get().unit == "glass"
    # The spreadsheet zip is named as what it is, beside the file field.
    zipped = client.get("/export/csv.zip").content
    upload = SimpleUploadedFile("mitra-journal-csv.zip", zipped, "application/zip")
    refused = client.post("/import", {"action": "preview", "format": "mitra-json", "file": upload})
    assert refused.status_code == 422
    said = " ".join(refused.content.decode().split())
    said = said[said.index('id="id_file_error"') :][:400]
    assert "This is a zip file, not JSON" in said, said
    assert "choose its JSON file, mitra-journal.json). Is it a mitra (JSON) export?" in said
    # A spreadsheet chosen for a JSON app is named as not JSON, not "Expecting value".
    csv = SimpleUploadedFile("bearable.csv", b"date,time,category\n2026-01-01,am,Mood\n")
    refused = client.post("/import", {"action": "preview", "format": "mitra-json", "file": csv})
    said = " ".join(refused.content.decode().split())
    said = said[said.index('id="id_file_error"') :][:400]
    assert "This file is not JSON (it begins “date,time,category”)" in said, said
    assert "Expecting value" not in said


def _everything() -> dict[str, Any]:
    """Every row of the journal's tables, as values: what a preview must leave as it was."""
    from django.apps import apps

    return {
        model.__name__: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_app_config("journal").get_models()
    }


def test_the_preview_writes_nothing_not_even_the_files_time_zone_or_plan(
    client: Client, alice: Any, data_dir: Path
) -> None:
    """Into a journal with no entries yet, an import takes the file's time zone, plan, goals
    and taper: the preview shows that it would, and changes none of them."""
    import json
    from datetime import date

    from mitra.interop.json_export import export_json
    from mitra.journal import plans, services, tapers
    from mitra.journal.erase import delete_journal
    from mitra.taper import measure_for, plan_schedule

    bob = services.add_person({"time_zone": "America/Chicago", "day_boundary_hour": 5})
    product = services.add_product(bob, {"name": "Bali", "unit": "g"})
    services.log_dose(bob, {"product_id": product.pk, "taken_at": "2026-03-10T08:00:00-05:00",
                            "amount": 2, "unit": "g"})  # fmt: skip
    plans.save_plan(bob, {"reasons": "sleep better", "crisis_contacts": [
        {"name": "Sam", "phone": "+1 555 0100"}]})  # fmt: skip
    plans.set_goal(bob, {"kind": "yoga", "amount": 60, "unit": "minutes"})
    schedule = plan_schedule(8.0, 0, "10-per-week", measure_for("g"), starts=date(2026, 3, 1))
    tapers.save_taper(bob, schedule)
    document = json.dumps(export_json(bob)).encode()
    delete_journal(bob)
    before = _everything()
    data = SimpleUploadedFile("journal.json", document, content_type="application/json")
    response = client.post("/import", {"action": "preview", "format": "mitra-json", "file": data})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<th scope="row">Time zone and day boundary</th><td>1</td>', html)
    # A kind is named as the column names kinds, whatever the count; the journal's one clock
    # in the singular.
    assert re.search(r'<th scope="row">Tapers</th><td>1</td>', html)
    assert re.search(r'<th scope="row">Substances</th><td>0</td>', html)
    assert _everything() == before


def test_a_file_with_nothing_new_offers_no_import_and_says_why(
    client: Client, alice: Any, data_dir: Path
) -> None:
    first = _upload(client, "bearable-export.csv", "bearable").content.decode()
    upload = re.search(r'name="upload" value="([^"]+)"', first)
    assert upload is not None
    client.post("/import", {"action": "confirm", "upload": upload[1], "format": "bearable",
                            "mapping": ""})  # fmt: skip
    again = _upload(client, "bearable-export.csv", "bearable").content.decode()
    assert re.search(r'<th scope="row">Check-ins</th><td>0</td><td>9</td>', again)
    assert "Nothing new to import: the entries mitra could read from this file are in your " \
        "journal already." in again
    assert "Import these entries" not in again
    assert 'value="confirm"' not in again
    assert not list((data_dir / "imports").iterdir())  # no copy kept for an import not offered


def test_a_file_without_an_entry_mitra_reads_offers_no_import(
    client: Client, alice: Any, data_dir: Path
) -> None:
    header = (SAMPLES / "bearable-export.csv").read_text().splitlines()[0] + "\n"
    data = SimpleUploadedFile("empty.csv", header.encode(), content_type="text/csv")
    html = client.post("/import", {"action": "preview", "format": "bearable", "file": data})
    text = html.content.decode()
    assert html.status_code == 200
    assert "Nothing to import: mitra found no entry it could read in this file." in text
    assert "Import these entries" not in text
    assert not (data_dir / "imports").exists() or not list((data_dir / "imports").iterdir())
