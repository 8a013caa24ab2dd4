"""The person's substances, resolved in the knowledge base, and interactions with kratom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mitra.journal import queries
from mitra.safety import listed_end_name
from mitra.safety.interactions import check, interactions_among

from .cursor import decode_keys, encode_keys
from .interactions import InteractionView, interaction_view
from .journal import EntryView, recent_intakes

if TYPE_CHECKING:
    from mitra.journal.models import Substance

__all__ = [
    "SubstanceChoice",
    "SubstanceView",
    "Substances",
    "substance",
    "substance_choices",
    "substances",
]


@dataclass(frozen=True)
class SubstanceView:
    """A substance on the person's list, with what the knowledge base knows of it."""

    id: int
    name: str
    dose_text: str
    active: bool
    recognised: bool
    knowledge_id: str | None
    knowledge_name: str | None  # the knowledge base's name ("alprazolam" for "Xanax")
    classes: tuple[str, ...]
    highest_severity: str | None
    note: str


@dataclass(frozen=True)
class SubstanceChoice:
    """A substance as a choice in a form."""

    id: int
    name: str


@dataclass(frozen=True)
class Substances:
    """The Substances page: the list (a page of it), interactions among all of it and kratom,
    recent uses, and the cursor of the list's next page."""

    substances: tuple[SubstanceView, ...]
    interactions: tuple[InteractionView, ...]
    recent_intakes: tuple[EntryView, ...]
    next_cursor: str | None = None


def _views(rows: list[Substance]) -> list[SubstanceView]:
    reports = {r.query: r for r in check([s.name for s in rows])} if rows else {}
    views = []
    for s in rows:
        report = reports.get(s.name)
        known = report is not None and report.status == "known"
        views.append(
            SubstanceView(
                id=s.pk,
                name=s.name,
                dose_text=s.dose_text,
                active=s.active,
                recognised=known,
                knowledge_id=(report.resolved if known and report else None),
                knowledge_name=(report.name if known and report else None),
                classes=(report.classes if known and report else ()),
                highest_severity=(report.highest_severity if known and report else None),
                note=report.note if report else "",
            )
        )
    return views


def substances(person: Any, cursor: str | None = None, *, limit: int | None = None) -> Substances:
    """The person's substances with kratom interactions among the active, recognised ones.

    The list comes `limit` at a time (all when None), after the substance `cursor` points at;
    the interactions are always those among the whole list, so no page hides one.
    """
    after = None
    if cursor:
        name, pk = decode_keys(cursor, (str, int))
        after = (str(name), int(pk))  # type: ignore[call-overload]
    rows = queries.substance_rows_page(
        person, after=after, limit=None if limit is None else limit + 1
    )
    page = rows if limit is None else rows[:limit]
    next_cursor = (
        encode_keys(*queries.name_keys(page[-1])) if len(rows) > len(page) and page else None
    )
    everything = rows if cursor is None and next_cursor is None else queries.substances(person)
    active = [s for s in everything if s.active and s.knowledge_id]
    ids = sorted({s.knowledge_id for s in active})

    def yours(ids: tuple[str, str]) -> tuple[str, ...]:
        return tuple(s.name for s in active if s.knowledge_id in ids)

    def between_yours(ids: tuple[str, str]) -> tuple[str, str]:
        # In the order the alert names them (the list's order of entry).
        first, second = (
            listed_end_name(i, [s.name for s in by_entry if s.knowledge_id == i]) for i in ids
        )
        return first, second

    by_entry = sorted(active, key=lambda s: s.pk)
    return Substances(
        substances=tuple(_views(page)),
        interactions=tuple(
            interaction_view(f, yours(f.substances), between_yours(f.substances))
            for f in interactions_among(ids)
        ),
        recent_intakes=tuple(recent_intakes(person, limit=10)),
        next_cursor=next_cursor,
    )


def substance(person: Any, substance_id: int) -> SubstanceView | None:
    """One substance on the person's list, or None."""
    found = queries.substances(person).filter(pk=substance_id).first()
    return None if found is None else _views([found])[0]


def also_listed(person: Any, substance_id: int) -> str:
    """When the person's list holds this substance's medicine under another name too (Zoloft
    and sertraline), a sentence saying so; else "". Its interactions are counted once, but its
    intakes would be split between the two."""
    view = substance(person, substance_id)
    if view is None or view.knowledge_id is None:
        return ""
    from mitra.knowledge.substances import load_substances

    # A medicine sold under brand names; not a drink (wine and beer are both alcohol, and
    # rightly two lines of a list).
    if not load_substances().substance(view.knowledge_id).brands:
        return ""
    twins = [
        s.name
        for s in _views(list(queries.substances(person).exclude(pk=substance_id)))
        if s.knowledge_id == view.knowledge_id
    ]
    if not twins:
        return ""
    names = ", ".join(f"'{name}'" for name in twins)
    same = (view.knowledge_name or "").casefold() == view.name.casefold()
    what = view.name if same else f"{view.name} is {view.knowledge_name}, which"
    return (
        f"{what} is also on your list as {names}: if it is the same medicine, delete one, so "
        "its uses are logged in one place."
    )


def substance_choices(person: Any) -> list[SubstanceChoice]:
    """The person's substances as form choices, by name."""
    return [SubstanceChoice(s.pk, s.name) for s in queries.substances(person)]
