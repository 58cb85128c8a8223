"""Réglages généraux: the typed settings of this installation in one form — the
commune's identity printed on reports, the sync interval, the roster's defaults, the
follow-up thresholds, the reports' pseudonymisation. Read and written on the DB worker
(`services/settings.py`: one transaction, refused values named in French)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox, QWidget

from bippop_desk.registry.services.settings import (
    COMMUNE_ADDRESS,
    COMMUNE_EMAIL,
    COMMUNE_PHONE,
    COMMUNE_SIGNATORY,
    MAX_FOLLOWUP_DAYS,
    PSEUDONYMISE_BY_DEFAULT,
    ROSTER_INCLUDE_CANCELLED,
    ROSTER_LAYOUT,
    SILENT_DAYS,
    SYNC_INTERVAL_MINUTES,
    UNMATCHED_DAYS,
    Setting,
    get_setting,
    set_settings,
)
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import FormDialog

LAYOUTS = {"day": "Par jour", "volunteer": "Par bénévole"}
SHOWN: tuple[Setting[Any], ...] = (
    COMMUNE_ADDRESS,
    COMMUNE_PHONE,
    COMMUNE_EMAIL,
    COMMUNE_SIGNATORY,
    SYNC_INTERVAL_MINUTES,
    ROSTER_LAYOUT,
    ROSTER_INCLUDE_CANCELLED,
    UNMATCHED_DAYS,
    SILENT_DAYS,
    PSEUDONYMISE_BY_DEFAULT,
)


def read_values(registry: Registry) -> dict[str, Any]:
    return {setting.key: get_setting(registry, setting) for setting in SHOWN}


class GeneralSettingsDialog(FormDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, "Réglages généraux", parent)
        self.widgets: dict[str, QWidget] = {}
        self.form.addRow(QLabel("<b>Identité de la commune</b> (rapports d'activité)"))
        for setting, label in (
            (COMMUNE_ADDRESS, "&Adresse de la mairie"),
            (COMMUNE_PHONE, "&Téléphone"),
            (COMMUNE_EMAIL, "&E-mail"),
            (COMMUNE_SIGNATORY, "&Signataire"),
        ):
            self._add(setting, label, QLineEdit())
        self.form.addRow(QLabel("<b>Synchronisation avec la plateforme</b>"))
        interval = QSpinBox()
        interval.setRange(1, 1440)
        interval.setSuffix(" min")
        self._add(SYNC_INTERVAL_MINUTES, "&Intervalle", interval)
        self.form.addRow(QLabel("<b>Planning imprimé</b> (par défaut)"))
        layout = QComboBox()
        for code, text in LAYOUTS.items():
            layout.addItem(text, code)
        self._add(ROSTER_LAYOUT, "&Présentation", layout)
        self._add(ROSTER_INCLUDE_CANCELLED, "", QCheckBox("Montrer les visites &annulées"))
        self.form.addRow(QLabel("<b>Suivi</b> (jours)"))
        thresholds: tuple[tuple[Setting[int], str], ...] = (
            (UNMATCHED_DAYS, "&Demandes sans bénévole depuis"),
            (SILENT_DAYS, "Personnes sans &nouvelles depuis"),
        )
        for threshold, label in thresholds:
            days = QSpinBox()
            days.setRange(1, MAX_FOLLOWUP_DAYS)
            self._add(threshold, label, days)
        self._add(
            PSEUDONYMISE_BY_DEFAULT,
            "",
            QCheckBox("&Codes à la place des noms des bénévoles dans les bilans d'heures"),
        )
        self.loaded = False
        self.buttons.setEnabled(False)
        context.read(read_values, self._loaded, lambda error: self.banner.show_message(str(error)))
        self.fit()

    def _add(self, setting: Setting[Any], label: str, widget: QWidget) -> None:
        widget.setObjectName(f"setting_{setting.key}")
        self.widgets[setting.key] = widget
        self.row(setting.key, label or setting.label, widget)

    def _loaded(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            widget = self.widgets[key]
            if isinstance(widget, QLineEdit):
                widget.setText(str(value))
            elif isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(value), 0))
        self.loaded = True
        self.buttons.setEnabled(True)

    def values(self) -> dict[Setting[Any], Any]:
        chosen: dict[Setting[Any], Any] = {}
        for setting in SHOWN:
            widget = self.widgets[setting.key]
            if isinstance(widget, QLineEdit):
                chosen[setting] = widget.text()
            elif isinstance(widget, QSpinBox):
                chosen[setting] = widget.value()
            elif isinstance(widget, QCheckBox):
                chosen[setting] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                chosen[setting] = widget.currentData()
        return chosen

    def save(self) -> None:
        chosen = self.values()
        self.submit(lambda registry: set_settings(registry, chosen), {"app_setting"})
