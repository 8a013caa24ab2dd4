"""Questionnaires: score, compare two totals, and answer one in the terminal."""

from typing import Annotated, Any, NoReturn

import typer

from mitra import wording
from mitra.vocabulary import ascii_digits
from mitra.wording import moment, plural, restates

from .app import (
    JsonFlag,
    Stopped,
    app,
    django_ready,
    fail,
    journal_person,
    out,
    parse_time,
    print_document,
    refused,
    replay_token,
    short_citation,
    stopped_once_saved,
    the_person,
)
from .crisis import print_crisis

# --- questionnaires ------------------------------------------------------------------------------


def _print_score(result: Any, person: Any | None = None) -> None:
    """A score for a person: crisis resources first when the answers call for them."""
    if result.crisis:
        flag = next(f for f in result.flags if f.id == "crisis")
        out.print(f"[bold red]{flag.message}[/]")
        print_crisis(person)
        out.print()
    band = f", {result.band.label}" if result.band else ""
    out.print(f"{result.instrument}: {result.total} of {result.maximum}{band}.")
    if result.band and not restates(result.band.label, result.band.meaning):
        out.print(result.band.meaning)
    elif result.band_note:
        out.print(result.band_note)
    for sub in result.subscales:
        out.print(f"{sub.label}: {sub.total} of {sub.maximum}.")
    for flag in result.flags:
        if flag.id != "crisis":
            out.print(flag.message)


def _score_or_fail(code: str, answers: list[int | None]) -> Any:
    from mitra.instruments import InstrumentError, score

    try:
        return score(code, answers)
    except InstrumentError as exc:
        fail(str(exc))


@app.command("score")
def score_cmd(
    code: Annotated[
        str, typer.Argument(help="Questionnaire: GAD-7, GAD-2, PHQ-9, PHQ-2, PHQ-4, SOWS or SDS.")
    ],
    answers: Annotated[list[int], typer.Argument(help="Each item's answer value, in order.")],
    json_out: JsonFlag = False,
) -> None:
    """Score a questionnaire without saving it."""
    django_ready(database=False)
    if not json_out:
        # The terminal's answer needs the journal only for crisis lines, so a score that raises
        # no crisis starts as quickly as scoring alone.
        result = _score_or_fail(code, list(answers))
        _print_score(result, _journal_person() if result.crisis else None)
        return
    from mitra.instruments import InstrumentError
    from mitra.reads.questionnaires import score_view

    person = _journal_person()
    try:
        view = score_view(code, list(answers), person)
    except InstrumentError as exc:
        fail(str(exc))
    print_document(view)


def _journal_person() -> Any:
    """The journal's person when a journal exists, for crisis lines of their own country and
    their own contacts (as the API gives them); None before one is set up. Sets none up."""
    return journal_person()


@app.command()
def compare(
    code: Annotated[str, typer.Argument(help="Questionnaire, e.g. GAD-7.")],
    before_total: Annotated[int, typer.Argument(help="The earlier total.")],
    after_total: Annotated[int, typer.Argument(help="The later total.")],
    json_out: JsonFlag = False,
) -> None:
    """Change between two totals, against the minimal important and reliable change thresholds."""
    from mitra.instruments import InstrumentError

    if json_out:
        django_ready(database=False)
        from mitra.reads.questionnaires import comparison

        try:
            print_document(comparison(code, before_total, after_total))
        except InstrumentError as exc:
            fail(str(exc))
        return
    from mitra.instruments import change
    from mitra.knowledge import load as load_knowledge

    try:
        result = change(code, before_total, after_total)
    except InstrumentError as exc:
        fail(str(exc))
    out.print(
        f"{result.instrument}: {before_total} to {after_total}, "
        f"{result.difference:+d} {'point' if abs(result.difference) == 1 else 'points'}, "
        f"{result.summary}."
    )
    for name, threshold, meets in (
        ("minimal clinically important difference", result.mcid, result.meets_mcid),
        ("reliable change", result.reliable_change, result.meets_reliable_change),
    ):
        if threshold is None:
            out.print(f"The {name} is not established for {result.instrument}.")
        else:
            verdict = "meets" if meets else "is below"
            out.print(f"The change {verdict} the {name} of {threshold} points.")
    for source in load_knowledge().cite(list(result.sources)):
        out.print(f"Source: {short_citation(source.id)} {source.url}", highlight=False)


@app.command()
def questionnaire(
    code: Annotated[str, typer.Argument(help="Questionnaire, e.g. GAD-7.")],
    answers_given: Annotated[
        list[int] | None,
        typer.Argument(
            metavar="[ANSWERS]...",
            help="Every item's answer, in order, to save without questions (as 'mitra score' "
            "takes them).",
            show_default=False,
        ),
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="When it was answered (default now), e.g. 2026-03-01T09:00.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Answer a questionnaire in the terminal (or give every answer after its name); it is
    scored and saved, with its change since your previous and your first response. At a
    question, a line of several answers answers the next ones too."""
    from mitra.instruments import InstrumentError, instrument

    try:
        definition = instrument(code)
    except InstrumentError as exc:
        fail(str(exc))
    if json_out and not answers_given:
        fail(f"with --json, give every answer after the questionnaire's name: {definition.code} "
             f"{' '.join(['N'] * len(definition.items))}")  # fmt: skip
    person = the_person()
    from django.utils import timezone

    from mitra.journal import clock, services
    from mitra.journal.errors import DuplicateSubmission, EntryInvalid
    from mitra.journal.schemas import moment_problem

    # Before the questions: a time mitra cannot take is said before the answers are asked for.
    when = None if at is None else parse_time(at, clock(person).zone, "--at")
    problem = None if when is None else moment_problem(when)
    if problem:
        fail(f"--at {problem}")
    answers = _answers(definition, answers_given)
    result = _score_or_fail(definition.code, answers)
    from mitra.reads import questionnaires as questionnaire_reads

    # Answered now (when the last answer is given), or when --at says.
    data = {"instrument": definition.code, "at": when or timezone.now(), "answers": answers}
    # The same answers at the same minute are one response: a paper form typed in twice, or
    # the command run again, is stored once.
    token = replay_token("response", data["instrument"], *answers, data["at"])
    try:
        with stopped_once_saved(
            f"{definition.code} response {{}}", see="mitra entries --kind response"
        ):
            saved = services.submit_response(person, data, token=token)
    except DuplicateSubmission as exc:
        _given_again(result, person, exc.entry, json_out)
    except EntryInvalid as exc:
        refused(exc)
    except Stopped:
        # Saved, then stopped: its score is still shown, a crisis answer's help first.
        # With --json, stdout stays a document or nothing: stderr has said what was saved.
        if not json_out:
            out.print()
            _print_score(result, person)
        raise
    if json_out:  # as POST /api/v1/responses answers
        print_document(questionnaire_reads.response_view(person, saved))
        return
    out.print()
    _print_score(result, person)
    detail = questionnaire_reads.response_detail(person, saved.pk)
    for line in _change_lines(detail):
        # A line of sources is never broken inside an address: the terminal wraps it whole.
        out.print(line, highlight=False, soft_wrap=line.startswith("Thresholds: "))
    out.print(f"Saved (response {saved.pk}).")


def _answers(definition: Any, given: list[int] | None) -> list[int | None]:
    """The answers given after the questionnaire's name (all of them), else asked one by one."""
    if not given:
        return _asked(definition)
    if len(given) != len(definition.items):
        were = "answer was" if len(given) == 1 else "answers were"
        fail(
            f"{definition.code} has {len(definition.items)} items; {len(given)} {were} "
            f"given (give all {len(definition.items)}, or none to be asked)"
        )
    return list(given)  # checked, item by item, by the scoring


def _given_again(result: Any, person: Any, saved: Any, json_out: bool) -> NoReturn:
    """The same answers at the same minute were saved before: said in one line, after the
    crisis help an answer that asks for it is always answered with."""
    if result.crisis and not json_out:
        _print_score(result, person)
    kept = (
        "was saved before and deleted since"
        if getattr(saved, "deleted_at", None) is not None
        else "is already in the journal"
    )
    fail(
        f"this {result.instrument} response, the same answers at the same time, {kept} "
        f"(response {saved.pk})"
    )


def _change_lines(detail: Any) -> list[str]:
    """The response's change since the previous and the first response, as its page says it."""
    if detail is None:
        return []
    code = detail.instrument.code
    if not detail.changes:
        if len(detail.history) > 1:  # answered before the others (a paper form, say)
            return [f"This is your earliest {code}: the later ones show their change since it."]
        recall = detail.instrument.recall
        later = (
            "in two weeks" if recall == "the last 2 weeks" else f"later (it asks about {recall})"
        )
        return [f"This is your first {code}. Take it again {later} to see change."]
    lines = []
    for view in detail.changes:
        c = view.change
        points = "point" if abs(c.difference) == 1 else "points"
        line = (
            f"{c.difference:+d} {points} {view.label} ({c.before} on "
            f"{wording.day(view.before_at.date())}): {c.summary}."
        )
        thresholds = [
            f"{'meets' if meets else 'is below'} the {name} of {threshold} points"
            for name, threshold, meets in (
                ("minimal clinically important difference", c.mcid, c.meets_mcid),
                ("reliable change threshold", c.reliable_change, c.meets_reliable_change),
            )
            if threshold is not None
        ]
        if thresholds:
            line += f" That {', and '.join(thresholds)}."
        lines.append(line)
        lines += [note for note in c.notes if "not established" in note]
    sources = "; ".join(f"{short_citation(s.id)} {s.url}" for s in detail.change_sources)
    if sources:
        lines.append(f"Thresholds: {sources}")
    return lines


def _asked(definition: Any) -> list[int | None]:
    """Each question in turn at the terminal; a line of several answers answers the next ones
    too. Ctrl-C or the end of input stop it (Stopped: nothing is saved)."""
    out.print(f"[bold]{definition.code}[/]: {definition.name}")
    # The stem names its time frame ("Over the last 2 weeks, ..."), or is told it.
    said = definition.recall.lower() in definition.stem.lower()
    out.print(definition.stem if said else f"{definition.stem} (about {definition.recall})")
    answers: list[int | None] = []
    total_items = len(definition.items)
    number = 1
    try:  # Ctrl-C while a question is shown, as well as at its prompt
        while len(answers) < total_items:
            number = len(answers) + 1
            item = definition.items[number - 1]
            options = definition.options(number)
            out.print(f"\n[bold]{number} of {total_items}.[/] {item.text}")
            for option in options:
                out.print(f"  {option.value}  {option.label}")
            allowed = {str(o.value) for o in options}
            while True:
                raw = ascii_digits(input(f"Answer ({'/'.join(sorted(allowed))}): ")).strip()
                if raw in allowed:
                    answers.append(int(raw))
                    break
                several, why = _several(definition, number, raw)
                if several:
                    answers.extend(several)
                    break
                out.print(f"{why[:1].upper()}{why[1:]}." if why else
                          f"Please type one of {', '.join(sorted(allowed))}.")  # fmt: skip
    except (EOFError, KeyboardInterrupt) as exc:
        # The shells' conventions: 130 for Ctrl-C (128 + SIGINT), 1 for input that ended.
        print()
        raise Stopped(
            f"{definition.code} stopped at question {number} of {total_items}; nothing was saved",
            130 if isinstance(exc, KeyboardInterrupt) else 1,
        ) from None
    return answers


def _several(definition: Any, number: int, raw: str) -> tuple[list[int], str]:
    """A line of answers ("1 2 1 0", "1,2,1") for question `number` and the ones after it,
    each one of its question's values; else ([], why the line was not taken, or "" when it is
    not a line of several answers). A crisis item (PHQ-9's 9) is never answered unseen: a line
    may end before it, and it is asked on its own."""
    words = ascii_digits(raw).replace(",", " ").split()
    if len(words) < 2:
        return [], ""
    left = len(definition.items) - number + 1
    if len(words) > left:
        are = "is" if left == 1 else "are"
        return [], f"that line holds {len(words)} answers; {plural(left, 'question')} {are} left"
    asked_alone = sorted(
        f.item for f in definition.flags if f.id == "crisis" and f.item is not None
    )
    for item in asked_alone:
        if number < item <= number - 1 + len(words):
            return [], (
                f"question {item} is asked on its own: answer up to question {item - 1} on one line"
            )
    found = []
    for offset, word in enumerate(words):
        allowed = {str(o.value) for o in definition.options(number + offset)}
        if word not in allowed:
            return [], f"'{word}', for question {number + offset}, is not one of its answers"
        found.append(int(word))
    return found, ""


@app.command("responses")
def responses_cmd(
    instrument: Annotated[
        str | None, typer.Option(help="Only this questionnaire, e.g. GAD-7.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Responses per page (1-200).")] = 50,
    cursor: Annotated[
        str | None, typer.Option(help="The next_cursor of the previous page.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Your questionnaire responses, oldest first, with scores and bands."""
    from mitra.instruments import InstrumentError
    from mitra.instruments import instrument as find_instrument

    person = the_person()
    from mitra.reads.journal import CursorInvalid
    from mitra.reads.questionnaires import response_page

    try:
        code = find_instrument(instrument).code if instrument else None
        page = response_page(person, code, cursor, limit=limit)
    except InstrumentError as exc:
        fail(str(exc))
    except CursorInvalid as exc:
        fail(f"--cursor {exc}")
    if json_out:
        print_document(page)
        return
    for r in page.responses:
        band = f", {r.band.label}" if r.band else ""
        out.print(f"{moment(r.at)}  {r.instrument}: {r.total} of {r.maximum}{band}")
    if page.next_cursor:
        out.print(f"More: mitra responses --cursor {page.next_cursor}")
