"""What another app's activity, factor or label means in mitra: the mapping an import uses.

A mood diary names things in the person's own words ("Running", "coffee", "yoga class").
The mapping turns each name into one mitra entry; the dry run shows every name it used and
what it became, and `--map "Running=exercise:30"` (or the Import page's field) changes it.

Targets, as written after "=":

- a practice kind, optionally with minutes: ``exercise:30``, ``yoga`` (practice kinds come
  from `mitra.vocabulary.PRACTICE_KINDS`). Apps that record no duration get
  ``DEFAULT_MINUTES``, shown as assumed in the dry run, so the person can change it;
- ``intake:NAME`` or ``caffeine``/``alcohol``: an intake of that substance, no amount;
- ``symptom:ID``: a knowledge-base symptom id, ticked on the check-in;
- ``mood:N``: a mood word worth N (1 to 5) on the check-in's mood scale;
- ``kratom``: a kratom dose when the row has an amount, else a note saying so;
- ``note``: kept word for word in the check-in's note (also what any unknown name becomes).
- ``rating:anxiety`` (0-10), ``rating:mood`` (1-5), ``rating:sleep_quality`` (1-5): for apps
  whose rows carry a number (Track & Graph, Tea Taper), the row's value is that check-in rating;
  ``sleep``: the value is hours slept (or a duration). Formats without values keep such names
  in the note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from mitra.vocabulary import PRACTICE_KINDS

__all__ = ["DEFAULTS", "DEFAULT_MINUTES", "ActivityMap", "Target", "parse_overrides", "target"]

#: Minutes of a practice from an app that records no duration; shown as assumed.
DEFAULT_MINUTES = 15

#: Names (folded: lower case, letters and digits) and what they become unless overridden.
DEFAULTS: dict[str, str] = {
    "sport": "exercise", "exercise": "exercise", "workout": "exercise", "gym": "exercise",
    "running": "exercise", "run": "exercise", "cycling": "exercise", "swimming": "exercise",
    "meditation": "mindfulness", "meditate": "mindfulness", "mindfulness": "mindfulness",
    "breathing": "breathing", "breathwork": "breathing",
    "yoga": "yoga", "walk": "walk", "walking": "walk", "hike": "walk", "hiking": "walk",
    "therapy": "therapy", "counselling": "therapy", "counseling": "therapy",
    "journal": "journaling", "journaling": "journaling", "journalling": "journaling",
    "coffee": "caffeine", "caffeine": "caffeine", "energydrink": "caffeine",
    "alcohol": "alcohol", "beer": "alcohol", "wine": "alcohol", "drinks": "alcohol",
    "drinking": "alcohol",
    "kratom": "kratom",
    # Tea Taper's own helper names (its interface is Russian first): walk, sport, breathing,
    # meditation
    "прогулка": "walk", "спорт": "exercise", "дыхание": "breathing", "медитация": "mindfulness",
    "headache": "symptom:headache", "nausea": "symptom:nausea", "badsleep": "symptom:poor_sleep",
    "restless": "symptom:restless", "restlessness": "symptom:restless",
    "craving": "symptom:craving", "cravings": "symptom:craving",
    "sweating": "symptom:sweating", "yawning": "symptom:yawning",
}  # fmt: skip

TargetKind = Literal["practice", "intake", "symptom", "mood", "kratom", "note", "rating", "sleep"]
RATINGS = ("anxiety", "mood", "sleep_quality")


@dataclass(frozen=True)
class Target:
    """What one name becomes: its kind and its value (a practice kind, a substance, ...)."""

    kind: TargetKind
    value: str = ""
    minutes: int | None = None  # practices only; None: the app recorded none

    def text(self) -> str:
        """The target as the person writes it after "=" (so the dry run can be copied)."""
        if self.kind == "practice":
            return f"{self.value}:{self.minutes}" if self.minutes else self.value
        if self.kind in ("intake", "symptom", "mood", "rating"):
            return f"{self.kind}:{self.value}"
        return self.kind


def fold(name: str) -> str:
    """A name compared in lower-case letters and digits only ("Bad sleep" -> "badsleep")."""
    return "".join(re.findall(r"\w", name.casefold())).replace("_", "")


def target(text: str) -> Target:  # noqa: PLR0911 (one return per kind of target reads best)
    """Read a target as written after "="; ValueError says what is accepted."""
    from mitra.knowledge import load as load_knowledge

    head, _, tail = text.strip().partition(":")
    head, tail = head.strip().casefold(), tail.strip()
    if head in PRACTICE_KINDS:
        if not tail:
            return Target("practice", head)
        if not tail.isdigit() or not 1 <= int(tail) <= 720:
            raise ValueError(f"{text!r}: minutes must be a whole number from 1 to 720")
        return Target("practice", head, int(tail))
    if head in ("caffeine", "alcohol") and not tail:
        return Target("intake", head)
    if head == "intake" and tail:
        return Target("intake", tail[:120])
    if head == "symptom":
        known = {s.id for s in load_knowledge().symptoms}
        if tail not in known:
            raise ValueError(f"{text!r}: symptoms are {', '.join(sorted(known))}")
        return Target("symptom", tail)
    if head == "mood":
        if tail not in ("1", "2", "3", "4", "5"):
            raise ValueError(f"{text!r}: a mood is mood:1 (worst) to mood:5 (best)")
        return Target("mood", tail)
    if head == "rating":
        if tail not in RATINGS:
            raise ValueError(f"{text!r}: a rating is {', '.join('rating:' + r for r in RATINGS)}")
        return Target("rating", tail)
    if head in ("kratom", "note", "sleep") and not tail:
        return Target(head)  # type: ignore[arg-type]
    raise ValueError(
        f"{text!r} is not a target; use a practice kind ({', '.join(PRACTICE_KINDS)}, "
        "optionally :MINUTES), caffeine, alcohol, intake:NAME, symptom:ID, mood:1-5, "
        "kratom, note, rating:anxiety, rating:mood, rating:sleep_quality or sleep"
    )


def parse_overrides(items: Iterable[str]) -> dict[str, str]:
    """`NAME=TARGET` strings as a dict; ValueError names the one that is wrong."""
    found: dict[str, str] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not fold(name):
            raise ValueError(f"{item!r}: write NAME=TARGET, e.g. Running=exercise:30")
        target(text)  # refuse it now, not halfway through a file
        found[name.strip()] = text.strip()
    return found


class ActivityMap:
    """The defaults with the person's overrides; records each name it was asked about."""

    def __init__(self, overrides: Mapping[str, str] | None = None, *,
                 defaults: Mapping[str, str] = DEFAULTS) -> None:  # fmt: skip
        self._targets = {fold(k): target(v) for k, v in defaults.items()}
        self._targets |= {fold(k): target(v) for k, v in (overrides or {}).items()}
        self.used: dict[str, str] = {}

    def __call__(self, name: str) -> Target:
        """What `name` becomes (a note when nothing maps it); remembered for the dry run."""
        found = self._targets.get(fold(name), Target("note"))
        if name not in self.used:
            shown = found.text()
            if found.kind == "practice" and found.minutes is None:
                shown += f" ({DEFAULT_MINUTES} minutes assumed: the app records no duration)"
            self.used[name] = shown
        return found
