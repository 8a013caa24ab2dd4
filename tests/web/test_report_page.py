"""The Report page: a labelled period form, a preview with the PDF's figures, downloads."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_the_page_previews_the_report_and_offers_the_pdf(client: Any, alice: Any) -> None:
    page = client.get("/report")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_days">Last days:</label>' in html
    assert "Self-reported data; not a diagnosis." in html
    assert "/report.pdf?days=90" in html
    pdf = client.get("/report.pdf?days=30&paper=us-letter")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_a_future_period_is_refused_beside_its_field(client: Any, alice: Any) -> None:
    page = client.get("/report?first=2026-01-01&last=2999-01-01")
    assert page.status_code == 422
    assert "Is in the future" in page.content.decode()


@pytest.mark.parametrize(("first", "last"), [("0001-01-01", "0001-01-02"), ("1999-12-31", "")])
def test_a_period_before_any_entry_can_be_is_refused_on_the_page_and_by_the_api(
    client: Any, alice: Any, first: str, last: str
) -> None:
    """A report of "1 Jan 1" was made, though no entry may be before the year 2000."""
    said = "is before 2000-01-01; a journal holds nothing earlier, so check the date"
    page = client.get(f"/report?first={first}&last={last}")
    assert page.status_code == 422
    html = page.content.decode()
    assert (
        f"{said[0].upper()}{said[1:]}."
        in html.split('<label for="id_first"', 1)[1].split("</p>")[0]
    )
    answer = client.get(f"/api/v1/report?from={first}" + (f"&to={last}" if last else ""))
    assert answer.status_code == 422
    assert answer["Content-Type"].startswith("application/problem+json")
    assert answer.json()["errors"] == {"from": said}
    assert client.get("/report?first=2000-01-01&last=2000-01-02").status_code == 200


def test_the_journal_downloads_as_a_csv_zip(client: Any, alice: Any) -> None:
    response = client.get("/export/csv.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response.content.startswith(b"PK")


def test_the_previews_tables_stack_on_a_phone_with_each_cell_labelled(
    client: Any, alice: Any, powder: Any
) -> None:
    """The preview's tables were wider than a phone, clipped in their card ("not lab-teste");
    each row now stacks there, every cell named by its column, and the products table's caption
    no longer repeats the heading above it on screen."""
    import re
    from datetime import UTC, datetime, timedelta

    from mitra.journal import services

    at = datetime.now(UTC) - timedelta(days=1)
    services.log_dose(alice, {"product_id": powder.pk, "taken_at": at, "amount": 3, "unit": "g"})
    html = client.get("/report").content.decode()
    tables = re.findall(r"<table[^>]*>.*?</table>", html, re.S)
    assert tables
    for table in tables:
        assert 'class="data stack"' in table
        columns = re.findall(r'<th scope="col">([^<]*)</th>', table)
        labels = re.findall(r'<td data-label="([^"]*)">', table)
        assert labels[: len(columns)] == columns
    assert '<caption class="visually-hidden">Products used in the period</caption>' in html


def test_the_name_fields_help_says_what_an_empty_name_shows(client: Any, alice: Any) -> None:
    """The help said "empty uses your journal's name", but a journal has no name to set: an
    empty name shows none ("Name not shown")."""
    html = client.get("/report").content.decode()
    assert "journal&#x27;s name" not in html
    assert "left empty, the report shows no name" in html
    assert "Name not shown" in html


def test_a_long_name_or_a_bad_period_is_refused_in_mitras_words(client: Any, alice: Any) -> None:
    """Django's "Ensure this value has at most 100 characters (it has 3000)" was shown beside
    the name: it now reads as the CLI and the API say it."""
    page = client.get("/report?name=" + "A" * 3000).content.decode()
    assert "Name on the report is 3000 characters; use at most 100." in page
    assert "Ensure this value" not in page
    from mitra.reads.report import MAX_DAYS

    days = client.get("/report?days=0").content.decode()
    assert f"Last days must be 1 to {MAX_DAYS} days." in days
    assert "Ensure this value" not in days


@pytest.mark.parametrize("first", ["1704067200", "0", "20240101"])
def test_a_report_day_written_as_a_number_is_refused_by_the_api(
    client: Any, alice: Any, first: str
) -> None:
    """pydantic reads "1704067200" as the Unix time of 2024-01-01 and "0" as 1970-01-01."""
    answer = client.get(f"/api/v1/report?from={first}")
    assert answer.status_code == 422
    assert answer["Content-Type"].startswith("application/problem+json")
    assert answer.json()["errors"] == {"from": "must be a date, like 2026-11-25"}
    answer = client.get(f"/api/v1/report?from=2026-01-01&to={first}")
    assert answer.json()["errors"] == {"to": "must be a date, like 2026-11-25"}


@pytest.mark.parametrize(
    ("zone", "paper"),
    [
        ("America/Chicago", "us-letter"),
        ("America/Toronto", "us-letter"),
        ("America/Mexico_City", "us-letter"),
        ("America/Bogota", "us-letter"),
        ("America/Puerto_Rico", "us-letter"),
        ("Asia/Manila", "us-letter"),
        ("America/Sao_Paulo", "a4"),
        ("America/Argentina/Buenos_Aires", "a4"),
        ("Europe/Berlin", "a4"),
        ("Europe/London", "a4"),
        ("UTC", "a4"),
    ],
)
def test_the_paper_starts_as_the_one_used_where_the_journal_is(
    client: Any, zone: str, paper: str
) -> None:
    """The paper started as A4 for everyone, a journal in Chicago too: it starts as US Letter
    in the countries that print on it (CLDR's list) and A4 elsewhere, on the form and in the
    PDF its link downloads; the person can still choose the other."""
    from mitra.journal import services

    services.set_up_person({"time_zone": zone})
    html = client.get("/report").content.decode()
    assert f'<option value="{paper}" selected>' in html
    size = {"us-letter": b"MediaBox[0 0 612 792]", "a4": b"MediaBox[0 0 595.2756 841.8898]"}
    assert size[paper] in client.get("/report.pdf?days=30").content
    other = "a4" if paper == "us-letter" else "us-letter"
    assert size[other] in client.get(f"/report.pdf?days=30&paper={other}").content
    chosen = client.get(f"/report?days=30&paper={other}").content.decode()
    assert f'<option value="{other}" selected>' in chosen


def test_the_pdf_the_journal_and_sharing_are_each_an_item_of_their_own(
    client: Any, alice: Any
) -> None:
    """The PDF's button and the two links after it were one paragraph, which a phone wrapped
    into one run-on line of links: each is an item of a list now, on a line of its own there."""
    html = client.get("/report").content.decode()
    actions = html[html.index('<ul class="report-actions">') :]
    actions = actions[: actions.index("</ul>")]
    items = [re.sub(r"<[^>]+>", "", item).strip() for item in actions.split("<li>")[1:]]
    assert items == [
        "Download the PDF",
        "Download the whole journal as CSV (zip)",
        "Download the whole journal as FHIR (for clinics)",
        "Share the report with a link",
    ]


def test_the_terminals_pdf_starts_on_the_same_paper_as_the_page(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`mitra report --pdf` printed A4 for a journal in Chicago, whose Report page starts with
    US Letter; --paper still chooses."""
    from mitra.journal import services
    from tests.cli.test_commands import run

    services.set_up_person({"time_zone": "America/Chicago"})
    code, _, err = run(capsys, "report", "--days", "30", "--pdf", str(tmp_path / "r.pdf"))
    assert code == 0, err
    assert b"MediaBox[0 0 612 792]" in (tmp_path / "r.pdf").read_bytes()
    code, _, err = run(capsys, "report", "--pdf", str(tmp_path / "a4.pdf"), "--paper", "a4")
    assert code == 0, err
    assert b"MediaBox[0 0 595.2756 841.8898]" in (tmp_path / "a4.pdf").read_bytes()
