"""One app per registry on this computer: a second start brings the first window forward
instead of opening the file twice; a killed app's lock does not block the next start."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.multiprocess.processes import AppProcess, run_cli

pytestmark = pytest.mark.slow


def test_a_second_start_on_an_open_registry_brings_the_first_window_forward(
    demo_file: Path, app: AppProcess
) -> None:
    second = run_cli("--db", str(demo_file), timeout=60)
    assert second.returncode == 0
    assert "déjà ouvert sur cet ordinateur" in second.stderr
    assert "premier plan" in second.stderr
    assert app.read_line(10) == "brought-forward"
    assert app.process.poll() is None  # the first app carries on


def test_the_lock_of_a_killed_app_does_not_keep_the_registry_closed(
    demo_file: Path, app: AppProcess
) -> None:
    app.kill()
    again = AppProcess(demo_file)
    try:
        again.wait_ready()
        assert again.save("après-redémarrage")
    finally:
        again.kill()


def test_a_registry_held_by_an_app_out_of_reach_is_said_open_in_french(
    demo_file: Path,
) -> None:
    # Another user's app: it holds the lock but its window cannot be asked for.
    from bippop_desk.ui.single_instance import InstanceGuard, lock_path

    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from PySide6.QtCore import QLockFile
            lock = QLockFile({str(lock_path(demo_file))!r})
            assert lock.tryLock(0)
            print("held", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        busy = InstanceGuard(demo_file).acquire()
        assert busy is not None and not busy.brought_forward
        assert busy.pid == holder.pid
        assert "déjà ouvert sur cet ordinateur" in busy.message(demo_file)
        assert f"processus {holder.pid}" in busy.message(demo_file)
    finally:
        holder.kill()
        holder.wait()
    assert os.path.exists(lock_path(demo_file))  # left by the killed holder…
    assert InstanceGuard(demo_file).acquire() is None  # …and taken over as stale
