"""Crisis resources in the terminal, for scores and alerts alike."""

from typing import Any

from rich.markup import escape

from .app import (
    out,
)


def crisis_json(person: Any | None = None) -> dict[str, Any]:
    """Crisis resources for the person's country, their own contacts, and the sources."""
    from mitra.journal.crisis import crisis_resources_json

    return crisis_resources_json(person)


def print_crisis(person: Any | None = None) -> None:
    crisis = crisis_json(person)
    for r in crisis["resources"]:
        action = f"{r['action']} or {r['text_action']}" if r.get("text_action") else r["action"]
        out.print(f"  [bold]{action}[/]: {r['name']}. {r['detail']}", highlight=False)
    for c in crisis["contacts"]:
        out.print(
            f"  [bold]Call {escape(c['name'])}[/]: {escape(c['phone'])} (your contact)",
            highlight=False,
        )
    for source in crisis["sources"]:
        out.print(f"  Source: {source['citation']} {source['url']}", highlight=False)
