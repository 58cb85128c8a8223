"""Home: the day at a glance, the big button for the phone desk, and the follow-ups
the coordinator should look at (their thresholds are settings changed right here)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.services.overview import Overview, overview
from bippop_desk.registry.services.register import overdue_count
from bippop_desk.registry.services.settings import save_thresholds
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import EnterButton
from bippop_desk.ui.pages.followups import (
    CONCERNS,
    KINDS,
    MAX_DAYS,
    SILENT,
    UNMATCHED,
    FollowUpsDialog,
    FollowUpSummary,
    card_texts,
    followup_summary,
)
from bippop_desk.ui.pages.people import format_count

CARD_STYLE = (
    "QPushButton { text-align: left; padding: 14px; border: 1px solid #c9d6c9; "
    "border-radius: 6px; background: #f6faf6; } QPushButton:focus { border: 2px solid #2e7d32; }"
)
ALERT_STYLE = "QPushButton { background: #fdecea; }"
SAVE_DELAY_MS = 600


class HomePage(QWidget):
    new_request = Signal()
    show_requests = Signal(str)  # a status code, "" for all
    show_beneficiaries = Signal()
    open_request = Signal(str)  # from the follow-up lists
    open_beneficiary = Signal(str)
    open_mission = Signal(str)
    show_sync = Signal()  # the "modifications à synchroniser" card
    show_register = Signal()  # late register acknowledgements (issue 8)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        layout = QVBoxLayout(self)
        self.title = QLabel("<h1>Bip Pop Desk</h1>")
        layout.addWidget(self.title)
        self.greeting = QLabel()
        layout.addWidget(self.greeting)
        self.intake_button = EnterButton("Nouvelle demande téléphonique   (Ctrl+N)")
        self.intake_button.setObjectName("home_intake")
        # The focus shows (a plain style draws no focus frame on so big a button).
        self.intake_button.setStyleSheet(
            "QPushButton { font-size: 130%; padding: 16px; } "
            "QPushButton:focus { border: 3px solid #2e7d32; border-radius: 6px; }"
        )
        self.intake_button.clicked.connect(self.new_request)
        layout.addWidget(self.intake_button)
        grid = QGridLayout()
        self.cards: dict[str, QPushButton] = {}
        for position, key in enumerate(
            ("beneficiaries", "nouvelle", "en_recherche", "planifiee", "urgent", "outbox")
        ):
            card = QPushButton("…")
            card.setStyleSheet(CARD_STYLE)
            card.setObjectName(f"home_card_{key}")
            grid.addWidget(card, position // 3, position % 3)
            self.cards[key] = card
        self.cards["beneficiaries"].clicked.connect(self.show_beneficiaries)
        for status in ("nouvelle", "en_recherche", "planifiee"):
            self.cards[status].clicked.connect(lambda _=False, s=status: self.show_requests.emit(s))
        self.cards["urgent"].clicked.connect(lambda: self.show_requests.emit("urgent"))
        self.cards["outbox"].clicked.connect(self.show_sync)
        layout.addLayout(grid)
        # Register acknowledgements overdue (8 days): only for staff named for it.
        self.register_card = QPushButton()
        self.register_card.setObjectName("home_card_register_ack")
        self.register_card.setStyleSheet(CARD_STYLE + ALERT_STYLE)
        self.register_card.hide()
        self.register_card.clicked.connect(self.show_register)
        layout.addWidget(self.register_card)
        self._build_followups(layout)
        layout.addStretch(1)
        context.registry_ready.connect(self.reload)
        context.data_changed.connect(self._data_changed)
        context.actor_changed.connect(self._greet)
        context.actor_changed.connect(lambda: self.reload() if context.ready else None)
        if context.ready:
            self.reload()

    def focus_first_action(self) -> None:
        """After sign-in or unlocking: Entrée starts a phone request."""
        self.intake_button.setFocus()

    def _greet(self) -> None:
        first = (
            self.context.actor.display_name.split()[0] if self.context.actor.display_name else ""
        )
        self.greeting.setText(f"Bonjour {first}. Que souhaitez-vous faire ?")

    def _build_followups(self, layout: QVBoxLayout) -> None:
        self.followups_title = QLabel("<h2>À suivre</h2>")
        layout.addWidget(self.followups_title)
        row = QHBoxLayout()
        self.followup_cards: dict[str, QPushButton] = {}
        for key in KINDS:
            card = QPushButton("…")
            card.setStyleSheet(CARD_STYLE)
            card.setObjectName(f"home_followup_{key}")
            card.clicked.connect(lambda _=False, k=key: self.open_followups(k))
            row.addWidget(card, 1)
            self.followup_cards[key] = card
        layout.addLayout(row)
        thresholds = QFormLayout()
        thresholds.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.unmatched_days = QSpinBox()
        self.unmatched_days.setObjectName("home_unmatched_days")
        self.silent_days = QSpinBox()
        self.silent_days.setObjectName("home_silent_days")
        for spin, default in ((self.unmatched_days, 7), (self.silent_days, 30)):
            spin.setRange(1, MAX_DAYS)
            spin.setValue(default)
            spin.setSuffix(" jours")
            spin.valueChanged.connect(self._thresholds_edited)
        thresholds.addRow("Signaler les demandes sans &bénévole après", self.unmatched_days)
        thresholds.addRow("Signaler les personnes sans &nouvelles après", self.silent_days)
        layout.addLayout(thresholds)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_thresholds)
        self.followups: FollowUpSummary | None = None
        self.followups_dialog: FollowUpsDialog | None = None
        self._followup_seq = 0
        self._stale = False

    def _data_changed(self, _entities: frozenset[str]) -> None:
        # The follow-up counts take ~0.5 s on a large registry: a hidden page does not
        # hold up the worker after every save; it counts again when shown.
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.context.ready:
            self.reload()

    def reload(self) -> None:
        self._stale = False
        self.context.read(overview, self._show)
        self.context.read(overdue_count, self._show_register_card)
        self._followup_seq += 1
        seq = self._followup_seq
        self.context.read(followup_summary, lambda summary: self._show_followups(seq, summary))

    def _show_register_card(self, late: int | None) -> None:
        self.register_card.setVisible(bool(late))
        self.register_card.setText(
            f"{late} accusé(s) de réception du registre en retard (plus de 8 jours)"
        )

    # -- follow-ups --------------------------------------------------------------------------
    def _show_followups(self, seq: int, summary: FollowUpSummary) -> None:
        if seq != self._followup_seq:
            return
        self.followups = summary
        if not self._save_timer.isActive():  # never undo what the user is typing
            for spin, value in (
                (self.unmatched_days, summary.unmatched_days),
                (self.silent_days, summary.silent_days),
            ):
                spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(False)
        for key, text in card_texts(summary).items():
            self.followup_cards[key].setText(text)
        counts = {
            UNMATCHED: summary.counts.unmatched,
            SILENT: summary.counts.silent,
            CONCERNS: summary.counts.concerns,
        }
        for key, count in counts.items():
            alert = key != SILENT and count > 0
            self.followup_cards[key].setStyleSheet(CARD_STYLE + (ALERT_STYLE if alert else ""))

    def _thresholds_edited(self, _value: int) -> None:
        self._save_timer.start()

    def save_thresholds(self) -> None:
        """Keep the thresholds (local settings); the counts follow."""
        self._save_timer.stop()
        unmatched, silent = self.unmatched_days.value(), self.silent_days.value()
        self.context.mutate(lambda r: save_thresholds(r, unmatched, silent), {"app_setting"})

    def open_followups(self, kind: str) -> None:
        """The list behind a card, non-blocking (the request or file it opens goes on top)."""
        unmatched, silent = self.unmatched_days.value(), self.silent_days.value()
        dialog = self.followups_dialog
        if dialog is None:
            dialog = FollowUpsDialog(self.context, unmatched, silent, kind, self)
            dialog.open_request.connect(self.open_request)
            dialog.open_beneficiary.connect(self.open_beneficiary)
            dialog.open_mission.connect(self.open_mission)
            self.followups_dialog = dialog
        else:
            dialog.set_days(unmatched, silent)
            dialog.show_kind(kind)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _show(self, figures: Overview) -> None:
        self.title.setText(f"<h1>Bip Pop Desk — {figures.commune}</h1>")
        self._greet()
        by_status = figures.requests_by_status
        texts = {
            "beneficiaries": format_count(
                figures.beneficiaries, "bénéficiaire actif", "bénéficiaires actifs"
            ),
            "nouvelle": format_count(
                by_status.get("nouvelle", 0), "nouvelle demande", "nouvelles demandes"
            ),
            "en_recherche": format_count(
                by_status.get("en_recherche", 0),
                "demande en recherche de bénévole",
                "demandes en recherche de bénévole",
            ),
            "planifiee": format_count(
                by_status.get("planifiee", 0), "demande planifiée", "demandes planifiées"
            ),
            "urgent": format_count(
                figures.urgent_open, "demande urgente à traiter", "demandes urgentes à traiter"
            ),
            "outbox": "Commune de démonstration : rien n'est synchronisé"
            if figures.demo
            else format_count(
                figures.outbox_pending,
                "modification à synchroniser",
                "modifications à synchroniser",
            ),
        }
        for key, text in texts.items():
            self.cards[key].setText(text)
        self.cards["urgent"].setStyleSheet(
            CARD_STYLE + ("QPushButton { background: #fdecea; }" if figures.urgent_open else "")
        )
        self.cards["outbox"].setToolTip("Ouvrir la page Synchronisation")
