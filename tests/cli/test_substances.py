"""`mitra substances add` and `mitra intake`: the terminal logs medications and other
substances as the web and the API do, and shows a new substance's interactions at once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from mitra.journal.models import Intake, Substance
from tests.cli.test_commands import refused, run

pytestmark = pytest.mark.django_db


def test_a_substance_added_shows_its_interactions_with_their_sources(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    code, out, _ = run(capsys, "substances", "add", "tramadol", "--dose", "50 mg twice a day")
    assert code == 0
    saved = Substance.objects.get(person=alice)
    assert (saved.name, saved.dose_text) == ("tramadol", "50 mg twice a day")
    assert out.startswith(f"Added substance {saved.pk}: tramadol = tramadol\n")
    # The most severe finding first, as the Substances page lists them, each with its sources.
    assert out.split("\n")[1].startswith("danger: Kratom with tramadol")
    assert "Source: Kruegel et al. 2016 https://doi.org/10.1021/jacs.6b00360" in out
    # The list, unchanged as a command, now has it.
    code, out, _ = run(capsys, "substances")
    assert out.startswith(f"{saved.pk}  tramadol = tramadol\n")


def test_the_json_of_an_added_substance_is_the_apis_document(
    capsys: pytest.CaptureFixture[str], alice: Any, client: Client
) -> None:
    code, out, _ = run(capsys, "substances", "add", "Zoloft", "--json")
    assert code == 0
    from_cli = json.loads(out)
    assert (from_cli["name"], from_cli["knowledge_name"], from_cli["recognised"]) == (
        "Zoloft",
        "sertraline",
        True,
    )
    (from_api,) = client.get("/api/v1/substances").json()["substances"]
    assert from_cli == from_api


def test_only_the_new_substances_interactions_are_shown_when_it_is_added(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    assert run(capsys, "substances", "add", "tramadol")[0] == 0
    code, out, _ = run(capsys, "substances", "add", "sertraline")
    assert code == 0
    assert "caution: Kratom with a serotonergic medicine" in out
    assert "Kratom with tramadol" not in out  # the listing shows it, with the rest


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("levothyroxine", "That means none was found in the sources used, not that the"),
        ("zzz", "Unknown is not the same as safe: ask a pharmacist."),
    ],
)
def test_a_substance_with_no_finding_is_never_said_to_be_safe(
    capsys: pytest.CaptureFixture[str], alice: Any, name: str, says: str
) -> None:
    code, out, _ = run(capsys, "substances", "add", name)
    assert code == 0
    assert says in " ".join(out.split())


def test_the_list_comes_a_page_at_a_time_as_before(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    for name in ("tramadol", "sertraline"):
        assert run(capsys, "substances", "add", name)[0] == 0
    _, out, _ = run(capsys, "substances", "--limit", "1", "--json")
    first = json.loads(out)
    assert [s["name"] for s in first["substances"]] == ["sertraline"]
    _, out, _ = run(capsys, "substances", "--cursor", first["next_cursor"], "--json")
    assert [s["name"] for s in json.loads(out)["substances"]] == ["tramadol"]


def test_an_unknown_name_is_added_and_said_to_be_unchecked(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    code, out, _ = run(capsys, "substances", "add", "my herb tea")
    assert code == 0
    added = Substance.objects.get(person=alice).pk
    assert out.startswith(f"Added substance {added}: my herb tea (not recognised, not checked)\n")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["Sertraline"], "mitra: name is already the name of one of your substances: Sertraline"),
        ([""], "mitra: name is empty; give a value"),
        (["x" * 121], "mitra: name is too long (at most 120 characters)"),
        (["x", "--dose", "y" * 121], "mitra: --dose is too long (at most 120 characters)"),
    ],
    ids=["taken name", "empty", "long name", "long dose"],
)
def test_a_refused_substance_is_one_line_and_adds_nothing(
    capsys: pytest.CaptureFixture[str], alice: Any, args: list[str], says: str
) -> None:
    assert run(capsys, "substances", "add", "sertraline")[0] == 0
    assert refused(capsys, "substances", "add", *args) == says
    assert list(Substance.objects.values_list("name", flat=True)) == ["sertraline"]


@pytest.fixture
def listed(alice: Any) -> dict[str, int]:
    from mitra.journal import services

    return {
        name: services.add_substance(alice, {"name": name}).pk
        for name in ("sertraline", "tramadol", "trazodone", "alcohol")
    }


@pytest.mark.parametrize(
    ("args", "amount", "unit", "title"),
    [
        (["sert", "50mg"], 50.0, "mg", "sertraline: 50 mg"),
        (["tram", "2 tablets"], 2.0, "tablets", "tramadol: 2 tablets"),
        (["alcohol", "1", "drink"], 1.0, "drink", "alcohol: 1 drink"),
        (["sertraline"], None, "", "sertraline"),
        (["sert", "\u0665\u0660mg"], 50.0, "mg", "sertraline: 50 mg"),
        (["sert", ".5", "mg/ml"], 0.5, "mg/ml", "sertraline: 0.5 mg/ml"),
    ],
    ids=["amount with unit", "words", "unit apart", "no amount", "arabic-indic digits", "ratio"],
)
def test_an_intake_is_logged_by_the_start_of_a_name_with_an_amount_if_given(
    capsys: pytest.CaptureFixture[str],
    listed: dict[str, int],
    args: list[str],
    amount: float | None,
    unit: str,
    title: str,
) -> None:
    code, out, _ = run(capsys, "intake", *args, "--at", "2026-03-10 08:00", "--json")
    assert code == 0
    entry = json.loads(out)
    saved = Intake.objects.get()
    assert (entry["kind"], entry["id"], entry["title"]) == ("intake", saved.pk, title)
    assert (saved.amount, saved.unit) == (amount, unit)
    assert entry["at"] == "2026-03-10T08:00:00+01:00"  # on Alice's clock, in Berlin
    # The same intake at the same minute again is stored once.
    again = refused(capsys, "intake", *args, "--at", "2026-03-10 08:00")
    assert again == f"mitra: this intake is already in the journal (intake {saved.pk})"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nothing", "5"], "mitra: no substance 'nothing'; yours: "),
        (["tra"], "mitra: substance 'tra' matches several: "),
        (["sert", "abc"], "mitra: 'abc' is not an amount; write it like 50 mg"),
        (["sert", "-5mg"], "mitra: '-5mg': the amount must be more than 0"),
        (["sert", "0"], "mitra: '0': the amount must be more than 0"),
        (["sert", "50", "mg", "--at", "yesterday"], "mitra: --at: 'yesterday' is not a time"),
        (["sert", "50", "x" * 30], "mitra: unit is too long (at most 24 characters)"),
        (["sert", "50,5 mg"], "mitra: '50,5 mg' is not an amount (use a point for decimals"),
        (["sert", "1e3"], "mitra: '1e3' is not an amount"),
        (["sert", "50mg", "mg"], "mitra: the unit is given twice, in '50mg' and as 'mg'"),
        (["sert", "5", "\u0665"], "mitra: '5 5' is not an amount"),
        (["sert", "5", "mg\nx"], "mitra: '5 mg x' is not an amount"),
        (["\u00b2"], "mitra: no substance '\u00b2'"),
        (["sert", "1" * 400], "mitra: '1111111111"),
    ],
    ids=[
        "unknown",
        "ambiguous",
        "words",
        "negative",
        "zero",
        "bad time",
        "long unit",
        "comma",
        "exponent",
        "unit twice",
        "digit as unit",
        "newline",
        "superscript",
        "huge",
    ],
)
def test_a_refused_intake_is_one_line_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], listed: dict[str, int], args: list[str], says: str
) -> None:
    assert refused(capsys, "intake", *args).startswith(says)
    assert not Intake.objects.exists()


def test_an_intake_from_the_terminal_reads_as_one_from_the_api(
    capsys: pytest.CaptureFixture[str], listed: dict[str, int], client: Client
) -> None:
    code, out, _ = run(capsys, "intake", "sertraline", "50", "mg", "--at", "2026-03-10 08:00")
    assert code == 0
    assert out == f"Logged sertraline: 50 mg (intake {Intake.objects.get().pk}).\n"
    # An amount without its unit (2 mg? 2 tablets?) is refused on every face, naming the unit.
    said = refused(capsys, "intake", "sertraline", "2", "--at", "2026-03-10 09:00")
    assert said == "mitra: unit is needed with an amount, e.g. mg, tablets or drinks"
    assert Intake.objects.count() == 1
    answer = client.post(
        "/api/v1/intakes",
        {"substance_id": listed["sertraline"], "amount": 2},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == {
        "unit": "is needed with an amount, e.g. mg, tablets or drinks"
    }
    code, out, _ = run(capsys, "intake", "sertraline", "50mg", "--json")
    assert code == 0
    body = {"substance_id": listed["sertraline"], "amount": 50, "unit": "mg"}
    answer = client.post("/api/v1/intakes", body, content_type="application/json")
    assert answer.status_code == 201
    from_cli, from_api = json.loads(out), answer.json()
    assert (from_cli["kind"], from_cli["title"]) == (from_api["kind"], from_api["title"])
    assert set(from_cli) == set(from_api)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["substances", "--json", "add", "tramadol"],
            "mitra: --json goes after 'add': mitra substances add ... --json",
        ),
        (
            ["products", "--limit", "3", "add", "Green powder"],
            "mitra: --limit is for the list (mitra products --limit ...); 'add' does not take it",
        ),
        (
            ["plan", "--json", "goal", "yoga", "30"],
            "mitra: --json goes after 'goal': mitra plan goal ... --json",
        ),
        (
            ["consent", "--json", "grant", "doses"],
            "mitra: --json goes after 'grant': mitra consent grant ... --json",
        ),
    ],
    ids=["substances", "products", "plan", "consent"],
)
def test_a_lists_option_given_before_a_subcommand_is_refused_before_it_runs(
    capsys: pytest.CaptureFixture[str], alice: Any, args: list[str], says: str
) -> None:
    """`mitra substances --json add X` once added X and printed text: the --json was the list's,
    dropped in silence. Now nothing runs, and the line says where the option goes."""
    from mitra.journal.models import ConsentEvent, Goal, Product

    assert refused(capsys, *args) == says
    assert not Substance.objects.exists()
    assert not Product.objects.exists()
    assert not Goal.objects.exists()
    assert not ConsentEvent.objects.exists()
    # Where the line says, it is taken.
    moved = [a for a in args if a != "--json"] + ["--json"]
    if "--json" in args:
        code, out, _ = run(capsys, *moved)
        assert code == 0
        assert json.loads(out)


def test_a_medicine_listed_under_a_second_name_is_pointed_out_and_a_drink_is_not(
    capsys: pytest.CaptureFixture[str], alice: Any, client: Client
) -> None:
    """Zoloft beside sertraline was added in silence: one medicine on two lines, its uses split
    between them. Both faces now say so (and leave the choice); wine and beer are both alcohol
    and rightly two lines, so nothing is said of them."""
    assert run(capsys, "substances", "add", "sertraline")[0] == 0
    code, out, _ = run(capsys, "substances", "add", "Zoloft")
    assert code == 0
    assert ("Zoloft is sertraline, which is also on your list as 'sertraline': if it is the "
            "same medicine, delete one") in " ".join(out.split())  # fmt: skip
    assert run(capsys, "substances", "add", "wine")[0] == 0
    code, out, _ = run(capsys, "substances", "add", "beer")
    assert "also on your list" not in out
    page = client.post("/substances", {"token": "s9", "name": "Lustral"}, follow=True)
    said = " ".join(page.content.decode().split())
    assert "Lustral is sertraline, which is also on your list as" in said


def test_a_name_of_only_invisible_characters_is_refused_as_no_name(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    # A zero-width space was added as a substance with a blank name.
    said = refused(capsys, "substances", "add", "\u200b")
    assert "is required" in said
    assert not Substance.objects.exists()
