"""The real desktop app, offscreen, with a test's hand on it.

`python -m tests.multiprocess.app_driver REGISTRY` runs `bippop_desk.ui.app.run_app`
exactly as `bippop-desk --db REGISTRY` does (window first, the start-up FileReader, then
the full Registry on the DB worker, the daily backup beside it). Once the registry is
fully open it prints `ready`, then each line read on stdin is a phone request saved the
way the phone desk saves one: `AppContext.mutate(log_phone_request)` on the app's own DB
worker. `saved MARKER REQUEST_ID` is printed on the GUI thread once the worker reports
the commit — what the secretary sees as "Demande enregistrée". The marker goes in the
request's notes so the test can find it in the file afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication

from bippop_desk.registry.services.intake import log_phone_request
from bippop_desk.registry.services.requests import RequestInput
from bippop_desk.ui.app import run_app
from bippop_desk.ui.main_window import MainWindow


def first_ids(registry: object) -> tuple[str, str]:
    from sqlalchemy import text

    from bippop_desk.registry.store import Registry

    assert isinstance(registry, Registry)
    with registry.session() as session:
        person = session.execute(
            text("SELECT id FROM beneficiary WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
        ).scalar_one()
        kind = session.execute(
            text("SELECT id FROM mission_type WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
        ).scalar_one()
    return str(person), str(kind)


class Hand:
    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.window: MainWindow | None = None
        self.ids: tuple[str, str] | None = None
        self.notifier: QSocketNotifier | None = None
        self.poll = QTimer()
        self.poll.timeout.connect(self._wait_for_registry)
        self.poll.start(50)

    def _wait_for_registry(self) -> None:
        windows = [w for w in self.app.topLevelWidgets() if isinstance(w, MainWindow)]
        if not windows or not windows[0].context.ready:
            return
        self.poll.stop()
        self.window = windows[0]
        guard = self.window.instance_guard
        if guard is not None:  # a second start on this registry asked for our window
            guard.bring_forward.connect(lambda: print("brought-forward", flush=True))
        self.window.context.read(first_ids, self._ready, self._failed)

    def _ready(self, ids: tuple[str, str]) -> None:
        self.ids = ids
        self.notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self._line)
        print("ready", flush=True)

    def _line(self) -> None:
        line = sys.stdin.readline()
        if not line:  # the test closed our stdin
            assert self.notifier is not None
            self.notifier.setEnabled(False)
            return
        marker = line.strip()
        assert self.window is not None and self.ids is not None
        person, kind = self.ids
        data = RequestInput(beneficiary_id=person, mission_type_id=kind, notes=marker)
        self.window.context.mutate(
            lambda registry: log_phone_request(registry, data),
            {"request"},
            lambda result: print(f"saved {marker} {result.request_id}", flush=True),
            self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        print(f"error {type(error).__name__}: {error}", flush=True)


def main() -> int:
    app = QApplication(sys.argv[:1])
    hand = Hand(app)
    args = argparse.Namespace(
        db=sys.argv[1],
        demo_if_empty=False,
        page="accueil",
        large_text=False,
        exit_after_paint=False,
    )
    code = run_app(args)
    del hand
    return code


if __name__ == "__main__":
    sys.exit(main())
