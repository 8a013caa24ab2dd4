"""Helpers for the plan's tests."""

from __future__ import annotations

from dataclasses import replace

from mitra.plan import Goal


def without_since(goals: list[Goal]) -> list[Goal]:
    """The goals without the day each was set (set today, in these tests) nor earlier targets."""
    return [replace(g, since=None, earlier=()) for g in goals]
