"""Real processes on one registry file: the desktop app (app_driver) and CLI commands,
and what /proc says of the files each of them holds."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT_S = 90.0


class LineProcess:
    """A child process that answers in lines on its stdout."""

    def __init__(self, argv: list[str]) -> None:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.pid = self.process.pid
        self._buffer = ""

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        line = self.read_line(timeout)
        assert line == "ready", f"{self} did not start: {line!r}"

    def read_line(self, timeout: float) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        while "\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer from {self} within {timeout} s")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536).decode()
                if not chunk:
                    raise EOFError(f"{self} ended (code {self.process.poll()})")
                self._buffer += chunk
        line, self._buffer = self._buffer.split("\n", 1)
        return line

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def kill(self) -> list[str]:
        """SIGKILL; returns the whole lines it had written before dying."""
        if self.process.stdout is None or self.process.stdout.closed:
            return []  # killed already
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        assert self.process.stdout is not None
        rest = self._buffer + self.process.stdout.read()
        self._buffer = ""
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):  # a pipe to a dead process
                    stream.close()
        return [line for line in rest.split("\n")[:-1] if line]


class AppProcess(LineProcess):
    """`python -m tests.multiprocess.app_driver REGISTRY`: the real app, offscreen."""

    def __init__(self, registry: Path) -> None:
        super().__init__([sys.executable, "-m", "tests.multiprocess.app_driver", str(registry)])

    def __str__(self) -> str:
        return f"the app (pid {self.pid})"

    def save(self, marker: str, timeout: float = 30.0) -> str:
        """A phone request saved through the app's worker; its id once reported saved."""
        self.send(marker)
        line = self.read_line(timeout)
        kind, _, rest = line.partition(" ")
        assert kind == "saved", line
        said, request_id = rest.split()
        assert said == marker
        return request_id


class CliWorker(LineProcess):
    """`python -m tests.multiprocess.cli_worker REGISTRY FOLDER`: CLI commands on demand."""

    def __init__(self, registry: Path, folder: Path) -> None:
        super().__init__(
            [sys.executable, "-m", "tests.multiprocess.cli_worker", str(registry), str(folder)]
        )

    def __str__(self) -> str:
        return f"a CLI process (pid {self.pid})"


def run_cli(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "bippop-desk"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def read_with_another_process(registry: Path) -> None:
    """What a `sqlite3` shell or a second tool does: open, read a page, close."""
    script = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('SELECT count(*) FROM commune').fetchone(); c.close()"
    )
    subprocess.run([sys.executable, "-c", script, str(registry)], check=True, timeout=30)


def _gone(pid: int) -> bool:
    """The process has exited (a zombie not yet reaped), or its number now belongs to
    another user's process (the id was reused on this busy machine)."""
    try:
        process = psutil.Process(pid)
        if process.status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
            return True
        return process.uids().real != os.getuid()
    except psutil.NoSuchProcess:
        return True


def _described(pid: int) -> str:
    """Who the process is, for a refusal we do not expect (readable by anyone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError as error:
        return str(error)
    keep = [
        line
        for line in status.splitlines()
        if line.split(":")[0] in ("Name", "State", "Uid", "Gid", "Groups")
    ]
    command = cmdline.decode(errors="replace")
    return f"{command} | {' | '.join(keep)} | we are {os.getuid()}:{os.getgid()}"


def _open_files(pid: int) -> list[str]:
    """The process's file descriptors ([] once it is gone). Not root, /proc/PID/fd is
    refused for a moment to its own owner: while a process is being started (in its
    exec, no command line yet: a worker uvicorn starts again), once it has exited (a
    zombie), or when its id went to another user's process. Waited out; a refusal
    that lasts is a failure, with who the process is."""
    deadline = time.monotonic() + 5
    while True:
        try:
            return os.listdir(f"/proc/{pid}/fd")
        except FileNotFoundError:
            return []
        except PermissionError:
            if _gone(pid):
                return []
            if time.monotonic() > deadline:
                raise PermissionError(f"/proc/{pid}/fd: {_described(pid)}") from None
            time.sleep(0.02)


def deleted_registry_files(pid: int, registry: Path) -> list[str]:
    """Registry files (or its -wal/-shm) that `pid` holds open although they were
    deleted: the mark of a WAL another process removed under it."""
    names = {str(registry) + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    found = []
    entries = _open_files(pid)
    for entry in entries:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{entry}")
        except OSError:
            continue
        if target.endswith(" (deleted)") and target[: -len(" (deleted)")] in names:
            found.append(target)
    return found


def notes_of_requests(registry: Path) -> dict[str, str]:
    """Every request's notes, read by a fresh process-less connection after the others
    are gone (request id → notes)."""
    conn = sqlite3.connect(registry)
    try:
        return {row[0]: row[1] for row in conn.execute("SELECT id, notes FROM request")}
    finally:
        conn.close()


def integrity(registry: Path) -> str:
    conn = sqlite3.connect(registry)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()
