"""`mitra command-server`: the background process that lets commands start at once."""

from datetime import UTC, datetime

import typer

from mitra import launcher

from .app import app, out

command_server_app = typer.Typer(
    help="The background process that starts commands quickly: its status, or stop it.",
    no_args_is_help=True,
)
app.add_typer(command_server_app, name="command-server")


@command_server_app.command("status")
def status() -> None:
    """Whether a command server runs for this data folder and environment."""
    path = launcher.this_server()
    if path is None:
        out.print(
            "Commands run directly: no command server is used here "
            "(MITRA_COMMAND_SERVER=off, an encrypted journal, or no data folder yet)."
        )
        return
    answer = launcher.ask(path, "status")
    if answer is None:
        out.print("No command server is running; the next `mitra` command starts one.")
        return
    since = datetime.fromtimestamp(float(answer["since"]), UTC).astimezone()
    idle = float(answer["idle"])
    after = f"{idle / 60:.0f} idle minutes" if idle >= 120 else f"{idle:.0f} idle seconds"
    out.print(
        f"A command server is running (process {answer['pid']}, since "
        f"{since:%Y-%m-%d %H:%M}, {answer['served']} commands served); it holds no journal "
        f"data and ends after {after}."
    )


@command_server_app.command("stop")
def stop() -> None:
    """End the command server now (the next `mitra` command starts another)."""
    path = launcher.this_server()
    answer = launcher.ask(path, "stop") if path is not None else None
    if answer is None:
        out.print("No command server was running.")
        return
    out.print(f"Stopped the command server (process {answer['stopped']}).")
