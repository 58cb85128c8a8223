"""A request's detail, the volunteers suggested for it, and the assignment."""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.services.requests import RequestDetail, cancel_request, request_detail
from bippop_desk.ui.context import AppContext


class RequestDialog(QDialog):
    """A request's detail; actions depend on its status."""

    def __init__(self, context: AppContext, request_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.request_id = request_id
        self.detail: RequestDetail | None = None
        self.setWindowTitle("Demande")
        self.resize(640, 480)
        self.column = QVBoxLayout(self)
        self.text = QLabel("Chargement…")
        self.text.setObjectName("request_text")
        self.text.setWordWrap(True)
        self.column.addWidget(self.text, 1)
        self.action_row = QHBoxLayout()
        self.cancel_button = QPushButton("&Annuler la demande…")
        self.cancel_button.clicked.connect(self._cancel)
        close = QPushButton("&Fermer")
        close.clicked.connect(self.accept)
        self.action_row.addWidget(self.cancel_button)
        self.action_row.addStretch(1)
        self.action_row.addWidget(close)
        self.column.addLayout(self.action_row)
        context.data_changed.connect(
            lambda entities: self.load() if "request" in entities else None
        )
        self.load()

    def load(self) -> None:
        request_id = self.request_id
        self.context.read(
            lambda r: request_detail(r, request_id),
            self._loaded,
            lambda error: self.text.setText(html.escape(str(error))),
        )

    def _loaded(self, detail: RequestDetail) -> None:
        self.detail = detail
        esc = html.escape
        rows = [
            ("Personne", detail.beneficiary_name),
            ("Type d'aide", detail.mission_type_label),
            ("Statut", detail.status_label),
            ("Souhaitée", detail.wished),
            ("Rythme", detail.recurrence_label),
            ("Urgence", "urgente" if detail.urgent else "normale"),
            ("Reçue", f"{detail.received} par {detail.received_by} ({detail.channel_label})"),
            ("Appelant", detail.caller_name),
            ("Notes", detail.notes),
            ("Motif d'annulation", detail.cancel_reason),
        ]
        self.text.setText(
            f"<h2>{esc(detail.mission_type_label)} — {esc(detail.beneficiary_name)}</h2>"
            + "<br>".join(f"<b>{label} :</b> {esc(value)}" for label, value in rows if value)
        )
        self.cancel_button.setEnabled(detail.status not in ("realisee", "annulee"))

    def _cancel_failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Annulation impossible", str(error))

    def _cancel(self) -> None:
        reason, ok = QInputDialog.getText(self, "Annuler la demande", "Motif de l'annulation :")
        if not ok:
            return
        request_id = self.request_id
        self.context.mutate(
            lambda r: cancel_request(r, request_id, reason),
            {"request"},
            on_error=self._cancel_failed,
        )
