"""Local preferences of this computer (text size, last user, window geometry).

Stored in an INI file in the app's data folder, so tests and portable installs keep
them apart. Never personal data, never secrets (tokens go to the OS keyring)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from bippop_desk.paths import data_dir

BASE_POINT_SIZE = 11
LARGE_POINT_SIZE = 15


class Preferences:
    def __init__(self) -> None:
        self._settings = QSettings(str(data_dir() / "preferences.ini"), QSettings.Format.IniFormat)

    @property
    def large_text(self) -> bool:
        return str(self._settings.value("display/large_text", "false")).lower() == "true"

    @large_text.setter
    def large_text(self, value: bool) -> None:
        self._settings.setValue("display/large_text", "true" if value else "false")

    @property
    def last_user(self) -> str:
        return str(self._settings.value("session/last_user", ""))

    @last_user.setter
    def last_user(self, value: str) -> None:
        self._settings.setValue("session/last_user", value)

    def geometry(self) -> QByteArray | None:
        value = self._settings.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, value: QByteArray) -> None:
        self._settings.setValue("window/geometry", value)

    def sync(self) -> None:
        self._settings.sync()
