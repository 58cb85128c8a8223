"""The register page (registre canicule / grand froid): who is in it, acknowledgements
due within 8 days (late ones highlighted), registration, letter, removal.

Only staff named for the register see it: the service refuses the others and the page
shows that French refusal instead of the list.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.services.register import CATEGORIES, REQUESTED_BY, RegisterRow
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.pages.register_rows import RowsModel

COLUMNS = ("Nom", "Catégorie", "Demandée par", "Demande du", "Accusé de réception", "Téléphone")


def table_view(model: RowsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setTabKeyNavigation(False)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    return view


class RegisterPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.rows: list[RegisterRow] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Registre des personnes vulnérables</h2>"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = RowsModel(COLUMNS)
        self.table = table_view(self.model)
        self.table.setObjectName("register_table")
        self.table.doubleClicked.connect(lambda _i: self.edit())
        layout.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.add_button = QPushButton("&Inscrire une personne…")
        self.edit_button = QPushButton("&Modifier…")
        self.letter_button = QPushButton("&Accusé de réception…")
        self.remove_button = QPushButton("&Radier…")
        for button, slot in (
            (self.add_button, self.add),
            (self.edit_button, self.edit),
            (self.letter_button, self.letter),
            (self.remove_button, self.remove),
        ):
            button.clicked.connect(slot)
            bar.addWidget(button)
        bar.addStretch(1)
        layout.addLayout(bar)
        # Each reading of the register is journaled: read it only when it is on screen.
        context.registry_ready.connect(self._changed_all)
        context.actor_changed.connect(self._changed_all)
        context.data_changed.connect(self._changed)

    def _changed_all(self) -> None:
        if self.isVisible():
            self.reload()

    def _changed(self, entities: frozenset[str]) -> None:
        if entities & {"register_entry", "beneficiary"} and self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        from bippop_desk.registry.services.register import register_list

        if not self.isVisible() or not self.context.ready or not self.context.actor.username:
            return
        self.context.read(register_list, self._show, self._refused)

    def _show(self, rows: list[RegisterRow]) -> None:
        self.rows = rows
        self.summary.setStyleSheet("")
        late = [i for i, r in enumerate(rows) if r.ack_overdue]
        self.model.set_rows(
            [r.entry_id for r in rows],
            [
                (
                    r.name,
                    CATEGORIES.get(r.category, r.category),
                    REQUESTED_BY.get(r.requested_by, r.requested_by),
                    short_date(r.request_date),
                    f"envoyé le {short_date(r.ack_sent_on)}"
                    if r.ack_sent_on
                    else f"à envoyer avant le {short_date(r.ack_due)}"
                    + (" — EN RETARD" if r.ack_overdue else ""),
                    r.phone,
                )
                for r in rows
            ],
            warn=set(late),
        )
        self.table.resizeColumnsToContents()
        text = f"{len(rows)} personne(s) inscrite(s)."
        if late:
            text += f" {len(late)} accusé(s) de réception en retard (surlignés)."
        self.summary.setText(text)
        for button in (self.add_button, self.edit_button, self.letter_button, self.remove_button):
            button.setEnabled(True)

    def _refused(self, error: BaseException) -> None:
        self.rows = []
        self.model.set_rows([], [])
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setText(error_text(error))
        for button in (self.add_button, self.edit_button, self.letter_button, self.remove_button):
            button.setEnabled(False)

    def current(self) -> RegisterRow | None:
        index = self.table.currentIndex()
        return self.rows[index.row()] if index.isValid() and index.row() < len(self.rows) else None

    def select(self, entry_id: str) -> None:
        row = self.model.row_of(entry_id)
        if row >= 0:
            self.table.selectRow(row)

    # -- actions ---------------------------------------------------------------------
    def add(self) -> None:
        from bippop_desk.ui.pages.register_dialog import RegisterDialog

        dialog = RegisterDialog(self.context, self)
        dialog.exec()

    def edit(self) -> None:
        from bippop_desk.registry.services.register import entry_detail, input_from
        from bippop_desk.ui.pages.register_dialog import RegisterDialog

        row = self.current()
        if row is None:
            return

        def opened(detail: object) -> None:
            from bippop_desk.registry.services.register import EntryDetail

            assert isinstance(detail, EntryDetail)
            RegisterDialog(
                self.context,
                self,
                entry_id=row.entry_id,
                data=input_from(detail.entry),
                person_label=detail.person.full_name,
            ).exec()

        self.context.read(lambda r: entry_detail(r, row.entry_id), opened, self._warn)

    def letter(self) -> None:
        """Write the acknowledgement letter, then record it as sent (on confirmation)."""
        from bippop_desk.registry.services.register import entry_detail, mark_acknowledged
        from bippop_desk.reports.register_letter import write_letter

        row = self.current()
        if row is None:
            return
        default = Path.home() / f"accuse-reception-{row.name.replace(' ', '-').lower()}.pdf"
        path, _ = QFileDialog.getSaveFileName(
            self, "Accusé de réception", str(default), "PDF (*.pdf)"
        )
        if not path:
            return

        def write(registry: object) -> Path:
            from bippop_desk.registry.store import Registry

            assert isinstance(registry, Registry)
            return write_letter(
                entry_detail(registry, row.entry_id), registry.commune(), Path(path)
            )

        def written(target: Path) -> None:
            answer = QMessageBox.question(
                self,
                "Accusé de réception",
                f"Lettre enregistrée : {target}\n\nLa noter comme envoyée aujourd'hui ?",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.context.mutate(
                    lambda r: mark_acknowledged(r, row.entry_id),
                    {"register_entry"},
                    None,
                    self._warn,
                )

        self.context.read(write, written, self._warn, progress="Lettre en cours…")

    def remove(self) -> None:
        from bippop_desk.registry.services.register import remove_entry

        row = self.current()
        if row is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            "Radiation du registre",
            f"Radier {row.name} du registre aujourd'hui ?\nMotif (à sa demande, décès, "
            "déménagement…) :",
            text="à sa demande",
        )
        if ok:
            self.context.mutate(
                lambda r: remove_entry(r, row.entry_id, reason=reason),
                {"register_entry"},
                None,
                self._warn,
            )

    def _warn(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Registre", error_text(error))

    def focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
