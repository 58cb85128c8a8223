"""First start on an empty registry: which commune is this?"""

from __future__ import annotations

import getpass

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.services.commune import ensure_user, setup_commune
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import field_row, save_cancel_buttons
from bippop_desk.ui.forms import FieldErrors


class CommuneSetupDialog(QDialog):
    def __init__(self, context: AppContext, registry: Registry, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.registry = registry
        self.setWindowTitle("Première utilisation : votre commune")
        form = QFormLayout(self)
        form.addRow(QLabel("Ce registre est vide. Indiquez la commune qu'il sert."))
        self.errors = FieldErrors()
        self.fields: dict[str, QLineEdit] = {}
        for name, label in (
            ("insee_code", "Code &INSEE"),
            ("name", "&Nom de la commune"),
            ("departement", "&Département"),
            ("postal_code", "Code &postal"),
        ):
            edit = QLineEdit()
            field_row(form, self.errors, name, label, edit)
            self.fields[name] = edit
        form.addRow(save_cancel_buttons(self, self.save))

    def save(self) -> None:
        values = {name: edit.text() for name, edit in self.fields.items()}
        registry = self.registry

        def work() -> None:
            setup_commune(
                registry,
                values["insee_code"],
                values["name"],
                values["departement"],
                values["postal_code"],
            )
            login = getpass.getuser()
            ensure_user(registry, login, login, "administrateur")

        def failed(error: BaseException) -> None:
            if isinstance(error, ValidationError):
                self.errors.show(error.errors)

        self.context.worker.submit(work, lambda _r: self.accept(), failed)
