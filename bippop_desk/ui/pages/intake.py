"""The phone desk: find or create the caller, log their request, keyboard only.

Flow: type a name, a phone or a street (results as you type) → ↓ and Entrée to pick,
or Alt+N to create the person inline → fill the request → Ctrl+Entrée saves. What was
typed is kept as a draft (in the registry file) until it is saved or cleared, so a
closed window or a crash loses nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models.missions import CHANNELS, RECURRENCES
from bippop_desk.registry.search import SearchHit, search_people
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    PossibleDuplicate,
    possible_duplicates,
)
from bippop_desk.registry.services.catalogue import MissionTypeView, list_mission_types
from bippop_desk.registry.services.drafts import clear_draft, load_draft, save_draft
from bippop_desk.registry.services.intake import IntakeResult, log_phone_request
from bippop_desk.registry.services.requests import MAX_RECURRENCE_WEEKS, RequestInput
from bippop_desk.registry.store import Registry
from bippop_desk.ui.beneficiary_form import BeneficiaryForm
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import field_row
from bippop_desk.ui.forms import (
    ERROR_STYLE,
    ErrorLabel,
    FieldErrors,
    french_date_edit,
    from_qdate,
    from_qtime,
    to_qdate,
)
from bippop_desk.ui.list_model import ItemListModel, ListItem
from bippop_desk.ui.messages import error_text

DRAFT_KEY = "phone_intake"
SEARCH_DELAY_MS = 120
DRAFT_DELAY_MS = 400
WHEN_MODES = ("asap", "day", "range")


def hit_item(hit: SearchHit) -> ListItem:
    born = (
        f"né·e le {short_date(hit.birth_date)}" if hit.birth_date else "date de naissance inconnue"
    )
    detail = " — ".join(part for part in (born, hit.phone or "sans téléphone", hit.address) if part)
    return ListItem(hit.id, hit.full_name, detail, hit)


def duplicate_item(dup: PossibleDuplicate) -> ListItem:
    born = f"né·e le {short_date(dup.birth_date)}" if dup.birth_date else ""
    detail = " — ".join(p for p in (dup.reason, born, dup.phone, dup.address) if p)
    return ListItem(dup.id, dup.full_name, detail, dup)


class IntakePage(QWidget):
    saved = Signal(object)  # IntakeResult
    status_message = Signal(str)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.mission_types: list[MissionTypeView] = []
        self.picked: ListItem | None = None
        self.creating = False
        self._search_seq = 0
        self._restoring = False
        self._saving = False

        self._search_timer = self._timer(SEARCH_DELAY_MS, self._run_search)
        self._draft_timer = self._timer(DRAFT_DELAY_MS, self._save_draft)
        self._dup_timer = self._timer(300, self._check_duplicates)

        self.errors = FieldErrors()
        outer = QVBoxLayout(self)
        title = QLabel("<h2>Nouvelle demande téléphonique</h2>")
        outer.addWidget(title)
        columns = QHBoxLayout()
        columns.addWidget(self._build_person_box(), 1)
        columns.addWidget(self._build_request_box(), 1)
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

    def _timer(self, delay: int, slot: Any) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(delay)
        timer.timeout.connect(slot)
        return timer

    # -- building ----------------------------------------------------------------------
    def _build_person_box(self) -> QGroupBox:
        box = QGroupBox("1. La personne")
        layout = QVBoxLayout(box)
        self.search = QLineEdit()
        self.search.setObjectName("intake_search")
        self.search.setPlaceholderText("Nom, téléphone ou rue de la personne…")
        self.search.setClearButtonEnabled(True)
        self.search.textEdited.connect(self._search_edited)
        self.search.installEventFilter(self)
        self.search_label = QLabel("&Rechercher :")
        self.search_label.setBuddy(self.search)
        layout.addWidget(self.search_label)
        layout.addWidget(self.search)
        self.search_hint = QLabel("Tapez au moins deux lettres ou chiffres.")
        self.search_hint.setWordWrap(True)
        layout.addWidget(self.search_hint)
        self.results_model = ItemListModel()
        self.results = QListView()
        self.results.setObjectName("intake_results")
        self.results.setModel(self.results_model)
        self.results.setAlternatingRowColors(True)
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.activated.connect(lambda index: self.pick_row(index.row()))
        self.results.installEventFilter(self)
        layout.addWidget(self.results, 1)
        self.person_error = ErrorLabel()
        layout.addWidget(self.person_error)
        self.errors.add("beneficiary_id", self.search, self.person_error)
        self.new_button = QPushButton("Nouvelle personne (Alt+N)")
        self.new_button.clicked.connect(self.start_new_person)
        layout.addWidget(self.new_button)

        self.card = QLabel()
        self.card.setObjectName("intake_card")
        self.card.setWordWrap(True)
        self.card.setTextFormat(Qt.TextFormat.RichText)
        self.card.setStyleSheet("background: #eef6ee; padding: 8px; border-radius: 4px;")
        self.change_button = QPushButton("C&hanger de personne")
        self.change_button.clicked.connect(self.unpick)
        self.card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout.addWidget(self.card)
        layout.addWidget(self.change_button)

        self.person_form = BeneficiaryForm(compact=True)
        self.person_form.changed.connect(self._person_form_edited)
        for name, (widget, label) in self.person_form.errors._fields.items():
            self.errors.add(f"person.{name}", widget, label)
        layout.addWidget(self.person_form)
        self.duplicates_label = QLabel(
            "<b>Déjà dans le registre ?</b> Si c'est la même personne, choisissez sa fiche "
            "(Entrée) :"
        )
        self.duplicates_label.setWordWrap(True)
        self.duplicates_model = ItemListModel()
        self.duplicates = QListView()
        self.duplicates.setObjectName("intake_duplicates")
        self.duplicates.setModel(self.duplicates_model)
        self.duplicates.setMaximumHeight(self.fontMetrics().lineSpacing() * 7)
        self.duplicates.activated.connect(lambda index: self._use_duplicate(index.row()))
        self.duplicates.setWordWrap(True)
        layout.addWidget(self.duplicates_label)
        layout.addWidget(self.duplicates)
        layout.addStretch(0)
        self._show_person_mode()
        return box

    def _build_request_box(self) -> QGroupBox:
        box = QGroupBox("2. La demande")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        def row(name: str, label: str, widget: QWidget) -> None:
            field_row(form, self.errors, name, label, widget)

        self.mission_type = QComboBox()
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
        self.errors.add("wished_time_from", self.time_from, ErrorLabel())
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
        return box

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
        current = self.mission_type.currentData()
        self._restoring = True
        self.mission_types = types
        self.mission_type.clear()
        self.mission_type.addItem("— choisir —", "")
        for mission_type in types:
            self.mission_type.addItem(mission_type.label, mission_type.id)
        self.mission_type.setCurrentIndex(max(0, self.mission_type.findData(current)))
        self._restoring = False

    def _on_data_changed(self, entities: frozenset[str]) -> None:
        if "mission_type" in entities:
            self.context.read(list_mission_types, self._fill_types)

    # -- searching ----------------------------------------------------------------------
    def _search_edited(self, _text: str) -> None:
        self._search_timer.start()
        self._changed()

    def _run_search(self) -> None:
        text = self.search.text().strip()
        self._search_seq += 1
        seq = self._search_seq
        if len(text) < 2:
            self.results_model.set_items([])
            self.search_hint.setText("Tapez au moins deux lettres ou chiffres.")
            return

        def fetch(registry: Registry) -> list[SearchHit]:
            return [h for h in search_people(registry, text, limit=30) if h.kind == "beneficiaire"]

        self.context.read(fetch, lambda hits: self._show_results(seq, text, hits))

    def _show_results(self, seq: int, text: str, hits: list[SearchHit]) -> None:
        if seq != self._search_seq:
            return  # a newer keystroke has its own search under way
        self.results_model.set_items([hit_item(hit) for hit in hits])
        if hits:
            count = len(hits)
            self.search_hint.setText(
                f"{count} personne{'s' if count > 1 else ''} — ↓ puis Entrée pour choisir."
            )
            self.results.setCurrentIndex(self.results_model.index(0))
        else:
            self.search_hint.setText(
                f"Personne ne correspond à « {text} ». Alt+N pour créer sa fiche."
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.search and key == Qt.Key.Key_Down and self.results_model.items:
                self.results.setFocus()
                self.results.setCurrentIndex(self.results_model.index(0))
                return True
            if watched is self.search and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                    return False
                if self._search_timer.isActive():
                    return True  # results for the last keystroke are not in yet
                if self.results_model.items:
                    self.pick_row(max(0, self.results.currentIndex().row()))
                return True
            if watched is self.results and key == Qt.Key.Key_Escape:
                self.search.setFocus()
                return True
        return super().eventFilter(watched, event)

    # -- picking / creating the person ------------------------------------------------
    def pick_row(self, row: int) -> None:
        item = self.results_model.item(row)
        if item is not None:
            self.pick(item)

    def pick(self, item: ListItem) -> None:
        self.picked = item
        self.creating = False
        self._show_person_mode()
        self.person_error.show_message("")
        self.mission_type.setFocus()
        self._changed()

    def unpick(self) -> None:
        self.picked = None
        self.creating = False
        self._show_person_mode()
        self.search.setFocus()
        self.search.selectAll()
        self._changed()

    def start_new_person(self) -> None:
        if self.creating:
            return
        self.picked = None
        self.creating = True
        text = self.search.text().strip()
        form = self.person_form
        if text and not any(edit.text() for name, edit in form.texts.items() if name != "city"):
            if any(ch.isdigit() for ch in text) and not any(ch.isalpha() for ch in text):
                form.texts["phone"].setText(text)
            else:
                words = text.split()
                form.texts["last_name"].setText(words[-1] if len(words) > 1 else text)
                form.texts["first_name"].setText(" ".join(words[:-1]) if len(words) > 1 else "")
        self._show_person_mode()
        form.texts["first_name"].setFocus()
        self._dup_timer.start()
        self._changed()

    def _person_form_edited(self) -> None:
        self._dup_timer.start()
        self._changed()

    def _check_duplicates(self) -> None:
        if not self.creating:
            return
        data = self.person_form.value(lenient=True)
        self.context.read(
            lambda registry: possible_duplicates(registry, data), self._show_duplicates
        )

    def _show_duplicates(self, found: list[PossibleDuplicate]) -> None:
        self.duplicates_model.set_items([duplicate_item(d) for d in found])
        visible = self.creating and bool(found)
        self.duplicates_label.setVisible(visible)
        self.duplicates.setVisible(visible)

    def _use_duplicate(self, row: int) -> None:
        item = self.duplicates_model.item(row)
        if item is None:
            return
        dup: PossibleDuplicate = item.payload
        born = f"né·e le {short_date(dup.birth_date)}" if dup.birth_date else ""
        self.pick(
            ListItem(
                dup.id, dup.full_name, " — ".join(p for p in (born, dup.phone, dup.address) if p)
            )
        )

    def _show_person_mode(self) -> None:
        searching = self.picked is None and not self.creating
        for widget in (
            self.search_label,
            self.search,
            self.search_hint,
            self.results,
            self.new_button,
        ):
            widget.setVisible(searching)
        self.card.setVisible(self.picked is not None)
        self.change_button.setVisible(self.picked is not None or self.creating)
        self.change_button.setText(
            "Annuler la création (revenir à la recherche)"
            if self.creating
            else "C&hanger de personne"
        )
        self.person_form.setVisible(self.creating)
        if not self.creating:
            self.duplicates_label.hide()
            self.duplicates.hide()
        if self.picked is not None:
            self.card.setText(f"<b>{self.picked.text}</b><br>{self.picked.detail}")

    # -- the request --------------------------------------------------------------------
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

    def request_input(self) -> RequestInput:
        mode = self.when.currentData()
        data = RequestInput(
            beneficiary_id=self.picked.id if self.picked else "",
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
        name = self.picked.text if self.picked else self._new_person_name()
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

    def _new_person_name(self) -> str:
        texts = self.person_form.texts
        return f"{texts['first_name'].text()} {texts['last_name'].text()}".strip()

    def clear_form(self, keep_draft_cleared: bool = False) -> None:
        self._restoring = True
        self.search.clear()
        self.results_model.set_items([])
        self.picked = None
        self.creating = False
        self.person_form.clear(getattr(self, "commune", ""))
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
        self.errors.clear()
        self.banner.hide()
        self._show_person_mode()
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
        return {
            "search": self.search.text(),
            "picked": [self.picked.id, self.picked.text, self.picked.detail]
            if self.picked
            else None,
            "creating": self.creating,
            "person": self.person_form.state(),
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

    def is_blank(self) -> bool:
        state = self.state()
        person_typed = any(
            value for key, value in state["person"].items() if key not in ("city", "has_internet")
        )
        return not (
            state["search"]
            or state["picked"]
            or person_typed
            or state["notes"]
            or state["caller_name"]
            or state["mission_type_id"]
        )

    def restore_state(self, state: dict[str, Any]) -> None:
        self._restoring = True
        try:
            self.search.setText(str(state.get("search", "")))
            picked = state.get("picked")
            self.picked = ListItem(*picked) if picked else None
            self.creating = bool(state.get("creating")) and self.picked is None
            self.person_form.restore(dict(state.get("person") or {}))
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
            self.sessions.setValue(int(state.get("sessions") or 0))
            self.notes.setPlainText(str(state.get("notes", "")))
            self._show_person_mode()
            self._when_changed()
        finally:
            self._restoring = False
        if self.search.text() and self.picked is None and not self.creating:
            self._search_timer.start()

    def _save_draft(self) -> None:
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
