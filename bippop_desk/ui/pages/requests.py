"""The requests list, filterable by status, type and date, and a request's detail."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.models.missions import REQUEST_STATUSES
from bippop_desk.registry.services.catalogue import MissionTypeView, list_mission_types
from bippop_desk.registry.services.requests import (
    REQUEST_COLUMNS,
    RequestDetail,
    RequestFilter,
    cancel_request,
    request_detail,
    request_ids,
    request_rows,
)
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import french_date_edit, from_qdate
from bippop_desk.ui.lazy_model import LazyTableModel
from bippop_desk.ui.pages.people import format_count
from bippop_desk.ui.table_page import RecordTable


class RequestsPage(QWidget):
    open_request = Signal(str)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self._seq = 0
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Demandes</h2>"))
        bar = QHBoxLayout()
        self.status = QComboBox()
        self.status.setObjectName("requests_status")
        self.status.addItem("Tous les statuts", "")
        for code, label in REQUEST_STATUSES.items():
            self.status.addItem(label, code)
        status_label = QLabel("&Statut :")
        status_label.setBuddy(self.status)
        self.mission_type = QComboBox()
        self.mission_type.setObjectName("requests_type")
        self.mission_type.addItem("Tous les types", "")
        type_label = QLabel("&Type :")
        type_label.setBuddy(self.mission_type)
        self.use_dates = QCheckBox("Reçues &du")
        self.date_from = french_date_edit(local_today() - dt.timedelta(days=30))
        self.date_to = french_date_edit(local_today())
        self.urgent = QCheckBox("&Urgentes seulement")
        self.count_label = QLabel()
        for widget in (
            status_label,
            self.status,
            type_label,
            self.mission_type,
            self.use_dates,
            self.date_from,
            QLabel("au"),
            self.date_to,
            self.urgent,
        ):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)

        self.model = LazyTableModel(context, REQUEST_COLUMNS, request_rows)
        self.table = RecordTable(self.model)
        self.table.setObjectName("requests_table")
        self.table.set_column_widths([16, 22, 26, 24, 14, 9])
        self.table.open_record.connect(self.open_request)
        layout.addWidget(self.table, 1)

        for combo in (self.status, self.mission_type):
            combo.currentIndexChanged.connect(self.reload)
        for box in (self.use_dates, self.urgent):
            box.toggled.connect(self.reload)
        self.date_from.dateChanged.connect(self.reload)
        self.date_to.dateChanged.connect(self.reload)
        context.registry_ready.connect(self._first_load)
        context.data_changed.connect(self._data_changed)
        if context.ready:
            self._first_load()

    def _first_load(self) -> None:
        self.context.read(list_mission_types, self._fill_types)
        self.reload()

    def _fill_types(self, types: list[MissionTypeView]) -> None:
        current = self.mission_type.currentData()
        self.mission_type.blockSignals(True)
        self.mission_type.clear()
        self.mission_type.addItem("Tous les types", "")
        for mission_type in types:
            self.mission_type.addItem(mission_type.label, mission_type.id)
        self.mission_type.setCurrentIndex(max(0, self.mission_type.findData(current)))
        self.mission_type.blockSignals(False)

    def current_filter(self) -> RequestFilter:
        dates = self.use_dates.isChecked()
        return RequestFilter(
            status=str(self.status.currentData() or "") or None,
            mission_type_id=str(self.mission_type.currentData() or "") or None,
            received_from=from_qdate(self.date_from.date()) if dates else None,
            received_to=from_qdate(self.date_to.date()) if dates else None,
            urgent_only=self.urgent.isChecked(),
        )

    def reload(self) -> None:
        filters = self.current_filter()
        self._seq += 1
        seq = self._seq
        self.context.read(
            lambda registry: request_ids(registry, filters), lambda ids: self._show(seq, ids)
        )

    def _show(self, seq: int, ids: list[str]) -> None:
        if seq != self._seq:
            return
        self.model.set_ids(ids)
        self.count_label.setText(format_count(len(ids), "demande", "demandes"))

    def _data_changed(self, entities: frozenset[str]) -> None:
        if "mission_type" in entities:
            self.context.read(list_mission_types, self._fill_types)
        if entities & {"request", "beneficiary", "mission"}:
            self.model.refresh_rows()
            self.reload()

    def show_status(self, status: str) -> None:
        self.status.setCurrentIndex(max(0, self.status.findData(status)))


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
