"""Recording an alert raised by the préfet (it opens its call campaign)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QWidget

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.frdates import parse_date, short_date
from bippop_desk.registry.services.campaigns import KINDS
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import FormDialog
from bippop_desk.ui.forms import date_field


class AlertDialog(FormDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, "Enregistrer une alerte", parent)
        self.kind = QComboBox()
        for code, label in KINDS.items():
            self.kind.addItem(label, code)
        self.starts = date_field()
        self.starts.setText(short_date(local_today()))
        self.ends = date_field("JJ/MM/AAAA (vide : jusqu'à nouvel ordre)")
        self.attempts = QSpinBox()
        self.attempts.setRange(1, 10)
        self.attempts.setValue(3)
        self.attempts.setSuffix(" appels sans réponse")
        self.notes = QLineEdit()
        self.notes.setPlaceholderText("Référence de l'arrêté, niveau de vigilance…")
        self.row("kind", "&Type d'alerte", self.kind)
        self.row("starts_on", "&Début", self.starts)
        self.row("ends_on", "&Fin", self.ends)
        self.row("max_attempts", "&Visite à domicile après", self.attempts)
        self.row("notes", "&Notes", self.notes)
        self.fit()

    def _date(self, field: QLineEdit, name: str) -> dt.date | bool | None:
        text = field.text().strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError:
            self.errors.show({name: "Date illisible : écrivez-la JJ/MM/AAAA."})
            return False

    def save(self) -> None:
        from bippop_desk.registry.services.campaigns import record_alert

        starts = self._date(self.starts, "starts_on")
        ends = self._date(self.ends, "ends_on")
        if starts is False or ends is False:
            return
        if starts is None:
            self.errors.show({"starts_on": "Indiquez le premier jour de l'alerte."})
            return
        assert isinstance(starts, dt.date) and (ends is None or isinstance(ends, dt.date))
        kind, attempts, notes = (
            str(self.kind.currentData()),
            self.attempts.value(),
            self.notes.text(),
        )
        self.submit(
            lambda r: record_alert(r, kind, starts, ends, attempts, notes), {"call_campaign"}
        )
