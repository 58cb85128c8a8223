"""Keyboard only, in a real X window on a plain X server (Xvfb, no window manager, as
on a kiosk or a thin client): after signing in, and after unlocking, the keys reach the
app at once — Ctrl+N opens the phone desk, the home page's first action has the focus.

The app runs as it does for a person (`bippop-desk run`, tests/ui/xvfb_app.py reports
what it shows); the keys go through the X server (xdotool), never to a widget directly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bippop_desk.registry.store import Registry
from tests.core.register_helpers import ADMIN, PASSWORD, add_staff

ROOT = Path(__file__).resolve().parents[2]
SHOTS = os.environ.get("BIPPOP_SHOTS", "")


def _require(program: str, package: str) -> str:
    found = shutil.which(program)
    if found is None:
        message = f"{program} is missing: installer/debian-deps.sh test installs {package}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture
def display() -> Iterator[str]:
    xvfb = _require("Xvfb", "xvfb")
    _require("xdotool", "xdotool")
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as chosen:  # Xvfb writes the display number once it is ready
        number = chosen.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


class App:
    def __init__(self, display: str, db: Path, home: Path) -> None:
        self.display = display
        self.state_file = home / "state.json"
        env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "BIPPOP_DESK_HOME": str(home),
            "PYTHONPATH": str(ROOT),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
        self.log = (home / "app.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.xvfb_app", str(self.state_file), "--db", str(db)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def state(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.state_file.read_text()))
        except (FileNotFoundError, ValueError):
            return {}

    def wait(self, what: str, condition: Callable[[dict[str, Any]], bool], timeout: float = 20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the app stopped: {self.output()}"
            state = self.state()
            if state and condition(state):
                return state
            time.sleep(0.05)
        raise AssertionError(f"{what}: never came; the app shows {self.state()}")

    def keys(self, *arguments: str) -> None:
        """Through the X server, to whatever window has the keyboard (as a keyboard)."""
        subprocess.run(
            ["xdotool", *arguments], check=True, env={**os.environ, "DISPLAY": self.display}
        )

    def shot(self, name: str) -> None:
        """The whole X screen as the app drew it (BIPPOP_SHOTS=folder), by the app."""
        if SHOTS:
            target = Path(SHOTS) / f"{name}.png"
            target.unlink(missing_ok=True)
            self.state_file.with_name("shot-request").write_text(str(target))
            deadline = time.monotonic() + 10
            while not target.exists() and time.monotonic() < deadline:
                time.sleep(0.05)

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def app(display: str, registry: Registry, db_path: Path, tmp_path: Path) -> Iterator[App]:
    add_staff(registry, ADMIN)
    registry.close()
    home = tmp_path / "home"
    home.mkdir()
    running = App(display, db_path, home)
    yield running
    running.stop()


def test_after_signing_in_ctrl_n_opens_the_phone_desk_without_a_click(app: App) -> None:
    app.wait("the sign-in dialog", lambda s: s["active"] == "SignInDialog")
    app.wait("the focus in the user name", lambda s: s["focus"] == "signin_username")
    app.keys("type", "--delay", "20", ADMIN.username)
    app.keys("key", "Tab")
    app.keys("type", "--delay", "20", PASSWORD)
    app.keys("key", "Return")
    app.wait("signed in", lambda s: s["user"] == ADMIN.username and not s["locked"])
    state = app.wait("the home page's first action focused", lambda s: s["focus"] == "home_intake")
    assert state["page"] == "accueil" and state["active"] == "MainWindow"
    app.shot("x11-signed-in")
    app.keys("key", "ctrl+n")
    app.wait("the phone desk", lambda s: s["page"] == "demande" and s["focus"] == "intake_search")


def test_after_unlocking_the_home_page_takes_the_keys_again(app: App) -> None:
    app.wait("the focus in the user name", lambda s: s["focus"] == "signin_username")
    app.keys("type", "--delay", "20", ADMIN.username)
    app.keys("key", "Tab")
    app.keys("type", "--delay", "20", PASSWORD)
    app.keys("key", "Return")
    app.wait("the home page's first action focused", lambda s: s["focus"] == "home_intake")
    app.keys("key", "ctrl+l")
    app.wait("locked", lambda s: s["locked"] and s["focus"] == "lock_unlock")
    app.keys("key", "Return")  # the lock screen's "Se connecter…"
    app.wait("the password asked", lambda s: s["focus"] == "signin_password")
    app.keys("type", "--delay", "20", PASSWORD)
    app.keys("key", "Return")
    app.wait("unlocked", lambda s: not s["locked"] and s["focus"] == "home_intake")
    app.shot("x11-unlocked")
    app.keys("key", "Return")  # the focused action: "Nouvelle demande téléphonique"
    app.wait("the phone desk", lambda s: s["page"] == "demande")
