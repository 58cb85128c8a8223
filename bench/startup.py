"""`startup`: process start to the main window painted with data, on a 100,000-person
registry, against a bare PySide6 window with the same lazy table (`bench.bare_window`).

Each run spawns a fresh process with QT_QPA_PLATFORM=offscreen and times, on the
parent's clock, from Popen to the child's `painted …` line:
  app:   python -m bippop_desk run --db FILE --page beneficiaires --exit-after-paint
  floor: python -m bench.bare_window --db FILE
One unmeasured warm-up of each, then RUNS of each alternating; the median is taken.
Resident memory is the child's peak RSS (from wait4, per child).

Target: median ≤ 2× the bare window's median, and peak RSS ≤ 200 MB.
"""

from __future__ import annotations

import os
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import demo_registry_file, report

MAX_RATIO = 2.0
MAX_RSS_MB = 200.0
RUNS = 3
TIMEOUT_S = 120.0
PROJECT = Path(__file__).resolve().parent.parent


def small_mode() -> bool:
    return os.environ.get("BIPPOP_BENCH_SMALL") == "1"


@dataclass
class Run:
    seconds: float | None  # Popen → "painted" line; None when it never painted
    child_says: str  # what the child printed ("painted 0.412")
    peak_rss_mb: float
    returncode: int
    stderr_tail: str


def app_command(db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bippop_desk",
        "run",
        "--db",
        str(db),
        "--page",
        "beneficiaires",
        "--exit-after-paint",
    ]


def bare_command(db: Path) -> list[str]:
    return [sys.executable, "-m", "bench.bare_window", "--db", str(db)]


def child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONUNBUFFERED="1",
        # The app's settings and logs go to a private folder, never the user's.
        BIPPOP_DESK_HOME=str(home),
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT), env.get("PYTHONPATH")])),
    )
    return env


def _peak_rss_mb(ru_maxrss: int) -> float:
    # Linux reports KiB, macOS bytes.
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def spawn(command: list[str], env: dict[str, str]) -> Run:
    """Start the child, time it to its `painted` line, reap it with wait4 for its RSS."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=errors,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=PROJECT,
        )
        assert process.stdout is not None
        seconds, said = _wait_for_paint(process.stdout.fileno(), start + TIMEOUT_S)
        if seconds is not None:
            seconds -= start
        # The child quits by itself after painting; it is killed if it lingers.
        waited = _wait4(process.pid, TIMEOUT_S if seconds is not None else 5.0)
        if waited is None:
            process.kill()
            waited = os.wait4(process.pid, 0)
        _, status, usage = waited
        process.returncode = os.waitstatus_to_exitcode(status)
        rest = process.stdout.read().decode(errors="replace")
        process.stdout.close()
        errors.seek(0)
        tail = errors.read().decode(errors="replace").strip().splitlines()[-8:]
    # The child's own VmHWM: wait4's ru_maxrss also counts this (big) bench process's
    # memory copied at fork time, before the child's exec.
    reported = [line.split()[1] for line in rest.splitlines() if line.startswith("peak_rss_mb")]
    rss = float(reported[0]) if reported else _peak_rss_mb(usage.ru_maxrss)
    return Run(seconds, said, rss, process.returncode, "\n".join(tail))


def _wait_for_paint(fd: int, deadline: float) -> tuple[float | None, str]:
    """(perf_counter when the `painted` line arrived, the line), or (None, "")."""
    pending = b""
    while (left := deadline - time.perf_counter()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break  # the child closed its output (it exited)
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            text = line.decode(errors="replace").strip()
            if text.startswith("painted"):
                return time.perf_counter(), text
    return None, ""


def _wait4(pid: int, timeout: float) -> tuple[int, int, resource.struct_rusage] | None:
    deadline = time.monotonic() + timeout
    while True:
        got_pid, status, usage = os.wait4(pid, os.WNOHANG)
        if got_pid == pid:
            return got_pid, status, usage
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.005)


def measure(db: Path, runs: int = RUNS) -> dict[str, list[Run]]:
    home = Path(tempfile.mkdtemp(prefix="bippop-startup-"))
    try:
        env = child_env(home)
        results: dict[str, list[Run]] = {"app": [], "bare": []}
        commands = {"app": app_command(db), "bare": bare_command(db)}
        for which in ("bare", "app"):  # warm-up: libraries and the file in the page cache
            spawn(commands[which], env)
        for _ in range(runs):
            for which in ("bare", "app"):
                results[which].append(spawn(commands[which], env))
        return results
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run() -> dict[str, object]:
    people, volunteers = (2_000, 400) if small_mode() else (100_000, 20_000)
    db = demo_registry_file(people, volunteers)
    results = measure(db, 1 if small_mode() else RUNS)
    app, bare = results["app"], results["bare"]
    bare_times = [r.seconds for r in bare if r.seconds is not None]
    app_times = [r.seconds for r in app if r.seconds is not None]
    floor = statistics.median(bare_times) if bare_times else None
    app_failed = len(app_times) < len(app)
    value = statistics.median(app_times) if app_times else TIMEOUT_S
    rss = max(r.peak_rss_mb for r in app)
    ratio = value / floor if floor else float("inf")
    details: dict[str, object] = {
        "registry": f"{people:,} beneficiaries + {volunteers:,} volunteers ({db.name})",
        "app_runs_s": ", ".join(f"{r.seconds:.3f}" if r.seconds else "no paint" for r in app),
        "app_child_says": ", ".join(r.child_says or "-" for r in app),
        "bare_runs_s": ", ".join(f"{r.seconds:.3f}" if r.seconds else "no paint" for r in bare),
        "bare_child_says": ", ".join(r.child_says or "-" for r in bare),
        "app_peak_rss_mb": ", ".join(f"{r.peak_rss_mb:.0f}" for r in app),
        "bare_peak_rss_mb": ", ".join(f"{r.peak_rss_mb:.0f}" for r in bare),
        "goal": f"median ≤ {MAX_RATIO}× bare window (target = {MAX_RATIO}× floor, in s) "
        f"and peak RSS ≤ {MAX_RSS_MB:.0f} MB",
    }
    if app_failed:
        failed = next(r for r in app if r.seconds is None)
        details["app_failed"] = f"exit {failed.returncode}: {failed.stderr_tail}"
    return report(
        "startup",
        value,
        "s",
        round(MAX_RATIO * floor, 3) if floor else MAX_RATIO,
        floor,
        not app_failed and ratio <= MAX_RATIO and rss <= MAX_RSS_MB,
        **details,
        peak_rss_mb=f"{rss:.0f} (limit {MAX_RSS_MB:.0f})",
    )
