"""The plan's weekly goals: parse them as people type them, and measure each week against them."""

from __future__ import annotations

from .goals import (
    GOAL_KINDS,
    GOAL_UNITS,
    Goal,
    GoalInvalid,
    GoalKind,
    GoalUnit,
    WeekProgress,
    goal_example,
    goal_text,
    parse_goal,
    week_start,
    weekly_progress,
)

__all__ = [
    "GOAL_KINDS",
    "GOAL_UNITS",
    "Goal",
    "GoalInvalid",
    "GoalKind",
    "GoalUnit",
    "WeekProgress",
    "goal_example",
    "goal_text",
    "parse_goal",
    "week_start",
    "weekly_progress",
]
