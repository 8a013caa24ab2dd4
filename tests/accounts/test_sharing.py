"""A share link opens alice's report for a clinician without an account, while it is live;
every opening is on alice's "who looked at my journal" list."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from .conftest import People, sign_in


def _make_link(client: Client, label: str = "Dr Lee", days: int = 14) -> str:
    page = client.post("/sharing", {"label": label, "days": days})
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    found = re.search(r'id="share-url"[^>]*value="([^"]+)"', page.content.decode())
    assert found
    return found.group(1).removeprefix("http://testserver")


def test_a_share_link_opens_the_report_without_an_account_and_is_audited(
    people: People, client: Client
) -> None:
    from mitra.journal import services

    services.add_product(people.alice.person, {"name": "Green powder", "unit": "g"})
    sign_in(client, people.alice)
    path = _make_link(client)
    clinician = Client(REMOTE_ADDR="192.0.2.7")
    report = clinician.get(path)
    assert report.status_code == 200
    page = report.content.decode()
    assert "A report shared with you" in page
    assert 'href="/journal"' not in page  # the report only: no way into the journal
    assert report["Cache-Control"] == "no-store"
    looked = client.get("/sharing").content.decode()
    assert "share link “Dr Lee”" in looked
    assert "192.0.2.7" in looked


def test_the_report_a_link_opens_names_interactions_as_the_alerts_do(
    people: People,
) -> None:
    """As the person's own report: by the substance they list ("Xanax (alprazolam)"), never by
    the knowledge base's ids."""
    from mitra.accounts import sharing
    from mitra.journal import services

    services.add_substance(people.alice.person, {"name": "Xanax"})
    link = sharing.add_share_link(people.alice.person, "Dr Lee", 7)
    page = Client().get(f"/shared/{link.secret}").content.decode()
    assert "(kratom and Xanax (alprazolam))" in page
    assert "(kratom and Benzodiazepine)" not in page
    assert "cyp3a4_substrate" not in page


def test_the_report_a_link_opens_tells_the_clinician_of_a_crisis_answer_in_the_third_person(
    people: People,
) -> None:
    from mitra.accounts import sharing
    from mitra.journal import services

    answers = [1, 1, 1, 1, 1, 1, 1, 1, 2]
    services.submit_response(
        people.alice.person, {"instrument": "PHQ-9", "at": timezone.now(), "answers": answers}
    )
    link = sharing.add_share_link(people.alice.person, "Dr Lee", 7)
    page = Client().get(f"/shared/{link.secret}").content.decode()
    assert "PHQ-9 on " in page
    assert "the person answered item 9" in page
    assert "Sources: Simon GE, et al." in page
    assert "You said you have had thoughts" not in page  # the person's words, not hers


def test_a_revoked_or_expired_link_stops_working(people: People, client: Client) -> None:
    from mitra.accounts.models import ShareLink

    sign_in(client, people.alice)
    revoked, expired = _make_link(client, "revoked"), _make_link(client, "expired")
    anyone = Client()
    assert anyone.get(revoked).status_code == 200
    link = ShareLink.objects.get(label="revoked")
    client.post(f"/sharing/{link.pk}/revoke")
    assert anyone.get(revoked).status_code == 404
    ShareLink.objects.filter(label="expired").update(expires_at=timezone.now() - timedelta(1))
    assert anyone.get(expired).status_code == 404
    assert anyone.get("/shared/s_not-a-link").status_code == 404
    listing = client.get("/sharing").content.decode()
    assert "revoked" in listing
    assert "expired" in listing


def test_a_link_lasts_at_most_90_days(people: People, client: Client) -> None:
    sign_in(client, people.alice)
    page = client.post("/sharing", {"label": "Dr Lee", "days": 91})
    assert page.status_code == 400
    assert "Works for (days) must be 1 to 90 days." in page.content.decode()
    assert "share-url" not in page.content.decode()


def test_a_link_shows_only_its_own_persons_report(people: People, client: Any) -> None:
    from mitra.journal import services

    services.add_product(people.bob.person, {"name": "Bob-only capsules", "unit": "g"})
    services.log_dose(
        people.bob.person,
        {
            "product_id": services.add_product(
                people.bob.person, {"name": "Bob-tea", "unit": "g"}
            ).pk,
            "amount": 2,
            "unit": "g",
            "taken_at": timezone.now(),
        },
    )
    sign_in(client, people.alice)
    page = Client().get(_make_link(client)).content.decode()
    assert "Bob-tea" not in page


def test_carol_reads_alices_report_through_her_grant_until_it_is_revoked(
    people: People, client: Client
) -> None:
    from mitra.journal import services

    services.add_product(people.alice.person, {"name": "Green powder", "unit": "g"})
    sign_in(client, people.alice)
    given = client.post("/sharing/grants", {"clinician": "carol", "scope": "report", "days": 30})
    assert given["Location"] == "/sharing"
    carol = sign_in(Client(REMOTE_ADDR="198.51.100.4"), people.carol)
    listing = carol.get("/account/shared-with-me").content.decode()
    assert "alice" in listing
    from mitra.accounts.sharing import grants_held

    (grant,) = grants_held(people.carol)
    report = carol.get(f"/account/shared-with-me/{grant.id}")
    assert report.status_code == 200
    assert "A report shared with you" in report.content.decode()
    # A report-only grant gives no data download, and carol still has no journal pages.
    assert carol.get(f"/account/shared-with-me/{grant.id}/csv.zip").status_code == 404
    assert carol.get("/journal").status_code == 404
    looked = client.get("/sharing").content.decode()
    assert "carol (clinician)" in looked
    assert "198.51.100.4" in looked
    client.post(f"/sharing/grants/{grant.id}/revoke")
    assert carol.get(f"/account/shared-with-me/{grant.id}").status_code == 404
    assert "alice" not in carol.get("/account/shared-with-me").content.decode()


def test_a_report_and_data_grant_lets_the_clinician_download_the_journal(
    people: People, client: Client
) -> None:
    from mitra.accounts import sharing
    from mitra.journal import services

    note = '=HYPERLINK("http://evil","x")'
    services.add_product(people.alice.person, {"name": "Leaf", "unit": "g", "notes": note})
    grant = sharing.add_grant(people.alice.person, "carol", "report-and-data", 7)
    carol = sign_in(Client(), people.carol)
    data = carol.get(f"/account/shared-with-me/{grant.id}/csv.zip")
    assert data.status_code == 200
    assert data["Content-Type"] == "application/zip"
    # Named after its person and the day (on her clock): several persons' files never collide.
    today = timezone.localdate(timezone=ZoneInfo("Europe/Berlin"))
    assert data["Content-Disposition"] == (
        f'attachment; filename="mitra-journal-csv-alice-{today.isoformat()}.zip"'
    )
    # Text her spreadsheet program would run as a formula is written as text.
    with zipfile.ZipFile(io.BytesIO(data.content)) as archive:
        products = archive.read("products.csv").decode("utf-8-sig")
    assert '\'=HYPERLINK(""http://evil"",""x"")' in products
    assert [e.what for e in sharing.audit_events(people.alice.person)] == ["journal data (CSV)"]


def test_a_grant_goes_only_to_a_clinician_and_lasts_at_most_90_days(
    people: People, client: Client
) -> None:
    sign_in(client, people.alice)
    to_bob = client.post("/sharing/grants", {"clinician": "bob", "scope": "report", "days": 30})
    assert to_bob.status_code == 400
    assert "is not the name of a clinician" in to_bob.content.decode()
    too_long = client.post(
        "/sharing/grants", {"clinician": "carol", "scope": "report", "days": 120}
    )
    assert too_long.status_code == 400
    assert 'value="carol"' in too_long.content.decode()  # the other fields are kept


def test_a_clinicians_report_names_the_person_as_her_list_does(
    people: People, client: Client
) -> None:
    """The report read through a grant said "Name not shown lets your account read this
    report": it names the person by the name the clinician's list shows, her account's."""
    from mitra.accounts import sharing

    grant = sharing.add_grant(people.alice.person, "carol", "report", 30)
    carol = sign_in(Client(), people.carol)
    page = carol.get(f"/account/shared-with-me/{grant.id}").content.decode()
    assert "alice lets your account read this report" in page
    assert "<strong>alice</strong>" in page  # the report's own name line
    assert "Name not shown" not in page
    # A journal name stored before control characters were refused still opens the report
    # (and its PDF), shown without them.
    person = people.alice.person
    type(person).objects.filter(pk=person.pk).update(name="Ann\tLee")
    page = carol.get(f"/account/shared-with-me/{grant.id}")
    assert page.status_code == 200
    assert "Lee lets your account read this report" in page.content.decode()
    assert carol.get(f"/account/shared-with-me/{grant.id}/report.pdf").status_code == 200


def test_a_link_without_a_chosen_name_does_not_say_name_not_shown_shared_it(
    people: People, client: Client
) -> None:
    """A link names nobody unless the journal has a name: its holder need not learn the
    account's name, and the page no longer reads "Name not shown shared this report"."""
    sign_in(client, people.alice)
    page = Client().get(_make_link(client)).content.decode()
    assert "This report was shared with you through a private link" in page
    assert "Name not shown shared" not in page
    assert "alice" not in page


def test_a_clinicians_report_has_her_menu_and_a_links_report_none(
    people: People, client: Client
) -> None:
    """The report read through a grant had no menu, where the Trends page has "Shared with
    you" and "Account"; a link's holder, without an account, still gets no menu."""
    from mitra.accounts import sharing

    grant = sharing.add_grant(people.alice.person, "carol", "report", 30)
    carol = sign_in(Client(), people.carol)
    page = carol.get(f"/account/shared-with-me/{grant.id}").content.decode()
    menu = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S)
    assert menu
    assert '<a href="/account/shared-with-me">Shared with you</a>' in menu.group(1)
    assert '<a href="/account">Account</a>' in menu.group(1)
    sign_in(client, people.alice)
    shared = Client().get(_make_link(client)).content.decode()
    assert 'aria-label="Main"' not in shared


def test_the_sharing_tables_label_every_cell_for_a_phone(people: People, client: Client) -> None:
    """On a phone a stacked table hides its header: the rows of links and grants read
    "1 Dec 2026 21:40 / 8 Dec 2026 21:40 / Revoke". Each cell now carries its column's name."""
    from mitra.accounts import sharing

    sign_in(client, people.alice)
    Client().get(_make_link(client))  # an opening, for the audit table
    sharing.add_grant(people.alice.person, "carol", "report", 30)
    page = client.get("/sharing").content.decode()
    tables = re.findall(r"<table[^>]*>.*?</table>", page, re.S)
    assert len(tables) == 3  # links, grants, who looked
    for table in tables:
        assert 'class="data stack"' in table
        columns = re.findall(r'<th scope="col">([^<]*)</th>', table)
        cells = re.findall(r"<td( data-label=\"[^\"]*\")?>", table)
        assert cells
        assert [c.removeprefix(' data-label="').removesuffix('"') for c in cells] == columns * (
            len(cells) // len(columns)
        )


def test_the_sharing_forms_refuse_in_mitras_words_beside_each_field(
    people: People, client: Client
) -> None:
    """Django's own wording ("This field is required.", "Ensure this value is greater than or
    equal to 1.") is gone: each refusal names its field as mitra's other forms do, beside it,
    and the other fields keep what was typed."""
    from html import unescape

    sign_in(client, people.alice)
    link = client.post("/sharing", {"label": "", "days": "0"}).content.decode()
    assert "Who it is for must be 1 to 100 characters." in link
    assert "Works for (days) must be 1 to 90 days." in link
    too_long = client.post("/sharing", {"label": "x" * 101, "days": "7"}).content.decode()
    assert "Who it is for must be 1 to 100 characters." in too_long
    assert 'value="7"' in too_long
    grant = unescape(
        client.post(
            "/sharing/grants", {"clinician": "", "scope": "report-and-data", "days": "-3"}
        ).content.decode()
    )
    assert "Your clinician's account name is needed" in grant
    assert "For (days) must be 1 to 90 days." in grant
    assert re.search(r'value="report-and-data"[^>]*checked', grant)
    for page in (link, too_long, grant):
        assert "This field is required" not in page
        assert "Ensure this value" not in page
    # Beside the field: the message is the field's own, named by aria-describedby.
    assert re.search(r'id="id_days_error"[^>]*>.*?Works for \(days\) must be', link, re.S)


def test_both_sides_read_a_shares_expiry_on_the_persons_clock(
    people: People, client: Client
) -> None:
    """Alice (New York) saw her grant "until 31 Dec 2026 21:39" and the clinician "until 1 Jan
    2027", in UTC without saying so. Both now read the same moment on alice's clock, written
    one way, and the clinician's side names the zone."""
    from datetime import UTC, datetime

    from mitra.accounts import sharing
    from mitra.accounts.models import ShareGrant, ShareLink
    from mitra.journal import services

    alice = services.set_up_person({"time_zone": "America/New_York"}, people.alice.person)
    grant = sharing.add_grant(alice, "carol", "report-and-data", 30)
    ShareGrant.objects.filter(pk=grant.id).update(
        expires_at=datetime(2027, 1, 1, 2, 39, tzinfo=UTC)
    )
    sign_in(client, people.alice)
    path = _make_link(client)
    ShareLink.objects.update(expires_at=datetime(2026, 12, 9, 2, 40, tzinfo=UTC))
    hers = client.get("/sharing").content.decode()
    assert "31 Dec 2026, 21:39" in hers  # the grant
    assert "8 Dec 2026, 21:40" in hers  # the link
    carol = sign_in(Client(), people.carol)
    listing = carol.get("/account/shared-with-me").content.decode()
    report = carol.get(f"/account/shared-with-me/{grant.id}").content.decode()
    trends = carol.get(f"/account/shared-with-me/{grant.id}/trends").content.decode()
    for page in (listing, report, trends):
        assert "31 Dec 2026, 21:39" in page
        assert "(America/New York time)" in page
        assert "1 Jan 2027" not in page
    linked = Client().get(path).content.decode()
    assert "until 8 Dec 2026, 21:40" in linked
    assert "(America/New York time)" in linked


def _page_text(response: Any) -> str:
    """A page without what differs between any two answers (its CSRF token, its clock)."""
    html = response.content.decode()
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'data-rendered-at="\d+"', "", html)


def test_a_share_that_ended_says_so_with_a_404_and_no_way_to_a_today(
    people: People, client: Client
) -> None:
    """A revoked or expired share answered with the generic "There is nothing at this address.
    Back to Today", to a clinician who has no Today. It says the share ended, still as a 404,
    and the same whatever the reason, so nobody learns which addresses once opened a report."""
    from mitra.accounts import sharing
    from mitra.accounts.models import ShareLink

    said = "This share was revoked or has expired; ask the person to share again."
    sign_in(client, people.alice)
    revoked = _make_link(client, "revoked")
    expired = _make_link(client, "expired")
    client.post(f"/sharing/{ShareLink.objects.get(label='revoked').pk}/revoke")
    ShareLink.objects.filter(label="expired").update(expires_at=timezone.now() - timedelta(1))
    anyone = Client()
    answers = [anyone.get(p) for p in (revoked, expired, "/shared/s_never-made-at-all")]
    for answer in answers:
        assert answer.status_code == 404
        assert said in answer.content.decode()
        assert "Back to Today" not in answer.content.decode()
        assert 'aria-label="Main"' not in answer.content.decode()
    assert len({_page_text(a) for a in answers}) == 1

    grant = sharing.add_grant(people.alice.person, "carol", "report-and-data", 30)
    sharing.revoke_grant(people.alice.person, grant.id)
    carol = sign_in(Client(), people.carol)
    paths = [f"/account/shared-with-me/{grant.id}{end}" for end in ("", "/trends", "/csv.zip")]
    ended = [carol.get(p) for p in [*paths, "/account/shared-with-me/99999"]]
    for answer in ended:
        assert answer.status_code == 404
        assert said in answer.content.decode()
        assert "Back to Today" not in answer.content.decode()
        assert 'href="/account/shared-with-me">All persons who shared with you' in (
            answer.content.decode()
        )
    assert len({_page_text(a) for a in ended}) == 1


def test_a_downloads_name_keeps_only_safe_characters_of_the_persons_name(
    people: People, client: Client
) -> None:
    """A journal's own name may hold quotes, slashes and any script: the file's name keeps
    ASCII letters, digits and hyphens (accents dropped), never a character a browser or a
    file system could read as a path or the end of the header."""
    from mitra.accounts import sharing
    from mitra.journal import services

    services.set_up_person({"name": 'Zoë "Q" ../李明 O\'Neil'}, people.alice.person)
    grant = sharing.add_grant(people.alice.person, "carol", "report-and-data", 7)
    carol = sign_in(Client(), people.carol)
    named = carol.get(f"/account/shared-with-me/{grant.id}/csv.zip")["Content-Disposition"]
    found = re.fullmatch(
        r'attachment; filename="mitra-journal-csv-(.*)-\d{4}-\d{2}-\d{2}\.zip"', named
    )
    assert found
    assert found.group(1) == "Zoe-Q-O-Neil"


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_a_clinician_downloads_the_persons_report_as_a_pdf_through_any_grant(
    people: People, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clinician's report page offered trends and the CSV, but no PDF, where alice's own
    Report page has one. Any grant shares the report, so any grant offers its PDF: the one alice
    downloads for the same 90 days, named after her (audited)."""
    from mitra.accounts import sharing
    from mitra.journal import services
    from mitra.reads import report

    made = timezone.now()
    monkeypatch.setattr(report, "_now", lambda: made)  # both made in one minute, as it says
    services.add_product(people.alice.person, {"name": "Green powder", "unit": "g"})
    grant = sharing.add_grant(people.alice.person, "carol", "report", 30)
    carol = sign_in(Client(), people.carol)
    page = carol.get(f"/account/shared-with-me/{grant.id}").content.decode()
    path = f"/account/shared-with-me/{grant.id}/report.pdf"
    assert f'href="{path}" download>Download the report as PDF</a>' in page
    pdf = carol.get(path)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "no-store"
    sign_in(client, people.alice)
    hers = client.get("/report.pdf?days=90&name=alice")
    assert pdf["Content-Disposition"] == hers["Content-Disposition"].replace(
        "mitra-report-", "mitra-report-alice-"
    )
    assert _pdf_text(pdf.content) == _pdf_text(hers.content)
    assert "report (PDF)" in [e.what for e in sharing.audit_events(people.alice.person)]


def test_a_share_links_page_offers_the_reports_pdf_while_the_link_lives(
    people: People, client: Client
) -> None:
    from mitra.accounts import sharing
    from mitra.accounts.models import ShareLink

    sign_in(client, people.alice)
    path = _make_link(client)
    holder = Client()
    page = holder.get(path).content.decode()
    assert f'href="{path}/report.pdf" download>Download the report as PDF</a>' in page
    pdf = holder.get(f"{path}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Cache-Control"] == "no-store"
    assert pdf["X-Robots-Tag"] == "noindex"
    assert "alice" not in pdf["Content-Disposition"]  # a link names nobody by their account
    assert "Name not shown" in _pdf_text(pdf.content)
    # On the paper of where the journal is, as its person's own download: A4 in Berlin, and
    # US Letter once the journal moves to Chicago (it was A4 for everyone).
    assert b"MediaBox[0 0 595.2756 841.8898]" in pdf.content
    people.alice.person.time_zone = "America/Chicago"
    people.alice.person.save(update_fields=["time_zone"])
    assert b"MediaBox[0 0 612 792]" in holder.get(f"{path}/report.pdf").content
    assert [e.what for e in sharing.audit_events(people.alice.person)] == [
        "report (PDF)",
        "report (PDF)",
        "report",
    ]
    client.post(f"/sharing/{ShareLink.objects.get().pk}/revoke")
    assert holder.get(f"{path}/report.pdf").status_code == 404
    assert holder.get("/shared/s_never-made/report.pdf").status_code == 404


def test_only_the_clinician_alice_shared_with_gets_her_pdf_while_the_grant_lives(
    people: People, client: Client
) -> None:
    """Bob (a person) and dave (a clinician without a grant) get 404; carol too, once the
    grant is revoked or has expired."""
    from mitra.accounts import services as accounts
    from mitra.accounts import sharing
    from mitra.accounts.models import ShareGrant

    revoked = sharing.add_grant(people.alice.person, "carol", "report", 30)
    expired = sharing.add_grant(people.alice.person, "carol", "report", 30)
    live = sharing.add_grant(people.alice.person, "carol", "report-and-data", 30)
    dave = accounts.add_account("dave", "clinician", "correct horse battery staple")
    pdf = f"/account/shared-with-me/{live.id}/report.pdf"
    assert sign_in(Client(), people.bob).get(pdf).status_code == 404
    assert sign_in(Client(), dave).get(pdf).status_code == 404
    carol = sign_in(Client(), people.carol)
    assert carol.get(pdf).status_code == 200
    sharing.revoke_grant(people.alice.person, revoked.id)
    ShareGrant.objects.filter(pk=expired.id).update(expires_at=timezone.now() - timedelta(1))
    for grant in (revoked, expired):
        assert carol.get(f"/account/shared-with-me/{grant.id}/report.pdf").status_code == 404
