"""The phone desk's first box: find the caller as you type (name, phone or street),
or create their file inline, with the possible duplicates shown while typing.
Searches run on the DB worker; a newer keystroke discards older results."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
)

from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.search import SearchHit, search_people
from bippop_desk.registry.services.beneficiaries import PossibleDuplicate, possible_duplicates
from bippop_desk.registry.store import Registry
from bippop_desk.ui.beneficiary_form import BeneficiaryForm
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ErrorLabel, FieldErrors
from bippop_desk.ui.list_model import ItemListModel, ListItem

SEARCH_DELAY_MS = 120
DUPLICATES_DELAY_MS = 300
FIRST_HINT = "Tapez au moins deux lettres ou chiffres."


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


def _timer(parent: QObject, delay: int, slot: Any) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(delay)
    timer.timeout.connect(slot)
    return timer


class PersonPicker(QGroupBox):
    """Who calls: `picked` (an existing file) or `creating` (the inline form).

    `chosen` fires when a person is picked (the page moves the focus to the request);
    `changed` on every edit worth a draft."""

    chosen = Signal()
    changed = Signal()

    def __init__(self, context: AppContext, errors: FieldErrors) -> None:
        super().__init__("1. La personne")
        self.context = context
        self.picked: ListItem | None = None
        self.creating = False
        self._search_seq = 0
        self.search_timer = _timer(self, SEARCH_DELAY_MS, self._run_search)
        self._dup_timer = _timer(self, DUPLICATES_DELAY_MS, self._check_duplicates)

        layout = QVBoxLayout(self)
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
        self.search_hint = QLabel(FIRST_HINT)
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
        errors.add("beneficiary_id", self.search, self.person_error)
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
            errors.add(f"person.{name}", widget, label)
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
        self.show_mode()

    # -- searching ----------------------------------------------------------------------
    def _search_edited(self, _text: str) -> None:
        self.search_timer.start()
        self.changed.emit()

    def _run_search(self) -> None:
        text = self.search.text().strip()
        self._search_seq += 1
        seq = self._search_seq
        if len(text) < 2:
            self.results_model.set_items([])
            self.search_hint.setText(FIRST_HINT)
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
                if self.search_timer.isActive():
                    return True  # results for the last keystroke are not in yet
                if self.results_model.items:
                    self.pick_row(max(0, self.results.currentIndex().row()))
                return True
            if watched is self.results and key == Qt.Key.Key_Escape:
                self.search.setFocus()
                return True
        return super().eventFilter(watched, event)

    # -- picking / creating ---------------------------------------------------------------
    def pick_row(self, row: int) -> None:
        item = self.results_model.item(row)
        if item is not None:
            self.pick(item)

    def pick(self, item: ListItem) -> None:
        self.picked = item
        self.creating = False
        self.show_mode()
        self.person_error.show_message("")
        self.chosen.emit()
        self.changed.emit()

    def unpick(self) -> None:
        self.picked = None
        self.creating = False
        self.show_mode()
        self.search.setFocus()
        self.search.selectAll()
        self.changed.emit()

    def start_new_person(self) -> None:
        """Open the inline form, prefilled from what was typed in the search."""
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
        self.show_mode()
        form.texts["first_name"].setFocus()
        self._dup_timer.start()
        self.changed.emit()

    def new_person_name(self) -> str:
        texts = self.person_form.texts
        return f"{texts['first_name'].text()} {texts['last_name'].text()}".strip()

    def _person_form_edited(self) -> None:
        self._dup_timer.start()
        self.changed.emit()

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

    def show_mode(self) -> None:
        """Show the search, the picked person's card, or the inline form."""
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

    # -- clearing and drafts ------------------------------------------------------------
    def clear(self, city: str) -> None:
        self.search.clear()
        self._search_seq += 1  # a search still under way no longer shows its results
        self.search_timer.stop()
        self.results_model.set_items([])
        self.search_hint.setText(FIRST_HINT)  # never "1 personne…" over an empty list
        self.picked = None
        self.creating = False
        self.person_form.clear(city)
        self.show_mode()

    def is_blank(self) -> bool:
        person_typed = any(
            value
            for key, value in self.person_form.state().items()
            if key not in ("city", "has_internet")
        )
        return not (self.search.text() or self.picked or person_typed)

    def state(self) -> dict[str, Any]:
        picked = self.picked
        return {
            "search": self.search.text(),
            "picked": [picked.id, picked.text, picked.detail] if picked else None,
            "creating": self.creating,
            "person": self.person_form.state(),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Back to what `state()` saved; a pending search is run again."""
        self.search.setText(str(state.get("search", "")))
        picked = state.get("picked")
        self.picked = ListItem(*picked) if picked else None
        self.creating = bool(state.get("creating")) and self.picked is None
        self.person_form.restore(dict(state.get("person") or {}))
        self.show_mode()

    def search_again_if_pending(self) -> None:
        if self.search.text() and self.picked is None and not self.creating:
            self.search_timer.start()
