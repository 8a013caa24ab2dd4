"""The import contracts in pyproject.toml catch what they promise to catch.

Each case copies src/ and pyproject.toml to a temporary folder, plants one violation and runs
`lint-imports` there; the unplanted copy must pass, or a failure below would prove nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

DOMAIN = "The domain packages import neither Django nor the database, directly or indirectly"
LAYERS = "Layers run one way: faces, reads, journal, engines, timeline, knowledge"
FACES = "Faces never import the journal's models or its private modules"
PRIVATE = "A private module (_name) is imported only from within its parent package"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the sources and the contracts, outside the installed package's reach."""
    shutil.copytree(
        ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(copy: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH comes before the editable install's path entry, so the copy is what is read.
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def broken(result: subprocess.CompletedProcess[str]) -> set[str]:
    """Names of the contracts the run reports broken (a name may wrap onto the next line)."""
    text = " ".join(result.stdout.split())
    return {name for name in (DOMAIN, LAYERS, FACES, PRIVATE) if f"{name} BROKEN" in text}


def test_the_unmodified_sources_keep_every_contract(copy: Path) -> None:
    result = lint_imports(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert broken(result) == set()


def test_django_imported_by_a_knowledge_module_breaks_the_domain_contract(copy: Path) -> None:
    append(copy / "src/mitra/knowledge/substances.py", "import django")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert DOMAIN in broken(result)


def test_the_database_reached_through_another_module_breaks_the_domain_contract(
    copy: Path,
) -> None:
    # mitra.wsgi is outside the layers and not forbidden by name: only the chain
    # knowledge.loader -> wsgi -> journal.models -> django can break the contract.
    (copy / "src/mitra/wsgi.py").write_text("from mitra.journal.models import Person\n")
    append(copy / "src/mitra/knowledge/loader.py", "import mitra.wsgi")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert DOMAIN in broken(result)
    assert "mitra.knowledge.loader -> mitra.wsgi" in result.stdout


def test_an_engine_importing_a_face_breaks_the_layers(copy: Path) -> None:
    append(copy / "src/mitra/safety/rules/liver.py", "from mitra.reports import charts")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken(result) == {LAYERS}


def test_a_face_importing_the_models_breaks_the_faces_contract(copy: Path) -> None:
    append(copy / "src/mitra/reports/charts.py", "from mitra.journal.models import Person")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken(result) == {FACES}


def test_a_private_module_imported_from_another_package_breaks_the_private_contract(
    copy: Path,
) -> None:
    (copy / "src/mitra/journal/_rows.py").write_text("ROWS = 1\n")
    append(copy / "src/mitra/web/views.py", "from mitra.journal import _rows")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken(result) == {PRIVATE}
