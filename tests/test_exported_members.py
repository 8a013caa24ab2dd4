"""Each domain package's `__all__` is exactly its public names (as httpx checks its own)."""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest

DOMAIN = [
    "knowledge",
    "instruments",
    "pharmacology",
    "safety",
    "insights",
    "simulation",
    "taper",
    "plan",
]


def _modules(package: str) -> list[types.ModuleType]:
    root = importlib.import_module(f"mitra.{package}")
    found = pkgutil.walk_packages(root.__path__, f"{root.__name__}.")
    return [root, *(importlib.import_module(info.name) for info in found)]


@pytest.mark.parametrize("package", DOMAIN)
def test_the_package_exports_exactly_its_public_names(package: str) -> None:
    root = importlib.import_module(f"mitra.{package}")
    public = {
        name
        for name, value in vars(root).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"  # from __future__
    }
    assert sorted(root.__all__) == sorted(public)


@pytest.mark.parametrize("package", DOMAIN)
def test_every_exported_name_exists_once(package: str) -> None:
    for module in _modules(package):
        exported = getattr(module, "__all__", [])
        assert len(exported) == len(set(exported)), module.__name__
        assert [n for n in exported if not hasattr(module, n)] == [], module.__name__
