"""The phone desk's second box: what the caller asks for (type of help, when, rhythm,
notes). It only holds the fields; the page saves, and keeps the draft."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.models.missions import CHANNELS, RECURRENCES
from bippop_desk.registry.services.catalogue import MissionTypeView
from bippop_desk.registry.services.requests import MAX_RECURRENCE_WEEKS, RequestInput
from bippop_desk.ui.form_dialog import field_row
from bippop_desk.ui.forms import (
    ErrorLabel,
    FieldErrors,
    french_date_edit,
    from_qdate,
    from_qtime,
    to_qdate,
)
from bippop_desk.ui.word_combo import WordCombo

WHEN_MODES = ("asap", "day", "range")


class RequestForm(QGroupBox):
    """The request fields. `changed` fires on every edit by the user (not while the
    form is filled from a draft or cleared)."""

    changed = Signal()

    def __init__(self, errors: FieldErrors) -> None:
        super().__init__("2. La demande")
        self._restoring = False
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        def row(name: str, label: str, widget: QWidget) -> None:
            field_row(form, errors, name, label, widget)

        # Found by any word of its label: "cour" offers both kinds of shopping help.
        self.mission_type = WordCombo()
        self.mission_type.setObjectName("intake_mission_type")
        self.mission_type.currentIndexChanged.connect(self._changed)
        row("mission_type_id", "T&ype d'aide", self.mission_type)
        self.channel = QComboBox()
        for code, label in CHANNELS.items():
            self.channel.addItem(label, code)
        self.channel.currentIndexChanged.connect(self._changed)
        row("channel", "&Canal", self.channel)
        self.caller_name = QLineEdit()
        self.caller_name.setPlaceholderText("si ce n'est pas la personne elle-même")
        self.caller_name.textEdited.connect(self._changed)
        row("caller_name", "Appelant", self.caller_name)

        self.when = QComboBox()
        self.when.setObjectName("intake_when")
        self.when.addItem("Dès que possible", "asap")
        self.when.addItem("Un jour précis", "day")
        self.when.addItem("Entre deux dates", "range")
        self.when.currentIndexChanged.connect(self._when_changed)
        row("when", "&Quand ?", self.when)
        tomorrow = local_today() + dt.timedelta(days=1)
        self.wished_date = french_date_edit(tomorrow, minimum=local_today())
        self.wished_date.setObjectName("intake_wished_date")
        self.wished_date.dateChanged.connect(self._changed)
        row("wished_date", "&Le / à partir du", self.wished_date)
        self.wished_date_end = french_date_edit(tomorrow, minimum=local_today())
        self.wished_date_end.dateChanged.connect(self._changed)
        row("wished_date_end", "Jusqu'au", self.wished_date_end)
        self.use_time = QCheckBox("Créneau horaire précis")
        self.use_time.toggled.connect(self._when_changed)
        row("use_time", "", self.use_time)
        times = QWidget()
        times_layout = QHBoxLayout(times)
        times_layout.setContentsMargins(0, 0, 0, 0)
        self.time_from = QTimeEdit(QTime(14, 0))
        self.time_from.setDisplayFormat("HH:mm")
        self.time_from.timeChanged.connect(self._changed)
        self.time_to = QTimeEdit(QTime(16, 0))
        self.time_to.setDisplayFormat("HH:mm")
        self.time_to.timeChanged.connect(self._changed)
        times_layout.addWidget(QLabel("de"))
        times_layout.addWidget(self.time_from)
        times_layout.addWidget(QLabel("à"))
        times_layout.addWidget(self.time_to)
        times_layout.addStretch(1)
        row("wished_time_to", "Heures", times)
        errors.add("wished_time_from", self.time_from, ErrorLabel())
        self.recurrence = QComboBox()
        self.recurrence.setObjectName("intake_recurrence")
        for code, label in RECURRENCES.items():
            self.recurrence.addItem(label, code)
        self.recurrence.currentIndexChanged.connect(self._recurrence_changed)
        row("recurrence", "R&ythme", self.recurrence)
        self.sessions = QSpinBox()
        self.sessions.setObjectName("intake_sessions")
        self.sessions.setRange(0, MAX_RECURRENCE_WEEKS)
        self.sessions.setSpecialValueText("jusqu'à nouvel ordre")
        self.sessions.setSuffix(" séances")
        self.sessions.setEnabled(False)
        self.sessions.valueChanged.connect(self._changed)
        row("recurrence_count", "Combien de fois", self.sessions)
        self.urgent = QCheckBox("&Urgent (à traiter aujourd'hui)")
        self.urgent.toggled.connect(self._changed)
        row("urgency", "", self.urgent)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("intake_notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText("Ce que la personne a dit, ce qui compte pour elle…")
        self.notes.textChanged.connect(self._changed)
        row("notes", "N&otes", self.notes)
        self._when_changed()

    def _changed(self, *_args: object) -> None:
        if not self._restoring:
            self.changed.emit()

    def _when_changed(self) -> None:
        mode = self.when.currentData()
        self.wished_date.setEnabled(mode in ("day", "range"))
        self.wished_date_end.setEnabled(mode == "range")
        self.time_from.setEnabled(self.use_time.isChecked())
        self.time_to.setEnabled(self.use_time.isChecked())
        self._changed()

    def _recurrence_changed(self) -> None:
        recurring = self.recurrence.currentData() != "aucune"
        self.sessions.setEnabled(recurring)
        if recurring and not self._restoring:
            # A series needs its first day and its time: "every Tuesday 14:00–15:00".
            if self.when.currentData() != "day":
                self.when.setCurrentIndex(self.when.findData("day"))
            self.use_time.setChecked(True)
        self._changed()

    def set_types(self, types: list[MissionTypeView]) -> None:
        """Fill the type list, keeping the current choice when it still exists."""
        current = self.mission_type.currentData()
        self._restoring = True
        try:
            self.mission_type.clear()
            self.mission_type.addItem("— choisir —", "")
            for mission_type in types:
                self.mission_type.addItem(mission_type.label, mission_type.id)
            self.mission_type.setCurrentIndex(max(0, self.mission_type.findData(current)))
        finally:
            self._restoring = False

    def value(self, beneficiary_id: str) -> RequestInput:
        """The request as typed, for `beneficiary_id` (the service validates it)."""
        mode = self.when.currentData()
        data = RequestInput(
            beneficiary_id=beneficiary_id,
            mission_type_id=str(self.mission_type.currentData() or ""),
            channel=str(self.channel.currentData()),
            caller_name=self.caller_name.text(),
            urgency="urgente" if self.urgent.isChecked() else "normale",
            notes=self.notes.toPlainText(),
        )
        if mode in ("day", "range"):
            data.wished_date = from_qdate(self.wished_date.date())
        if mode == "range":
            data.wished_date_end = from_qdate(self.wished_date_end.date())
        if self.use_time.isChecked():
            data.wished_time_from = from_qtime(self.time_from.time())
            data.wished_time_to = from_qtime(self.time_to.time())
        data.recurrence = str(self.recurrence.currentData())
        if data.recurrence != "aucune" and self.sessions.value():
            data.recurrence_count = self.sessions.value()
        return data

    def clear(self) -> None:
        self._restoring = True
        try:
            self.mission_type.setCurrentIndex(0)
            self.channel.setCurrentIndex(0)
            self.caller_name.clear()
            self.when.setCurrentIndex(0)
            tomorrow = local_today() + dt.timedelta(days=1)
            self.wished_date.setDate(to_qdate(tomorrow))
            self.wished_date_end.setDate(to_qdate(tomorrow))
            self.use_time.setChecked(False)
            self.recurrence.setCurrentIndex(0)
            self.sessions.setValue(0)
            self.urgent.setChecked(False)
            self.notes.clear()
        finally:
            self._restoring = False

    def is_blank(self) -> bool:
        """Nothing worth a draft was typed (the defaults do not count)."""
        return not (
            self.notes.toPlainText() or self.caller_name.text() or self.mission_type.currentData()
        )

    def state(self) -> dict[str, Any]:
        """The fields as plain values (the draft's keys: drafts saved before stay readable)."""
        return {
            "mission_type_id": self.mission_type.currentData(),
            "channel": self.channel.currentData(),
            "caller_name": self.caller_name.text(),
            "when": self.when.currentData(),
            "wished_date": self.wished_date.date().toString("yyyy-MM-dd"),
            "wished_date_end": self.wished_date_end.date().toString("yyyy-MM-dd"),
            "use_time": self.use_time.isChecked(),
            "time_from": self.time_from.time().toString("HH:mm"),
            "time_to": self.time_to.time().toString("HH:mm"),
            "urgent": self.urgent.isChecked(),
            "recurrence": self.recurrence.currentData(),
            "sessions": self.sessions.value(),
            "notes": self.notes.toPlainText(),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Fill the fields from `state()`; unreadable values keep the defaults."""
        self._restoring = True
        try:
            self.mission_type.setCurrentIndex(
                max(0, self.mission_type.findData(state.get("mission_type_id")))
            )
            self.channel.setCurrentIndex(max(0, self.channel.findData(state.get("channel"))))
            self.caller_name.setText(str(state.get("caller_name", "")))
            self.when.setCurrentIndex(max(0, self.when.findData(state.get("when"))))
            for edit, key in (
                (self.wished_date, "wished_date"),
                (self.wished_date_end, "wished_date_end"),
            ):
                with contextlib.suppress(ValueError):
                    edit.setDate(to_qdate(dt.date.fromisoformat(str(state.get(key)))))
            self.use_time.setChecked(bool(state.get("use_time")))
            for time_edit, key in ((self.time_from, "time_from"), (self.time_to, "time_to")):
                with contextlib.suppress(ValueError):
                    moment = dt.time.fromisoformat(str(state.get(key)))
                    time_edit.setTime(QTime(moment.hour, moment.minute))
            self.urgent.setChecked(bool(state.get("urgent")))
            self.recurrence.setCurrentIndex(
                max(0, self.recurrence.findData(state.get("recurrence")))
            )
            with contextlib.suppress(TypeError, ValueError):
                self.sessions.setValue(int(state.get("sessions") or 0))
            self.notes.setPlainText(str(state.get("notes", "")))
            self._when_changed()
        finally:
            self._restoring = False
