"""`mitra score`, `mitra compare` and `mitra questionnaire`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mitra.journal.models import Response
from tests.cli.test_commands import refused, run


@pytest.mark.django_db
def test_score_prints_json_with_total_band_flags_and_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "score", "GAD-7", "1", "2", "3", "0", "1", "2", "1", "--json")
    assert code == 0
    data = json.loads(out)
    assert {"instrument", "total", "maximum", "band", "flags", "sources"} <= set(data)
    assert (data["instrument"], data["total"], data["maximum"], data["band"]["id"]) == (
        "GAD-7",
        10,
        21,
        "moderate",
    )
    assert data["sources"][0]["id"] == "spitzer2006"


@pytest.mark.django_db
def test_score_gives_phq4_its_subscales(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run(capsys, "score", "PHQ-4", "2", "1", "0", "0", "--json")[1])
    subscales = {s["id"]: s for s in data["subscales"]}
    assert subscales["anxiety"]["total"] == 3
    assert subscales["anxiety"]["screening"]["positive"] is True


@pytest.mark.django_db
def test_score_puts_crisis_resources_first_for_a_phq9_item9_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "score", "PHQ-9", "0", "0", "0", "0", "0", "0", "0", "0", "1")
    assert code == 0
    assert out.index("988") < out.index("PHQ-9: 1 of 27")
    assert "Call 988 or Text 988" in out  # the Lifeline takes texts as well as calls
    data = json.loads(run(capsys, "score", "PHQ-9", *["0"] * 8, "1", "--json")[1])
    assert data["crisis"] is True
    assert data["crisis_resources"]["resources"][0]["href"] == "tel:988"
    assert data["crisis_resources"]["resources"][0]["text_href"] == "sms:988"


@pytest.mark.django_db
def test_score_gives_the_crisis_lines_of_the_journal_persons_country_and_saves_nothing(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    from mitra.journal import plans

    plans.save_plan(alice, {"crisis_contacts": [{"name": "Sam", "phone": "+49 30 1234"}]})
    code, out, _ = run(capsys, "score", "PHQ-9", *["0"] * 8, "2")
    assert code == 0
    assert out.index("112") < out.index("Call Sam") < out.index("PHQ-9: 2 of 27")
    data = json.loads(run(capsys, "score", "PHQ-9", *["0"] * 8, "2", "--json")[1])
    assert data["crisis_resources"]["resources"][0]["href"] == "tel:112"
    assert data["crisis_resources"]["contacts"] == [{"name": "Sam", "phone": "+49 30 1234"}]
    assert not Response.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["score", "GAD-7", "1", "2"], "GAD-7 needs 7 answers, got 2"),
        (["score", "GAD-7", "1", "2", "3", "0", "1", "2", "4"], "out of range"),
        (["score", "GAD-8", "1"], "unknown instrument 'GAD-8'"),
        (["score", "GAD-7", "one"], "answers must be a whole number, not 'one'"),
        (["compare", "GAD-7", "14", "99"], "out of range"),
        (["compare", "NOPE", "1", "2"], "unknown instrument"),
    ],
)
def test_bad_scores_are_one_line_on_stderr_with_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert expected in refused(capsys, *argv)


def test_compare_reports_both_thresholds(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run(capsys, "compare", "GAD-7", "15", "10", "--json")[1])
    assert (data["difference"], data["direction"]) == (-5, "improvement")
    assert (data["mcid"], data["meets_mcid"]) == (4, True)
    assert (data["reliable_change"], data["meets_reliable_change"]) == (6, False)
    assert (
        data["summary"] == "lower (better), by at least the minimal clinically important difference"
    )
    text = " ".join(run(capsys, "compare", "PHQ-9", "10", "15")[1].split())
    # Without an established threshold, no "deterioration": only which way it moved.
    assert (
        "+5 points, higher (worse); how large a change must be to count is not established" in text
    )
    one = " ".join(run(capsys, "compare", "GAD-7", "10", "9")[1].split())
    assert "-1 point, lower (better), but smaller than a clear change." in one
    reliable = " ".join(run(capsys, "compare", "GAD-7", "12", "4")[1].split())
    assert "-8 points, a reliable improvement." in reliable


@pytest.mark.django_db
def test_questionnaire_asks_each_item_reasks_a_bad_answer_and_saves(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, alice: Any
) -> None:
    typed = iter(["1", "7", "2", "3", "0", "1", "2", "1"])  # "7" is refused and asked again
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    code, out, _ = run(capsys, "questionnaire", "GAD-7")
    assert code == 0
    assert "Please type one of 0, 1, 2, 3." in out
    assert "GAD-7: 10 of 21, Moderate anxiety." in out
    assert Response.objects.get().total == 10


@pytest.mark.django_db
def test_answers_come_on_one_line_or_after_the_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, alice: Any
) -> None:
    """`printf '1 2 1 0 3 2 1' | mitra questionnaire GAD-7` was refused line by line; a line of
    several answers now answers the next questions too, and every answer can follow the name
    (as `mitra score` takes them) to save it without questions."""
    typed = iter(["1 2 1", "0,3", "9 9", "2", "1"])  # "9 9" is not two answers: asked again
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    code, out, err = run(capsys, "questionnaire", "GAD-7")
    assert code == 0, err
    assert out.count("'9', for question 6, is not one of its answers.") == 1
    assert Response.objects.get().answers == [1, 2, 1, 0, 3, 2, 1]
    code, out, err = run(capsys, "questionnaire", "GAD-7", "2", "2", "1", "0", "3", "2", "0")
    assert code == 0, err
    assert "1 of 7" not in out  # no question asked
    assert "GAD-7: 10 of 21, Moderate anxiety." in out
    assert Response.objects.count() == 2
    said = refused(capsys, "questionnaire", "GAD-7", "1", "2", "3")
    assert said == ("mitra: GAD-7 has 7 items; 3 answers were given (give all 7, or none to be "
                    "asked)")  # fmt: skip
    assert "out of range" in refused(capsys, "questionnaire", "GAD-7", *"1210329")
    assert refused(capsys, "questionnaire", "GAD-7", "1") == (
        "mitra: GAD-7 has 7 items; 1 answer was given (give all 7, or none to be asked)"
    )
    assert Response.objects.count() == 2
    # PHQ-9's item 9 (self-harm) is never answered unseen by a line of answers, and a digit
    # of any script is an answer.
    typed = iter(["0 0 0 0 0 0 0 0 0", "0 0 0 0 0 0 0 0", "１"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    code, out, err = run(capsys, "questionnaire", "PHQ-9")
    assert code == 0, err
    said = " ".join(out.split())
    assert "Question 9 is asked on its own: answer up to question 8 on one line." in said
    assert "9 of 9." in said
    assert Response.objects.latest("pk").answers == [0] * 8 + [1]
    assert "crisis" in said.lower() or "988" in said or "Samaritans" in said


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stop", "status"), [(EOFError, 1), (KeyboardInterrupt, 130)], ids=["end of input", "ctrl-c"]
)
def test_questionnaire_stopped_early_says_nothing_was_saved_and_does_not_exit_0(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    alice: Any,
    stop: type[BaseException],
    status: int,
) -> None:
    typed = iter(["1", "2"])

    def answer(prompt: str = "") -> str:
        try:
            return next(typed)
        except StopIteration:
            raise stop from None

    monkeypatch.setattr("builtins.input", answer)
    _assert_gad7_stopped_unsaved(capsys, status, question=3)


def _assert_gad7_stopped_unsaved(
    capsys: pytest.CaptureFixture[str], status: int, *, question: int
) -> None:
    """`mitra questionnaire GAD-7` ends with `status`, says the question it stopped at in one
    line, and saves nothing."""
    code, _, err = run(capsys, "questionnaire", "GAD-7")
    assert code == status
    assert err.strip().splitlines() == [
        f"mitra: GAD-7 stopped at question {question} of 7; nothing was saved"
    ]
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_ctrl_c_while_a_question_is_shown_stops_at_that_question(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, alice: Any
) -> None:
    """Ctrl-C lands wherever the command is: while the second question's options are still
    being written, not only at its prompt."""
    from mitra.cli.app import out

    typed = iter(["1"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    shown = out.print
    headings: list[str] = []

    def show(*objects: Any, **options: Any) -> None:
        line = str(objects[0]) if objects else ""
        if " of 7.[/]" in line:
            headings.append(line)
        elif line.strip().startswith("0  ") and len(headings) == 2:  # question 2's options
            raise KeyboardInterrupt
        shown(*objects, **options)

    monkeypatch.setattr(out, "print", show)
    _assert_gad7_stopped_unsaved(capsys, 130, question=2)


@pytest.mark.django_db
def test_ctrl_c_anywhere_else_in_a_command_is_not_a_success(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, alice: Any
) -> None:
    """A command Ctrl-C stopped ends with 130 and says so, never 0 in silence (a script that
    checks the status would take an interrupted save for a done one)."""
    monkeypatch.setattr("builtins.input", lambda prompt="": "1")

    def interrupted(*_args: Any, **_kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("mitra.journal.services.submit_response", interrupted)
    code, _, err = run(capsys, "questionnaire", "GAD-7")
    assert code == 130
    assert err.strip().splitlines() == ["mitra: interrupted"]
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_questionnaire_answered_earlier_is_saved_then_with_its_change_as_its_page_gives_it(
    capsys: pytest.CaptureFixture[str], alice: Any, client: Any
) -> None:
    """`--at` saves a response answered on paper at a clinic; the terminal then says its
    change since the previous and the first response, as the response's page does, and
    `--json` prints what POST /api/v1/responses answers."""
    code, out, err = run(capsys, "questionnaire", "GAD-7", *"3323223", "--at", "2026-03-01 09:00")
    assert code == 0, err
    said = " ".join(out.split())
    assert "This is your first GAD-7. Take it again in two weeks to see change." in said
    first = Response.objects.get()
    assert first.at.isoformat() == "2026-03-01T08:00:00+00:00"  # 09:00 in Berlin
    code, out, err = run(capsys, "questionnaire", "GAD-7", *"1111110", "--at", "2026-03-15T09:00")
    assert code == 0, err
    said = " ".join(out.split())
    assert (
        "-12 points since your previous response (18 on 1 Mar 2026): a reliable improvement. "
        "That meets the minimal clinically important difference of 4 points, and meets the "
        "reliable change threshold of 6 points."
    ) in said
    assert "Thresholds: Toussaint et al. 2020 https://doi.org/" in said
    code, out, err = run(capsys, "questionnaire", "GAD-7", *"1111111", "--at", "2026-03-29T09:00")
    said = " ".join(out.split())
    assert "+1 point since your previous response (6 on 15 Mar 2026)" in said
    assert "-11 points since your first response (18 on 1 Mar 2026)" in said
    code, out, err = run(
        capsys, "questionnaire", "GAD-7", *"0000000", "--at", "2026-04-12T09:00", "--json"
    )
    assert code == 0, err
    document = json.loads(out)
    listed = client.get("/api/v1/responses").json()
    assert document in listed[next(k for k, v in listed.items() if isinstance(v, list))]
    assert (document["total"], document["at"]) == (0, "2026-04-12T09:00:00+02:00")
    assert Response.objects.count() == 4


@pytest.mark.django_db
def test_a_questionnaire_refuses_a_time_before_asking_and_json_without_its_answers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, alice: Any
) -> None:
    def asked(prompt: str = "") -> str:
        raise AssertionError("a question was asked before the time was refused")

    monkeypatch.setattr("builtins.input", asked)
    said = refused(capsys, "questionnaire", "GAD-7", "--at", "tomorrow")
    assert said.startswith("mitra: --at: 'tomorrow' is not a time")
    said = refused(capsys, "questionnaire", "GAD-7", "--at", "2099-01-01T09:00")
    assert said == "mitra: --at is in the future; log what has happened"
    said = refused(capsys, "questionnaire", "GAD-7", "--at", "1999-12-31T09:00")
    assert said == "mitra: --at is before the year 2000; check the date"
    assert refused(capsys, "questionnaire", "GAD-7", "--json") == (
        "mitra: with --json, give every answer after the questionnaire's name: "
        "GAD-7 N N N N N N N"
    )
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_paper_form_typed_in_twice_is_stored_once_and_an_earlier_one_is_said_earliest(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, alice: Any
) -> None:
    code, _, err = run(capsys, "questionnaire", "GAD-7", *"3333333", "--at", "2026-03-10T09:00")
    assert code == 0, err
    said = refused(capsys, "questionnaire", "GAD-7", *"3333333", "--at", "2026-03-10 09:00:30")
    assert said == (
        "mitra: this GAD-7 response, the same answers at the same time, is already in the "
        f"journal (response {Response.objects.get().pk})"
    )
    code, out, err = run(capsys, "questionnaire", "GAD-7", *"1111111", "--at", "2026-02-01T09:00")
    assert code == 0, err
    assert "This is your earliest GAD-7: the later ones show their change since it." in " ".join(
        out.split()
    )
    assert Response.objects.count() == 2
    # Its stem names its time frame: it is not said again after it.
    typed = iter(["1 1"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    code, out, err = run(capsys, "questionnaire", "GAD-2")
    assert code == 0, err
    assert "Over the last 2 weeks" in out
    assert "(about the last 2 weeks)" not in out


@pytest.mark.django_db
def test_a_crisis_answer_given_again_is_answered_with_crisis_help_not_only_refused(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    answers = [*"00000000", "2"]
    assert run(capsys, "questionnaire", "PHQ-9", *answers, "--at", "2026-03-10T09:00")[0] == 0
    code, out, err = run(capsys, "questionnaire", "PHQ-9", *answers, "--at", "2026-03-10T09:00")
    assert code == 2
    assert "is already in the journal" in err
    said = " ".join(out.split())
    assert "crisis" in said.lower() or "Telefonseelsorge" in said or "112" in said
    assert Response.objects.count() == 1
