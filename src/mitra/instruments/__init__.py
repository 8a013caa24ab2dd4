"""Validated questionnaires (GAD-7, GAD-2, PHQ-9, PHQ-2, PHQ-4, SOWS, SDS): score, compare, export.

Pure Python over `mitra.knowledge.instruments`; no Django, no database.
"""

from mitra.instruments.catalogue import instrument, known_codes
from mitra.instruments.change import Change, Direction, change
from mitra.instruments.errors import (
    AnswerCountError,
    AnswerRangeError,
    InstrumentError,
    MissingAnswersError,
    TotalRangeError,
    UnknownInstrumentError,
)
from mitra.instruments.fhir import fhir_questionnaire
from mitra.instruments.scoring import BandResult, Flag, Score, ScreeningResult, SubscaleScore, score

__all__ = [
    "AnswerCountError",
    "AnswerRangeError",
    "BandResult",
    "Change",
    "Direction",
    "Flag",
    "InstrumentError",
    "MissingAnswersError",
    "Score",
    "ScreeningResult",
    "SubscaleScore",
    "TotalRangeError",
    "UnknownInstrumentError",
    "change",
    "fhir_questionnaire",
    "instrument",
    "known_codes",
    "score",
]
