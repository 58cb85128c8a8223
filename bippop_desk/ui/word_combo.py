"""A list to choose from by typing the beginning of any word of its labels, accents and
case folded as the people search folds them: "cour" offers "Accompagnement courses" and
"Livraison de courses", "tele" finds "Aide téléphonique". ↓ and Entrée choose among
them; Entrée or leaving the field takes the first one shown; what matches nothing goes
back to the item chosen before. Whatever is typed, the value is always one of the items.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from bippop_desk.registry.textkeys import fold

# What the completer matches: " " + the folded label, so " cour" (a word's beginning)
# is found in " accompagnement courses" and "our" (a word's middle) is not.
WORDS_ROLE = Qt.ItemDataRole.UserRole + 7


def _words(label: str) -> str:
    return " " + fold(label)


class _WordCompleter(QCompleter):
    def splitPath(self, path: str) -> list[str]:
        return [_words(path)]


class WordCombo(QComboBox):
    """A QComboBox whose items are found by any word (see the module)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = _WordCompleter(self.model(), self)
        completer.setCompletionRole(WORDS_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.model().rowsInserted.connect(self._index_words)
        line_edit = self.lineEdit()
        assert line_edit is not None
        line_edit.editingFinished.connect(self.settle)

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Typing replaces the item shown (however the focus came: Tab, or the page)."""
        super().focusInEvent(event)
        line_edit = self.lineEdit()
        if line_edit is not None:
            line_edit.selectAll()
            QTimer.singleShot(0, line_edit.selectAll)  # after a click placed the cursor

    def _index_words(
        self, _parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        for row in range(first, last + 1):
            self.setItemData(row, _words(self.itemText(row)), WORDS_ROLE)

    def matching_rows(self, typed: str) -> list[int]:
        wanted = _words(typed)
        return [row for row in range(self.count()) if wanted in _words(self.itemText(row))]

    def settle(self) -> None:
        """The typed text becomes an item: the current one if it still reads so, else
        the first that matches, else the one chosen before."""
        typed = self.currentText()
        row = self.currentIndex()
        if typed != self.itemText(row):
            matches = self.matching_rows(typed) if typed.strip() else []
            row = matches[0] if matches else row
        self.setCurrentIndex(row)
        self.setEditText(self.itemText(row))
