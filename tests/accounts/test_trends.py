"""Carol's Trends page for a person who shared their report and data with her: read-only, each
reading audited, open only while the grant is live, and not part of a report-only grant."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from .conftest import People, sign_in
from .test_isolation import fingerprint


def _at(days_ago: int, hour: int = 12) -> datetime:
    now = timezone.localtime()
    return (now - timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def journal(people: People) -> dict[str, Any]:
    """Five weeks of alice's journal: leaf and extract doses, check-ins, questionnaires, a taper
    with a hold, and an exercise goal."""
    from mitra.journal import plans, services, tapers
    from mitra.reads.taper import save_preview, taper_preview

    alice = people.alice.person
    leaf = services.add_product(
        alice, {"name": "Green powder", "unit": "g", "mitragynine_mg_per_g": 15.0}
    )
    extract = services.add_product(alice, {"name": "Resin", "form": "extract", "unit": "g"})
    for ago in range(1, 36):
        services.log_dose(
            alice, {"product_id": leaf.pk, "amount": 4, "unit": "g", "taken_at": _at(ago, 9)}
        )
        services.add_checkin(alice, {"at": _at(ago, 20), "anxiety": 3 if ago % 2 else 5})
    services.log_dose(
        alice, {"product_id": extract.pk, "amount": 1, "unit": "g", "taken_at": _at(3, 15)}
    )
    for ago, answer in ((28, 2), (14, 1), (1, 1)):
        services.submit_response(
            alice, {"instrument": "GAD-7", "answers": [answer] * 7, "at": _at(ago)}
        )
        services.submit_response(
            alice, {"instrument": "PHQ-9", "answers": [answer] * 8 + [0], "at": _at(ago)}
        )
    save_preview(
        alice,
        taper_preview(
            alice,
            to="0",
            pace="10-per-week",
            start_amount="4g",
            starts=timezone.localdate() - timedelta(days=6),
        ),
    )
    tapers.choose(alice, "hold")
    goal = plans.set_goal(alice, {"kind": "exercise", "amount": 90, "unit": "minutes"})
    type(goal).objects.filter(pk=goal.pk).update(created_at=_at(20))  # set three weeks ago
    services.log_practice(alice, {"kind": "exercise", "minutes": 30, "at": _at(2)})
    return {"leaf": leaf, "extract": extract}


def _grant(people: People, scope: str) -> Any:
    from mitra.accounts import sharing

    return sharing.add_grant(people.alice.person, "carol", scope, 30)


def _whats(people: People) -> list[str]:
    from mitra.accounts import sharing

    return [e.what for e in sharing.audit_events(people.alice.person)]


def test_carol_reads_alices_trends_and_each_reading_is_on_alices_list(
    people: People, journal: dict[str, Any]
) -> None:
    grant = _grant(people, "report-and-data")
    carol = sign_in(Client(REMOTE_ADDR="198.51.100.4"), people.carol)
    before = fingerprint()
    page = carol.get(f"/account/shared-with-me/{grant.id}/trends")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    text = page.content.decode()
    for heading in (
        "GAD-7 totals over time",
        "PHQ-9 totals over time",
        "Anxiety per week, from check-ins",
        "Estimated mitragynine per week",
        "Planned against actual use",
        "Weekly goals met",
    ):
        assert heading in text, heading
    assert "Step held on" in text  # the hold alice chose today
    assert "Grams of leaf (leaf products only)" in text
    # The extract has no lab figure: it is counted apart, never added to grams of leaf.
    assert "1 without a mitragynine estimate" in text
    # Nothing of alice's journal changed: carol's reading only adds the audit event.
    after = fingerprint()
    assert {k: v for k, v in after.items() if k != "AuditEvent"} == {
        k: v for k, v in before.items() if k != "AuditEvent"
    }
    assert _whats(people) == ["trends, last 6 months"]
    carol.get(f"/account/shared-with-me/{grant.id}/trends")
    assert _whats(people) == ["trends, last 6 months"] * 2
    alice = sign_in(Client(), people.alice)
    looked = alice.get("/sharing").content.decode()
    assert "carol (clinician)" in looked
    assert "198.51.100.4" in looked


def test_carol_chooses_a_quarter_half_a_year_or_a_year(
    people: People, journal: dict[str, Any]
) -> None:
    grant = _grant(people, "report-and-data")
    carol = sign_in(Client(), people.carol)
    path = f"/account/shared-with-me/{grant.id}/trends"
    for asked, weeks, name in (("13", 13, "3 months"), ("52", 52, "12 months"),
                               ("", 26, "6 months"), ("1000", 26, "6 months")):  # fmt: skip
        text = carol.get(f"{path}?weeks={asked}").content.decode()
        assert f'<a href="?weeks={weeks}" aria-current="true">{name}</a>' in text
        assert text.count('aria-current="true"') == 1
        # Whole weeks from a Monday; on a Sunday, this week is complete too.
        assert re.search(rf"Period: ({weeks}|{weeks + 1}) complete weeks from", text)
        # Five weeks of journal: the same doses whatever the period.
        assert "36 doses logged in the period" in text
    # The audit says which period each look covered.
    assert sorted(_whats(people)) == sorted(
        ["trends, last 3 months", "trends, last 12 months"] + ["trends, last 6 months"] * 2
    )


def test_a_period_is_one_of_three() -> None:
    from mitra.reads.trends import trends

    with pytest.raises(ValueError, match="not one of"):
        trends(None, weeks=7)  # type: ignore[arg-type]


def test_the_weekly_figures_are_the_journals_own(people: People, journal: dict[str, Any]) -> None:
    """Weekly anxiety is the mean of the week's daily means; each week's dose is the report's
    weekly figure (leaf grams from the leaf product only)."""
    from mitra.reads.trends import trends

    read = trends(people.alice.person)
    assert read.first.weekday() == 0
    assert read.weeks >= 26
    full = [w for w in read.anxiety if w.days_rated == 7]
    assert full
    for w in full:  # 3 and 5 on alternate days
        assert w.lowest == 3
        assert w.highest == 5
        assert w.mean in (pytest.approx(27 / 7, abs=0.01), pytest.approx(29 / 7, abs=0.01))
    full_doses = [d for d in read.doses if d.doses == 7]
    assert full_doses
    for d in full_doses:
        assert d.grams_leaf_per_day == pytest.approx(4.0)
        assert d.mg_per_day == pytest.approx(60.0)  # 4 g a day at 15 mg/g
    assert [c.action for c in read.taper.choices] == ["hold"]
    assert read.taper.held
    assert [q.code for q in read.questionnaires] == ["GAD-7", "PHQ-9"]
    assert [p.total for p in read.questionnaires[0].responses] == [14, 7, 7]
    assert read.adherence[-1].goals == 1


def test_the_page_stops_when_the_grant_is_revoked_or_expires(
    people: People, journal: dict[str, Any]
) -> None:
    from mitra.accounts.models import ShareGrant

    grant = _grant(people, "report-and-data")
    carol = sign_in(Client(), people.carol)
    path = f"/account/shared-with-me/{grant.id}/trends"
    assert carol.get(path).status_code == 200
    alice = sign_in(Client(), people.alice)
    alice.post(f"/sharing/grants/{grant.id}/revoke")
    assert carol.get(path).status_code == 404
    later = _grant(people, "report-and-data")
    ShareGrant.objects.filter(pk=later.id).update(expires_at=timezone.now() - timedelta(1))
    assert carol.get(f"/account/shared-with-me/{later.id}/trends").status_code == 404
    assert _whats(people) == ["trends, last 6 months"]  # refusals read nothing, record nothing


def test_a_report_only_grant_has_no_trends(people: People, journal: dict[str, Any]) -> None:
    grant = _grant(people, "report")
    carol = sign_in(Client(), people.carol)
    for asked in ("trends", "csv.zip"):
        page = carol.get(f"/account/shared-with-me/{grant.id}/{asked}")
        assert page.status_code == 404
        # Said as what it is to the clinician the grant is for, not "nothing at this address".
        assert "This share is of the report only" in page.content.decode()
    assert _whats(people) == []
    listing = carol.get("/account/shared-with-me").content.decode()
    assert f"/account/shared-with-me/{grant.id}/trends" not in listing
    report = carol.get(f"/account/shared-with-me/{grant.id}").content.decode()
    assert "/trends" not in report


def test_the_trends_are_linked_from_the_list_and_the_report(
    people: People, journal: dict[str, Any]
) -> None:
    grant = _grant(people, "report-and-data")
    carol = sign_in(Client(), people.carol)
    path = f"/account/shared-with-me/{grant.id}/trends"
    assert re.search(rf'href="{path}"', carol.get("/account/shared-with-me").content.decode())
    report = carol.get(f"/account/shared-with-me/{grant.id}").content.decode()
    assert f'href="{path}"' in report
    assert f'href="/account/shared-with-me/{grant.id}"' in carol.get(path).content.decode()


def test_bob_and_a_stranger_never_see_alices_trends(
    people: People, journal: dict[str, Any]
) -> None:
    grant = _grant(people, "report-and-data")
    path = f"/account/shared-with-me/{grant.id}/trends"
    bob = sign_in(Client(), people.bob)
    assert bob.get(path).status_code == 404
    assert Client().get(path)["Location"].startswith("/login")
    assert _another_clinician_asks(people, path) == 404
    assert _whats(people) == []


def _another_clinician_asks(people: People, path: str) -> int:
    """Another clinician, dave, with no grant from alice, asks for carol's grant's page."""
    from mitra.accounts import services as accounts

    dave = accounts.add_account("dave", "clinician", "correct horse battery staple")
    return int(sign_in(Client(), dave).get(path).status_code)


def test_the_clinicians_report_says_how_the_taper_and_goals_went(
    people: People, journal: dict[str, Any]
) -> None:
    """The report's plan section is the taper as lived and the weekly goals, in the Trends
    page's own words; a journal with neither says so (it never says mitra keeps no plan)."""
    from mitra.reads.report import report
    from mitra.reports.clinician import sections

    said = sections(report(people.alice.person))["plan"]
    assert re.search(r"Taper \(.+\) from 4 to 0 g a day, begun ", said)
    assert "Step 1 of " in said
    assert ", held;" in said
    assert "Step held on " in said
    goals = r"Weekly practice goals: .*week of .+, 33% on average, 0 of 1 goal met in full"
    assert re.search(goals, said)
    empty = sections(report(people.bob.person))["plan"]
    assert empty == "No taper under way. No weekly practice goals set."
    assert "does not yet" not in said + empty


def test_a_crisis_answer_in_the_period_is_shown_first_on_the_trends_as_in_the_report(
    people: People, journal: dict[str, Any]
) -> None:
    """A PHQ-9 whose item 9 was answered is shown at the top of the Trends page, told to the
    clinician with its sources, as the report shows it; no crisis box without one."""
    from mitra.journal import services

    grant = _grant(people, "report-and-data")
    carol = sign_in(Client(), people.carol)
    page = carol.get(f"/account/shared-with-me/{grant.id}/trends").content.decode()
    assert "Crisis answers in this period" not in page
    services.submit_response(
        people.alice.person, {"instrument": "PHQ-9", "answers": [1] * 8 + [2], "at": _at(5)}
    )
    page = carol.get(f"/account/shared-with-me/{grant.id}/trends").content.decode()
    box = page[page.index("Crisis answers in this period") :]
    assert box.index("Crisis answers") < box.index("Anxiety and depression questionnaires")
    assert "the person answered item 9" in box[: box.index("</div>")]
    assert "Sources:" in box[: box.index("</div>")]
    assert page.index("Crisis answers in this period") < page.index("GAD-7 totals over time")


def _page_text(html: str) -> str:
    """The page's words as a browser reads them out: tags gone, runs of space one."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_trends_say_dates_counts_and_ranges_as_people_read_them(
    people: People, journal: dict[str, Any]
) -> None:
    """A phone's drawing wraps the date axis's title between dates, never inside one, and its
    lines read apart; ranges of figures take the report's en dash."""
    grant = _grant(people, "report-and-data")
    carol = sign_in(Client(), people.carol)
    html = carol.get(f"/account/shared-with-me/{grant.id}/trends").content.decode()
    # Each text of the drawings as one reads it: a wrapped title is one text of many lines.
    drawn = [_page_text(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", html, re.S)]
    date = r"\d{1,2} [A-Z][a-z]{2} \d{4}"
    assert any(re.fullmatch(f"Week, {date} to {date}", t) for t in drawn), drawn
    assert not [t for t in drawn if re.search(r"[a-z]\d|[a-z,)][A-Z(]|\d[A-Za-z]", t)], drawn
    text = _page_text(html)
    ranges = re.findall(r"\d+(?:\.\d+)? \((\d+(?:\.\d+)?[-–]\d+(?:\.\d+)?)\)", text)
    assert ranges, "the weekly mg have their ranges"
    assert all("–" in r for r in ranges), ranges


def test_one_week_of_journal_is_said_as_one_week(people: People) -> None:
    """A journal of one complete week, last week: its charts count "1 week", not "1 weeks"."""
    from mitra.journal import services

    alice = people.alice.person
    leaf = services.add_product(
        alice, {"name": "Green powder", "unit": "g", "mitragynine_mg_per_g": 15.0}
    )
    today = timezone.localtime()
    last_monday = _at(today.weekday() + 7)
    services.log_dose(
        alice, {"product_id": leaf.pk, "amount": 4, "unit": "g", "taken_at": last_monday}
    )
    services.add_checkin(alice, {"at": last_monday, "anxiety": 4})
    grant = _grant(people, "report-and-data")
    carol = sign_in(Client(), people.carol)
    text = _page_text(carol.get(f"/account/shared-with-me/{grant.id}/trends").content.decode())
    assert "1 week with check-ins from" in text
    assert "Estimated mitragynine per week. 1 week." in text
    assert not re.search(r"\b1 weeks\b", text)


def test_the_trends_and_the_report_give_the_same_monday_weeks(
    people: People, journal: dict[str, Any]
) -> None:
    """The clinician's two pages of one journal gave two sets of weekly figures: the report in
    7-day blocks from the journal's first day, the Trends in Monday weeks diluted by the days
    before that first day. Both now count whole Monday-to-Sunday weeks from the journal's
    first Monday, with the same figures."""
    from mitra.reads.report import report
    from mitra.reads.trends import trends

    person = people.alice.person
    from_trends = [(w.week_start, round(w.mg_per_day, 6)) for w in trends(person).doses]
    from_report = [(w.week_start, round(w.mg_per_day, 6)) for w in report(person).kratom.weeks]
    assert from_trends == from_report
    assert from_trends
    assert all(week.weekday() == 0 for week, _ in from_trends)
    # Every week shown is whole: 4 g of leaf at 15 mg/g each day, 60 mg a day.
    assert {mg for _, mg in from_trends} == {60.0}
