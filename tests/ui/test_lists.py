"""The beneficiary list, its filter, the file with its history, and the text-size option."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from bippop_desk.registry.services.catalogue import list_mission_types
from bippop_desk.registry.services.requests import RequestInput, create_request
from bippop_desk.registry.store import Registry
from bippop_desk.ui.lazy_model import LOADING
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.beneficiary_dialogs import BeneficiaryFileDialog
from bippop_desk.ui.settings import LARGE_POINT_SIZE
from tests.conftest import add_person
from tests.ui.conftest import type_text


def test_the_list_shows_every_beneficiary_and_filters_as_you_type(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    for first, last in [("Hélène", "Le Goff"), ("Agnès", "Arnaud"), ("Noël", "Zidane")]:
        add_person(registry, first, last, phone="03 44 20 30 40")
    page = window.beneficiaries
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=3000)
    assert page.count_label.text() == "3 bénéficiaires"
    first_cell = page.model.index(0, 0)
    page.model.data(first_cell)  # asks the worker for the block
    qtbot.waitUntil(lambda: page.model.data(first_cell) != LOADING, timeout=3000)
    assert page.model.data(first_cell) == "Arnaud"
    assert page.model.data(page.model.index(0, 3)) == "03 44 20 30 40"

    type_text(page.filter, "helene")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    cell = page.model.index(0, 1)
    page.model.data(cell)
    qtbot.waitUntil(lambda: page.model.data(cell) == "Hélène", timeout=3000)


def test_a_file_shows_the_history_of_requests(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    person = add_person(registry, "Hélène", "Le Goff", access_notes="Code 1942B")
    visit = next(t.id for t in list_mission_types(registry) if t.code == "visite")
    create_request(registry, RequestInput(person, visit, notes="première"))
    create_request(registry, RequestInput(person, visit, notes="seconde"))
    dialog = BeneficiaryFileDialog(window.context, person, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.history.rowCount() == 2, timeout=3000)
    assert "Code 1942B" in dialog.details.text()
    assert "Hélène" in dialog.windowTitle()


def test_the_larger_text_option_enlarges_every_widget(qtbot: QtBot, window: MainWindow) -> None:
    window.large_text_action.setChecked(True)
    assert QApplication.font().pointSize() == LARGE_POINT_SIZE
    assert window.preferences.large_text
    window.large_text_action.setChecked(False)
    assert QApplication.font().pointSize() < LARGE_POINT_SIZE


def test_pages_are_reached_with_ctrl_and_a_digit(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.beneficiaries
    QTest.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.requests
