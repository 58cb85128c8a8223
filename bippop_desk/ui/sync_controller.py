"""Background sync with the central platform, as the window sees it.

Sync runs on its own network thread (never the GUI thread, never the DB worker: a slow
server must not hold up a secretary's save). It opens its own short SQLite
transactions; SQLite's WAL lets the DB worker go on meanwhile. Results come back on the
GUI thread: `status_changed` for the status bar and the sync page, and the usual
`AppContext.data_changed` broadcast with the kinds of records a pull changed, so every
view redraws itself as after a local save.

A periodic timer (default every 5 minutes, a setting) and "Synchroniser maintenant"
both call `sync_now()`; a sync asked for while one runs is folded into it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from bippop_desk.ui.messages import error_text
from bippop_desk.ui.worker import DbWorker

if TYPE_CHECKING:
    from bippop_desk.registry.store import Registry
    from bippop_desk.sync.engine import SyncReport, SyncStatus
    from bippop_desk.ui.context import AppContext

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_MINUTES = 5
# An enrollment whose answer was lost is sent again this often while it waits: the
# platform answers a retry of the same code for 15 minutes (sync/enrollment.py).
PENDING_RETRY_MS = 30_000
FIRST_SYNC_DELAY_MS = 3_000  # let the first page paint before the first sync
SKEW_WARNING_S = 300


class SyncController(QObject):
    status_changed = Signal(object)  # SyncStatus
    sync_started = Signal()
    sync_finished = Signal(object)  # SyncReport
    needs_enroll = Signal(str)  # a French reason: the device must be enrolled (again)

    def __init__(
        self,
        context: AppContext,
        *,
        interval_minutes: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.net = DbWorker(name="sync-network")
        self.running = False
        self._again = False
        self.status: SyncStatus | None = None
        self.configured_server_url = ""  # Réglages' platform address, for enrollment
        self.last_report: SyncReport | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_now)
        self.pending_timer = QTimer(self)  # runs only while an enrollment waits
        self.pending_timer.setInterval(PENDING_RETRY_MS)
        self.pending_timer.timeout.connect(self.sync_now)
        self.set_interval(interval_minutes or DEFAULT_INTERVAL_MINUTES)
        context.registry_ready.connect(self._registry_ready)
        # Local saves add to the queue: the status bar counts them at once.
        context.data_changed.connect(self._local_change)

    # -- settings -------------------------------------------------------------------------
    def set_interval(self, minutes: int) -> None:
        self.interval_minutes = max(1, int(minutes))
        self.timer.setInterval(self.interval_minutes * 60_000)

    def _registry_ready(self) -> None:
        self.refresh_status()
        self.context.read(_sync_settings, self._settings_read, self._status_failed)

    def _settings_read(self, settings: tuple[int, str]) -> None:
        minutes, self.configured_server_url = settings
        first = not self.timer.isActive()
        if minutes and minutes != self.interval_minutes:
            self.set_interval(minutes)
        if first:
            self.timer.start()
            QTimer.singleShot(FIRST_SYNC_DELAY_MS, self._first_sync)

    def _first_sync(self) -> None:
        if self.status is not None and _can_sync(self.status):
            self.sync_now()

    # -- status (DB worker) -------------------------------------------------------------
    def refresh_status(self) -> None:
        if not self.context.ready:
            return
        from bippop_desk.sync.engine import sync_status

        self.context.read(sync_status, self._set_status, self._status_failed)

    def _set_status(self, status: SyncStatus) -> None:
        self.status = status
        if status.enrollment_pending and not status.demo:
            if not self.pending_timer.isActive():
                self.pending_timer.start()
        else:
            self.pending_timer.stop()
        self.status_changed.emit(status)

    def _status_failed(self, error: BaseException) -> None:
        log.warning("sync status unavailable: %s", error)

    def _local_change(self, entities: frozenset[str]) -> None:
        if entities and "sync" not in entities:
            self.refresh_status()
        if "app_setting" in entities:  # the interval may have changed in Réglages
            self.context.read(_sync_settings, self._settings_read, self._status_failed)

    # -- syncing (network thread) ---------------------------------------------------------
    def sync_now(self) -> None:
        """Start a sync unless one runs (then one more follows it)."""
        if not self.context.ready:
            return
        if self.running:
            self._again = True
            return
        if self.status is not None and not _can_sync(self.status):
            return
        self.running = True
        self.sync_started.emit()
        registry = self.context.registry_for_background()
        self.net.submit(lambda: _sync(registry), self._synced, self._sync_failed)

    def _synced(self, report: SyncReport) -> None:
        self.running = False
        self.last_report = report
        self.sync_finished.emit(report)
        if report.entities_changed:
            self.context.data_changed.emit(frozenset(report.entities_changed) | {"sync"})
        if report.needs_enroll:
            self.needs_enroll.emit(
                report.error
                or "Ce poste n'est plus reconnu par la plateforme : "
                "inscrivez-le de nouveau avec un code d'inscription."
            )
        self.refresh_status()
        self._maybe_again()

    def _sync_failed(self, error: BaseException) -> None:
        self.running = False
        log.warning("sync failed", exc_info=error)
        self.sync_finished.emit(None)
        self.refresh_status()
        self.last_error = error_text(error)
        self._maybe_again()

    def _maybe_again(self) -> None:
        if self._again:
            self._again = False
            QTimer.singleShot(0, self.sync_now)

    # -- enrollment (network thread) ------------------------------------------------------
    def enroll(
        self,
        server_url: str,
        code: str,
        device_name: str,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        registry = self.context.registry_for_background()

        def run() -> Any:
            from bippop_desk.sync.engine import enroll

            return enroll(registry, server_url, code, device_name)

        def done(result: Any) -> None:
            self.refresh_status()
            on_done(result)
            QTimer.singleShot(0, self.sync_now)

        def failed(error: BaseException) -> None:
            self.refresh_status()  # a lost answer leaves it pending: retried by the timer
            on_error(error)

        progress = "Inscription du poste auprès de la plateforme…"
        self.net.submit(run, done, failed, progress=progress)

    def shutdown(self) -> None:
        self.timer.stop()
        self.pending_timer.stop()
        self.net.shutdown(timeout=5.0)


def _can_sync(status: SyncStatus) -> bool:
    """Enrolled, or an enrollment waiting for its answer (a sync sends it again)."""
    return status.enrolled or status.enrollment_pending


def _sync(registry: Registry) -> SyncReport:
    from bippop_desk.sync.engine import sync_once

    return sync_once(registry)


def _sync_settings(registry: Registry) -> tuple[int, str]:
    """The sync interval and platform address chosen in Réglages (DB worker)."""
    from bippop_desk.registry.services.settings import sync_interval_minutes, sync_server_url

    return sync_interval_minutes(registry), sync_server_url(registry)


def skew_warning(offset_s: float | None) -> str:
    """A French warning when this computer's clock is more than 5 minutes off."""
    if offset_s is None or abs(offset_s) <= SKEW_WARNING_S:
        return ""
    minutes = round(abs(offset_s) / 60)
    direction = "en retard" if offset_s > 0 else "en avance"
    return (
        f"L'horloge de cet ordinateur est {direction} d'environ {minutes} minutes sur la "
        "plateforme : les heures des modifications peuvent être fausses. "
        "Faites régler l'heure de l'ordinateur."
    )
