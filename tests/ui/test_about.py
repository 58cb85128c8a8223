"""À propos (version, data folder, log file) and the unexpected-error path: a French
message with a report number, the traceback in the log, the form being typed kept."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from bippop_desk import __version__
from bippop_desk.paths import data_dir
from bippop_desk.registry.store import Registry
from bippop_desk.ui.about import AboutDialog
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.unexpected import install_excepthook
from tests.ui.conftest import type_text


def test_about_shows_the_version_the_data_folder_and_the_log(
    qtbot: QtBot, context: AppContext, registry: Registry
) -> None:
    context.set_registry(registry, "Compiègne")
    dialog = AboutDialog(context)
    qtbot.addWidget(dialog)
    assert dialog.values["version"].text() == __version__
    assert dialog.values["data"].text() == str(data_dir())
    assert dialog.values["log"].text().endswith("bippop-desk.log")
    qtbot.waitUntil(lambda: dialog.values["registry"].text() == str(registry.path))
    assert str(registry.path) in dialog.text()


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_button_keeps_the_form_and_says_so_in_french(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    form = QWidget()
    qtbot.addWidget(form)
    layout = QVBoxLayout(form)
    name = QLineEdit()
    button = QPushButton("Enregistrer")
    layout.addWidget(name)
    layout.addWidget(button)
    form.show()
    saved: list[str] = []

    def broken() -> None:
        raise ZeroDivisionError("un bogue")

    button.clicked.connect(broken)
    previous = sys.excepthook
    handler = install_excepthook(form, lambda: saved.append(name.text()))
    try:
        type_text(name, "Hélène Lefèvre")
        with caplog.at_level(logging.ERROR, logger="bippop_desk.unexpected"):
            button.click()
            qtbot.waitUntil(lambda: form.findChild(QMessageBox, "unexpected_error") is not None)
    finally:
        sys.excepthook = previous
    box = form.findChild(QMessageBox, "unexpected_error")
    assert box is not None and box.isVisible()
    report = handler.reports[0]
    assert f"Rapport n° {report}" in box.text()
    assert "Ce que vous étiez en train de saisir est conservé" in box.text()
    assert name.text() == "Hélène Lefèvre" and form.isVisible()
    assert saved == ["Hélène Lefèvre"]
    logged = caplog.records[-1]
    assert report in logged.getMessage() and "ZeroDivisionError: un bogue" in logged.getMessage()
