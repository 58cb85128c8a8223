"""Follow-ups: requests waiting too long for a volunteer, people nobody has heard from,
concerns raised after a visit. The home page shows their counts; this dialog lists them.

Entrée or a double-click opens the item: a request, a beneficiary's file, or a visit
(the concern's mission). "Inquiétude traitée" records who handled a concern, with an
optional note of what was done.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.services.followups import (
    Concern,
    FollowUpCounts,
    QuietBeneficiary,
    WaitingRequest,
    beneficiaries_without_contact,
    followup_counts,
    handle_concern,
    unhandled_concerns,
    unmatched_requests,
)
from bippop_desk.registry.services.settings import (
    MAX_FOLLOWUP_DAYS,
    SILENT_DAYS,
    UNMATCHED_DAYS,
    get_setting,
)
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.item_list import ItemList
from bippop_desk.ui.list_model import ListItem
from bippop_desk.ui.messages import error_text

# The thresholds of the coordinator's panel are typed settings (services/settings.py).
MAX_DAYS = MAX_FOLLOWUP_DAYS
SILENT_LIST_LIMIT = 1000  # the dialog lists at most this many silent people

UNMATCHED, SILENT, CONCERNS = "unmatched", "silent", "concerns"
KINDS = (UNMATCHED, SILENT, CONCERNS)


# -- worker-side reads and writes --------------------------------------------------------
@dataclass(frozen=True)
class FollowUpSummary:
    unmatched_days: int
    silent_days: int
    counts: FollowUpCounts


def followup_summary(registry: Registry) -> FollowUpSummary:
    """The thresholds in force and the three counts (DB worker)."""
    unmatched_days = get_setting(registry, UNMATCHED_DAYS)
    silent_days = get_setting(registry, SILENT_DAYS)
    counts = followup_counts(registry, unmatched_days, silent_days)
    return FollowUpSummary(unmatched_days, silent_days, counts)


@dataclass(frozen=True)
class FollowUpLists:
    unmatched: list[WaitingRequest]
    silent: list[QuietBeneficiary]
    concerns: list[Concern]


def followup_lists(registry: Registry, unmatched_days: int, silent_days: int) -> FollowUpLists:
    return FollowUpLists(
        unmatched_requests(registry, unmatched_days),
        beneficiaries_without_contact(registry, silent_days, limit=SILENT_LIST_LIMIT),
        unhandled_concerns(registry),
    )


# -- wording ---------------------------------------------------------------------------
def days_text(days: int) -> str:
    return f"{days} jour" if days <= 1 else f"{days} jours"


def card_texts(summary: FollowUpSummary) -> dict[str, str]:
    counts = summary.counts
    unmatched = counts.unmatched
    silent = counts.silent
    concerns = counts.concerns
    return {
        UNMATCHED: (
            f"{unmatched} demande{'s' if unmatched > 1 else ''} sans bénévole\n"
            f"depuis plus de {days_text(summary.unmatched_days)}"
        ),
        SILENT: (
            f"{silent} personne{'s' if silent > 1 else ''} sans nouvelles\n"
            f"depuis plus de {days_text(summary.silent_days)}"
        ),
        CONCERNS: (
            f"{concerns} inquiétude{'s' if concerns > 1 else ''} à traiter\n"
            "signalée" + ("s" if concerns > 1 else "") + " après une visite"
        ),
    }


def waiting_item(request: WaitingRequest) -> ListItem:
    urgent = "URGENT — " if request.urgent else ""
    return ListItem(
        request.id,
        f"{urgent}{request.beneficiary} — {request.mission_type}",
        f"reçue le {short_date(request.received_at.date())}, "
        f"sans bénévole depuis {days_text(request.days_waiting)}",
        request,
    )


def quiet_item(person: QuietBeneficiary) -> ListItem:
    phone = format_phone(person.phone) if person.phone else "pas de téléphone"
    since = (
        f"dernier contact le {short_date(person.last_contact.date())}, "
        f"il y a {days_text(person.days_silent)}"
        if person.last_contact
        else "aucun contact enregistré"
    )
    return ListItem(person.id, f"{person.full_name} — {phone}", since, person)


def concern_item(concern: Concern) -> ListItem:
    who = f" par {concern.volunteer}" if concern.volunteer else ""
    note = f"« {concern.outcome_note} »" if concern.outcome_note else "(pas de compte rendu)"
    return ListItem(
        concern.mission_id,
        f"{short_date(concern.day)} — {concern.beneficiary} — {concern.mission_type}{who}",
        note,
        concern,
    )


# -- widgets -----------------------------------------------------------------------------
class FollowUpsDialog(QDialog):
    """The three follow-up lists in tabs; opens on the tab of the card clicked."""

    open_request = Signal(str)
    open_beneficiary = Signal(str)
    open_mission = Signal(str)

    def __init__(
        self,
        context: AppContext,
        unmatched_days: int,
        silent_days: int,
        kind: str = UNMATCHED,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.unmatched_days = unmatched_days
        self.silent_days = silent_days
        self.loaded = False
        self._stale = False
        self._seq = 0
        self.setWindowTitle("À suivre")
        self.resize(900, 620)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.lists: dict[str, ItemList] = {}
        self.pages: dict[str, QWidget] = {}
        self.columns: dict[str, QVBoxLayout] = {}
        for key in KINDS:
            page = QWidget()
            column = QVBoxLayout(page)
            view = ItemList()
            view.setObjectName(f"followups_{key}")
            view.open_item.connect(lambda item, k=key: self._open(k, item))
            view.selectionModel().currentChanged.connect(self._update_buttons)
            column.addWidget(view, 1)
            self.lists[key] = view
            self.pages[key] = page
            self.columns[key] = column
            self.tabs.addTab(page, "…")
        self.silent_note = QLabel()
        self.silent_note.setWordWrap(True)
        self.silent_note.hide()
        self.columns[SILENT].addWidget(self.silent_note)
        self._build_concern_bar()
        layout.addWidget(self.tabs, 1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("&Ouvrir")
        self.open_button.clicked.connect(self.open_current)
        self.person_button = QPushButton("Fiche de la &personne")
        self.person_button.clicked.connect(self.open_current_person)
        close = QPushButton("&Fermer")
        close.clicked.connect(self.accept)
        for button in (self.open_button, self.person_button, close):
            button.setAutoDefault(False)  # Entrée belongs to the list
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.person_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)

        self.tabs.currentChanged.connect(self._tab_changed)
        context.data_changed.connect(self._data_changed)
        self.show_kind(kind)
        self.reload()

    def _build_concern_bar(self) -> None:
        bar = QHBoxLayout()
        self.concern_note = QLineEdit()
        self.concern_note.setObjectName("followups_concern_note")
        self.concern_note.setPlaceholderText("Appel à la famille, signalement au CCAS…")
        note_label = QLabel("&Note de suivi (facultative) :")
        note_label.setBuddy(self.concern_note)
        self.handle_button = QPushButton("Inquiétude &traitée")
        self.handle_button.setAutoDefault(False)
        self.handle_button.clicked.connect(self.handle_current_concern)
        self.concern_note.returnPressed.connect(self.handle_current_concern)
        bar.addWidget(note_label)
        bar.addWidget(self.concern_note, 1)
        bar.addWidget(self.handle_button)
        self.columns[CONCERNS].addLayout(bar)

    # -- loading ---------------------------------------------------------------------
    def set_days(self, unmatched_days: int, silent_days: int) -> None:
        if (unmatched_days, silent_days) != (self.unmatched_days, self.silent_days):
            self.unmatched_days, self.silent_days = unmatched_days, silent_days
            self.reload()

    def reload(self) -> None:
        self._stale = False
        self._seq += 1
        seq, unmatched_days, silent_days = self._seq, self.unmatched_days, self.silent_days
        self.context.read(
            lambda r: followup_lists(r, unmatched_days, silent_days),
            lambda lists: self._show(seq, lists),
            self._failed,
        )

    def _show(self, seq: int, lists: FollowUpLists) -> None:
        if seq != self._seq:
            return
        self.lists[UNMATCHED].set_items([waiting_item(r) for r in lists.unmatched])
        self.lists[SILENT].set_items([quiet_item(p) for p in lists.silent])
        self.lists[CONCERNS].set_items([concern_item(c) for c in lists.concerns])
        titles = {
            UNMATCHED: f"&Demandes sans bénévole ({len(lists.unmatched)})",
            SILENT: f"&Sans nouvelles ({len(lists.silent)})",
            CONCERNS: f"&Inquiétudes ({len(lists.concerns)})",
        }
        for key, title in titles.items():
            self.tabs.setTabText(self.tabs.indexOf(self.pages[key]), title)
            self.tabs.setTabToolTip(self.tabs.indexOf(self.pages[key]), self._explain(key))
        full = len(lists.silent) >= SILENT_LIST_LIMIT
        self.silent_note.setText(
            f"Les {SILENT_LIST_LIMIT} personnes sans nouvelles depuis le plus longtemps."
            if full
            else ""
        )
        self.silent_note.setVisible(full)
        self.loaded = True
        self._update_buttons()

    def _explain(self, key: str) -> str:
        return {
            UNMATCHED: f"Demandes reçues il y a plus de {days_text(self.unmatched_days)} "
            "et toujours sans bénévole, les urgentes d'abord.",
            SILENT: f"Bénéficiaires actifs sans contact depuis plus de "
            f"{days_text(self.silent_days)} (demande, visite ou appel).",
            CONCERNS: "Visites après lesquelles le bénévole a signalé une inquiétude.",
        }[key]

    def _data_changed(self, _entities: frozenset[str]) -> None:
        if self.isVisible():
            self.reload()
        else:  # closed: the lists are read again when it is shown
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _failed(self, error: BaseException) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        if isinstance(error, ValidationError):
            self.message.setText(" ".join(error.errors.values()))
        else:
            self.message.setText(error_text(error))

    # -- navigation ------------------------------------------------------------------
    def current_kind(self) -> str:
        page = self.tabs.currentWidget()
        return next((key for key, p in self.pages.items() if p is page), UNMATCHED)

    def show_kind(self, kind: str) -> None:
        self.tabs.setCurrentWidget(self.pages.get(kind, self.pages[UNMATCHED]))
        self.lists[self.current_kind()].setFocus()

    def _tab_changed(self, _index: int) -> None:
        self.message.clear()
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        kind = self.current_kind()
        has_item = self.lists[kind].current_item() is not None
        self.open_button.setEnabled(has_item)
        self.person_button.setEnabled(has_item)
        self.person_button.setVisible(kind != SILENT)
        self.handle_button.setEnabled(kind == CONCERNS and has_item)

    def open_current(self) -> None:
        kind = self.current_kind()
        item = self.lists[kind].current_item()
        if item is not None:
            self._open(kind, item)

    def _open(self, kind: str, item: ListItem) -> None:
        if kind == UNMATCHED:
            self.open_request.emit(item.id)
        elif kind == SILENT:
            self.open_beneficiary.emit(item.id)
        else:
            self.open_mission.emit(item.id)

    def open_current_person(self) -> None:
        item = self.lists[self.current_kind()].current_item()
        if item is not None:
            beneficiary_id = getattr(item.payload, "beneficiary_id", item.id)
            self.open_beneficiary.emit(str(beneficiary_id))

    # -- concerns ----------------------------------------------------------------------
    def handle_current_concern(self) -> None:
        item = self.lists[CONCERNS].current_item()
        if item is None:
            return
        self.mark_concern_handled(item.id, self.concern_note.text())

    def mark_concern_handled(self, mission_id: str, note: str = "") -> None:
        self.handle_button.setEnabled(False)

        def done(_result: object) -> None:
            self.concern_note.clear()
            self.message.setStyleSheet("")
            self.message.setText("Inquiétude marquée comme traitée.")

        def failed(error: BaseException) -> None:
            self.handle_button.setEnabled(True)
            self._failed(error)

        self.context.mutate(
            lambda r: handle_concern(r, mission_id, note), {"mission"}, done, failed
        )
