"""The `mitra` command as typed: hands its arguments and terminal to a resident command server
when one runs for this installation and environment, and otherwise runs the command itself.

Starting Python and importing Django, NumPy and the journal takes about a second, and a person
who logs a check-in from the terminal would wait for all of it every time. So after a command
has run, mitra starts a command server in the background (one per data folder, installation and
environment) that does those imports once, then forks a copy of itself for each later command.
The copy takes the person's terminal (stdin, stdout and stderr, passed over a Unix socket), the
arguments, the environment, the working folder and the umask, runs the command as the direct
path would, and reports its exit status; Ctrl-C and other signals reach it through the `mitra`
process the shell started.

What the server keeps is imported code, nothing of the journal: it opens no database connection
(each command's copy opens its own and ends with it), and it is never started for an encrypted
journal, so no key stays in memory. It answers its own user only (the socket is in the private
data folder, and the peer's user id is checked), and it ends after an idle hour (or
MITRA_COMMAND_SERVER_IDLE seconds), when the installed code changes, when its socket is
removed, or with `mitra command-server stop`. MITRA_COMMAND_SERVER=off runs every command
directly and starts no server.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Any

IDLE_SECONDS = 3600.0
# The environment a server's imports and settings depend on: a command whose environment
# differs in any of these is served by a server started with its own.
_ENV_PREFIXES = ("MITRA_", "DJANGO_", "PYTHON", "LC_", "XDG_", "OPENBLAS_", "OMP_")
_ENV_NAMES = frozenset({"LANG", "LANGUAGE", "TZ", "HOME"})
_HEADER = struct.Struct("!I")
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
_MAX_REQUEST = 1 << 20
_TERMINAL = (0, 1, 2)
# Never served: the web server runs for hours with its own workers and signal handling; the
# command server's own commands start none.
_DIRECT_COMMANDS = frozenset({"serve", "command-server"})
# The environment the command was started with (Django's settings change TZ once they load).
_started_with: dict[str, str] = {}


def main() -> None:
    """The `mitra` console command."""
    argv = sys.argv[1:]
    environment = dict(os.environ)
    _started_with.update(environment)
    path = socket_path(environment)
    if argv[:1] and argv[0] in _DIRECT_COMMANDS:
        path = None
    if path is not None:
        status = _through_server(path, argv, environment)
        if isinstance(status, int):
            raise SystemExit(status)
        if status == "refused":  # a server whose copies cannot run commands ends
            ask(path, "stop")
        if status is not None:  # run here, and leave the running server (or none) as it is
            path = None
    try:
        from mitra.cli import main as run

        run(argv)
    finally:
        if path is not None:
            _start_server(path, environment)


def this_server() -> Path | None:
    """The socket of the server that serves (or would serve) this command's environment."""
    return socket_path(_started_with or dict(os.environ))


def socket_path(environment: dict[str, str]) -> Path | None:
    """Where this installation's command server for `environment` listens, or None when
    commands run directly (switched off, an encrypted journal, no data folder yet)."""
    if environment.get("MITRA_COMMAND_SERVER", "").lower() in {"off", "0", "no", "false"}:
        return None
    if environment.get("MITRA_ENCRYPTION_KEY") or environment.get("MITRA_ENCRYPTION_KEY_FILE"):
        return None
    if not hasattr(socket, "AF_UNIX") or not hasattr(socket, "send_fds"):
        return None
    folder = environment.get("MITRA_DATA_DIR") or _default_data_dir()
    if not folder or not os.path.isdir(folder):
        return None
    relevant = sorted(
        (k, v)
        for k, v in environment.items()
        if (k.startswith(_ENV_PREFIXES) or k in _ENV_NAMES) and k != "MITRA_COMMAND_SERVER"
    )
    key = json.dumps([sys.executable, str(Path(__file__).parent), relevant])
    return Path(folder) / f"command-{hashlib.sha256(key.encode()).hexdigest()[:16]}.sock"


def _default_data_dir() -> str:
    import platformdirs

    return str(platformdirs.user_data_dir("mitra"))


# --- the client: the process the shell started ----------------------------------------------


def _connect(sock: socket.socket, path: Path) -> None:
    """Connect by the socket's name from within its folder: a Unix socket's address holds
    about a hundred bytes, less than a data folder's path may need."""
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        sock.connect(path.name)
    finally:
        os.chdir(here)


def _request(sock: socket.socket, payload: dict[str, Any], fds: list[int]) -> None:
    body = json.dumps(payload).encode()
    socket.send_fds(sock, [_HEADER.pack(len(body))], fds)
    sock.sendall(body)


def _through_server(path: Path, argv: list[str], environment: dict[str, str]) -> int | str | None:
    """The command's exit status from the server; otherwise the command is still to run:
    None when no server runs or it was stale (it ends; another is started after the command),
    "direct" when the server asks this process to run it (no terminal to hand over), "refused"
    when its copy could not take the command."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        request = {"argv": argv, "env": environment, "cwd": os.getcwd(), "umask": _umask()}
        _connect(sock, path)
        _request(sock, request, list(_TERMINAL))
        answers = sock.makefile("rb")
        first = answers.readline()
    except OSError:
        sock.close()
        return None
    if not first:
        sock.close()
        return None
    started = json.loads(first)
    if "pid" not in started:
        sock.close()
        if started.get("stale"):
            return None
        return "direct" if started.get("direct") else "refused"
    child = int(started["pid"])
    forwarded: list[int] = []

    def forward(signum: int, _frame: Any) -> None:
        forwarded.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signum)

    for signum in _FORWARDED:
        signal.signal(signum, forward)
    with sock:
        line = answers.readline()
    if line:
        return int(json.loads(line)["exit"])
    if forwarded:  # the signal ended the command: end as it would have ended this process
        signal.signal(forwarded[-1], signal.SIG_DFL)
        os.kill(os.getpid(), forwarded[-1])
    print("mitra: the command ended without an exit status", file=sys.stderr)
    return 1


def _umask() -> int:
    current = os.umask(0o077)
    os.umask(current)
    return current


def _start_server(path: Path, environment: dict[str, str]) -> None:
    """Start the server for `path` in the background, detached from this terminal."""
    import subprocess

    with contextlib.suppress(OSError):  # commands keep running directly
        subprocess.Popen(  # noqa: S603  this Python, this module, a path it computed
            [sys.executable, "-m", "mitra.launcher", "serve-commands", os.fspath(path)],
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )


def ask(path: Path, what: str) -> dict[str, Any] | None:
    """A running server's answer to `status` or `stop`, or None when none runs at `path`."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            _connect(sock, path)
            _request(sock, {"ask": what}, [])
            line = sock.makefile("rb").readline()
    except OSError:
        return None
    return json.loads(line) if line else None


# --- the server ------------------------------------------------------------------------------


def _fingerprint() -> str:
    """The installed code as files, sizes and times: a server whose code changed under it
    ends instead of running a command with the old code."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            stat = os.stat(os.path.join(folder, name))
            digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    import django

    site = Path(django.__file__).parent.parent  # installed or removed packages change it
    digest.update(str(os.stat(site).st_mtime_ns).encode())
    return digest.hexdigest()


def _warm() -> None:
    """Import what the commands use, once, in the server."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitra.settings")
    import importlib

    import mitra.cli  # noqa: F401  every command group
    from mitra.cli.app import django_ready

    django_ready(database=False)
    for name in (
        "numpy",
        "pydantic",
        "mitra.journal.services",
        "mitra.journal.queries",
        "mitra.instruments",
        "mitra.safety.rules",
        "mitra.insights.report",
        "mitra.reads.today",
        "mitra.reads.insights",
        "mitra.reads.journal",
        "mitra.reads.products",
        "mitra.reads.exposure",
        "mitra.reads.plan",
        "mitra.reads.taper",
        "mitra.reads.serialise",
    ):
        importlib.import_module(name)
    _warm_knowledge()
    from django.db import connections

    connections.close_all()  # each command's copy opens its own


def _warm_knowledge() -> None:
    """Compute what every command reads from the knowledge base (never from the journal): the
    exposure model's fit, the safety policy and parameters, the substances, the GAD-7; and
    draw the help once, which imports its renderer."""
    import io

    from mitra.cli.app import app
    from mitra.instruments.catalogue import instrument
    from mitra.knowledge.pharmacokinetics import load_pharmacokinetics
    from mitra.knowledge.substances import load_substances
    from mitra.pharmacology.exposure import exposure_model
    from mitra.safety import load_policy, load_rule_parameters

    load_pharmacokinetics()
    exposure_model()
    load_policy()
    load_rule_parameters()
    load_substances()
    instrument("gad7")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        app(args=["--help"], prog_name="mitra", standalone_mode=False)


def serve_commands(path: Path) -> None:
    """Listen at `path` until idle, stale, replaced or stopped; fork a copy per command."""
    os.chdir("/")  # keeps none of the person's folders busy
    _warm()
    server = _Server(path, _fingerprint())
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # each command's copy is reaped at once
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        while True:
            try:
                conn, _ = server.listener.accept()
            except TimeoutError:
                if server.idle() or not server.still_ours():
                    return
                continue
            with conn:
                if not server.answer(conn):
                    return
    finally:
        if server.still_ours():
            os.unlink(path)


class _Server:
    """The listening socket and what `status` reports."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path, self.fingerprint = path, fingerprint
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        provisional = path.with_name(f"{path.name}.{os.getpid()}")
        old_mask = os.umask(0o177)
        os.chdir(path.parent)  # bound by name: see _connect
        try:
            self.listener.bind(provisional.name)
        finally:
            os.umask(old_mask)
            os.chdir("/")
        self.listener.listen(16)
        os.replace(provisional, path)  # a server started at the same moment is replaced
        self.inode = os.stat(path).st_ino
        self.listener.settimeout(1.0)
        self.started, self.served, self.last = time.time(), 0, time.monotonic()

    def idle(self) -> bool:
        return time.monotonic() - self.last > _idle_seconds()

    def still_ours(self) -> bool:
        return _still_ours(self.path, self.inode)

    def answer(self, conn: socket.socket) -> bool:
        """Answer one connection; False when the server is to end."""
        self.last = time.monotonic()
        conn.settimeout(5)
        request, fds = _read_request(conn)
        try:
            if request is None:
                return True
            if request.get("ask") == "status":
                self._reply(conn, pid=os.getpid(), since=self.started, served=self.served,
                            idle=_idle_seconds())  # fmt: skip
                return True
            if request.get("ask") == "stop":
                self._reply(conn, stopped=os.getpid())
                return False
            if len(fds) != len(_TERMINAL):  # a closed stdin, say: the client runs it itself
                self._reply(conn, direct=True)
                return True
            if _fingerprint() != self.fingerprint:
                self._reply(conn, stale=True)
                return False
            self.served += 1
            if os.fork() == 0:
                self.listener.close()
                _run_copy(conn, fds, request)  # never returns
            return True
        finally:
            for fd in fds:
                os.close(fd)

    @staticmethod
    def _reply(conn: socket.socket, **answer: Any) -> None:
        conn.sendall(json.dumps(answer).encode() + b"\n")


def _idle_seconds() -> float:
    try:
        return float(os.environ.get("MITRA_COMMAND_SERVER_IDLE", IDLE_SECONDS))
    except ValueError:
        return IDLE_SECONDS


def _still_ours(path: Path, inode: int) -> bool:
    try:
        return os.stat(path).st_ino == inode
    except OSError:
        return False


def _read_request(conn: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    """The request and the descriptors sent with it; None for another user or bad bytes."""
    fds: list[int] = []
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        header, fds, _flags, _addr = socket.recv_fds(conn, _HEADER.size, len(_TERMINAL))
        if uid != os.getuid() or len(header) != _HEADER.size:
            return None, fds
        (size,) = _HEADER.unpack(header)
        if size > _MAX_REQUEST:
            return None, fds
        body = b""
        while len(body) < size:
            chunk = conn.recv(size - len(body))
            if not chunk:
                return None, fds
            body += chunk
        request = json.loads(body)
    except (OSError, ValueError):
        return None, fds
    return (request if isinstance(request, dict) else None), fds


def _run_copy(conn: socket.socket, fds: list[int], request: dict[str, Any]) -> None:
    """In the forked copy: take the person's terminal and environment, run the command,
    report its exit status, and end."""
    status = 1
    try:
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in zip(_TERMINAL, fds, strict=True):
            os.dup2(fd, target)
        _terminal_streams()
        _take_environment(request)
        conn.settimeout(None)
        conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        _end_with_the_client(conn)
        status = _run(list(request.get("argv") or []))
    finally:
        try:
            conn.sendall(json.dumps({"exit": status}).encode() + b"\n")
        finally:
            os._exit(0)


def _terminal_streams() -> None:
    """sys.stdin/stdout/stderr on the person's terminal, buffered as a fresh process's are."""
    encoding = sys.stdout.encoding
    sys.stdin = open(0, encoding=sys.stdin.encoding, closefd=False)  # noqa: SIM115
    sys.stdout = open(  # noqa: SIM115
        1, "w", encoding=encoding, closefd=False, buffering=1 if os.isatty(1) else -1
    )
    sys.stderr = open(  # noqa: SIM115
        2,
        "w",
        encoding=sys.stderr.encoding,
        errors="backslashreplace",
        closefd=False,
        buffering=1,
    )


def _take_environment(request: dict[str, Any]) -> None:
    environment = {str(k): str(v) for k, v in (request.get("env") or {}).items()}
    os.environ.clear()
    os.environ.update(environment)
    _started_with.clear()
    _started_with.update(environment)
    from django.conf import settings

    cli = sys.modules["mitra.cli.app"]  # the module (`mitra.cli.app` is also the Typer app)
    cli._TZ_AT_START = os.environ.get("TZ", "")  # type: ignore[attr-defined]
    cli.out.__init__()  # the colours and width of this terminal
    os.environ["TZ"] = settings.TIME_ZONE  # as Django's settings set it in a fresh process
    time.tzset()
    os.chdir(str(request.get("cwd") or "/"))
    os.umask(int(request.get("umask", 0o077)))
    sys.argv = ["mitra", *map(str, request.get("argv") or [])]


def _end_with_the_client(conn: socket.socket) -> None:
    """If the `mitra` process the shell started goes away (its terminal closed, killed), this
    copy ends too, as a process in that terminal would."""
    import threading

    def watch() -> None:
        with contextlib.suppress(OSError):
            conn.recv(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def _run(argv: list[str]) -> int:
    from mitra.cli import main

    status: Any = 0
    try:
        main(argv)
    except SystemExit as exc:
        status = exc.code
    except KeyboardInterrupt:
        status = 130
    except BaseException:
        import traceback

        traceback.print_exc()
        status = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    if status is None:
        return 0
    if isinstance(status, int):
        return status
    print(status, file=sys.stderr)
    sys.stderr.flush()
    return 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve-commands"] and len(sys.argv) == 3:
        serve_commands(Path(sys.argv[2]))
    else:
        main()
