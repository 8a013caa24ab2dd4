"""The journal read: every kind of entry, newest first, a page at a time, filtered by kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mitra.journal import services
from mitra.reads.journal import ENTRY_KINDS, KindsInvalid, entry_kinds, journal_page

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def _lines(page: Any) -> list[tuple[str, int, str]]:
    return [(e.kind, e.id, e.title) for day in page.days for e in day.entries]


def test_the_journal_shows_every_kind_of_entry_newest_first(
    alice: Any, one_of_each: dict[str, int]
) -> None:
    lines = _lines(journal_page(alice))
    assert [(kind, n) for kind, n, _ in lines] == [
        (kind, one_of_each[kind]) for kind in ("response", "intake", "practice", "dose", "checkin")
    ]
    titles = [title for *_, title in lines]
    assert titles[0] == "PHQ-9: 8 of 27"
    assert titles[2] == "Yoga: 20 min"
    # A practice logged with a check-in is part of the check-in's line, not a line of its own.
    assert not any(title.startswith("Breathing") for title in titles)


def test_a_response_line_names_its_band_and_a_crisis_answer(alice: Any) -> None:
    services.submit_response(alice, {"instrument": "PHQ-9", "at": NOON, "answers": [0] * 8 + [1]})
    (entry,) = journal_page(alice).days[0].entries
    assert (entry.title, entry.details) == (
        "PHQ-9: 1 of 27",
        ("Minimal depression", "crisis answer"),
    )


def test_the_filter_shows_only_the_chosen_kinds_and_says_which(
    alice: Any, one_of_each: dict[str, int]
) -> None:
    page = journal_page(alice, kinds=entry_kinds("response,dose"))
    assert [kind for kind, *_ in _lines(page)] == ["response", "dose"]
    assert page.kinds == ("dose", "response")


def test_a_filtered_journal_pages_through_its_own_kind_without_loss_or_repeats(
    alice: Any, powder: Any
) -> None:
    for n in range(7):
        at = NOON + timedelta(minutes=n // 2)  # pairs in the same minute
        services.log_practice(alice, {"kind": "walk", "minutes": 10 + n, "at": at})
        services.add_checkin(alice, {"at": at, "anxiety": 3})
    seen: list[int] = []
    page = journal_page(alice, limit=3, kinds=("practice",))
    while True:
        seen += [n for kind, n, _ in _lines(page) if kind == "practice"]
        assert {kind for kind, *_ in _lines(page)} == {"practice"}
        if page.next_cursor is None:
            break
        page = journal_page(alice, page.next_cursor, limit=3, kinds=("practice",))
    assert len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize(
    ("values", "kinds"),
    [
        (None, tuple(ENTRY_KINDS)),
        ("", tuple(ENTRY_KINDS)),
        ("Response, dose", ("dose", "response")),
        (["intake", "checkin,practice"], ("checkin", "practice", "intake")),
    ],
)
def test_a_filter_names_kinds_by_commas_or_one_per_value(values: Any, kinds: Any) -> None:
    assert entry_kinds(values) == kinds


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ("dose,nightmare", "unknown kind 'nightmare'"),
        (["dose"] * 6, "too many kinds"),
        ("dose," * 60, "too many kinds"),
    ],
)
def test_an_unknown_or_unbounded_filter_is_refused_naming_the_kinds(values: Any, says: str) -> None:
    with pytest.raises(KindsInvalid, match=says) as refused:
        entry_kinds(values)
    assert "checkin, dose, practice, response, intake" in str(refused.value)


def test_a_small_dose_by_its_lab_figure_reads_as_today_counts_it_not_as_0_mg(
    alice: Any, powder: Any
) -> None:
    from mitra.reads.journal import dose_entry

    dose = services.log_dose(
        alice,
        {"product_id": powder.pk, "taken_at": datetime.now(UTC), "amount": 3, "unit": "mg",
         "confirm": True},  # asked about first: 3 mg of leaf is most likely a slip of unit
    )  # fmt: skip
    assert dose_entry(dose).details[0] == "0.045 mg mitragynine (lab figure)"
    dose = services.log_dose(
        alice, {"product_id": powder.pk, "taken_at": datetime.now(UTC), "amount": 3, "unit": "g"}
    )
    assert dose_entry(dose).details[0] == "45 mg mitragynine (lab figure)"


def test_a_doses_7oh_by_its_lab_figure_is_on_its_line_beside_its_mitragynine(
    alice: Any,
) -> None:
    """A leaf product with a lab 7-OH figure below the concentrated cut-off showed only its
    mitragynine on the Journal, while Today showed its 7-OH too."""
    from mitra.reads.journal import dose_entry

    leaf = services.add_product(
        alice,
        {"name": "Tested leaf", "unit": "g", "mitragynine_mg_per_g": 15, "hydroxy_mg_per_g": 0.3},
    )
    dose = services.log_dose(
        alice, {"product_id": leaf.pk, "taken_at": datetime.now(UTC), "amount": 3, "unit": "g"}
    )
    assert dose_entry(dose).details == (
        "45 mg mitragynine (lab figure)",
        "0.9 mg 7-OH (lab figure)",
    )


def test_today_lists_every_kind_of_the_days_entries_on_every_face(
    client: Any, alice: Any, one_of_each: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    """Today's list left out a practice logged on its own and a questionnaire: the card said
    "Nothing logged yet today" beside the plan's progress that counted the practice."""
    import json

    from mitra.cli import main
    from mitra.reads.today import today

    now = NOON + timedelta(hours=6)  # 18:00 in Berlin: the same local day as every entry
    kinds = [e.kind for e in today(alice, now).entries]
    assert kinds == ["response", "intake", "practice", "dose", "checkin"]
    # The faces read the real today: a practice and a questionnaire of a minute ago.
    just = datetime.now(UTC) - timedelta(minutes=1)
    services.log_practice(alice, {"kind": "walk", "minutes": 30, "at": just})
    services.submit_response(alice, {"instrument": "GAD-7", "at": just, "answers": [1] * 7})
    html = client.get("/").content.decode()
    assert 'class="entry entry-practice"' in html
    assert 'class="entry entry-response"' in html
    assert "Nothing logged yet today" not in html
    api = client.get("/api/v1/today").json()
    assert {e["kind"] for e in api["entries"]} == {"practice", "response"}
    main(["today", "--json"])
    assert json.loads(capsys.readouterr().out)["entries"] == api["entries"]
