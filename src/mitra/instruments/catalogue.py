"""Find an instrument by its code, forgiving case, spaces and hyphens ("gad7" is GAD-7)."""

from __future__ import annotations

from mitra.instruments.errors import UnknownInstrumentError
from mitra.knowledge.instruments import Instrument, load_instruments

__all__ = ["instrument", "known_codes"]


def _key(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def known_codes() -> tuple[str, ...]:
    """The codes of every instrument, in the order of the knowledge file."""
    return tuple(load_instruments())


def instrument(code: str) -> Instrument:
    """The instrument with this code; UnknownInstrumentError naming the known codes otherwise."""
    for known in load_instruments().values():
        if _key(known.code) == _key(code):
            return known
    raise UnknownInstrumentError(f"unknown instrument {code!r}; known: {', '.join(known_codes())}")
