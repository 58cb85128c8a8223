"""Synchronisation: where this desk stands with the central Bip Pop platform.

What the staff need to see and do, in their words: is the desk enrolled and online,
when it last synced, how many changes wait, whether the clock is off; the conflicts
(two desks changed the same phone number or name: keep mine, keep the platform's, or
type the right value); the changes the platform refused (send again or drop).
Every read and resolution runs on the DB worker; syncing runs on the sync controller's
network thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.frdates import short_date
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.item_list import ItemList
from bippop_desk.ui.list_model import ListItem
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.pages.people import format_count
from bippop_desk.ui.sync_controller import SyncController, skew_warning

if TYPE_CHECKING:
    from bippop_desk.sync.engine import SyncReport, SyncStatus

WARNING_STYLE = "color: #8a5300; font-weight: 600;"


def when(value: Any) -> str:
    """A sync time as the staff read it: "02/12/2026 à 14:32", or "jamais"."""
    from bippop_desk.registry.clock import utc_to_local

    local = utc_to_local(value)
    if local is None:
        return "jamais"
    return f"{short_date(local.date())} à {local:%H:%M}"


def status_lines(status: SyncStatus) -> list[str]:
    """The status block's sentences (plain text, French)."""
    if status.demo:
        return [
            "Ce registre est la commune de démonstration : ses personnes sont fictives et "
            "il ne se synchronise jamais avec la plateforme Bip Pop.",
            "Pour travailler pour de vrai, créez le registre de votre commune (nouveau "
            "fichier), puis inscrivez ce poste avec le code donné par la plateforme.",
        ]
    if not status.enrolled and status.enrollment_pending:
        return [
            "L'inscription de ce poste attend la réponse de la plateforme : Bip Pop Desk "
            "la renvoie de lui-même, avec le même code, dès que la plateforme répond.",
            "Vous pouvez aussi réessayer avec le même code dans les 15 minutes "
            "(« Inscrire ce poste… »).",
        ]
    if not status.enrolled:
        return [
            "Ce poste n'est pas encore inscrit auprès de la plateforme Bip Pop : le registre "
            "fonctionne hors ligne, rien n'est envoyé.",
            "Pour l'inscrire, demandez un code d'inscription à la plateforme puis cliquez "
            "sur « Inscrire ce poste… ».",
        ]
    lines = [
        f"Plateforme : {status.server_url}",
        f"Dernière synchronisation réussie : {when(status.last_success_at)}",
        format_count(
            status.pending_count,
            "modification en attente d'envoi",
            "modifications en attente d'envoi",
        )
        if status.pending_count
        else "Aucune modification en attente d'envoi : tout est à jour sur la plateforme.",
    ]
    if status.open_conflicts:
        lines.append(format_count(status.open_conflicts, "conflit à régler", "conflits à régler"))
    if status.rejected_count:
        lines.append(
            format_count(
                status.rejected_count,
                "modification refusée par la plateforme",
                "modifications refusées par la plateforme",
            )
        )
    if status.set_aside_count:
        lines.append(
            format_count(
                status.set_aside_count,
                "fiche reçue mise de côté (voir plus bas)",
                "fiches reçues mises de côté (voir plus bas)",
            )
        )
    return lines


class SyncPage(QWidget):
    def __init__(self, context: AppContext, controller: SyncController) -> None:
        super().__init__()
        self.context = context
        self.controller = controller
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Synchronisation avec la plateforme Bip Pop</h2>"))
        self.summary = QLabel("Lecture de l'état de la synchronisation…")
        self.summary.setObjectName("sync_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        layout.addWidget(self.warning)
        self.result = QLabel()
        self.result.setWordWrap(True)
        layout.addWidget(self.result)

        buttons = QHBoxLayout()
        self.sync_button = QPushButton("&Synchroniser maintenant   (F5)")
        self.sync_button.setObjectName("sync_now")
        self.sync_button.clicked.connect(controller.sync_now)
        self.enroll_button = QPushButton("&Inscrire ce poste…")
        self.enroll_button.setObjectName("sync_enroll")
        self.enroll_button.clicked.connect(self.open_enrollment)
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.enroll_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("F5"), self, controller.sync_now)

        layout.addWidget(self._build_conflicts(), 2)
        layout.addWidget(self._build_rejected(), 1)
        layout.addWidget(self._build_set_aside(), 1)

        controller.status_changed.connect(self.show_status)
        controller.sync_started.connect(self._started)
        controller.sync_finished.connect(self._finished)
        context.data_changed.connect(self._data_changed)
        if controller.status is not None:
            self.show_status(controller.status)
        self.reload()

    # -- building -------------------------------------------------------------------------
    def _build_conflicts(self) -> QGroupBox:
        box = QGroupBox("Conflits à régler")
        column = QVBoxLayout(box)
        column.addWidget(
            QLabel(
                "Une même information a été modifiée ici et sur un autre poste (ou en ligne). "
                "Rien n'a été écrasé : choisissez la bonne valeur."
            )
        )
        self.conflicts = ItemList()
        self.conflicts.setObjectName("sync_conflicts")
        column.addWidget(self.conflicts, 1)
        row = QHBoxLayout()
        self.keep_mine = QPushButton("Garder &ma version")
        self.keep_theirs = QPushButton("Garder la version de la &plateforme")
        self.edit_value = QPushButton("Saisir la &bonne valeur…")
        self.keep_mine.clicked.connect(lambda: self.resolve("mine"))
        self.keep_theirs.clicked.connect(lambda: self.resolve("theirs"))
        self.edit_value.clicked.connect(lambda: self.resolve("edit"))
        for button in (self.keep_mine, self.keep_theirs, self.edit_value):
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        self.conflict_message = QLabel()
        self.conflict_message.setWordWrap(True)
        column.addWidget(self.conflict_message)
        return box

    def _build_rejected(self) -> QGroupBox:
        box = QGroupBox("Modifications refusées par la plateforme")
        column = QVBoxLayout(box)
        self.rejected = ItemList()
        self.rejected.setObjectName("sync_rejected")
        column.addWidget(self.rejected, 1)
        row = QHBoxLayout()
        self.retry_button = QPushButton("&Renvoyer")
        self.discard_button = QPushButton("&Abandonner cette modification")
        self.retry_button.clicked.connect(lambda: self._rejected_action("retry"))
        self.discard_button.clicked.connect(lambda: self._rejected_action("discard"))
        row.addWidget(self.retry_button)
        row.addWidget(self.discard_button)
        row.addStretch(1)
        column.addLayout(row)
        return box

    def _build_set_aside(self) -> QGroupBox:
        # Shown only when there is something to show: records the platform sent that
        # this desk could not store (the sync went on without them).
        self.set_aside_box = QGroupBox("Fiches reçues mises de côté")
        column = QVBoxLayout(self.set_aside_box)
        explained = QLabel(
            "Ces fiches envoyées par la plateforme n'ont pas pu être enregistrées sur ce "
            "poste ; la synchronisation a continué sans elles. Signalez-les à "
            "l'administrateur de la plateforme : elles arriveront dès qu'elles seront "
            "corrigées."
        )
        explained.setWordWrap(True)
        column.addWidget(explained)
        self.set_aside = ItemList()
        self.set_aside.setObjectName("sync_set_aside")
        column.addWidget(self.set_aside, 1)
        self.set_aside_box.hide()
        return self.set_aside_box

    # -- status ---------------------------------------------------------------------------
    def show_status(self, status: SyncStatus) -> None:
        self.summary.setText("\n".join(status_lines(status)))
        self.enroll_button.setText(
            "Inscrire de &nouveau ce poste…" if status.enrolled else "&Inscrire ce poste…"
        )
        self.sync_button.setEnabled(status.enrolled and not self.controller.running)
        self.enroll_button.setEnabled(not status.demo)
        warnings = [skew_warning(status.clock_offset_s)]
        if status.restore_notice:  # the platform came back from a backup (sync/restore.py)
            warnings.append(status.restore_notice)
        if status.last_error:
            warnings.append(f"Dernier problème : {status.last_error}")
        text = "\n".join(w for w in warnings if w)
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def _started(self) -> None:
        self.sync_button.setEnabled(False)
        self.result.setText("Synchronisation en cours…")

    def _finished(self, report: SyncReport | None) -> None:
        self.sync_button.setEnabled(True)
        if report is None:
            self.result.setText("La synchronisation n'a pas pu se faire ; elle sera retentée.")
            return
        if report.error:
            self.result.setText(report.error)
            return
        sent = format_count(report.pushed, "modification envoyée", "modifications envoyées")
        received = format_count(report.pulled, "reçue", "reçues")
        lines = [f"Synchronisé : {sent}, {received}.", *report.warnings]
        self.result.setText("\n".join(lines))
        self.reload()

    def _data_changed(self, entities: frozenset[str]) -> None:
        if "sync" in entities or "sync_conflict" in entities:
            self.reload()

    # -- lists ------------------------------------------------------------------------------
    def reload(self) -> None:
        if not self.context.ready:
            self.context.registry_ready.connect(self.reload)
            return
        from bippop_desk.sync.engine import list_conflicts, list_rejected, list_set_aside

        self.context.read(list_conflicts, self._show_conflicts, self._list_failed)
        self.context.read(list_rejected, self._show_rejected, self._list_failed)
        self.context.read(list_set_aside, self._show_set_aside, self._list_failed)

    def _show_conflicts(self, conflicts: list[Any]) -> None:
        self.conflicts.set_items(
            [
                ListItem(
                    str(c.id),
                    f"{c.record_label} — {c.field_label}",
                    f"Ici : {c.local_value or '(vide)'}   ·   "
                    f"Plateforme : {c.server_value or '(vide)'}",
                    c,
                )
                for c in conflicts
            ]
        )
        for button in (self.keep_mine, self.keep_theirs, self.edit_value):
            button.setEnabled(bool(conflicts))

    def _show_rejected(self, rejected: list[Any]) -> None:
        self.rejected.set_items([ListItem(str(r.id), r.label, r.reason, r) for r in rejected])
        self.retry_button.setEnabled(bool(rejected))
        self.discard_button.setEnabled(bool(rejected))

    def _show_set_aside(self, records: list[Any]) -> None:
        from bippop_desk.registry.services.journal import ENTITY_LABELS

        self.set_aside.set_items(
            [
                ListItem(
                    str(r.id),
                    f"{ENTITY_LABELS.get(r.entity, r.entity)} {r.record_id[:8]}… "
                    f"(version {r.version}, reçue le {when(r.at)})",
                    r.reason,
                    r,
                )
                for r in records
            ]
        )
        self.set_aside_box.setVisible(bool(records))

    def _list_failed(self, error: BaseException) -> None:
        self.conflict_message.setStyleSheet(ERROR_STYLE)
        self.conflict_message.setText(error_text(error))

    # -- actions (DB worker) ------------------------------------------------------------------
    def resolve(self, choice: str) -> None:
        item = self.conflicts.current_item()
        if item is None:
            return
        value: str | None = None
        if choice == "edit":
            conflict = item.payload
            text, ok = QInputDialog.getText(
                self, "Bonne valeur", f"{conflict.field_label} :", text=str(conflict.local_value)
            )
            if not ok:
                return
            value = text
        from bippop_desk.sync.engine import resolve_conflict

        conflict_id = item.id
        self.context.mutate(
            lambda r: resolve_conflict(r, conflict_id, choice, value),
            {"sync_conflict", item.payload.entity},
            lambda _r: self._resolved(
                "Conflit réglé ; la valeur choisie part à la prochaine synchronisation."
            ),
            self._resolve_failed,
        )

    def _resolved(self, message: str) -> None:
        self.conflict_message.setStyleSheet("")
        self.conflict_message.setText(message)
        self.reload()
        self.controller.refresh_status()

    def _resolve_failed(self, error: BaseException) -> None:
        self.conflict_message.setStyleSheet(ERROR_STYLE)
        self.conflict_message.setText(error_text(error))

    def _rejected_action(self, action: str) -> None:
        item = self.rejected.current_item()
        if item is None:
            return
        from bippop_desk.sync.engine import discard_rejected, retry_rejected

        outbox_id = item.payload.id
        work = retry_rejected if action == "retry" else discard_rejected
        self.context.mutate(
            lambda r: work(r, outbox_id),
            {"outbox"},
            lambda _r: self._resolved(""),
            self._resolve_failed,
        )

    def open_enrollment(self) -> None:
        from bippop_desk.ui.pages.enroll_dialog import EnrollDialog

        EnrollDialog(self.context, self.controller, self).exec()
