"""The requests list, filterable by status, type and date, with the match rate and the
time to match over the period."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models.missions import REQUEST_STATUSES
from bippop_desk.registry.services.catalogue import MissionTypeView, list_mission_types
from bippop_desk.registry.services.followups import MatchStats, match_stats
from bippop_desk.registry.services.requests import (
    REQUEST_COLUMNS,
    RequestFilter,
    request_ids,
    request_rows,
)
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import french_date_edit, from_qdate
from bippop_desk.ui.lazy_model import LazyTableModel
from bippop_desk.ui.pages.people import format_count
from bippop_desk.ui.table_page import RecordTable

DEFAULT_STATS_DAYS = 90  # the period of the match rate when no date filter is set


def french_decimal(value: float) -> str:
    """2.5 → "2,5"."""
    return f"{value:.1f}".replace(".", ",")


def match_stats_text(stats: MatchStats, period: str) -> str:
    """ "Sur la période : 42 demandes, 35 confiées (83 %), délai médian 2,5 jours, 4 en
    attente"."""
    if not stats.received:
        return f"{period} : aucune demande reçue."
    parts = [format_count(stats.received, "demande", "demandes")]
    rate = stats.match_rate
    matched = f"{stats.matched} confiée" + ("s" if stats.matched > 1 else "")
    parts.append(f"{matched} ({round(rate * 100)}\u202f%)" if rate is not None else matched)
    median = stats.median_days_to_match
    if median is not None:
        parts.append(f"délai médian {french_decimal(median)} jour{'s' if median >= 2 else ''}")
    parts.append(f"{stats.waiting} en attente")
    if stats.cancelled_unmatched:
        count = stats.cancelled_unmatched
        plural = "s" if count > 1 else ""
        parts.append(f"{count} annulée{plural} avant d'être confiée{plural}")
    return f"{period} : " + ", ".join(parts) + "."


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
        # Two rows, so the page still fits the screen with large text.
        for widget in (status_label, self.status, type_label, self.mission_type):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)
        dates = QHBoxLayout()
        for date_widget in (
            self.use_dates,
            self.date_from,
            QLabel("au"),
            self.date_to,
            self.urgent,
        ):
            dates.addWidget(date_widget)
        dates.addStretch(1)
        layout.addLayout(dates)

        self.model = LazyTableModel(context, REQUEST_COLUMNS, request_rows)
        self.table = RecordTable(self.model)
        self.table.setObjectName("requests_table")
        self.table.set_column_widths([16, 22, 26, 24, 14, 9])
        self.table.open_record.connect(self.open_request)
        layout.addWidget(self.table, 1)
        self.stats_label = QLabel()
        self.stats_label.setObjectName("requests_stats")
        self.stats_label.setWordWrap(True)
        self.stats_label.setToolTip(
            "Demandes reçues sur la période, tous statuts et types confondus ; le taux ne "
            "compte pas les demandes annulées avant d'avoir trouvé un bénévole ; le délai "
            "va de la réception au premier bénévole trouvé."
        )
        layout.addWidget(self.stats_label)

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
        self._load_stats(seq)

    def stats_period(self) -> tuple[dt.date, dt.date, str]:
        """The date filter's days when set, else the last 90 days (today included)."""
        if self.use_dates.isChecked():
            start, end = from_qdate(self.date_from.date()), from_qdate(self.date_to.date())
            return start, end, f"Du {short_date(start)} au {short_date(end)}"
        today = local_today()
        start = today - dt.timedelta(days=DEFAULT_STATS_DAYS - 1)
        return start, today, f"Sur les {DEFAULT_STATS_DAYS} derniers jours"

    def _load_stats(self, seq: int) -> None:
        start, end, period = self.stats_period()
        self.context.read(
            lambda registry: match_stats(registry, start, end),
            lambda stats: self._show_stats(seq, stats, period),
        )

    def _show_stats(self, seq: int, stats: MatchStats, period: str) -> None:
        if seq == self._seq:
            self.stats_label.setText(match_stats_text(stats, period))

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
