"""A small list model of (id, text) items, for search results and duplicate warnings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class ListItem:
    id: str
    text: str
    detail: str = ""
    payload: Any = None


class ItemListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[ListItem] = []

    def set_items(self, items: list[ListItem]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{item.text}\n{item.detail}" if item.detail else item.text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.text}. {item.detail}"
        if role == ID_ROLE:
            return item.id
        return None

    def item(self, row: int) -> ListItem | None:
        return self.items[row] if 0 <= row < len(self.items) else None
