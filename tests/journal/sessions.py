"""Running `mitra` commands in a fresh process, as a person at the terminal does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_SESSION = """
import contextlib, io, json, sys
from mitra.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    results.append([code, err.getvalue()])
print(json.dumps(results))
"""


def terminal_env(data: Path, env: dict[str, str | None] | None = None) -> dict[str, str]:
    """The environment of `mitra` commands on the data folder `data` (SQLite): this process's,
    with `env` added, or removed where a value is None."""
    changes = {"MITRA_DATABASE_URL": None, "MITRA_DATA_DIR": str(data), **(env or {})}
    environment = {k: v for k, v in os.environ.items() if k not in changes}
    environment.update({k: v for k, v in changes.items() if v is not None})
    return environment


def mitra_session(
    data: Path, *commands: list[str], env: dict[str, str | None] | None = None
) -> list[tuple[int, str]]:
    """Run `mitra` commands one after the other in one fresh process (each as its own command
    line would): their exit codes and what each printed on stderr. `env` adds variables to the
    environment, or removes those given as None."""
    environment = terminal_env(data, env)
    done = subprocess.run(
        [sys.executable, "-c", _SESSION, json.dumps(commands)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [(code, err) for code, err in json.loads(done.stdout)]
