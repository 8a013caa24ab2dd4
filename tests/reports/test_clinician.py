"""The clinician's report: the PDF read back holds the journal's figures; periods are checked."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest

from mitra.cli import main

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture
def journal(mixed_journal: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from mitra.reads import report

    monkeypatch.setattr(report, "_now", lambda: mixed_journal.now)
    return mixed_journal


def test_the_pdf_holds_the_journals_figures_on_one_to_three_tagged_pages(journal: Any) -> None:
    from pypdf import PdfReader

    from mitra.reads.report import report
    from mitra.reports.clinician import pdf

    read = report(journal.person, days=63, name="A. L.")
    data = pdf(read)
    reader = PdfReader(io.BytesIO(data))
    assert 1 <= len(reader.pages) <= 3
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    text = " ".join(_text(data).split())
    assert "A. L." in text
    assert "Self-reported data; not a diagnosis." in text
    gad7 = read.questionnaires[0]
    assert gad7.latest is not None
    assert f"Latest total {gad7.latest.total} of 21" in text
    # Every product with its lab figure, and the weekly mean per day of the first week.
    assert "Lab powder" in text
    assert "Lab powder Leaf powder grams 15 not lab-tested" in " ".join(text.split())  # as entered
    first_week = read.kratom.weeks[0]
    assert f"{first_week.mg_per_day:,.0f}" in text
    assert "Concentrated 7-OH products:" in text
    assert f"{journal.doses['7oh']} doses" in text
    assert "associated with" in text


def test_the_pdf_embeds_every_font_and_fits_us_letter(journal: Any) -> None:
    from pypdf import PdfReader

    from mitra.reads.report import report
    from mitra.reports.clinician import pdf

    reader = PdfReader(io.BytesIO(pdf(report(journal.person), paper="us-letter")))
    assert round(float(reader.pages[0].mediabox.width)) == 612
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            descendant = font.get_object().get("/DescendantFonts")
            described = descendant[0].get_object() if descendant else font.get_object()
            descriptor = described["/FontDescriptor"]
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_a_crisis_answer_in_the_period_is_shown_first(alice: Any) -> None:
    from django.utils import timezone

    from mitra.journal import services
    from mitra.reads.report import report
    from mitra.reports.clinician import pdf

    services.submit_response(
        alice,
        {"instrument": "PHQ-9", "at": timezone.now(), "answers": [1, 1, 1, 1, 1, 1, 1, 1, 2]},
    )
    read = report(alice, days=30)
    assert len(read.crisis) == 1
    text = " ".join(_text(pdf(read)).split())
    assert text.index("Crisis answers in this period") < text.index("Kratom")


def test_the_crisis_box_tells_the_clinician_what_was_answered_when_in_the_third_person(
    alice: Any, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The box once said "You said you have had thoughts... please reach a crisis line": the
    person's own message, in a document for their clinician. It now says which questionnaire,
    when, which item and the answer, and what the flag means, with its sources; the person's
    own result keeps speaking to the person."""
    from datetime import UTC, datetime

    from mitra import wording
    from mitra.journal import services
    from mitra.reads.report import report
    from mitra.reports.clinician import pdf, sections

    answered = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    saved = services.submit_response(
        alice, {"instrument": "PHQ-9", "at": answered, "answers": [1, 1, 1, 1, 1, 1, 1, 1, 2]}
    )
    read = report(alice, days=30)
    (crisis,) = sections(read)["crisis"]
    when = wording.moment(read.crisis[0].at)
    said = (
        f"PHQ-9 on {when}: the person answered item 9, \u201cThoughts that you would be better "
        "off dead or of hurting yourself in some way\u201d, with \u201cMore than half the "
        "days\u201d (2 of 3); total 10 of 27."
    )
    assert crisis["text"].startswith(said)
    assert "raised risk of suicide attempt" in crisis["text"]
    assert crisis["sources"][0].startswith("Simon GE, et al.")
    text = " ".join(_text(pdf(read)).split())
    page = client.get("/report?days=30").content.decode()
    box = page[page.index("Crisis answers in this period") :].split("</div>")[0]
    main(["report", "--days", "30"])
    printed = " ".join(capsys.readouterr().out.split())
    for shown in (text, box, printed):
        assert "the person answered item 9" in shown
        assert "You said" not in shown
        assert "please reach a crisis line" not in shown
    assert "Sources: Simon GE, et al." in text
    assert "Sources: Simon GE, et al." in box
    # The person's own result speaks to the person.
    own = client.get(f"/responses/{saved.pk}")
    assert own.status_code == 200
    assert "You said you have had thoughts" in own.content.decode()


def test_alert_and_crisis_times_are_on_the_journals_clock(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Alice is in Berlin: the alert's time, the crisis answer's and the report's own are said
    on her clock, never in UTC beside local times. A crisis answer in the period is told in the
    crisis box (to the clinician), not again among the open alerts (its alert speaks to Alice);
    the open alert of one before the period stays."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from mitra import wording
    from mitra.journal import services
    from mitra.reads.report import report
    from mitra.reports.clinician import sections

    answered = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    before = answered - timedelta(days=40)
    with django_capture_on_commit_callbacks(execute=True):  # the alert refresh after commit
        for at in (before, answered):
            services.submit_response(
                alice, {"instrument": "PHQ-9", "at": at, "answers": [1, 1, 1, 1, 1, 1, 1, 1, 2]}
            )
    read = report(alice, days=30)
    berlin = ZoneInfo("Europe/Berlin")
    assert [c.at for c in read.crisis] == [answered]
    assert [a.at for a in read.alerts] == [before]
    assert read.alerts[0].at.utcoffset() == read.alerts[0].at.astimezone(berlin).utcoffset()
    worded = sections(read)
    local = wording.moment(answered.astimezone(berlin))
    assert any(local in line["text"] for line in worded["crisis"]), worded["crisis"]
    assert worded["alerts"][0]["when"] == wording.moment(read.alerts[0].at.astimezone(berlin))
    assert str(read.alerts[0].at.tzinfo) == "Europe/Berlin"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--days", "0"], "between 1 and 731"),
        (["--days", "800"], "between 1 and 731"),
        (["--from", "2026-03-01", "--to", "2026-02-01"], "--from must be on or before"),
        (["--from", "2020-01-01", "--to", "2026-01-01"], "longer than 731 days"),
        (["--from", "2026-01-01", "--to", "2999-01-01"], "--to is in the future"),
        (["--to", "2026-01-01"], "--to needs --from"),
        (["--from", "yesterday"], "is not a date"),
        (["--paper", "a3"], "--paper a3 is not available"),
        (["--name", "A" * 101], "--name is 101 characters; use at most 100"),
        (["--name", "a\x01b"], "--name must not contain control characters (here U+0001)"),
    ],
)
def test_a_period_that_cannot_be_made_is_refused_in_one_line(
    alice: Any, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_text_the_fonts_cannot_show_is_printed_as_a_box_and_said_so(
    alice: Any, client: Any
) -> None:
    """Emoji, Chinese script and the like: a tagged PDF may not hold text its fonts cannot show,
    and Typst's bundled fonts have none of it. The PDF is made, from every face."""
    from datetime import UTC, datetime

    from mitra.journal import services
    from mitra.reads.report import report
    from mitra.reports.clinician import STAND_IN_NOTE, pdf

    bali = services.add_product(alice, {"name": "Bali 🌿 powder", "unit": "g"})
    # Thai, with its combining marks: a script the fonts lack that Typst names a letter at a time.
    thai = services.add_product(alice, {"name": "สมชาย ใจดี ฉันชอบกินข้าวผัด", "unit": "g"})
    taken = datetime.now(UTC) - timedelta(hours=2)
    for product in (bali, thai):
        services.log_dose(
            alice, {"product_id": product.pk, "taken_at": taken, "amount": 2, "unit": "g"}
        )
    text = " ".join(_text(pdf(report(alice, days=30, name="Zoë 李明"))).split())
    assert "Zoë □□" in text  # what the fonts have is kept
    assert "Bali □ powder" in text
    assert "□□□□□ □□□□" in text
    assert " ".join(STAND_IN_NOTE.split()) in text
    assert client.get("/report.pdf?name=%F0%9F%8C%BF").status_code == 200


def test_control_codes_the_journal_holds_are_printed_as_a_box_and_the_pdf_is_made(
    alice: Any, client: Any
) -> None:
    """Inputs refuse control codes, but a journal from before, or an imported file, may hold
    them; no font shows one, and Typst refused the PDF ("could not be displayed"). So are
    code points no font has (U+0378 is unassigned, in the Greek block the fonts hold)."""
    from datetime import UTC, datetime

    from mitra.journal import services
    from mitra.journal.models import Person, Product
    from mitra.reads.report import report
    from mitra.reports.clinician import STAND_IN_NOTE, pdf

    made = services.add_product(alice, {"name": "Ctl prod", "vendor": "Shop", "unit": "g"})
    Product.objects.filter(pk=made.pk).update(name="Ctl\x01prod", vendor="Sh\x85op\x7f")
    Person.objects.filter(pk=alice.pk).update(name="Al\x1bice\u0378")
    taken = datetime.now(UTC) - timedelta(hours=2)
    services.log_dose(alice, {"product_id": made.pk, "taken_at": taken, "amount": 2, "unit": "g"})
    alice.refresh_from_db()
    text = " ".join(_text(pdf(report(alice, days=30))).split())
    assert "Ctl□prod (Sh□op□)" in text
    assert "Al□ice□" in text
    assert " ".join(STAND_IN_NOTE.split()) in text
    response = client.get("/report.pdf?days=30")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_interactions_name_the_persons_substances_as_their_alerts_do_never_an_id(
    alice: Any, client: Any
) -> None:
    """The report once said "(kratom and cyp3a4_substrate)": an id of the knowledge base, in
    the page, the PDF and the report a clinician opens alike (all render `sections`). It then
    named the class ("kratom and Serotonergic") where the alert names the medicine listed
    ("You list kratom and sertraline"); it now names the person's substances as the alert does,
    the knowledge base's name beside a name of their own ("Xanax (alprazolam)")."""
    import re
    from html import unescape

    from mitra.journal import services
    from mitra.journal.alerts import refresh_alerts
    from mitra.reads.alerts import alerts
    from mitra.reads.report import report
    from mitra.reports.clinician import pdf, sections

    for name in ("Xanax", "sertraline"):
        services.add_substance(alice, {"name": name})
    refresh_alerts(alice)
    read = report(alice, days=30)
    between = {i["title"]: i["between"] for i in sections(read)["interactions"]}
    serotonergic = next(t for t in between if "serotonergic" in t)
    benzodiazepine = next(t for t in between if "benzodiazepine" in t)
    assert between[serotonergic] == "kratom and sertraline"
    assert between[benzodiazepine] == "kratom and Xanax (alprazolam)"
    assert set(between.values()) == {"kratom and sertraline", "kratom and Xanax (alprazolam)"}
    said = {a.title: " ".join(a.text.split()) for a in alerts(alice).alerts}
    assert "You list kratom and sertraline," in said[f"{serotonergic} (sertraline)"]
    assert "You list kratom and Xanax (alprazolam)," in said[f"{benzodiazepine} (Xanax)"]
    text = " ".join(_text(pdf(read)).split())
    html = client.get("/report?days=30").content.decode()
    page = " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())
    for shown in (text, page):
        assert f"{serotonergic} (kratom and sertraline)" in shown
        assert f"{benzodiazepine} (kratom and Xanax (alprazolam))" in shown
        assert "Serotonergic)" not in shown
        assert "cyp3a4_substrate" not in shown


def test_the_cli_writes_a_private_pdf(alice: Any, tmp_path: Any) -> None:
    target = tmp_path / "report.pdf"
    main(["report", "--pdf", str(target), "--from", str(date.today() - timedelta(days=10))])
    assert target.read_bytes().startswith(b"%PDF")
    assert target.stat().st_mode & 0o777 == 0o600


def test_the_api_refuses_a_future_period_as_a_problem(client: Any, alice: Any) -> None:
    response = client.get("/api/v1/report?from=2026-01-01&to=2999-01-01")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert "to" in response.json()["errors"]


def test_the_cli_summary_counts_its_open_alerts_in_words(
    journal: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    main(["report", "--json"])
    count = len(json.loads(capsys.readouterr().out)["alerts"])
    main(["report"])
    printed = " ".join(capsys.readouterr().out.split())
    noun = "open alert" if count == 1 else "open alerts"
    assert f"{count} {noun}. Write the PDF with --pdf FILE." in printed
    assert "alert(s)" not in printed


def test_7oh_use_is_counted_by_lab_figures_never_called_an_estimate(
    journal: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The mixed journal's 7-OH tablets have no lab figure: none of their mg is known."""
    main(["report"])
    printed = " ".join(capsys.readouterr().out.split())
    doses = journal.doses["7oh"]
    assert doses > 1
    assert (
        f"Concentrated 7-OH products: {doses} doses on {doses} days (7-OH tabs); their 7-OH is "
        "not known: none of them has a lab figure." in printed
    )
    assert "mg of 7-OH in all" not in printed  # never a measured zero


def test_an_insights_figure_that_is_not_zero_never_reads_zero_in_the_report(
    journal: Any,
) -> None:
    from dataclasses import replace

    from mitra.reads.report import report
    from mitra.reports.clinician import sections

    read = report(journal.person, days=90)
    assert read.insights
    card = replace(read.insights[0], estimate=-0.26, interval=(-0.5, -0.02), level=False)
    estimate = sections(replace(read, insights=(card,)))["insights"][0]["estimate"]
    assert "(95% interval −0.50 to −0.02)" in estimate


def test_an_extract_with_a_high_7oh_lab_figure_is_a_concentrated_7oh_product_on_every_face(
    alice: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An extract with a lab figure of 5 mg of 7-OH per g raised the alert "OPMS extract is a
    concentrated 7-OH product", while the report's own section (its first page, the Report
    page) said "No concentrated 7-OH product was logged in this period", and its Journal line
    showed only its mitragynine: the report and the Journal looked at the form alone. One test,
    the safety rule's, now decides on every face."""
    from datetime import UTC, datetime
    from html import unescape

    from mitra.journal import services
    from mitra.reads.alerts import alerts
    from mitra.reads.journal import journal_page
    from mitra.reads.report import report
    from mitra.reports.clinician import pdf, sections

    extract = services.add_product(
        alice, {"name": "OPMS extract", "form": "extract", "hydroxy_mg_per_g": 5}
    )
    taken = datetime.now(UTC) - timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):  # the alert refresh after commit
        services.log_dose(
            alice, {"product_id": extract.pk, "taken_at": taken, "amount": 0.5, "unit": "g"}
        )

    titles = [a.title for a in alerts(alice).alerts]
    assert "OPMS extract is a concentrated 7-OH product" in titles
    read = report(alice, days=30)
    assert (read.kratom.seven_oh.doses, read.kratom.seven_oh.products) == (1, ("OPMS extract",))
    assert read.kratom.seven_oh.mg_7oh == pytest.approx(2.5)
    said = (
        "Concentrated 7-OH products: 1 dose on 1 day (OPMS extract); 2.5 mg of 7-OH in all by "
        "the products' lab figures."
    )
    assert sections(read)["kratom"]["seven_oh"] == said
    text = " ".join(_text(pdf(read)).split())
    page = " ".join(unescape(client.get("/report?days=30").content.decode()).split())
    for shown in (text, page):
        assert said in shown
        assert "No concentrated 7-OH product" not in shown
    (line,) = (e for day in journal_page(alice).days for e in day.entries if e.kind == "dose")
    assert line.details[0] == "2.5 mg 7-OH (lab figure)"  # its 7-OH first, as a 7-OH product's
    products = " ".join(client.get("/products").content.decode().split())
    assert 'Extract <strong class="warn">concentrated 7-OH</strong>' in products
    main(["products"])  # the terminal's table says it as the page does (its cell may wrap)
    table = capsys.readouterr().out
    assert "(concentrated" in table
    assert "7-OH)" in table
