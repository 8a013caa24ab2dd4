"""`mitra insights`: what seems to help and what seems to hurt."""

from typing import Annotated

import typer

from mitra.wording import day

from .app import (
    JsonFlag,
    app,
    fail,
    out,
    print_document,
    the_person,
)


@app.command()
def insights(
    card: Annotated[
        str | None,
        typer.Option(
            "--card",
            help="Only this card, by its id or title (e.g. kratom.dose_trend).",
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """What seems to help and what seems to hurt, with intervals; associations, not causes."""
    person = the_person()
    from mitra.reads import insights as insight_reads
    from mitra.reads.insights import InsightsRead, InsightView

    if card is not None:
        found = insight_reads.insight(person, card)
        if found is None:  # by its title, as the list shows it
            every = insight_reads.insights(person).cards
            titled = [c for c in every if c.title.casefold() == card.strip().casefold()]
            if not titled:
                ids = ", ".join(c.id for c in every)
                fail(f"--card {card}: there is no such insight card; the cards: {ids}")
            found = insight_reads.insight(person, titled[0].id)
            assert found is not None  # just listed
        cards: tuple[InsightView, ...] = (found,)
        if json_out:
            print_document(found, InsightView)
            return
    else:
        report = insight_reads.insights(person)
        if json_out:
            print_document(report, InsightsRead)
            return
        out.print(
            f"[bold]Insights[/] ({day(report.first)} to {day(report.last)}). {report.disclaimer}",
            highlight=False,
        )
        if report.doses_without_content:
            out.print(
                f"{report.doses_without_content} of {report.doses} doses (extracts, shots or "
                "7-OH products without a lab figure) have no mitragynine estimate and are not "
                "in the dose figures.",
                highlight=False,
            )
        cards = report.cards
    for c in cards:
        out.print(f"\n[bold]{c.title}[/] [dim](--card {c.id})[/]")
        out.print(c.sentence, highlight=False)
        if c.status == "shown":
            out.print(f"[dim]Method: {c.method}[/]", highlight=False)
            out.print(f"[dim]Caveat: {c.caveat}[/]", highlight=False)
