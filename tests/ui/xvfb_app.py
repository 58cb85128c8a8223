"""The real app (`bippop-desk run`) for tests/ui/test_keyboard_focus_x11.py, with a
reporter: every 50 ms it writes what a person at the screen would notice (the active
window, the widget with the keyboard focus, the page shown, who is signed in) to a JSON
file. The keys are typed from outside, through the X server, as a keyboard does.

Usage: python -m tests.ui.xvfb_app STATE.json bippop-desk-run-arguments...
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from bippop_desk.cli import main as cli_main
from bippop_desk.ui.main_window import PAGES, MainWindow

REPORT_MS = 50


def report(app: QApplication, path: Path) -> None:
    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
    active = app.activeWindow()
    focus = app.focusWidget()
    state = {
        "active": type(active).__name__ if active is not None else "",
        "focus": focus.objectName() if focus is not None else "",
        "page": "",
        "locked": None,
        "user": "",
    }
    if windows:
        window = windows[0]
        state["page"] = PAGES[window.stack.currentIndex()][0]
        state["locked"] = window.guard.locked
        state["user"] = window.context.actor.username
    request = path.with_name("shot-request")
    if request.exists():  # the test asks for a picture of the whole screen
        target = request.read_text()
        request.unlink()
        app.primaryScreen().grabWindow(0).save(target)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state))
    os.replace(temporary, path)


def main() -> int:
    path = Path(sys.argv[1])
    app = QApplication(sys.argv[:1])
    timer = QTimer()
    timer.timeout.connect(lambda: report(app, path))
    timer.start(REPORT_MS)
    return cli_main(["run", *sys.argv[2:]])


if __name__ == "__main__":
    sys.exit(main())
