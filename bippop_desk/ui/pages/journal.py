"""Le journal: every change, sign-in, refusal, export and view of the register, who
and when (administrators only); filters by kind of record, user, person, record, dates."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.services.journal import (
    ENTITY_LABELS,
    JOURNAL_COLUMNS,
    JournalFilter,
    journal_ids,
    journal_rows,
)
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE, french_date_edit, from_qdate
from bippop_desk.ui.lazy_model import LazyTableModel
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.pages.people import format_count
from bippop_desk.ui.table_page import RecordTable


class JournalPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self._seq = 0
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Journal des modifications</h2>"))
        bar = QHBoxLayout()
        self.entity = QComboBox()
        self.entity.addItem("Toutes les fiches", "")
        for code, label in ENTITY_LABELS.items():
            self.entity.addItem(label, code)
        entity_label = QLabel("&Fiches :")
        entity_label.setBuddy(self.entity)
        self.use_dates = QCheckBox("&Du")
        self.day_from = french_date_edit(local_today() - dt.timedelta(days=30))
        self.day_to = french_date_edit(local_today())
        self.count_label = QLabel()
        # Who, which person, which record: typed filters, applied after a short pause.
        self.user = QLineEdit()
        self.user.setPlaceholderText("Qui (nom)")
        self.person = QLineEdit()
        self.person.setPlaceholderText("Personne concernée (nom)")
        self.record = QLineEdit()
        self.record.setPlaceholderText("N° de fiche")
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(300)
        self._typing.timeout.connect(self.reload)
        for edit in (self.user, self.person, self.record):
            edit.textChanged.connect(lambda _t: self._typing.start())
        for widget in (
            entity_label,
            self.entity,
            self.use_dates,
            self.day_from,
            QLabel("au"),
            self.day_to,
        ):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)
        who = QHBoxLayout()
        for text, edit in (
            ("&Qui :", self.user),
            ("&Personne :", self.person),
            ("N° de f&iche :", self.record),
        ):
            title = QLabel(text)
            title.setBuddy(edit)
            who.addWidget(title)
            who.addWidget(edit, 1)
        layout.addLayout(who)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.model = LazyTableModel(context, JOURNAL_COLUMNS, journal_rows)
        self.table = RecordTable(self.model)
        self.table.setObjectName("journal_table")
        self.table.set_column_widths([16, 20, 18, 14])
        layout.addWidget(self.table, 1)
        self.entity.currentIndexChanged.connect(self.reload)
        self.use_dates.toggled.connect(self.reload)
        self.day_from.dateChanged.connect(self.reload)
        self.day_to.dateChanged.connect(self.reload)
        context.registry_ready.connect(self.reload)
        context.actor_changed.connect(self.reload)
        context.data_changed.connect(lambda _e: self.reload())
        if context.ready:
            self.reload()

    def reload(self) -> None:
        dates = self.use_dates.isChecked()
        filters = JournalFilter(
            entity=str(self.entity.currentData() or "") or None,
            day_from=from_qdate(self.day_from.date()) if dates else None,
            day_to=from_qdate(self.day_to.date()) if dates else None,
            user=self.user.text(),
            person=self.person.text(),
            record_id=self.record.text(),
        )
        self._seq += 1
        seq = self._seq
        self.context.read(
            lambda r: journal_ids(r, filters), lambda ids: self._show(seq, ids), self._refused
        )

    def _show(self, seq: int, ids: list[str]) -> None:
        if seq != self._seq:
            return
        self.message.clear()
        self.model.set_ids(ids)
        self.count_label.setText(format_count(len(ids), "événement", "événements"))

    def _refused(self, error: BaseException) -> None:
        self.model.set_ids([])
        self.count_label.clear()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(error_text(error))
