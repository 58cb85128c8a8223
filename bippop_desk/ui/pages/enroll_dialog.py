"""Enrolling this desk with the central platform: the server's address, the single-use
code the platform gave the mairie, and a name for this computer.

The enrollment itself runs on the sync controller's network thread; the device token it
returns goes straight to the OS keyring (never to a file). The platform's refusal (an
expired code, another commune, a demo registry) is shown in French in the banner.
"""

from __future__ import annotations

import socket
from typing import Any

from PySide6.QtWidgets import QLineEdit, QWidget

from bippop_desk.registry.errors import ValidationError
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import FormDialog, show_error
from bippop_desk.ui.sync_controller import SyncController

DEFAULT_SERVER = "https://plateforme.bip-pop.fr"


def check_enrollment_input(server_url: str, code: str, device_name: str) -> None:
    """French messages at the fields for what can be checked before asking the server."""
    errors: dict[str, str] = {}
    if not server_url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        errors["server_url"] = (
            "L'adresse de la plateforme doit commencer par « https:// » (connexion chiffrée)."
        )
    if len(code.replace("-", "").strip()) < 6:
        errors["code"] = "Saisissez le code d'inscription donné par la plateforme."
    if not device_name.strip():
        errors["device_name"] = "Donnez un nom à ce poste (par exemple « Accueil mairie »)."
    if errors:
        raise ValidationError(errors)


class EnrollDialog(FormDialog):
    def __init__(
        self, context: AppContext, controller: SyncController, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, "Inscrire ce poste auprès de la plateforme", parent)
        self.controller = controller
        status = controller.status
        enrolled_with = status.server_url if status is not None else ""
        self.server_url = QLineEdit(
            enrolled_with or controller.configured_server_url or DEFAULT_SERVER
        )
        self.server_url.setObjectName("enroll_server")
        self.code = QLineEdit()
        self.code.setObjectName("enroll_code")
        self.code.setPlaceholderText("ABCD-EFGH-JKLM")
        self.device_name = QLineEdit(f"Mairie — {socket.gethostname()}")
        self.device_name.setObjectName("enroll_name")
        self.row("server_url", "&Adresse de la plateforme", self.server_url)
        self.row("code", "&Code d'inscription", self.code)
        self.row("device_name", "&Nom de ce poste", self.device_name)
        self.buttons.button(self.buttons.StandardButton.Save).setText("&Inscrire")
        self.fit()
        self.code.setFocus()

    def save(self) -> None:
        server_url = self.server_url.text().strip().rstrip("/")
        code = self.code.text().strip().upper()
        device_name = self.device_name.text().strip()
        self.errors.clear()
        self.banner.show_message("")
        try:
            check_enrollment_input(server_url, code, device_name)
        except ValidationError as error:
            show_error(self.errors, self.banner, error)
            return
        self.buttons.setEnabled(False)
        self.controller.enroll(server_url, code, device_name, self._enrolled, self._failed)

    def _enrolled(self, result: Any) -> None:
        self.saved.emit(result)
        self.accept()
