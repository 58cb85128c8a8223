"""A small read-only table model over rows already read on the worker (the register,
a call list: at most a commune's register, ~10,000 rows of short text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

Index = QModelIndex | QPersistentModelIndex
WARN = QBrush(QColor("#FCE8C8"))


class RowsModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str]) -> None:
        super().__init__()
        self._headers = list(headers)
        self._rows: list[tuple[str, ...]] = []
        self._ids: list[str] = []
        self._warn: set[int] = set()
        self.payloads: list[Any] = []

    def set_rows(
        self,
        ids: list[str],
        rows: list[tuple[str, ...]],
        payloads: list[Any] | None = None,
        warn: set[int] | None = None,
    ) -> None:
        self.beginResetModel()
        self._ids, self._rows = ids, rows
        self.payloads = payloads or []
        self._warn = warn or set()
        self.endResetModel()

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: str) -> int:
        return self._ids.index(record_id) if record_id in self._ids else -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and index.row() in self._warn:
            return WARN
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None
