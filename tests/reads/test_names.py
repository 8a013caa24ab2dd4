"""Every typed result of the reads has its own name, so the OpenAPI document (which names its
schemas by class name) never merges two different shapes under one name."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections import defaultdict

import mitra.reads


def test_no_two_read_dataclasses_share_a_name() -> None:
    found: dict[str, set[str]] = defaultdict(set)
    for info in pkgutil.iter_modules(mitra.reads.__path__):
        module = importlib.import_module(f"mitra.reads.{info.name}")
        for value in vars(module).values():
            if dataclasses.is_dataclass(value) and isinstance(value, type):
                found[value.__name__].add(f"{value.__module__}.{value.__qualname__}")
    clashes = {name: places for name, places in found.items() if len(places) > 1}
    assert not clashes, clashes
