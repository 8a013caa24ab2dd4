"""The Import page: upload, the dry run's preview (counts, mapping, skipped rows), confirm."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mitra.journal.models import CheckIn, Dose

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
