"""A beneficiary's file (details and history of requests) and the edit dialog."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.frdates import age_on, short_date
from bippop_desk.registry.models import Beneficiary
from bippop_desk.registry.models.people import BENEFICIARY_STATUSES, CONSENT_BY
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    PossibleDuplicate,
    create_beneficiary,
    get_beneficiary,
    input_from,
    possible_duplicates,
    update_beneficiary,
)
from bippop_desk.registry.services.requests import (
    REQUEST_COLUMNS,
    RequestFilter,
    request_ids,
    request_rows,
)
from bippop_desk.registry.store import Registry
from bippop_desk.ui.beneficiary_form import BeneficiaryForm
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import save_cancel_buttons
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.lazy_model import LazyTableModel
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.table_page import RecordTable


def describe(person: Beneficiary) -> str:
    """The file's header as rich text (every value escaped)."""

    def esc(value: object) -> str:
        return html.escape(str(value or ""))

    lines = [f"<h2>{esc(person.civility)} {esc(person.first_name)} {esc(person.last_name)}</h2>"]
    if person.birth_date:
        age = age_on(person.birth_date, local_today())
        lines.append(f"Né·e le {short_date(person.birth_date)} ({age} ans)")
    address = ", ".join(
        p
        for p in (
            person.address_line,
            person.address_complement,
            f"{person.postal_code} {person.city}".strip(),
        )
        if p
    )
    facts = [
        ("Adresse", address),
        ("Quartier", person.quartier),
        ("Accès", person.access_notes),
        ("Téléphone", format_phone(person.phone)),
        ("Autre téléphone", format_phone(person.phone_secondary)),
        ("Internet", "oui" if person.has_internet else "non"),
        (
            "Personne à prévenir",
            " — ".join(
                p
                for p in (
                    person.emergency_contact_name,
                    format_phone(person.emergency_contact_phone),
                )
                if p
            ),
        ),
        ("Aide à domicile", person.home_care_service),
        ("Préférences", person.preferences),
        ("Statut", BENEFICIARY_STATUSES.get(person.status, person.status)),
        (
            "Consentement",
            " — ".join(
                p
                for p in (
                    short_date(person.consent_date),
                    CONSENT_BY.get(person.consent_by, ""),
                    person.consent_third_party,
                )
                if p
            ),
        ),
        ("Notes", person.notes),
    ]
    lines += [f"<b>{label} :</b> {esc(value)}" for label, value in facts if value]
    return "<br>".join(lines)


class BeneficiaryFileDialog(QDialog):
    new_request_for = Signal(str, str)  # id, display text

    def __init__(self, context: AppContext, beneficiary_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.beneficiary_id = beneficiary_id
        self.person: Beneficiary | None = None
        self.setWindowTitle("Fiche bénéficiaire")
        self.resize(900, 700)
        layout = QVBoxLayout(self)
        self.details = QLabel("Chargement…")
        self.details.setObjectName("beneficiary_details")
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setWordWrap(True)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.details)
        layout.addWidget(scroll, 2)
        layout.addWidget(QLabel("<b>Historique des demandes</b>"))
        self.history = LazyTableModel(context, REQUEST_COLUMNS, request_rows)
        self.history_table = RecordTable(self.history)
        self.history_table.set_column_widths([16, 20, 24, 22, 12, 9])
        layout.addWidget(self.history_table, 3)
        buttons = QHBoxLayout()
        self.edit_button = QPushButton("&Modifier la fiche")
        self.edit_button.clicked.connect(self.edit)
        self.request_button = QPushButton("Nouvelle &demande pour cette personne")
        self.request_button.clicked.connect(self._new_request)
        close = QPushButton("&Fermer")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.request_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        context.data_changed.connect(self._data_changed)
        self.load()

    def load(self) -> None:
        person_id = self.beneficiary_id

        def fetch(registry: Registry) -> tuple[Beneficiary, list[str]]:
            person = get_beneficiary(registry, person_id)
            return person, request_ids(registry, RequestFilter(beneficiary_id=person_id))

        self.context.read(fetch, self._loaded, self._failed)

    def _loaded(self, result: tuple[Beneficiary, list[str]]) -> None:
        self.person, ids = result
        self.details.setText(describe(self.person))
        self.setWindowTitle(f"Fiche de {self.person.full_name}")
        self.history.set_ids(ids)

    def _failed(self, error: BaseException) -> None:
        message = error_text(error)
        self.details.setText(html.escape(message))
        self.edit_button.setEnabled(False)

    def _data_changed(self, entities: frozenset[str]) -> None:
        if entities & {"beneficiary", "request", "mission"}:
            self.load()

    def edit(self) -> None:
        if self.person is not None:
            BeneficiaryEditDialog(self.context, self.person, self).exec()

    def _new_request(self) -> None:
        if self.person is not None:
            detail = " — ".join(
                p
                for p in (
                    format_phone(self.person.phone),
                    self.person.address_line,
                    self.person.city,
                )
                if p
            )
            self.new_request_for.emit(self.person.id, f"{self.person.full_name}|{detail}")
            self.accept()


class BeneficiaryEditDialog(QDialog):
    """Create (person None) or edit a beneficiary; shows possible duplicates before creating."""

    saved = Signal(str)

    def __init__(
        self,
        context: AppContext,
        person: Beneficiary | None,
        parent: QWidget | None = None,
        default_city: str = "",
    ):
        super().__init__(parent)
        self.context = context
        self.person = person
        self._duplicates_confirmed = False
        self.setWindowTitle("Modifier la fiche" if person else "Nouvelle fiche bénéficiaire")
        self.resize(720, 800)
        layout = QVBoxLayout(self)
        self.form = BeneficiaryForm(compact=False, default_city=default_city)
        if person is not None:
            self.form.set_value(input_from(person))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        layout.addWidget(scroll, 1)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.hide()
        layout.addWidget(self.banner)
        self.buttons = save_cancel_buttons(self, self.save)
        layout.addWidget(self.buttons)
        self.form.changed.connect(self._form_changed)

    def _form_changed(self) -> None:
        self._duplicates_confirmed = False

    def save(self) -> None:
        self.form.errors.clear()
        self.banner.hide()
        try:
            data = self.form.value()
        except ValueError as error:
            self.form.errors.show({"birth_date": str(error)})
            return
        if self.person is None and not self._duplicates_confirmed:
            self.context.read(
                lambda r: possible_duplicates(r, data), lambda found: self._checked(data, found)
            )
            return
        self._write(data)

    def _checked(self, data: BeneficiaryInput, found: list[PossibleDuplicate]) -> None:
        if not found:
            self._write(data)
            return
        names = "<br>".join(
            html.escape(f"• {d.full_name} — {d.reason} — {d.phone} {d.address}") for d in found
        )
        self.banner.setText(
            f"Cette personne est peut-être déjà enregistrée :<br>{names}<br>"
            "Vérifiez, puis cliquez de nouveau sur « Enregistrer » pour créer quand même."
        )
        self.banner.show()
        self._duplicates_confirmed = True

    def _write(self, data: BeneficiaryInput) -> None:
        self.buttons.setEnabled(False)
        person_id = self.person.id if self.person else None

        def work(registry: Registry) -> str:
            if person_id is None:
                return create_beneficiary(registry, data)
            update_beneficiary(registry, person_id, data)
            return person_id

        self.context.mutate(work, {"beneficiary"}, self._done, self._failed)

    def _done(self, person_id: str) -> None:
        self.saved.emit(person_id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, ValidationError):
            unplaced = self.form.errors.show(error.errors)
            self.banner.setText(" ".join(unplaced) or "Corrigez les champs en rouge.")
            self.banner.show()
        else:
            QMessageBox.warning(self, "Enregistrement impossible", error_text(error))
