"""Reduction schedules that respond to the body, and adherence: pure Python, no Django.

mitra supports reduction only. The planner never proposes more than the starting amount, and a
step back is the person's own explicit choice.
"""

from mitra.taper.amounts import Amount, Measure, TaperError, Unit, measure_for, parse_amount
from mitra.taper.course import (
    AdherenceDay,
    CourseDay,
    TaperEvent,
    adherence,
    course,
    daily_use,
    mean_daily_use,
)
from mitra.taper.response import HoldAssessment, Signal, assess_hold, withdrawal_symptom_ids
from mitra.taper.schedule import Schedule, Step, plan_schedule, step_words

__all__ = [
    "AdherenceDay",
    "Amount",
    "CourseDay",
    "HoldAssessment",
    "Measure",
    "Schedule",
    "Signal",
    "Step",
    "TaperError",
    "TaperEvent",
    "Unit",
    "adherence",
    "assess_hold",
    "course",
    "daily_use",
    "mean_daily_use",
    "measure_for",
    "parse_amount",
    "plan_schedule",
    "step_words",
    "withdrawal_symptom_ids",
]
