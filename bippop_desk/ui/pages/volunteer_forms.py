"""The volunteer forms: sign-up / edit, weekly slots, an absence."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.services.catalogue import MissionTypeView, list_mission_types
from bippop_desk.registry.services.partners import PartnerView, list_partners
from bippop_desk.registry.services.scheduling import WeeklySlot
from bippop_desk.registry.services.volunteers import (
    ORIGINS,
    VolunteerInput,
    add_absence,
    create_volunteer,
    input_from,
    set_weekly_slots,
    update_volunteer,
)
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import FormDialog, field_row, save_cancel_buttons
from bippop_desk.ui.forms import (
    ERROR_STYLE,
    ErrorLabel,
    FieldErrors,
    date_field,
    french_date_edit,
    from_qdate,
    from_qtime,
    read_optional_date,
    write_optional_date,
)
from bippop_desk.ui.messages import error_text

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class VolunteerEditDialog(QDialog):
    """Sign-up at the desk (volunteer_id None) or edit."""

    saved = Signal(str)

    def __init__(
        self, context: AppContext, volunteer_id: str | None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.context = context
        self.volunteer_id = volunteer_id
        self.setWindowTitle(
            "Modifier la fiche bénévole" if volunteer_id else "Inscription d'un bénévole"
        )
        self.resize(760, 820)
        self.errors = FieldErrors()
        body = QWidget()
        form = QFormLayout(body)
        self.texts: dict[str, QLineEdit] = {}

        def row(name: str, label: str, widget: QWidget) -> None:
            field_row(form, self.errors, name, label, widget)

        self.civility = QComboBox()
        self.civility.addItems(["", "Mme", "M."])
        row("civility", "Civilité", self.civility)
        for name, label in (
            ("first_name", "&Prénom"),
            ("last_name", "No&m"),
            ("phone", "&Téléphone"),
            ("email", "&Courriel"),
            ("address_line", "&Adresse"),
            ("postal_code", "Code postal"),
            ("city", "&Ville"),
            ("quartier", "&Quartier"),
        ):
            edit = QLineEdit()
            self.texts[name] = edit
            row(name, label, edit)
        self.birth_date = date_field()
        row("birth_date", "Date de naissance", self.birth_date)
        self.has_car = QCheckBox("A une &voiture et peut conduire")
        row("has_car", "", self.has_car)
        self.max_per_week = QSpinBox()
        self.max_per_week.setRange(1, 20)
        self.max_per_week.setValue(3)
        row("max_missions_per_week", "Interventions par semaine, au plus", self.max_per_week)
        self.partner = QComboBox()
        self.partner.addItem("— aucune —", None)
        row("partner_id", "Association", self.partner)
        self.origin = QComboBox()
        for code, label in ORIGINS.items():
            self.origin.addItem(label, code)
        row("origin", "Inscription", self.origin)
        self.dates = {
            name: date_field() for name in ("charter_signed_on", "interview_on", "training_on")
        }
        row("interview_on", "Entretien le", self.dates["interview_on"])
        row("charter_signed_on", "Charte signée le", self.dates["charter_signed_on"])
        row("training_on", "Formation le", self.dates["training_on"])
        self.offers = QListWidget()
        self.offers.setObjectName("volunteer_offers")
        self.offers.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)
        row("mission_type_ids", "Ce qu'il ou elle propose", self.offers)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        row("notes", "Notes", self.notes)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        self.banner = QLabel()
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)
        self.buttons = save_cancel_buttons(self, self.save)
        layout.addWidget(self.buttons)
        self.buttons.setEnabled(False)
        self._load()

    def _load(self) -> None:
        volunteer_id = self.volunteer_id

        def fetch(
            registry: Registry,
        ) -> tuple[list[MissionTypeView], list[PartnerView], VolunteerInput, str]:
            data = input_from(registry, volunteer_id) if volunteer_id else VolunteerInput()
            return (
                list_mission_types(registry),
                list_partners(registry),
                data,
                registry.commune().name,
            )

        self.context.read(fetch, self._loaded)

    def _loaded(
        self, result: tuple[list[MissionTypeView], list[PartnerView], VolunteerInput, str]
    ) -> None:
        types, partners, data, commune = result
        for partner in partners:
            self.partner.addItem(partner.name, partner.id)
        for mission_type in types:
            item = QListWidgetItem(
                mission_type.label + (" (voiture)" if mission_type.needs_car else "")
            )
            item.setData(Qt.ItemDataRole.UserRole, mission_type.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = mission_type.id in data.mission_type_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.offers.addItem(item)
        self.civility.setCurrentText(data.civility)
        for name, edit in self.texts.items():
            edit.setText(str(getattr(data, name) or ""))
        if not self.volunteer_id and not data.city:
            self.texts["city"].setText(commune)
        write_optional_date(self.birth_date, data.birth_date)
        for name, edit in self.dates.items():
            write_optional_date(edit, getattr(data, name))
        self.has_car.setChecked(data.has_car)
        self.max_per_week.setValue(data.max_missions_per_week)
        self.partner.setCurrentIndex(max(0, self.partner.findData(data.partner_id)))
        self.origin.setCurrentIndex(max(0, self.origin.findData(data.origin)))
        self.notes.setPlainText(data.notes)
        self.buttons.setEnabled(True)

    def value(self) -> VolunteerInput:
        data = VolunteerInput(civility=self.civility.currentText())
        for name, edit in self.texts.items():
            setattr(data, name, edit.text())
        data.birth_date = read_optional_date(self.birth_date)
        for name, edit in self.dates.items():
            setattr(data, name, read_optional_date(edit))
        data.has_car = self.has_car.isChecked()
        data.max_missions_per_week = self.max_per_week.value()
        data.partner_id = self.partner.currentData()
        data.origin = str(self.origin.currentData())
        data.notes = self.notes.toPlainText()
        data.mission_type_ids = [
            str(self.offers.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.offers.count())
            if self.offers.item(i).checkState() == Qt.CheckState.Checked
        ]
        return data

    def save(self) -> None:
        self.errors.clear()
        self.banner.hide()
        try:
            data = self.value()
        except ValueError as error:
            self.banner.setText(error_text(error))
            self.banner.show()
            return
        volunteer_id = self.volunteer_id

        def work(registry: Registry) -> str:
            if volunteer_id is None:
                return create_volunteer(registry, data)
            update_volunteer(registry, volunteer_id, data)
            return volunteer_id

        self.buttons.setEnabled(False)
        self.context.mutate(work, {"volunteer"}, self._saved, self._failed)

    def _saved(self, volunteer_id: str) -> None:
        self.saved.emit(volunteer_id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, ValidationError):
            unplaced = self.errors.show(error.errors)
            self.banner.setText(" ".join(unplaced) or "Corrigez les champs en rouge.")
        else:
            self.banner.setText(error_text(error))
        self.banner.show()


class SlotsDialog(QDialog):
    """The weekly free slots: one line per slot (day, from, to)."""

    def __init__(
        self,
        context: AppContext,
        volunteer_id: str,
        slots: list[WeeklySlot],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.context = context
        self.volunteer_id = volunteer_id
        self.setWindowTitle("Disponibilités de la semaine")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Les créneaux où ce bénévole est libre, chaque semaine :"))
        self.rows_layout = QVBoxLayout()
        layout.addLayout(self.rows_layout)
        self.rows: list[tuple[QWidget, QComboBox, QTimeEdit, QTimeEdit]] = []
        for slot in slots:
            self.add_row(slot)
        add = QPushButton("&Ajouter un créneau")
        add.clicked.connect(lambda: self.add_row(None))
        layout.addWidget(add)
        self.message = ErrorLabel()
        layout.addWidget(self.message)
        layout.addWidget(save_cancel_buttons(self, self.save))

    def add_row(self, slot: WeeklySlot | None) -> None:
        holder = QWidget()
        line = QHBoxLayout(holder)
        line.setContentsMargins(0, 0, 0, 0)
        day = QComboBox()
        day.addItems(list(WEEKDAYS))
        start = QTimeEdit(QTime(14, 0))
        end = QTimeEdit(QTime(16, 0))
        for edit in (start, end):
            edit.setDisplayFormat("HH:mm")
        if slot is not None:
            day.setCurrentIndex(slot.weekday)
            start.setTime(QTime(slot.start.hour, slot.start.minute))
            end.setTime(QTime(slot.end.hour, slot.end.minute))
        remove = QPushButton("Retirer")
        entry = (holder, day, start, end)
        remove.clicked.connect(lambda: self._remove(entry))
        for widget in (day, QLabel("de"), start, QLabel("à"), end, remove):
            line.addWidget(widget)
        self.rows.append(entry)
        self.rows_layout.addWidget(holder)
        day.setFocus()

    def _remove(self, entry: tuple[QWidget, QComboBox, QTimeEdit, QTimeEdit]) -> None:
        self.rows.remove(entry)
        entry[0].deleteLater()

    def slots(self) -> list[WeeklySlot]:
        return [
            WeeklySlot(day.currentIndex(), from_qtime(start.time()), from_qtime(end.time()))
            for _holder, day, start, end in self.rows
        ]

    def save(self) -> None:
        slots = self.slots()
        volunteer_id = self.volunteer_id
        self.context.mutate(
            lambda r: set_weekly_slots(r, volunteer_id, slots),
            {"volunteer_availability"},
            lambda _changed: self.accept(),
            lambda error: self.message.show_message(error_text(error)),
        )


class AbsenceDialog(FormDialog):
    def __init__(self, context: AppContext, volunteer_id: str, parent: QWidget | None = None):
        super().__init__(context, "Absence", parent)
        self.volunteer_id = volunteer_id
        today = local_today()
        self.start = french_date_edit(today)
        self.end = french_date_edit(today + dt.timedelta(days=7))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Congés, hospitalisation…")
        self.row("start_date", "&Du", self.start)
        self.row("end_date", "&Au (inclus)", self.end)
        self.row("reason", "&Motif", self.reason)
        self.fit()

    def save(self) -> None:
        start, end = from_qdate(self.start.date()), from_qdate(self.end.date())
        reason, volunteer_id = self.reason.text(), self.volunteer_id
        self.submit(
            lambda r: add_absence(r, volunteer_id, start, end, reason), {"volunteer_absence"}
        )
