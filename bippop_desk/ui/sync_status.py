"""The status bar's sync indicator: online or offline, last sync, changes waiting,
conflicts. A click (or F5 on the sync page) opens the Synchronisation page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton, QWidget

from bippop_desk.ui.sync_controller import SyncController, skew_warning

if TYPE_CHECKING:
    from bippop_desk.sync.engine import SyncReport, SyncStatus


def indicator_text(status: SyncStatus, running: bool, online: bool | None) -> str:
    """One short line for the status bar (French)."""
    if status.demo:
        return "○ Démonstration (pas de synchronisation)"
    if not status.enrolled:
        if status.enrollment_pending:
            return "○ Hors ligne (inscription en attente de confirmation)"
        return "○ Hors ligne (poste non inscrit)"
    if running:
        state = "⟳ Synchronisation…"
    elif online is False:
        state = "● Hors ligne"
    else:
        state = "● En ligne"
    parts = [state]
    if status.last_success_at is not None:
        from bippop_desk.registry.clock import utc_to_local

        local = utc_to_local(status.last_success_at)
        if local is not None:
            parts.append(f"synchro {local:%H:%M}")
    if status.pending_count:
        parts.append(f"{status.pending_count} en attente")
    if status.open_conflicts:
        plural = "s" if status.open_conflicts > 1 else ""
        parts.append(f"{status.open_conflicts} conflit{plural}")
    if skew_warning(status.clock_offset_s):
        parts.append("horloge décalée")
    return " · ".join(parts)


class SyncIndicator(QPushButton):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__("○ Synchronisation", parent)
        self.setObjectName("sync_indicator")
        self.setFlat(True)
        self.setToolTip("État de la synchronisation avec la plateforme Bip Pop")
        self.controller = controller
        self.online: bool | None = None
        controller.status_changed.connect(self._status)
        controller.sync_started.connect(self._redraw)
        controller.sync_finished.connect(self._finished)

    def _finished(self, report: SyncReport | None) -> None:
        self.online = report is not None and not report.error
        self._redraw()

    def _status(self, _status: SyncStatus) -> None:
        self._redraw()

    def _redraw(self) -> None:
        status = self.controller.status
        if status is None:
            return
        text = indicator_text(status, self.controller.running, self.online)
        self.setText(text)
        self.setAccessibleName(text)
        warn = status.open_conflicts or skew_warning(status.clock_offset_s) or self.online is False
        self.setStyleSheet("color: #8a5300; font-weight: 600;" if warn and status.enrolled else "")
