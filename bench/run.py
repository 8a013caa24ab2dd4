"""Run every benchmark: each bench/bench_*.py module's main(), in turn (`python bench/run.py`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Import each bench module by path and call its main() with no arguments."""
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}")
        module.main([]) if _takes_argv(module.main) else module.main()
    return 0


def _takes_argv(func: object) -> bool:
    """Whether main accepts an argument list (so the runner's own argv is not parsed)."""
    import inspect

    return bool(inspect.signature(func).parameters)  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(main())
