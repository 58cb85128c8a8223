"""The database worker: one serial thread for all registry work (SQLite has one writer).

`submit(fn, on_done, on_error)` runs `fn()` on the worker thread; `on_done(result)` or
`on_error(exception)` then runs on the GUI thread. A progress dialog appears only when a
job labelled with `progress` takes longer than ~0.5 s.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)

PROGRESS_DELAY_MS = 500


@dataclass(eq=False)
class Job:
    fn: Callable[[], Any]
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException], None] | None = None
    progress: str = ""
    done: bool = False
    cancelled: bool = False
    submitted_at: float = field(default_factory=time.perf_counter)

    def cancel(self) -> None:
        """The result will be dropped (the work itself may already be running)."""
        self.cancelled = True


class DbWorker(QObject):
    _finished = Signal(object, object, object)  # job, result, error
    busy_changed = Signal(bool)
    error = Signal(object)  # unhandled errors, for the main window to show

    def __init__(self, parent_widget: QWidget | None = None, *, name: str = "db-worker") -> None:
        super().__init__()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._pending = 0
        self._parent_widget = parent_widget
        self._progress: QProgressDialog | None = None
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def set_parent_widget(self, widget: QWidget) -> None:
        self._parent_widget = widget

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        progress: str = "",
    ) -> Job:
        job = Job(fn, on_done, on_error, progress)
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        if progress:
            QTimer.singleShot(PROGRESS_DELAY_MS, lambda: self._maybe_show_progress(job))
        self._queue.put(job)
        return job

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def shutdown(self, timeout: float = 30.0) -> None:
        """Finish queued work (a pending save must not be lost), then stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout)

    # -- worker thread --------------------------------------------------------
    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            result: Any = None
            error: BaseException | None = None
            try:
                result = job.fn()
            except BaseException as exc:  # delivered to the GUI thread, never swallowed
                error = exc
            self._finished.emit(job, result, error)

    # -- GUI thread -------------------------------------------------------------
    def _deliver(self, job: Job, result: Any, error: BaseException | None) -> None:
        job.done = True
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
            self._hide_progress()
        if job.cancelled:
            return
        if error is not None:
            if job.on_error is not None:
                job.on_error(error)
            else:
                log.error("database job failed", exc_info=error)
                self.error.emit(error)
        elif job.on_done is not None:
            job.on_done(result)

    def _maybe_show_progress(self, job: Job) -> None:
        if job.done or self._progress is not None:
            return
        dialog = QProgressDialog(job.progress, "", 0, 0, self._parent_widget)
        dialog.setCancelButton(None)
        dialog.setWindowTitle("Veuillez patienter")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.show()
        self._progress = dialog

    def _hide_progress(self) -> None:
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
