"""The unexpected-error path: a bug in a slot never closes the window nor loses what is
being typed. The error and its traceback go to the log with a short report number; the
staff get a French message naming that number; the phone-desk draft is saved at once.

Installed once by ui/app.py (`install_excepthook`). GUI thread only.
"""

from __future__ import annotations

import logging
import secrets
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from bippop_desk.paths import log_dir

log = logging.getLogger("bippop_desk.unexpected")
MAX_DIALOGS = 3  # a loop of errors must not bury the screen under message boxes


class UnexpectedErrors:
    def __init__(self, window: QWidget, save_drafts: Callable[[], None]) -> None:
        self.window = window
        self.save_drafts = save_drafts
        self.reports: list[str] = []
        self._open_dialogs = 0

    def __call__(
        self,
        kind: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        report = secrets.token_hex(3).upper()
        self.reports.append(report)
        detail = "".join(traceback.format_exception(kind, error, trace))
        log.error("unexpected error, report %s\n%s", report, detail)
        try:
            self.save_drafts()
        except Exception:  # the message must still show; the log says why
            log.exception("drafts could not be saved after report %s", report)
        # Shown after the failing slot has returned: the form it came from stays as it is.
        QTimer.singleShot(0, lambda: self._tell(report))

    def message(self, report: str) -> str:
        return (
            "Une erreur inattendue s'est produite dans le logiciel. Ce que vous étiez en "
            "train de saisir est conservé : vous pouvez continuer, ou enregistrer puis "
            "redémarrer le logiciel.\n\n"
            f"Rapport n° {report}, écrit dans le journal du logiciel :\n"
            f"{log_dir() / 'bippop-desk.log'}"
        )

    def _tell(self, report: str) -> None:
        if self._open_dialogs >= MAX_DIALOGS or QApplication.instance() is None:
            return
        self._open_dialogs += 1
        try:
            box = QMessageBox(self.window)
            box.setObjectName("unexpected_error")
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("Erreur inattendue")
            box.setText(self.message(report))
            box.setModal(False)
            box.finished.connect(lambda _r: self._closed())
            box.show()
        except Exception:
            self._open_dialogs -= 1
            raise

    def _closed(self) -> None:
        self._open_dialogs -= 1


def install_excepthook(window: QWidget, save_drafts: Callable[[], None]) -> UnexpectedErrors:
    handler = UnexpectedErrors(window, save_drafts)
    sys.excepthook = handler
    return handler
