"""The phone desk: find or create the caller, log their request, keyboard only.

Flow: type a name, a phone or a street (results as you type) → ↓ and Entrée to pick,
or Alt+N to create the person inline → fill the request → Ctrl+Entrée saves. What was
typed is kept as a draft (in the registry file) until it is saved or cleared, so a
closed window or a crash loses nothing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.services.beneficiaries import BeneficiaryInput
from bippop_desk.registry.services.catalogue import MissionTypeView, list_mission_types
from bippop_desk.registry.services.drafts import clear_draft, load_draft, save_draft
from bippop_desk.registry.services.intake import IntakeResult, log_phone_request
from bippop_desk.registry.services.requests import RequestInput
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE, FieldErrors
from bippop_desk.ui.list_model import ListItem
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.pages.intake_person import PersonPicker, duplicate_item, hit_item
from bippop_desk.ui.pages.intake_request import WHEN_MODES, RequestForm

__all__ = ["DRAFT_KEY", "WHEN_MODES", "IntakePage", "duplicate_item", "hit_item"]

DRAFT_KEY = "phone_intake"
DRAFT_DELAY_MS = 400


class IntakePage(QWidget):
    """The page: the person box (`intake_person`), the request box (`intake_request`),
    saving both in one transaction, and the draft of what was typed."""

    saved = Signal(object)  # IntakeResult
    status_message = Signal(str)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.mission_types: list[MissionTypeView] = []
        self._restoring = False
        self._saving = False
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._save_draft)

        self.errors = FieldErrors()
        outer = QVBoxLayout(self)
        title = QLabel("<h2>Nouvelle demande téléphonique</h2>")
        outer.addWidget(title)
        self.person = PersonPicker(context, self.errors)
        self.request = RequestForm(self.errors)
        self.person.changed.connect(self._changed)
        self.person.chosen.connect(self.request.mission_type.setFocus)
        self.request.changed.connect(self._changed)
        # The widgets the main window and the scripted-call tests reach by name.
        self.search = self.person.search
        self.search_hint = self.person.search_hint
        self.results = self.person.results
        self.results_model = self.person.results_model
        self.card = self.person.card
        self.person_form = self.person.person_form
        self.duplicates = self.person.duplicates
        self.duplicates_model = self.person.duplicates_model
        self.mission_type = self.request.mission_type
        self.when = self.request.when
        self.wished_date = self.request.wished_date
        self.use_time = self.request.use_time
        self.recurrence = self.request.recurrence
        self.sessions = self.request.sessions
        self.notes = self.request.notes
        columns = QHBoxLayout()
        columns.addWidget(self.person, 1)
        columns.addWidget(self.request, 1)
        body = QWidget()
        body.setLayout(columns)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.banner = QLabel()
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()
        outer.addWidget(self.banner)
        buttons = QHBoxLayout()
        self.clear_button = QPushButton("Effacer le formulaire")
        self.clear_button.clicked.connect(self.clear_form)
        self.save_button = QPushButton("&Enregistrer la demande  (Ctrl+Entrée)")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.save)
        QShortcut(QKeySequence("Alt+N"), self, self.start_new_person)

        context.registry_ready.connect(self._load)
        context.data_changed.connect(self._on_data_changed)
        if context.ready:
            self._load()

    @property
    def picked(self) -> ListItem | None:
        return self.person.picked

    @property
    def creating(self) -> bool:
        return self.person.creating

    def pick(self, item: ListItem) -> None:
        self.person.pick(item)

    def start_new_person(self) -> None:
        self.person.start_new_person()

    # -- loading ------------------------------------------------------------------------
    def _load(self) -> None:
        def fetch(registry: Registry) -> tuple[list[MissionTypeView], dict[str, Any] | None, str]:
            return (
                list_mission_types(registry),
                load_draft(registry, DRAFT_KEY),
                registry.commune().name,
            )

        self.context.read(fetch, self._loaded)

    def _loaded(self, result: tuple[list[MissionTypeView], dict[str, Any] | None, str]) -> None:
        types, draft, commune = result
        self.commune = commune
        self._fill_types(types)
        if not self.person_form.texts["city"].text():
            self.person_form.texts["city"].setText(commune)
        if draft:
            self.restore_state(draft)
            self.status_message.emit("Brouillon de demande non enregistrée retrouvé.")

    def _fill_types(self, types: list[MissionTypeView]) -> None:
        self.mission_types = types
        self.request.set_types(types)

    def _on_data_changed(self, entities: frozenset[str]) -> None:
        if "mission_type" in entities:
            self.context.read(list_mission_types, self._fill_types)

    def request_input(self) -> RequestInput:
        return self.request.value(self.picked.id if self.picked else "")

    # -- saving -------------------------------------------------------------------------
    def save(self) -> None:
        if self._saving or not self.context.ready:
            return
        self.errors.clear()
        self.banner.hide()
        new_person: BeneficiaryInput | None = None
        if self.creating:
            try:
                new_person = self.person_form.value()
            except ValueError as error:
                self.errors.show({"person.birth_date": str(error)})
                return
        elif self.picked is None:
            self.errors.show(
                {"beneficiary_id": "Choisissez la personne, ou créez sa fiche (Alt+N)."}
            )
            return
        data = self.request_input()
        self._saving = True
        self.save_button.setEnabled(False)
        self._draft_timer.stop()

        def work(registry: Registry) -> IntakeResult:
            result = log_phone_request(registry, data, new_person)
            clear_draft(registry, DRAFT_KEY)  # after the commit: a failed save keeps the draft
            return result

        self.context.mutate(work, {"request", "beneficiary"}, self._saved, self._save_failed)

    def _saved(self, result: IntakeResult) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        name = self.picked.text if self.picked else self.person.new_person_name()
        self.clear_form(keep_draft_cleared=True)
        self.status_message.emit(f"Demande enregistrée pour {name}.")
        self.saved.emit(result)

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            unplaced = self.errors.show(error.errors)
            if unplaced:
                self.banner.setText(" ".join(unplaced))
                self.banner.show()
            else:
                self.banner.setText(
                    "La demande n'est pas enregistrée : corrigez les champs en rouge."
                )
                self.banner.show()
        else:
            self.banner.setText(f"La demande n'a pas pu être enregistrée. {error_text(error)}")
            self.banner.show()
        self._changed()  # keep the draft

    def clear_form(self, keep_draft_cleared: bool = False) -> None:
        self._restoring = True
        self.person.clear(getattr(self, "commune", ""))
        self.request.clear()
        self.errors.clear()
        self.banner.hide()
        self._restoring = False
        self._draft_timer.stop()
        if not keep_draft_cleared and self.context.ready:
            self.context.read(lambda registry: clear_draft(registry, DRAFT_KEY))
        self.search.setFocus()

    # -- draft ----------------------------------------------------------------------------
    def _changed(self, *_args: object) -> None:
        if not self._restoring and not self._saving:
            self._draft_timer.start()

    def state(self) -> dict[str, Any]:
        return {**self.person.state(), **self.request.state()}

    def is_blank(self) -> bool:
        return self.person.is_blank() and self.request.is_blank()

    def restore_state(self, state: dict[str, Any]) -> None:
        self._restoring = True
        try:
            self.person.restore(state)
            self.request.restore(state)
        finally:
            self._restoring = False
        self.person.search_again_if_pending()

    def _save_draft(self) -> None:
        # Queued on the DB worker without the data_changed broadcast of `mutate`: a draft
        # changes no record, and views would reload at every pause in the typing. The
        # drafts service still writes in its own BEGIN IMMEDIATE transaction.
        if not self.context.ready:
            return
        if self.is_blank():
            self.context.read(lambda registry: clear_draft(registry, DRAFT_KEY))
            return
        state = self.state()
        self.context.read(lambda registry: save_draft(registry, DRAFT_KEY, state))

    def flush_draft(self) -> None:
        """Queue the draft now (window closing): the worker finishes it before exit."""
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self._save_draft()

    def focus_search(self) -> None:
        if self.picked is None and not self.creating:
            self.search.setFocus()
            self.search.selectAll()
        elif self.creating:
            self.person_form.texts["first_name"].setFocus()
        else:
            self.mission_type.setFocus()
