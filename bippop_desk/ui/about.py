"""À propos: the version, where this computer keeps the registry, its backups and the
log file (what the town hall's IT contact asks first), and a button to copy it all."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bippop_desk import APP_NAME, __version__
from bippop_desk.paths import data_dir, log_dir
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext


def _registry_path(registry: Registry) -> str:
    return str(registry.path)


class AboutDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"À propos de {APP_NAME}")
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"<h2>{APP_NAME} {__version__}</h2>Le logiciel de la mairie pour l'entraide "
                "contre l'isolement, avec la plateforme Bip Pop.<br>Licence AGPL-3.0 ou "
                "ultérieure."
            )
        )
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        rows = {
            "version": ("Version", __version__),
            "data": ("Dossier des données", str(data_dir())),
            "registry": ("Registre", "…"),
            "log": ("Journal du logiciel", str(log_dir() / "bippop-desk.log")),
            "system": (
                "Système",
                f"{platform.system()} {platform.release()}, Python {sys.version.split()[0]}, "
                f"Qt {qVersion()}, PySide6 {pyside_version}",
            ),
        }
        for key, (label, value) in rows.items():
            shown = QLabel(value)
            shown.setObjectName(f"about_{key}")
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setWordWrap(True)
            self.values[key] = shown
            form.addRow(f"{label} :", shown)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        open_folder = QPushButton("&Ouvrir le dossier des données")
        open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(data_dir())))
        )
        copy = QPushButton("&Copier ces informations")
        copy.clicked.connect(self.copy)
        buttons.addButton(open_folder, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if context.ready:
            context.read(_registry_path, self.values["registry"].setText)
        else:
            self.values["registry"].setText("pas encore ouvert")

    def text(self) -> str:
        lines = [f"{APP_NAME} {__version__}"]
        for key, label in self.values.items():
            if key != "version":
                lines.append(f"{key} : {label.text()}")
        return "\n".join(lines)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())


def log_file() -> Path:
    return log_dir() / "bippop-desk.log"
