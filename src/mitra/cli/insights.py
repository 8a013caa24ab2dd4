"""`mitra insights`: what seems to help and what seems to hurt."""

from __future__ import annotations

from .app import (
    JsonFlag,
    app,
    out,
    print_json,
    the_person,
)


@app.command()
def insights(json_out: JsonFlag = False) -> None:
    """What seems to help and what seems to hurt, with intervals; associations, not causes."""
    person = the_person()
    from mitra.journal.analysis import insights_report

    report = insights_report(person).as_dict()
    if json_out:
        print_json(report)
        return
    out.print(f"[bold]Insights[/] ({report['first']} to {report['last']}). {report['disclaimer']}")
    for card in report["cards"]:
        out.print(f"\n[bold]{card['title']}[/]")
        out.print(card["sentence"], highlight=False)
        if card["status"] == "shown":
            out.print(f"[dim]Method: {card['method']}[/]", highlight=False)
            out.print(f"[dim]Caveat: {card['caveat']}[/]", highlight=False)
