"""The shape every small form dialog shares: fields with their French error message
underneath, a banner for messages that belong to no field, Enregistrer / Annuler, and
the save sent to the DB worker."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.errors import ValidationError
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ErrorLabel, FieldErrors
from bippop_desk.ui.messages import error_text

if TYPE_CHECKING:  # SQLAlchemy is imported off the GUI thread, after the first paint
    from bippop_desk.registry.store import Registry


def field_row(
    form: QFormLayout, errors: FieldErrors, name: str, label: str, widget: QWidget
) -> ErrorLabel:
    """Add `widget` to `form` with its error label under it; `label` may carry a
    mnemonic ("&Nom": Alt+N goes to the field)."""
    error = ErrorLabel()
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    column.addWidget(error)
    title = QLabel(label)
    title.setBuddy(widget)
    # Qt measures "T&ype" one letter short once the "&" is hidden: never clip a label.
    title.setMinimumWidth(title.fontMetrics().horizontalAdvance(label.replace("&", "")) + 4)
    form.addRow(title, holder)
    errors.add(name, widget, error)
    return error


def save_cancel_buttons(dialog: QDialog, on_save: Callable[[], None]) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Enregistrer")
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
    buttons.accepted.connect(on_save)
    buttons.rejected.connect(dialog.reject)
    return buttons


def show_error(errors: FieldErrors, banner: ErrorLabel, error: BaseException) -> None:
    """A ValidationError at its fields (the rest in the banner); anything else in the banner."""
    if isinstance(error, ValidationError):
        banner.show_message(" ".join(errors.show(error.errors)))
    else:
        banner.show_message(error_text(error))


class FormDialog(QDialog):
    """Subclasses add their fields with `row(...)` and implement `save()`, which calls
    `submit(...)`; the dialog closes on success and shows the service's messages."""

    saved = Signal(object)  # what the service returned

    def __init__(self, context: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(title)
        self.errors = FieldErrors()
        self.form = QFormLayout()
        layout = QVBoxLayout(self)
        # Grows with the French messages shown under the fields, at any text size.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(self.form)
        self.banner = ErrorLabel()
        layout.addWidget(self.banner)
        self.buttons = save_cancel_buttons(self, self.save)
        layout.addWidget(self.buttons)

    def row(self, name: str, label: str, widget: QWidget) -> ErrorLabel:
        return field_row(self.form, self.errors, name, label, widget)

    def fit(self) -> None:
        """Wide enough for the messages on one line (about 70 characters)."""
        width = max(self.sizeHint().width(), self.fontMetrics().averageCharWidth() * 70)
        self.resize(width, self.sizeHint().height())

    def save(self) -> None:
        raise NotImplementedError

    def submit(self, work: Callable[[Registry], Any], entities: Iterable[str]) -> None:
        """Run `work` on the DB worker; close on success, show the messages otherwise."""
        self.errors.clear()
        self.banner.show_message("")
        self.buttons.setEnabled(False)
        self.context.mutate(work, entities, self._saved, self._failed)

    def _saved(self, result: object) -> None:
        self.saved.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        show_error(self.errors, self.banner, error)
