"""Commands that read only the knowledge base work in a fresh process, with no journal set up.

In-process tests share one interpreter in which Django is already configured, so a command
that reaches the journal's models without setting Django up passes there and fails for a
person at the terminal; these run in a new interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_the_interactions_check_runs_in_a_fresh_process_without_the_journal(
    tmp_path: Path,
) -> None:
    script = (
        "import sys\n"
        "from mitra.cli import main\n"
        "try:\n    main(['interactions', '--json', 'Xanax', 'sertraline'])\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('journal models:', 'mitra.journal.models' in sys.modules, file=sys.stderr)\n"
    )
    env = {**os.environ, "MITRA_DATA_DIR": str(tmp_path / "data")}
    env.pop("MITRA_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    document = json.loads(done.stdout)
    assert [r["resolved"] for r in document["reports"]] == ["alprazolam", "sertraline"]
    assert all(r["interactions"] for r in document["reports"])
    # A check of names needs no journal: nothing of it is loaded or created.
    assert "journal models: False" in done.stderr
    assert not (tmp_path / "data").exists()
