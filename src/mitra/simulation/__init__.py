"""Synthetic persons with known ground truth, for the demo, tests and benchmarks.

Every parameter of a synthetic person is synthetic (see `mitra.simulation.person`).
"""

from mitra.simulation.basic import synthetic_journal
from mitra.simulation.model import Simulation, SyntheticJournal, simulate
from mitra.simulation.person import (
    DEFAULT_PERSON,
    SYNTHETIC,
    DoseSlot,
    KratomHabit,
    PersonParameters,
    PracticeHabit,
    ProductHabit,
    null_person,
)

__all__ = [
    "DEFAULT_PERSON",
    "SYNTHETIC",
    "DoseSlot",
    "KratomHabit",
    "PersonParameters",
    "PracticeHabit",
    "ProductHabit",
    "Simulation",
    "SyntheticJournal",
    "null_person",
    "simulate",
    "synthetic_journal",
]
