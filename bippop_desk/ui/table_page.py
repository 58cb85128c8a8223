"""Shared shape of list pages: a filter bar, a lazy table, a count, open on Entrée."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from bippop_desk.ui.lazy_model import LazyTableModel


class RecordTable(QTableView):
    """A read-only table of records; Entrée or double-click opens the current record."""

    open_record = Signal(str)

    def __init__(self, model: LazyTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.lazy_model = model
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        # Fixed row heights: the view never measures 100,000 rows.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.doubleClicked.connect(self._open_index)

    def _open_index(self, index: QModelIndex) -> None:
        record_id = self.lazy_model.id_at(index.row())
        if record_id:
            self.open_record.emit(record_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open_index(self.currentIndex())
            return
        super().keyPressEvent(event)

    def current_id(self) -> str | None:
        index = self.currentIndex()
        return self.lazy_model.id_at(index.row()) if index.isValid() else None

    def set_column_widths(self, widths: list[int]) -> None:
        # Digits and capitals are wider than the average letter: measure with "n".
        unit = self.fontMetrics().horizontalAdvance("n")
        for column, chars in enumerate(widths):
            self.setColumnWidth(column, chars * unit + 12)
