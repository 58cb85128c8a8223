"""Réglages généraux: the typed settings shown with their stored values, saved in one
transaction, a refused value named in French next to its field."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from bippop_desk.registry.services.settings import (
    COMMUNE_ADDRESS,
    ROSTER_LAYOUT,
    SYNC_INTERVAL_MINUTES,
    UNMATCHED_DAYS,
    get_setting,
    set_setting,
)
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.pages.settings_general import GeneralSettingsDialog
from tests.ui.conftest import type_text


def open_dialog(qtbot: QtBot, context: AppContext, registry: Registry) -> GeneralSettingsDialog:
    context.set_registry(registry, "Compiègne")
    dialog = GeneralSettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    return dialog


def test_the_settings_are_shown_and_saved(
    qtbot: QtBot, context: AppContext, registry: Registry
) -> None:
    set_setting(registry, UNMATCHED_DAYS, 12)
    dialog = open_dialog(qtbot, context, registry)
    interval = dialog.widgets[SYNC_INTERVAL_MINUTES.key]
    days = dialog.widgets[UNMATCHED_DAYS.key]
    address = dialog.widgets[COMMUNE_ADDRESS.key]
    layout = dialog.widgets[ROSTER_LAYOUT.key]
    assert isinstance(interval, QSpinBox) and interval.value() == 5
    assert isinstance(days, QSpinBox) and days.value() == 12
    assert isinstance(address, QLineEdit) and isinstance(layout, QComboBox)
    assert isinstance(dialog.widgets["roster.include_cancelled"], QCheckBox)
    type_text(address, "Place de l'Hôtel de Ville")
    interval.setValue(15)
    layout.setCurrentIndex(layout.findData("volunteer"))
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save()
    assert get_setting(registry, COMMUNE_ADDRESS) == "Place de l'Hôtel de Ville"
    assert get_setting(registry, SYNC_INTERVAL_MINUTES) == 15
    assert get_setting(registry, ROSTER_LAYOUT) == "volunteer"


def test_a_refused_value_is_named_next_to_its_field(
    qtbot: QtBot, context: AppContext, registry: Registry
) -> None:
    dialog = open_dialog(qtbot, context, registry)
    address = dialog.widgets[COMMUNE_ADDRESS.key]
    assert isinstance(address, QLineEdit)
    address.setText("x" * 300)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=5000)
    assert dialog.isVisible()
    assert get_setting(registry, COMMUNE_ADDRESS) == ""
    shown = " ".join(label.text() for label in dialog.findChildren(type(dialog.banner)))
    assert "Valeur refusée pour « Adresse de la mairie »" in shown
