"""The beneficiary form: compact (the phone desk's inline creation) or complete (the file)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.models.people import BENEFICIARY_STATUSES, CONSENT_BY
from bippop_desk.registry.services.beneficiaries import BeneficiaryInput
from bippop_desk.ui.form_dialog import field_row
from bippop_desk.ui.forms import (
    FieldErrors,
    date_field,
    read_optional_date,
    write_optional_date,
)

TEXT_FIELDS = {
    # name: (label, compact form?)
    "first_name": ("&Prénom", True),
    "last_name": ("No&m", True),
    "phone": ("&Téléphone", True),
    "address_line": ("&Adresse", True),
    "postal_code": ("Code postal", True),
    "city": ("&Ville", True),
    "birth_name": ("Nom de naissance", False),
    "address_complement": ("Complément d'adresse", False),
    "quartier": ("Quartier", False),
    "phone_secondary": ("Autre téléphone", False),
    "email": ("Courriel", False),
    "emergency_contact_name": ("Personne à prévenir", False),
    "emergency_contact_phone": ("Son téléphone", False),
    "home_care_service": ("Service d'aide à domicile", False),
    "consent_third_party": ("Tiers ayant fait la démarche", False),
}
LONG_FIELDS = {
    "access_notes": "Indications d'accès",
    "preferences": "Goûts, préférences",
    "notes": "Notes",
}


class BeneficiaryForm(QWidget):
    changed = Signal()

    def __init__(self, compact: bool, default_city: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.compact = compact
        self.errors = FieldErrors()
        self.texts: dict[str, QLineEdit] = {}
        self.longs: dict[str, QPlainTextEdit] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.civility = QComboBox()
        self.civility.addItems(["", "Mme", "M."])
        self._row(form, "civility", "Civilité", self.civility)
        for name, (label, in_compact) in TEXT_FIELDS.items():
            if compact and not in_compact:
                continue
            edit = QLineEdit()
            edit.setObjectName(f"person_{name}")
            edit.textEdited.connect(self.changed)
            self.texts[name] = edit
            self._row(form, name, label, edit)
        self.texts["phone"].setPlaceholderText("06 12 34 56 78")
        self.texts["city"].setText(default_city)
        self.birth_date = date_field()
        self.birth_date.setObjectName("person_birth_date")
        self.birth_date.textEdited.connect(self.changed)
        self._row(form, "birth_date", "Date de nai&ssance", self.birth_date)
        self.has_internet = QCheckBox("A accès à &internet")
        self.has_internet.toggled.connect(self.changed)
        self._row(form, "has_internet", "", self.has_internet)
        if not compact:
            self.status = QComboBox()
            for code, label in BENEFICIARY_STATUSES.items():
                self.status.addItem(label, code)
            self._row(form, "status", "Statut", self.status)
            self.consent_date = date_field()
            self._row(form, "consent_date", "Consentement donné le", self.consent_date)
            self.consent_by = QComboBox()
            self.consent_by.addItem("", "")
            for code, label in CONSENT_BY.items():
                self.consent_by.addItem(label, code)
            self._row(form, "consent_by", "Consentement donné par", self.consent_by)
            for name, label in LONG_FIELDS.items():
                edit_long = QPlainTextEdit()
                edit_long.setTabChangesFocus(True)
                edit_long.setFixedHeight(edit_long.fontMetrics().lineSpacing() * 4)
                self.longs[name] = edit_long
                self._row(form, name, label, edit_long)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)

    def _row(self, form: QFormLayout, name: str, label: str, widget: QWidget) -> None:
        field_row(form, self.errors, name, label, widget)

    # -- values ------------------------------------------------------------------------
    def value(self, lenient: bool = False) -> BeneficiaryInput:
        """The typed values; ValueError (French) when a date cannot be read, unless
        `lenient` (then an unreadable date counts as unknown)."""
        data = BeneficiaryInput(civility=self.civility.currentText())
        for name, edit in self.texts.items():
            setattr(data, name, edit.text())
        data.birth_date = read_optional_date(self.birth_date, lenient)
        data.has_internet = self.has_internet.isChecked()
        if not self.compact:
            data.status = str(self.status.currentData())
            data.consent_date = read_optional_date(self.consent_date, lenient)
            data.consent_by = str(self.consent_by.currentData() or "")
            for name, edit_long in self.longs.items():
                setattr(data, name, edit_long.toPlainText())
        return data

    def set_value(self, data: BeneficiaryInput) -> None:
        self.civility.setCurrentText(data.civility)
        for name, edit in self.texts.items():
            edit.setText(str(getattr(data, name) or ""))
        write_optional_date(self.birth_date, data.birth_date)
        self.has_internet.setChecked(data.has_internet)
        if not self.compact:
            self.status.setCurrentIndex(max(0, self.status.findData(data.status)))
            write_optional_date(self.consent_date, data.consent_date)
            self.consent_by.setCurrentIndex(max(0, self.consent_by.findData(data.consent_by)))
            for name, edit_long in self.longs.items():
                edit_long.setPlainText(str(getattr(data, name) or ""))

    def state(self) -> dict[str, Any]:
        """Draft content: raw text as typed (even if it does not validate yet)."""
        state: dict[str, Any] = {name: edit.text() for name, edit in self.texts.items()}
        state["civility"] = self.civility.currentText()
        state["birth_date"] = self.birth_date.text()
        state["has_internet"] = self.has_internet.isChecked()
        return state

    def restore(self, state: dict[str, Any]) -> None:
        for name, edit in self.texts.items():
            if name in state:
                edit.setText(str(state[name]))
        self.civility.setCurrentText(str(state.get("civility", "")))
        self.birth_date.setText(str(state.get("birth_date", "")))
        self.has_internet.setChecked(bool(state.get("has_internet", False)))

    def clear(self, default_city: str = "") -> None:
        for edit in self.texts.values():
            edit.clear()
        self.texts["city"].setText(default_city)
        self.birth_date.clear()
        self.civility.setCurrentIndex(0)
        self.has_internet.setChecked(False)
        self.errors.clear()
