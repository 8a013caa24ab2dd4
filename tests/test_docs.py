"""The README documents every command and setting, so the docs cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
SETTINGS = (Path(__file__).parents[1] / "src/mitra/settings.py").read_text(encoding="utf-8")


def test_every_cli_command_is_in_the_readme() -> None:
    import typer

    from mitra.cli import app

    command = typer.main.get_command(app)
    names = list(command.commands)  # type: ignore[attr-defined]
    assert names
    missing = [name for name in names if f"`mitra {name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_environment_setting_is_in_the_readme() -> None:
    variables = set(re.findall(r"\bMITRA_[A-Z_]+\b", SETTINGS))
    assert "MITRA_DATA_DIR" in variables
    missing = sorted(v for v in variables if f"`{v}`" not in README)
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_make_run_variable_is_in_the_readme() -> None:
    makefile = (Path(__file__).parents[1] / "Makefile").read_text(encoding="utf-8")
    variables = re.findall(r"^([A-Z]+) \?=", makefile, flags=re.MULTILINE)
    assert {"HOST", "PORT"} <= set(variables)
    missing = [v for v in ("HOST", "PORT") if f"`{v}`" not in README]
    assert not missing, f"make run settings missing from README.md: {missing}"


def test_the_readme_gives_exactly_the_two_set_up_commands() -> None:
    block = README[README.index("```sh") : README.index("```", README.index("```sh") + 5)]
    commands = [line.split("#")[0].strip() for line in block.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]


def test_every_api_route_is_in_the_readme() -> None:
    from mitra.api.v1 import api

    methods = ("| GET", "| POST", "| PUT", "| DELETE")
    rows = [line for line in README.splitlines() if line.startswith(methods) or "| POST" in line]
    listed = {
        (method.strip().lower(), path.split("?")[0])
        for line in rows
        for method in [line.split("|")[1]]
        for path in re.findall(r"`(/api/v1/[^`]*)`", line)
    }
    missing = [
        f"{method.upper()} {path}"
        for path, item in api.get_openapi_schema()["paths"].items()
        for method in item
        if (method, path) not in listed
    ]
    assert not missing, f"API routes missing from README.md: {missing}"
