"""Small form helpers: French error labels under fields, date fields typed as text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateEdit, QLabel, QLineEdit, QPushButton, QWidget

from bippop_desk.registry.frdates import parse_date, short_date

ERROR_STYLE = "color: #b00020; font-weight: 600;"


class ErrorLabel(QLabel):
    """A red message shown under its field; hidden when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))


class EnterButton(QPushButton):
    """A button that Entrée presses too, as Espace does (outside a dialog, Qt's buttons
    answer Espace only): for the one action a page puts the focus on."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.animateClick()
            return
        super().keyPressEvent(event)


class FieldErrors:
    """Maps field names to their widget and error label; shows a ValidationError."""

    def __init__(self) -> None:
        self._fields: dict[str, tuple[QWidget, ErrorLabel]] = {}

    def add(self, name: str, widget: QWidget, label: ErrorLabel) -> None:
        self._fields[name] = (widget, label)
        widget.setAccessibleDescription("")

    def clear(self) -> None:
        for widget, label in self._fields.values():
            label.show_message("")
            widget.setAccessibleDescription("")

    def show(self, errors: Mapping[str, str]) -> list[str]:
        """Show each message at its field, focus the first one; returns the messages
        that belong to no field (for a general banner)."""
        self.clear()
        unplaced: list[str] = []
        first: QWidget | None = None
        for name, message in errors.items():
            entry = self._fields.get(name)
            if entry is None:
                unplaced.append(message)
                continue
            widget, label = entry
            label.show_message(message)
            widget.setAccessibleDescription(message)  # read by screen readers
            if first is None and widget.isVisible():
                first = widget
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return unplaced


def read_optional_date(field: QLineEdit, lenient: bool = False) -> dt.date | None:
    """The date typed in a "JJ/MM/AAAA" field, None when empty; ValueError (French) if
    unreadable, or None when `lenient`."""
    text = field.text().strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        if lenient:
            return None
        raise


def write_optional_date(field: QLineEdit, value: dt.date | None) -> None:
    field.setText(short_date(value) if value else "")


def date_field(placeholder: str = "JJ/MM/AAAA") -> QLineEdit:
    field = QLineEdit()
    field.setPlaceholderText(placeholder)
    field.setMaxLength(10)
    return field


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def from_qtime(value: QTime) -> dt.time:
    return dt.time(value.hour(), value.minute())


def french_date_edit(value: dt.date, minimum: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit(to_qdate(value))
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    if minimum is not None:
        edit.setMinimumDate(to_qdate(minimum))
    return edit
