"""Registering a person (or changing a registration): who, which category, who asked
(the person, a legal representative, a third party with name and quality), consent,
home-care service, emergency contact. Keyboard first: every field has its Alt letter."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.frdates import parse_date, short_date
from bippop_desk.registry.search import SearchHit
from bippop_desk.registry.services.register import (
    CATEGORIES,
    DISABILITY_BASES,
    REQUESTED_BY,
    RegisterInput,
)
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import FormDialog
from bippop_desk.ui.forms import date_field
from bippop_desk.ui.item_list import ItemList
from bippop_desk.ui.list_model import ListItem


def combo(choices: dict[str, str], first: str = "") -> QComboBox:
    box = QComboBox()
    if first:
        box.addItem(first, "")
    for code, label in choices.items():
        box.addItem(label, code)
    return box


class RegisterDialog(FormDialog):
    """New registration (entry_id None) or a change; `saved` gives the entry id."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        entry_id: str | None = None,
        data: RegisterInput | None = None,
        person_label: str = "",
    ) -> None:
        super().__init__(
            context,
            "Inscription au registre" if entry_id is None else "Modifier l'inscription",
            parent,
        )
        self.entry_id = entry_id
        self.beneficiary_id = data.beneficiary_id if data else ""
        self.search = QLineEdit(person_label)
        self.search.setObjectName("register_person")
        self.search.setPlaceholderText("Nom ou téléphone de la personne (sa fiche doit exister)")
        self.results = ItemList()
        self.results.setMaximumHeight(self.fontMetrics().height() * 6)
        self.results.open_item.connect(self._pick)
        self.category = combo(CATEGORIES, "— choisir —")
        self.basis = combo(DISABILITY_BASES, "—")
        self.requested_by = combo(REQUESTED_BY)
        self.requester_name = QLineEdit()
        self.requester_quality = QLineEdit()
        self.requester_quality.setPlaceholderText("fille, voisin, tuteur, médecin…")
        self.consent = QCheckBox("La personne (ou son représentant) est d'accord")
        self.request_date = date_field()
        self.request_date.setText(short_date(local_today()))
        self.home_care = QLineEdit()
        self.contact_name = QLineEdit()
        self.contact_phone = QLineEdit()
        self.lives_alone = QCheckBox("Vit seul·e")
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(self.fontMetrics().height() * 4)
        self.row("beneficiary_id", "&Personne", self.search)
        self.form.addRow("", self.results)
        self.row("category", "&Catégorie", self.category)
        self.row("disability_basis", "&Handicap reconnu", self.basis)
        self.row("requested_by", "&Demandée par", self.requested_by)
        self.row("requester_name", "Nom du &demandeur", self.requester_name)
        self.row("requester_quality", "&Qualité", self.requester_quality)
        self.row("consent", "&Accord", self.consent)
        self.row("request_date", "Date de la &demande", self.request_date)
        self.row("home_care_service", "Service d'aide à &domicile", self.home_care)
        self.row("emergency_contact_name", "Personne à &prévenir", self.contact_name)
        self.row("emergency_contact_phone", "&Téléphone à prévenir", self.contact_phone)
        self.row("lives_alone", "&Isolement", self.lives_alone)
        self.row("notes", "&Notes", self.notes)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(200)
        self._typing.timeout.connect(self._find)
        self.search.textEdited.connect(lambda _t: self._typing.start())
        self.category.currentIndexChanged.connect(self._enable)
        self.requested_by.currentIndexChanged.connect(self._enable)
        if data is not None:
            self._fill(data)
        self._enable()
        self.fit()

    def _fill(self, data: RegisterInput) -> None:
        for box, value in (
            (self.category, data.category),
            (self.basis, data.disability_basis),
            (self.requested_by, data.requested_by),
        ):
            box.setCurrentIndex(max(0, box.findData(value)))
        self.requester_name.setText(data.requester_name)
        self.requester_quality.setText(data.requester_quality)
        self.consent.setChecked(data.consent)
        if data.request_date:
            self.request_date.setText(short_date(data.request_date))
        self.home_care.setText(data.home_care_service)
        self.contact_name.setText(data.emergency_contact_name)
        self.contact_phone.setText(data.emergency_contact_phone)
        self.lives_alone.setChecked(data.lives_alone)
        self.notes.setPlainText(data.notes)
        self.search.setEnabled(self.entry_id is None)

    def _enable(self) -> None:
        self.basis.setEnabled(self.category.currentData() == "handicap")
        third = self.requested_by.currentData() != "self"
        self.requester_name.setEnabled(third)
        self.requester_quality.setEnabled(third)

    def _find(self) -> None:
        from bippop_desk.registry.search import search_people

        query = self.search.text()
        self.beneficiary_id = ""

        def found(hits: list[SearchHit]) -> None:
            if self.search.text() != query:
                return
            self.results.set_items(
                [
                    ListItem(h.id, h.full_name, f"{short_date(h.birth_date)} {h.phone} {h.address}")
                    for h in hits
                    if h.kind == "beneficiaire"
                ]
            )

        self.context.read(lambda r: search_people(r, query, 8), found)

    def _pick(self, item: ListItem) -> None:
        self.beneficiary_id = item.id
        self.search.setText(item.text)
        self.results.set_items([])
        self.category.setFocus()

    def pick_first(self) -> None:
        """Choose the first person found (Entrée in the list does the same)."""
        item = self.results.model().index(0, 0) if self.results.model() else None
        if item is not None and item.isValid():
            self.results.setCurrentIndex(item)
            current = self.results.current_item()
            if current is not None:
                self._pick(current)

    def data(self) -> RegisterInput:
        text = self.request_date.text().strip()
        try:
            day = parse_date(text) if text else None
        except ValueError:
            day = None
        return RegisterInput(
            beneficiary_id=self.beneficiary_id,
            category=str(self.category.currentData() or ""),
            disability_basis=str(self.basis.currentData() or ""),
            requested_by=str(self.requested_by.currentData() or "self"),
            requester_name=self.requester_name.text(),
            requester_quality=self.requester_quality.text(),
            consent=self.consent.isChecked(),
            request_date=day,
            home_care_service=self.home_care.text(),
            emergency_contact_name=self.contact_name.text(),
            emergency_contact_phone=self.contact_phone.text(),
            lives_alone=self.lives_alone.isChecked(),
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        from bippop_desk.registry.services.register import register_person, update_entry

        text = self.request_date.text().strip()
        try:
            if text:
                parse_date(text)
        except ValueError:
            self.errors.show({"request_date": "Date illisible : écrivez-la JJ/MM/AAAA."})
            return
        data, entry_id = self.data(), self.entry_id
        if entry_id is None:
            self.submit(lambda r: register_person(r, data), {"register_entry"})
        else:
            self.submit(
                lambda r: (update_entry(r, entry_id, data), entry_id)[1], {"register_entry"}
            )
