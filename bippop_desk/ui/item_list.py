"""A read-only list of (id, text) items that opens the current one on Entrée or a
double-click (the list-view cousin of table_page.RecordTable)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from bippop_desk.ui.list_model import ItemListModel, ListItem


class ItemList(QListView):
    """A read-only list; Entrée or a double-click opens the current item."""

    open_item = Signal(object)  # the ListItem

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items = ItemListModel()
        self.setModel(self.items)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.setSpacing(3)
        self.doubleClicked.connect(self._open_index)

    def set_items(self, items: list[ListItem]) -> None:
        row = max(self.currentIndex().row(), 0)
        self.items.set_items(items)
        if items:
            self.setCurrentIndex(self.items.index(min(row, len(items) - 1)))

    def current_item(self) -> ListItem | None:
        index = self.currentIndex()
        return self.items.item(index.row()) if index.isValid() else None

    def _open_index(self, index: QModelIndex) -> None:
        item = self.items.item(index.row())
        if item is not None:
            self.open_item.emit(item)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open_index(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)
