"""The `mitra` command through its resident command server: the same answers, exit statuses and
entries as a command run directly, and a server that keeps nothing of the journal."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mitra import launcher

# Process plumbing, the same on every database: run once, on plain SQLite files of their own.
pytestmark = pytest.mark.once
# What would make every command run directly (an encrypted journal) or elsewhere (a clinic's
# database), if the suite's own run sets it.
_ELSEWHERE = ("MITRA_ENCRYPTION_KEY", "MITRA_ENCRYPTION_KEY_FILE", "MITRA_DATABASE_URL",
              "MITRA_COMMAND_SERVER")  # fmt: skip


def _own(folder: Path, **more: str) -> dict[str, str]:
    """The suite's environment with a data folder of the test's own."""
    env = {k: v for k, v in os.environ.items() if k not in _ELSEWHERE}
    return env | {"MITRA_DATA_DIR": str(folder), **more}


# The console command `mitra`, as its entry point runs it (sys.argv[1:] are the arguments).
MITRA = [sys.executable, "-c", "from mitra.launcher import main; main()"]
DIRECT = [sys.executable, "-m", "mitra.cli"]


# A command's wait for a server that does not answer, shortened from its five seconds where a
# test makes one that never will.
_WAIT_BRIEFLY = {"MITRA_COMMAND_SERVER_WAIT": "0.5"}


def _wait_for(predicate: Callable[[], object], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """An environment whose data folder has a journal and a command server running for it."""
    folder = tmp_path_factory.mktemp("served")
    env = _own(folder, TZ="Europe/Berlin")
    # The first command runs directly (no server yet), then starts the server in the background.
    first = subprocess.run(
        [*MITRA, "checkin", "3", "--note", "before the server"],
        env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    path = _socket(env)
    _wait_for(lambda: launcher.ask(path, "status") is not None, "the command server")
    yield env
    launcher.ask(path, "stop")


def _socket(env: dict[str, str]) -> Path:
    """The server's socket for `env` as the `mitra` command computes it (same Python)."""
    done = subprocess.run(
        [sys.executable, "-c",
         "import os; from mitra import launcher; print(launcher.socket_path(dict(os.environ)))"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return Path(done.stdout.strip())


def _served_count(env: dict[str, str]) -> int:
    answer = launcher.ask(_socket(env), "status")
    assert answer is not None, "the command server is not running"
    return int(answer["served"])


def test_a_check_in_through_the_server_is_stored_and_answered_as_directly(
    served: dict[str, str],
) -> None:
    before = _served_count(served)
    done = subprocess.run(
        [*MITRA, "checkin", "6", "--note", "through the server"],
        env=served, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Check-in saved (anxiety 6/10, check-in 2)")
    assert _served_count(served) == before + 1
    # Read back directly, in a process of its own: both check-ins, in the person's time zone.
    listed = subprocess.run(
        [*DIRECT, "entries", "--json"], env=served, capture_output=True, text=True, check=True
    )
    assert "through the server" in listed.stdout
    assert "before the server" in listed.stdout
    through = subprocess.run(
        [*MITRA, "entries", "--json"], env=served, capture_output=True, text=True, check=True
    )
    assert json.loads(through.stdout) == json.loads(listed.stdout)


def test_a_refused_command_says_why_in_one_line_with_exit_2_as_directly(
    served: dict[str, str],
) -> None:
    before = _served_count(served)
    args = ["checkin", "11"]
    direct = subprocess.run(
        [*DIRECT, *args], env=served, capture_output=True, text=True, check=False
    )
    through = subprocess.run(
        [*MITRA, *args], env=served, capture_output=True, text=True, check=False
    )
    assert _served_count(served) == before + 1
    assert (through.returncode, through.stdout, through.stderr) == (
        direct.returncode, direct.stdout, direct.stderr,
    )  # fmt: skip
    assert through.returncode == 2
    assert through.stderr.count("\n") == 1
    assert "at most 10" in through.stderr


def test_the_server_reads_input_from_the_persons_stdin_and_ctrl_c_stops_the_command(
    served: dict[str, str],
) -> None:
    answers = "\n".join(["1"] * 7) + "\n"
    done = subprocess.run(
        [*MITRA, "questionnaire", "GAD-7"], env=served, input=answers,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "GAD-7: 7 of 21, Mild anxiety." in done.stdout
    saved = _responses(served)
    # A questionnaire waiting for its first answer, then Ctrl-C at the `mitra` process: the
    # signal reaches the command, which stops as a direct run would, and stores nothing.
    waiting, _copy = _waiting_questionnaire(served)
    waiting.send_signal(signal.SIGINT)
    waiting.wait(timeout=60)  # stdin stays open: the signal, not the end of input, stops it
    _out, err = _finish(waiting)
    assert waiting.returncode == 130, err
    assert "stopped at question 1 of 7; nothing was saved" in err
    assert _responses(served) == saved


def test_a_hangup_the_shell_ignores_nohup_leaves_the_command_running(
    served: dict[str, str],
) -> None:
    saved = _responses(served)
    ignoring = lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN)  # noqa: E731
    waiting, copy = _waiting_questionnaire(served, preexec_fn=ignoring)
    waiting.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    assert _state(copy) != "gone"
    out, err = _finish(waiting, "\n".join(["0"] * 7) + "\n")
    assert waiting.returncode == 0, err
    assert "Saved" in out
    assert _responses(served) == saved + 1


# Ctrl-Z stops a process only outside an orphaned process group (the kernel discards it there,
# and so does mitra): the tests' `mitra` runs in a group of its own, as a shell's job does.


def test_ctrl_z_stops_the_copy_and_continuing_resumes_it(served: dict[str, str]) -> None:
    waiting, copy = _waiting_questionnaire(served, process_group=0)
    _ctrl_z(waiting, copy)
    waiting.send_signal(signal.SIGCONT)
    _wait_for(lambda: _state(copy) not in {"T", "gone"}, "the copy to go on", seconds=30)
    out, err = _finish(waiting, "\n".join(["2"] * 7) + "\n")
    assert waiting.returncode == 0, err
    assert "GAD-7: 14 of 21" in out


def test_a_stopped_command_ends_with_its_mitra_process_killed_or_terminated(
    served: dict[str, str],
) -> None:
    saved = _responses(served)
    # Ctrl-Z, then the mitra process killed: the server ends the stopped copy it cannot end
    # by itself.
    waiting, copy = _waiting_questionnaire(served, process_group=0)
    _ctrl_z(waiting, copy)
    waiting.kill()
    _finish(waiting)
    _wait_for(lambda: _state(copy) == "gone", "the stopped copy to end", seconds=30)
    # Ctrl-Z, then `kill %1` (SIGTERM, then SIGCONT): the copy ends by it, and so does mitra.
    waiting, copy = _waiting_questionnaire(served, process_group=0)
    _ctrl_z(waiting, copy)
    waiting.send_signal(signal.SIGTERM)
    waiting.send_signal(signal.SIGCONT)
    _finish(waiting)
    assert waiting.returncode == -signal.SIGTERM
    _wait_for(lambda: _state(copy) == "gone", "the copy to end", seconds=30)
    assert _responses(served) == saved


def test_a_killed_mitra_process_takes_its_copy_with_it(served: dict[str, str]) -> None:
    saved = _responses(served)
    waiting, copy = _waiting_questionnaire(served)
    waiting.kill()
    _finish(waiting)
    _wait_for(lambda: _state(copy) == "gone", "the copy to end", seconds=30)
    assert _responses(served) == saved


def test_undecodable_input_is_answered_as_directly(served: dict[str, str]) -> None:
    answers = b"\xff\n" + b"1\n" * 7
    # Each at a minute of its own: the same answers at the same minute are one response.
    runs = [
        subprocess.run([*command, "questionnaire", "GAD-7", "--at", f"2026-11-30T09:0{n}"],
                       env=served, input=answers, capture_output=True, timeout=120, check=False)
        for n, command in enumerate((MITRA, DIRECT))
    ]  # fmt: skip
    through, direct = runs
    assert through.returncode == direct.returncode == 0, through.stderr
    # The same questions, the same "please type one of" and the same total; then each says
    # its change since the response before it (the other run's, for the second).
    score = b"GAD-7: 7 of 21, Mild anxiety.\n"
    assert through.stdout.split(score)[0] == direct.stdout.split(score)[0]
    assert score in through.stdout
    assert score in direct.stdout
    assert re.search(rb"Saved \(response \d+\)\.\n$", through.stdout)
    assert b"Please type one of" in through.stdout
    assert b"Traceback" not in through.stderr


def test_closed_input_runs_the_command_directly(served: dict[str, str]) -> None:
    before = _served_count(served)
    closed = subprocess.run(
        ["/bin/sh", "-c", 'exec "$@" <&-', "sh", *MITRA, "checkin", "5", "--note", "stdin closed"],
        env=served, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert closed.returncode == 0, closed.stderr
    assert closed.stdout.startswith("Check-in saved (anxiety 5/10")
    assert _served_count(served) == before


def test_a_server_that_does_not_answer_is_replaced_and_nothing_runs_twice(
    served: dict[str, str],
) -> None:
    stuck = launcher.ask(_socket(served), "status")
    assert stuck is not None
    os.kill(stuck["pid"], signal.SIGSTOP)
    try:
        done = subprocess.run(
            [*MITRA, "checkin", "7", "--note", "server stopped"],
            env=served | _WAIT_BRIEFLY, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("Check-in saved (anxiety 7/10")
        # The command ran directly and ended the server that held it up, which never ran it.
        _wait_for(lambda: _state(stuck["pid"]) in {"gone", "Z"}, "the stopped server to end")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(stuck["pid"], signal.SIGCONT)
    # A new server took its place, and serves the next command.
    _wait_for(
        lambda: (launcher.ask(_socket(served), "status") or stuck)["pid"] != stuck["pid"],
        "a new command server",
    )
    subprocess.run([*MITRA, "checkin", "6", "--note", "new server"], env=served, check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    assert _served_count(served) == 1  # the new server ran it
    listed = subprocess.run(
        [*DIRECT, "entries", "--json"], env=served, capture_output=True, text=True, check=True
    )
    assert listed.stdout.count("server stopped") == 1


_SILENT_SERVER = """
import os, socket, sys, time
path = sys.argv[-1]
os.chdir(os.path.dirname(path))
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(os.path.basename(path))
listener.listen(4)
print("listening", flush=True)
time.sleep(600)
"""


def test_a_slow_server_is_left_running_and_nothing_else_is_ended(tmp_path: Path) -> None:
    """A listener that never answers (a server on a loaded machine, say) costs the command its
    wait, then the command runs directly; it is ended only when it is stopped, and only when it
    is this user's command server for this socket (by its command line)."""
    for named_as in (["mitra.launcher", "serve-commands"], ["something-else"]):
        # A folder, and so a socket, of each case's own: a server that the first case's
        # command starts in place of the one it ended must not take the second case's socket.
        folder = tmp_path / named_as[0]
        folder.mkdir(mode=0o700)  # private, as mitra makes it: else no server
        # A server started in place of the silent one ends within a minute even if this
        # test stops before it asks it to.
        env = _own(folder, **_WAIT_BRIEFLY, MITRA_COMMAND_SERVER_IDLE="60")
        path = _socket(env)
        silent = subprocess.Popen(
            [sys.executable, "-c", _SILENT_SERVER, *named_as, str(path)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert silent.stdout is not None
            assert silent.stdout.readline() == "listening\n"
            subprocess.run([*MITRA, "checkin", "2"], env=env, check=True, capture_output=True)
            assert silent.poll() is None  # slow, not stopped: left running
            os.kill(silent.pid, signal.SIGSTOP)
            subprocess.run([*MITRA, "checkin", "3"], env=env, check=True, capture_output=True)
            if named_as[0] == "mitra.launcher":
                assert silent.wait(timeout=30) == -signal.SIGKILL
                # Ended, and a server of mitra's started in its place.
                _wait_for(lambda at=path: launcher.ask(at, "status") is not None, "a new server")
            else:
                assert silent.poll() is None  # not a command server: never signalled
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(silent.pid, signal.SIGCONT)
            silent.kill()
            silent.wait(timeout=30)
            silent.stdout.close()  # type: ignore[union-attr]
            launcher.ask(path, "stop")  # the server started in its place


def _ctrl_z(waiting: Any, copy: int) -> None:
    """Ctrl-Z at `mitra`, waiting as a shell does until the job has stopped (a shell's `fg` or
    `kill %1` follows only the stop it has seen): the copy, and then `mitra` itself."""
    waiting.send_signal(signal.SIGTSTP)
    _wait_for(lambda: _state(copy) == "T", "the copy to stop", seconds=30)
    _wait_for(lambda: _state(waiting.pid) == "T", "mitra to stop", seconds=30)


def _copy_of(client: int) -> int | None:
    """The copy the client handed its command to: the other process reading its stdin."""
    try:
        own = os.stat(f"/proc/{client}/fd/0").st_ino
    except FileNotFoundError:  # it has just ended: the caller says how
        return None
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == client:
            continue
        try:
            if os.stat(f"/proc/{pid}/fd/0").st_ino == own:
                return int(pid)
        except OSError:
            continue
    return None


def _waiting_questionnaire(env: dict[str, str], **options: Any) -> tuple[Any, int]:
    """A GAD-7 through the server waiting for its first answer, and the copy running it."""
    import threading

    waiting = subprocess.Popen(
        [*MITRA, "questionnaire", "GAD-7"], env=env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options,
    )  # fmt: skip
    copies: list[int] = []

    def found() -> int:
        if waiting.poll() is not None:  # said here, not as a missing /proc entry
            raise AssertionError(f"mitra ended ({waiting.returncode}): {waiting.stderr.read()}")
        copies.append(_copy_of(waiting.pid) or 0)
        return copies[-1]

    _wait_for(found, "the copy")
    shown: list[str] = []
    stdout = waiting.stdout
    assert stdout is not None
    # Read beside the test, so that a question that never comes fails the wait, not hangs it;
    # the rest of the output is read here too and kept for the test.
    reader = threading.Thread(target=lambda: shown.extend(iter(stdout.readline, "")), daemon=True)
    reader.start()
    _wait_for(lambda: "1 of 7" in "".join(shown), "the first question")
    waiting.shown = shown  # type: ignore[attr-defined]
    waiting.reader = reader  # type: ignore[attr-defined]
    return waiting, copies[-1]


def _finish(waiting: Any, answers: str = "") -> tuple[str, str]:
    """Send the answers, wait for the command, and return what it wrote."""
    assert waiting.stdin is not None
    assert waiting.stderr is not None
    with contextlib.suppress(BrokenPipeError):
        waiting.stdin.write(answers)
        waiting.stdin.close()
    waiting.wait(timeout=60)
    waiting.reader.join(timeout=30)
    err = waiting.stderr.read()
    waiting.stderr.close()
    waiting.stdout.close()
    return "".join(waiting.shown), err


def _state(pid: int) -> str:
    """A process's state letter (T: stopped), or "gone"."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"


def _responses(env: dict[str, str]) -> int:
    """The questionnaire responses stored in the journal, read from its file (read-only)."""
    path = Path(env["MITRA_DATA_DIR"]) / "mitra.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        found = db.execute("SELECT count(*) FROM journal_response WHERE deleted_at IS NULL")
        return int(found.fetchone()[0])


def test_the_server_holds_no_journal_file_and_its_socket_is_private(
    served: dict[str, str],
) -> None:
    path = _socket(served)
    assert path.parent == Path(served["MITRA_DATA_DIR"])
    assert path.stat().st_mode & 0o777 == 0o600
    answer = launcher.ask(path, "status")
    assert answer is not None
    opened = []
    for fd in os.listdir(f"/proc/{answer['pid']}/fd"):
        with contextlib.suppress(FileNotFoundError):  # the status connection, closing
            opened.append(os.readlink(f"/proc/{answer['pid']}/fd/{fd}"))
    assert not [f for f in opened if "mitra.sqlite3" in f], opened
    assert os.readlink(f"/proc/{answer['pid']}/cwd") == "/"


def test_status_and_stop_from_the_command_line(tmp_path: Path) -> None:
    env = _own(tmp_path, MITRA_COMMAND_SERVER_IDLE="600")
    quiet = subprocess.run([*MITRA, "command-server", "status"], env=env, capture_output=True,
                           text=True, check=True)  # fmt: skip
    assert "No command server is running" in quiet.stdout
    subprocess.run([*MITRA, "checkin", "2"], env=env, check=True, capture_output=True)
    path = _socket(env)
    _wait_for(lambda: launcher.ask(path, "status") is not None, "the command server")
    status = subprocess.run([*MITRA, "command-server", "status"], env=env, capture_output=True,
                            text=True, check=True)  # fmt: skip
    assert "A command server is running" in status.stdout
    assert "10 idle minutes" in status.stdout
    stopped = subprocess.run([*MITRA, "command-server", "stop"], env=env, capture_output=True,
                             text=True, check=True)  # fmt: skip
    assert "Stopped the command server" in stopped.stdout
    _wait_for(lambda: not path.exists(), "the socket to go")
    # `stop` starts no server after it.
    time.sleep(1)
    assert launcher.ask(path, "status") is None


def test_the_first_command_in_a_new_data_folder_starts_a_server(tmp_path: Path) -> None:
    env = _own(tmp_path / "new")
    subprocess.run([*MITRA, "checkin", "2"], env=env, check=True, capture_output=True)
    path = _socket(env)
    _wait_for(lambda: launcher.ask(path, "status") is not None, "the command server")
    launcher.ask(path, "stop")


def test_an_idle_server_ends_and_removes_its_socket(tmp_path: Path) -> None:
    env = _own(tmp_path, MITRA_COMMAND_SERVER_IDLE="2")
    path = _socket(env)  # before the command: its server lives only two seconds
    subprocess.run([*MITRA, "checkin", "2"], env=env, check=True, capture_output=True)
    _wait_for(path.exists, "the command server")
    _wait_for(lambda: not path.exists(), "the idle server to end", seconds=30)


def test_no_server_for_an_encrypted_journal_or_when_switched_off(tmp_path: Path) -> None:
    base = {"MITRA_DATA_DIR": str(tmp_path), "HOME": "/home/someone"}
    assert launcher.socket_path(base) is not None
    assert launcher.socket_path(base | {"MITRA_COMMAND_SERVER": "off"}) is None
    assert launcher.socket_path(base | {"MITRA_ENCRYPTION_KEY": "x" * 64}) is None
    assert launcher.socket_path(base | {"MITRA_ENCRYPTION_KEY_FILE": "/k"}) is None
    assert launcher.socket_path(base | {"MITRA_DATA_DIR": str(tmp_path / "none")}) is None
    # A different time zone, database or settings is another server's: each has its own.
    others = [base | {"TZ": "Asia/Tokyo"}, base | {"MITRA_DATABASE_URL": "postgresql://x/y"},
              base | {"LANG": "de_DE.UTF-8"}]  # fmt: skip
    paths = {launcher.socket_path(e) for e in [base, *others]}
    assert len(paths) == 4
    # What does not change the server's setup (the shell's own variables, the login's and the
    # window's) shares it; what Typer or the loader read once at start does not.
    shell = {"PWD": "/home/someone/notes", "SHLVL": "3", "XDG_SESSION_ID": "7"}
    assert launcher.socket_path(base | shell) == launcher.socket_path(base)
    for setting in ({"TERMINAL_WIDTH": "50"}, {"TYPER_USE_RICH": "0"}, {"LD_PRELOAD": "x.so"}):
        assert launcher.socket_path(base | setting) != launcher.socket_path(base)


def test_the_wait_for_an_answer_is_five_seconds_or_as_set_within_bounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MITRA_COMMAND_SERVER_WAIT", raising=False)
    assert launcher.answer_seconds() == 5.0
    for given, seconds in (("2.5", 2.5), ("0", 0.5), ("1e9", 60.0), ("nan", 5.0), ("soon", 5.0)):
        monkeypatch.setenv("MITRA_COMMAND_SERVER_WAIT", given)
        assert launcher.answer_seconds() == seconds, given
    # Read by each command afresh: a server started with another wait serves it too.
    base = {"MITRA_DATA_DIR": str(tmp_path)}
    assert launcher.socket_path(base) is not None
    assert launcher.socket_path(base | _WAIT_BRIEFLY) == launcher.socket_path(base)


def test_no_server_for_a_folder_given_relatively_or_open_to_others(tmp_path: Path) -> None:
    assert launcher.socket_path({"MITRA_DATA_DIR": "data"}) is None
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    assert launcher.socket_path({"MITRA_DATA_DIR": str(shared)}) is None
    shared.chmod(0o700)
    assert launcher.socket_path({"MITRA_DATA_DIR": str(shared)}) is not None


def test_the_code_fingerprint_changes_with_any_file_of_the_package(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    module = tmp_path / "sub" / "rules.py"
    module.write_text("LIMIT = 1\n")
    before = launcher._fingerprint(tmp_path)
    assert launcher._fingerprint(tmp_path) == before
    os.utime(module, ns=(module.stat().st_atime_ns, module.stat().st_mtime_ns + 1_000_000))
    assert launcher._fingerprint(tmp_path) != before


def test_two_servers_started_at_once_leave_one(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("twice")
    folder.chmod(0o700)
    env = _own(folder)
    path = _socket(env)
    command = [sys.executable, "-m", "mitra.launcher", "serve-commands", str(path)]
    servers = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for _ in range(2)]  # fmt: skip
    try:
        _wait_for(lambda: launcher.ask(path, "status") is not None, "a server")
        _wait_for(lambda: any(s.poll() is not None for s in servers), "one to give way")
        left = [s for s in servers if s.poll() is None]
        assert len(left) == 1
        answer = launcher.ask(path, "status")
        assert answer is not None
        assert answer["pid"] == left[0].pid
    finally:
        launcher.ask(path, "stop")
        for server in servers:
            server.wait(timeout=30)


def _on_a_terminal(command: list[str], env: dict[str, str]) -> bytes:
    """What `command` writes to a terminal (a pseudo-terminal 70 columns wide)."""
    import pty

    main, child = pty.openpty()
    done = subprocess.Popen(command, stdin=child, stdout=child, stderr=child, env=env)
    os.close(child)
    written = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal's other end closed
            break
        if not chunk:
            break
        written += chunk
    os.close(main)
    assert done.wait(timeout=60) == 0, written
    return written


def test_on_a_terminal_the_server_writes_the_same_bytes_colours_included(
    served: dict[str, str],
) -> None:
    env = served | {"COLUMNS": "70", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    before = _served_count(served)
    through = _on_a_terminal([*MITRA, "entries"], env)
    assert _served_count(served) == before + 1
    direct = _on_a_terminal([*MITRA, "entries"], env | {"MITRA_COMMAND_SERVER": "off"})
    assert through == direct
    assert b"\x1b[" in through  # coloured, as the person's terminal is


def test_watching_a_copy_leaves_its_connection_as_the_copy_set_it(tmp_path: Path) -> None:
    """The server watches each copy's connection while the copy, forked a moment before, makes
    it blocking to wait for "go": the watch must not make it non-blocking again, or the copy's
    read fails (EAGAIN) and it ends without running the command (seen on a loaded machine as
    "the command ended without an exit status")."""
    import socket

    here = os.getcwd()
    path = tmp_path / "command-test.sock"
    lock = launcher._only_server(path)
    assert lock is not None
    server = launcher._Server(path, "fingerprint", lock)  # binds from the socket's folder
    os.chdir(here)
    copy = os.fork()
    if copy == 0:  # a copy's stand-in, waiting to be ended
        time.sleep(60)
        os._exit(0)
    served, client = socket.socketpair()
    try:
        served.settimeout(2)  # as the server answers a connection
        held_by_copy = socket.socket(fileno=os.dup(served.fileno()))
        held_by_copy.settimeout(None)  # as the copy does before its blocking read of "go"
        server.watch(copy, served)
        assert os.get_blocking(held_by_copy.fileno())
        assert list(server.copies.values()) == [copy]
        # The watch is the server's own descriptor: closing the connection leaves it watching.
        served.close()
        client.close()  # the client goes: the watch hears of it
        assert [fd for fd, _event in server.poller.poll(5000)] == list(server.copies)
    finally:
        for fd in server.copies:
            os.close(fd)
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(copy, signal.SIGKILL)
            os.waitpid(copy, 0)
        for sock in (served, client, held_by_copy, server.listener):
            sock.close()
        os.close(lock)
