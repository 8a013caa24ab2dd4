"""The `mitra` command as typed: hands its arguments and terminal to a resident command server
when one runs for this installation and environment, and otherwise runs the command itself.

Starting Python and importing Django, NumPy and the journal takes a third of a second or more,
and a person who logs a check-in from the terminal would wait for all of it every time. So
after a command has run, mitra starts a command server in the background (one per data folder,
installation and environment) that does those imports once, then forks a copy of itself for
each later command.
The copy takes the person's terminal (stdin, stdout and stderr, passed over a Unix socket), the
arguments, the environment, the working folder and the umask, runs the command as the direct
path would, and reports its exit status; Ctrl-C and other signals reach it through the `mitra`
process the shell started.

What the server keeps is imported code, nothing of the journal: it opens no database connection
(each command's copy opens its own and ends with it), and it is never started for an encrypted
journal, so no key stays in memory; its own environment is only what its setup depends on. It
answers its own user only (the socket is in the private data folder, and both ends check the
other's user id), and it ends after an idle hour (or MITRA_COMMAND_SERVER_IDLE seconds), when the
installed code changes, when its socket is removed, or with `mitra command-server stop`.
MITRA_COMMAND_SERVER=off runs every command directly and starts no server.

A copy behaves as the process the shell started would: signals the shell left ignored (nohup)
stay ignored, Ctrl-Z stops it and `fg` resumes it (it is not resumed in the background while
it could read the terminal), and the `mitra` process ends as a direct run would: with the
command's status (130 after Ctrl-C, as `mitra.cli.main` ends it), or by the signal that ended
the copy. A command runs directly when stdin, stdout or stderr is closed, when it was
started in the background of a terminal, when the server does not answer within five seconds
(MITRA_COMMAND_SERVER_WAIT changes it), and always for `mitra serve` and `mitra user` (whose
password prompt needs the terminal itself).
What the copy does not take from the `mitra` process: its resource limits, nice value and
control group, which are the server's (started by the first command of the hour).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import json
import math
import os
import signal
import socket
import stat
import struct
import sys
import time
from pathlib import Path
from typing import Any

IDLE_SECONDS = 3600.0
ANSWER_SECONDS = 5.0  # a server that has not started the command by then is not waited for
# Never served: the web server runs for hours with its own workers, signal handling and
# control group; an account's password prompt reads the terminal itself; the command server's
# own commands start none.
_DIRECT_COMMANDS = frozenset({"serve", "user", "command-server"})
# The environment a server's imports and settings depend on (read once, at import or setup):
# a command whose environment differs in any of these is served by a server of its own.
_ENV_PREFIXES = ("MITRA_", "DJANGO_", "PYTHON", "LC_", "LD_", "OPENBLAS_", "OMP_", "TYPER_")
_ENV_NAMES = frozenset(
    {
        "LANG", "LANGUAGE", "TZ", "HOME", "PATH",
        "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
        "TERMINAL_WIDTH", "GITHUB_ACTIONS", "FORCE_COLOR", "PY_COLORS",
        "_TYPER_FORCE_DISABLE_TERMINAL", "_TYPER_STANDARD_TRACEBACK",
    }
)  # fmt: skip
# Passed to the server, but read by each command afresh: one server serves them all.
_NOT_HASHED = frozenset({"MITRA_COMMAND_SERVER", "MITRA_COMMAND_SERVER_WAIT", "MITRA_USER", "PATH"})
# Commands that work on the journal alone (its entries, reads and settings, and the knowledge
# base), never on accounts, sign-in or the whole database: what a person types several times a
# day. They start sooner: Django is set up for them without the apps only the web uses (see
# mitra.settings_journal), and the collector waits until their start is over (see main).
JOURNAL_COMMANDS = frozenset(
    {
        "checkin", "dose", "today", "entries", "alerts", "insights", "exposure", "products",
        "substances", "intake", "practice", "interactions", "questionnaire", "responses", "score",
        "compare",
        "plan", "taper", "reminders", "settings",
    }
)  # fmt: skip
_HEADER = struct.Struct("!I")
_MAX_REQUEST = 1 << 20
_TERMINAL = (0, 1, 2)
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
# The environment the command was started with (Django's settings change TZ once they load).
_started_with: dict[str, str] = {}


def main() -> None:
    """The `mitra` console command."""
    argv = sys.argv[1:]
    if argv[:1] and argv[0] in JOURNAL_COMMANDS:
        # Its start imports about 900 modules and sets Django up: objects that live as long as
        # the command. The collector walked them again and again, and again at exit, for about
        # a third of a check-in's time. It resumes once the journal is loaded, with them frozen
        # out of its walks (mitra.cli.app.journal_person); a command without the journal is small.
        gc.disable()
    environment = dict(os.environ)
    _started_with.update(environment)
    direct = bool(argv[:1]) and argv[0] in _DIRECT_COMMANDS
    path = None if direct else socket_path(environment)
    # With no data folder yet, the command makes it; a server for it is looked for after.
    start_after = path is None and not direct
    if path is not None and _may_hand_over():
        outcome = _through_server(path, argv, environment)
        if isinstance(outcome, int):
            raise SystemExit(outcome)
        start_after = outcome is None
    from mitra.cli import main as run

    run(argv)  # a failed command raises SystemExit: no server is started after it
    if start_after and (path := path or socket_path(environment)) is not None:
        _start_server(path, environment)


def this_server() -> Path | None:
    """The socket of the server that serves (or would serve) this command's environment."""
    return socket_path(_started_with or dict(os.environ))


def socket_path(environment: dict[str, str]) -> Path | None:
    """Where this installation's command server for `environment` listens, or None when
    commands run directly: switched off, an encrypted journal, no private data folder of this
    user's yet (or one given by a relative path), a system without Unix sockets' credentials."""
    if environment.get("MITRA_COMMAND_SERVER", "").lower() in {"off", "0", "no", "false"}:
        return None
    if "MITRA_ENCRYPTION_KEY" in environment or "MITRA_ENCRYPTION_KEY_FILE" in environment:
        return None
    if not all(hasattr(socket, name) for name in ("AF_UNIX", "send_fds", "SO_PEERCRED")):
        return None
    folder = _private_folder(environment)
    if folder is None:
        return None
    relevant = sorted(
        (k, v)
        for k, v in environment.items()
        if (k.startswith(_ENV_PREFIXES) or k in _ENV_NAMES) and k not in _NOT_HASHED
    )
    key = json.dumps([sys.executable, str(Path(__file__).parent), folder, relevant])
    return Path(folder) / f"command-{hashlib.sha256(key.encode()).hexdigest()[:16]}.sock"


def _private_folder(environment: dict[str, str]) -> str | None:
    """The data folder by its absolute path when it exists, is this user's and no one else's."""
    folder = os.path.expanduser(environment.get("MITRA_DATA_DIR") or _default_data_dir())
    if not os.path.isabs(folder):
        return None
    try:
        found = os.stat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        return None
    return folder


def _default_data_dir() -> str:
    import platformdirs

    return str(platformdirs.user_data_dir("mitra"))


# --- the client: the process the shell started ----------------------------------------------


def _may_hand_over() -> bool:
    """Whether this process has a terminal to hand over: stdin, stdout and stderr open, and
    not a background job of a terminal (which would be stopped when it reads it)."""
    try:
        for fd in _TERMINAL:
            os.fstat(fd)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(0) == os.getpgrp()
    except OSError:  # stdin is not this process's controlling terminal: no job control
        return True


def _connect(sock: socket.socket, path: Path) -> None:
    """Connect by the socket's name from within its folder: a Unix socket's address holds
    about a hundred bytes, less than a data folder's path may need."""
    here = os.open(".", getattr(os, "O_PATH", os.O_RDONLY) | os.O_DIRECTORY)
    try:
        os.chdir(path.parent)
        sock.connect(path.name)
    finally:
        os.fchdir(here)
        os.close(here)


def _peer_uid(sock: socket.socket) -> int:
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def _request(sock: socket.socket, payload: dict[str, Any], fds: list[int]) -> None:
    body = json.dumps(payload).encode()
    socket.send_fds(sock, [_HEADER.pack(len(body))], fds)
    sock.sendall(body)


def _through_server(path: Path, argv: list[str], environment: dict[str, str]) -> int | str | None:
    """The command's exit status when the server ran it. Otherwise the command is still to
    run here: None when no server runs, it was stale (it ends) or was stopped (it is ended):
    one is started after the command; "direct" when the server could not take it (or did not
    answer in time)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(answer_seconds())
    try:
        _connect(sock, path)
    except OSError as exc:
        sock.close()
        return None if exc.errno in {errno.ENOENT, errno.ECONNREFUSED} else "direct"
    ignored = [int(s) for s in _FORWARDED if signal.getsignal(s) is signal.SIG_IGN]
    started = _hand_over(sock, path, {"argv": argv, "env": environment, "ignored": ignored})
    if not isinstance(started, dict):
        sock.close()
        return started
    if "pid" not in started:
        sock.close()
        if started.get("failed"):  # a server whose copies cannot run commands ends
            ask(path, "stop")
        return None if started.get("stale") else "direct"
    return _wait_for_copy(sock, int(started["pid"]), ignored)


def _hand_over(
    sock: socket.socket, path: Path, request: dict[str, Any]
) -> dict[str, Any] | str | None:
    """Send the request and the terminal to the server at the other end of `sock`: its answer
    (the copy's pid, or why not), or what `_through_server` returns when there is none."""
    try:
        if _peer_uid(sock) != os.getuid():
            return "direct"
        answers = sock.makefile("rb")
        # The terminal is sent only to a server that answers: a stopped one would hold it.
        if not json.loads(answers.readline() or b"{}").get("ready"):
            return "direct"
        _request(sock, request | {"cwd": os.getcwd(), "umask": _umask()}, list(_TERMINAL))
        started = json.loads(answers.readline() or b"{}")
    except TimeoutError:  # stopped or wedged: its copy never runs without "go"
        # A stopped server is ended and a new one started after the command; a slow one stays.
        return None if _retire(sock, path) else "direct"
    except (OSError, ValueError):
        return "direct"
    return started if isinstance(started, dict) else "direct"


def _retire(sock: socket.socket, path: Path) -> bool:
    """End the server at the other end of `sock` if it did not answer because it is stopped
    (SIGSTOP, or a job stopped in a shell): it would hold every later command for as long and,
    holding its lock, keep a new server from starting. A server that is only slow (a loaded
    machine) is left running. Only this user's command server for `path` is ended, through a
    process handle taken before it is checked, so the process checked is the one signalled."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _gid = struct.unpack("3i", creds)
    if uid != os.getuid() or pid <= 0 or not hasattr(os, "pidfd_open"):
        return False
    try:
        handle = os.pidfd_open(pid)
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as found:
            argv = found.read().split(b"\0")
        with open(f"/proc/{pid}/stat", "rb") as found:
            state = found.read().rsplit(b")", 1)[1].split()[0]
        ours = b"mitra.launcher" in argv and b"serve-commands" in argv
        if ours and os.fsencode(path) in argv and state in {b"T", b"t"}:
            signal.pidfd_send_signal(handle, signal.SIGKILL)
            return True
    except (OSError, IndexError):  # it ended meanwhile
        pass
    finally:
        os.close(handle)
    return False


def _wait_for_copy(sock: socket.socket, child: int, ignored: list[int]) -> int:
    """Let the copy run, pass it the signals this process receives, and end as it ended.

    The copy leads a process group of its own (with whatever it starts, pg_dump say), and
    signals go to that group. Ctrl-Z stops it and this process; it goes on when this process
    is continued in the foreground (`fg`), or to end by a signal sent meanwhile (`kill %1`),
    never in the background while it could read the terminal.
    """
    forwarded: list[int] = []
    held = [False]  # the copy stopped by Ctrl-Z, waiting for the foreground

    def send(signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child, signum)

    def release() -> None:
        if held[0] and (_may_hand_over() or forwarded):
            held[0] = False
            send(signal.SIGCONT)

    def forward(signum: int, _frame: Any) -> None:
        forwarded.append(signum)
        send(signum)
        if held[0]:  # a stopped copy receives the signal once continued
            release()

    def suspend(_signum: int, _frame: Any) -> None:
        held[0] = True
        forwarded.clear()
        send(signal.SIGSTOP)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # discarded in an orphaned process group
        signal.signal(signal.SIGTSTP, suspend)
        release()

    for signum in _FORWARDED:
        if signum not in ignored:
            signal.signal(signum, forward)
    if signal.getsignal(signal.SIGTSTP) is not signal.SIG_IGN:
        signal.signal(signal.SIGTSTP, suspend)
    signal.signal(signal.SIGCONT, lambda *_: release())
    try:
        sock.sendall(b"g")  # the copy runs the command only now: never here and there both
        line = _final_line(sock, release)
    except OSError:
        line = b""
    finally:
        sock.close()
    try:
        ended = json.loads(line) if line else {}
    except ValueError:
        ended = {}
    if "exit" in ended:
        return int(ended["exit"])
    by = int(ended.get("signal") or (forwarded[-1] if forwarded else 0))
    if by:  # end as the signal would have ended this process
        signal.signal(by, signal.SIG_DFL)
        os.kill(os.getpid(), by)
    print("mitra: the command ended without an exit status", file=sys.stderr)
    return 1


def _final_line(sock: socket.socket, tick: Any) -> bytes:
    """The copy's last line (sent after "g", so none of it is in a reader's buffer), looking
    a few times a second whether a held copy may go on: a shell's `fg` of a job sent to the
    background continues no process."""
    import select

    line = b""
    sock.setblocking(True)
    while True:
        ready, _, _ = select.select([sock], [], [], 0.25)
        if not ready:
            tick()
            continue
        chunk = sock.recv(4096)
        if not chunk:
            return line
        line += chunk
        if b"\n" in line:
            return line.split(b"\n", 1)[0]


def _umask() -> int:
    current = os.umask(0o077)
    os.umask(current)
    return current


def _start_server(path: Path, environment: dict[str, str]) -> None:
    """Start the server for `path` in the background, detached from this terminal, with only
    the environment its setup depends on (each command brings its own)."""
    import subprocess

    own = {k: v for k, v in environment.items() if k.startswith(_ENV_PREFIXES) or k in _ENV_NAMES}
    with contextlib.suppress(OSError):  # commands keep running directly
        subprocess.Popen(  # noqa: S603  this Python, this module, a path it computed
            [sys.executable, "-m", "mitra.launcher", "serve-commands", os.fspath(path)],
            env=own,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )


def ask(path: Path, what: str) -> dict[str, Any] | None:
    """A running server's answer to `status` or `stop`, or None when none runs at `path` or it
    does not answer in time (a stopped one is then ended, as a command would end it)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(answer_seconds())
            _connect(sock, path)
            if _peer_uid(sock) != os.getuid():
                return None
            answers = sock.makefile("rb")
            try:
                answers.readline()  # ready
                _request(sock, {"ask": what}, [])
                line = answers.readline()
            except TimeoutError:
                _retire(sock, path)
                return None
        answer = json.loads(line) if line else None
    except (OSError, ValueError):
        return None
    return answer if isinstance(answer, dict) else None


# --- the server ------------------------------------------------------------------------------


def _fingerprint(package: Path | None = None) -> str:
    """The installed code as files, sizes and times: a server whose code changed under it
    ends instead of running a command with the old code."""
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(package or Path(__file__).parent):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            found = os.stat(os.path.join(folder, name))
            digest.update(f"{folder}/{name}:{found.st_size}:{found.st_mtime_ns}\n".encode())
    if package is None:
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
    """Compute what every command reads from the knowledge base (never from the journal), and
    draw the help once, which imports its renderer."""
    import io

    from mitra.cli.app import app
    from mitra.reads.warm import warm_knowledge

    warm_knowledge()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        app(args=["--help"], prog_name="mitra", standalone_mode=False)


def serve_commands(path: Path) -> None:
    """Listen at `path` until idle, stale, replaced or stopped; fork a copy per command."""
    os.chdir("/")  # keeps none of the person's folders busy (the data folder is absolute)
    lock = _only_server(path)
    if lock is None:  # another is starting or running
        return
    fingerprint = _fingerprint()
    _warm()
    if _fingerprint() != fingerprint:  # changed while importing: some of it may be old
        return
    server = _Server(path, fingerprint, lock)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        while True:
            events = server.poller.poll(250 if server.copies else 1000)
            server.reap()
            if not events and (server.idle() or not server.still_ours()):
                return
            if not server.handle([fd for fd, _event in events]):
                return
    finally:
        if server.still_ours():
            os.unlink(path)
        with contextlib.suppress(OSError):  # under the lock: the next server makes its own
            os.unlink(path.with_name(f"{path.name}.lock"))


def _only_server(path: Path) -> int | None:
    """A lock held for the server's life, or None when another server holds it."""
    import fcntl

    fd = os.open(path.with_name(f"{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


class _Server:
    """The listening socket and what `status` reports."""

    def __init__(self, path: Path, fingerprint: str, lock: int) -> None:
        self.path, self.fingerprint, self.lock = path, fingerprint, lock
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
        os.replace(provisional, path)
        self.inode = os.stat(path).st_ino
        self.listener.settimeout(1.0)
        self.started, self.served, self.last = time.time(), 0, time.monotonic()
        import select

        self.poller = select.poll()
        self.poller.register(self.listener.fileno(), select.POLLIN)
        # Each running copy by a watch on its client's connection: a client that goes away
        # (killed, its terminal closed) takes its copy's process group with it, even a copy
        # stopped by Ctrl-Z, which could not notice by itself.
        self.copies: dict[int, int] = {}  # the watch's descriptor: the copy's pid

    def idle(self) -> bool:
        return not self.copies and time.monotonic() - self.last > _idle_seconds()

    def watch(self, pid: int, conn: socket.socket) -> None:
        import select

        with contextlib.suppress(OSError):  # as the copy does: no kill can miss its group
            os.setpgid(pid, pid)
        # A bare duplicate of the descriptor: socket.dup() sets the connection's timeout again,
        # on the file description the copy shares, and a copy that had made it blocking then
        # failed its read of "go" (EAGAIN) and ended without running the command.
        watch = os.dup(conn.fileno())
        self.copies[watch] = pid
        self.poller.register(watch, select.POLLRDHUP | select.POLLHUP)

    def reap(self) -> None:
        """Reap ended copies and stop watching them: their client then sees the end of the
        connection (a copy that ended without a status, killed, say)."""
        ended = set()
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            ended.add(pid)
        for fd, pid in list(self.copies.items()):
            if pid in ended:
                self._unwatch(fd)

    def handle(self, ready: list[int]) -> bool:
        """Act on the descriptors one poll found ready; False when the server is to end.

        Clients gone first, a new connection last: a watch closed by this round's reaping (its
        copy ended) may still be among them, and the new command's watch may be given that
        descriptor's number; taken in the other order, the new copy was ended in its place."""
        listener = self.listener.fileno()
        for fd in ready:
            if fd != listener:
                self.client_gone(fd)
        if listener not in ready:
            return True
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return True
        with conn:
            return self.answer(conn)

    def client_gone(self, fd: int) -> None:
        """The client of a running copy went away: end the copy's group (a zombie copy is
        reaped first, so its pid cannot belong to another process)."""
        self.reap()
        if fd in self.copies:
            pid = self._unwatch(fd)
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)

    def still_ours(self) -> bool:
        try:
            return os.stat(self.path).st_ino == self.inode
        except OSError:
            return False

    def _unwatch(self, fd: int) -> int:
        pid = self.copies.pop(fd)
        self.poller.unregister(fd)
        os.close(fd)
        return pid

    def answer(self, conn: socket.socket) -> bool:
        """Answer one connection; False when the server is to end."""
        self.last = time.monotonic()
        conn.settimeout(2)
        self._reply(conn, ready=True)
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
            if len(fds) != len(_TERMINAL):
                self._reply(conn, direct=True)
                return True
            if _fingerprint() != self.fingerprint:
                self._reply(conn, stale=True)
                return False
            self.served += 1
            close = [self.listener.fileno(), self.lock, *self.copies]
            pid = os.fork()
            if pid == 0:
                _run_copy(conn, fds, request, close)
            self.watch(pid, conn)
            return True
        finally:
            for fd in fds:
                os.close(fd)

    @staticmethod
    def _reply(conn: socket.socket, **answer: Any) -> None:
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps(answer).encode() + b"\n")


def answer_seconds() -> float:
    """How long a command waits for a server to start it before it runs directly:
    MITRA_COMMAND_SERVER_WAIT seconds (0.5 to 60; a loaded machine may want longer), else 5."""
    try:
        seconds = float(os.environ.get("MITRA_COMMAND_SERVER_WAIT", ANSWER_SECONDS))
    except ValueError:
        return ANSWER_SECONDS
    return min(max(seconds, 0.5), 60.0) if math.isfinite(seconds) else ANSWER_SECONDS


def _idle_seconds() -> float:
    try:
        return float(os.environ.get("MITRA_COMMAND_SERVER_IDLE", IDLE_SECONDS))
    except ValueError:
        return IDLE_SECONDS


def _read_request(conn: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    """The request and the descriptors sent with it; None for another user or bad bytes."""
    fds: list[int] = []
    try:
        uid = _peer_uid(conn)
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


def _run_copy(
    conn: socket.socket, fds: list[int], request: dict[str, Any], close: list[int]
) -> None:
    """In the forked copy: take the person's terminal and environment, wait for the client's
    go, run the command, report how it ended, and end. Never returns to the server's loop."""
    try:
        os.setpgid(0, 0)  # a group of its own, for the client's signals and the server's watch
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # until "g": the command has not begun
        for fd in close:  # the server's listener, lock and watches of other commands
            with contextlib.suppress(OSError):
                os.close(fd)
        _take_over(fds, request)
    except BaseException:  # nothing ran: the client runs the command itself
        with contextlib.suppress(OSError):
            conn.sendall(b'{"failed": true}\n')
        os._exit(0)
    try:
        conn.settimeout(None)
        conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        if conn.recv(1) != b"g":  # the client gave up waiting and runs it itself
            os._exit(0)
        if signal.SIGINT not in (request.get("ignored") or []):
            signal.signal(signal.SIGINT, signal.default_int_handler)
        ended = _run([str(a) for a in request.get("argv") or []])
        _close_down()
        conn.sendall(json.dumps(ended).encode() + b"\n")
    finally:  # whatever happened, never back into the server's loop (the client reports it)
        os._exit(0)


def _take_over(fds: list[int], request: dict[str, Any]) -> None:
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, signal.SIG_DFL)
    for signum in request.get("ignored") or []:  # as the shell left them (nohup, trap '')
        signal.signal(int(signum), signal.SIG_IGN)
    for target, fd in zip(_TERMINAL, fds, strict=True):
        os.dup2(fd, target)
    for fd in fds:
        if fd not in _TERMINAL:
            os.close(fd)
    fds.clear()  # closed here; the server closes its own
    _terminal_streams()
    _take_environment(request)
    if "numpy" in sys.modules:  # each copy its own random state, as a fresh process has
        sys.modules["numpy"].random.seed()


def _stream(fd: int, like: Any, *, write: bool) -> Any:
    """A text stream on `fd` made as Python makes its standard streams."""
    import io

    raw = io.FileIO(fd, "w" if write else "r", closefd=False)
    buffered = io.BufferedWriter(raw) if write else io.BufferedReader(raw)
    return io.TextIOWrapper(
        buffered,
        encoding=like.encoding,
        errors=like.errors,
        newline="\n",
        line_buffering=write and (fd == 2 or os.isatty(fd)),
        write_through=write and bool(os.environ.get("PYTHONUNBUFFERED")),
    )


def _terminal_streams() -> None:
    """sys.stdin/stdout/stderr on the person's terminal, as a fresh process's are."""
    sys.stdin = _stream(0, sys.__stdin__, write=False)
    sys.stdout = _stream(1, sys.__stdout__, write=True)
    sys.stderr = _stream(2, sys.__stderr__, write=True)


def _take_environment(request: dict[str, Any]) -> None:
    environment = {str(k): str(v) for k, v in (request.get("env") or {}).items()}
    os.environ.clear()
    os.environ.update(environment)
    # What the server's own start set, as a direct run's start sets it.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitra.settings")
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


def _run(argv: list[str]) -> dict[str, int]:
    """Run the command; how it ended: {"exit": status} or {"signal": number}."""
    from mitra.cli import main

    status: Any = 0
    try:
        main(argv)
    except SystemExit as exc:
        status = exc.code
    except KeyboardInterrupt:  # a direct run dies by the signal
        return {"signal": int(signal.SIGINT)}
    except BaseException:  # as Python reports an uncaught error
        import traceback

        traceback.print_exc()
        status = 1
    if status is None:
        return {"exit": 0}
    if isinstance(status, int):
        return {"exit": status}
    print(status, file=sys.stderr)
    return {"exit": 1}


def _close_down() -> None:
    """What a direct run's end does: flush the streams, close the database connections."""
    import logging

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    with contextlib.suppress(Exception):
        from django.db import connections

        connections.close_all()
    logging.shutdown()


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve-commands"] and len(sys.argv) == 3:
        import importlib

        # This module by its name, so that its state is in one place.
        importlib.import_module("mitra.launcher").serve_commands(Path(sys.argv[2]))
    else:
        import importlib

        importlib.import_module("mitra.launcher").main()
