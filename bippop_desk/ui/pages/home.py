"""Home: the day at a glance and the big button for the phone desk."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from bippop_desk.registry.services.overview import Overview, overview
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.pages.people import format_count

CARD_STYLE = (
    "QPushButton { text-align: left; padding: 14px; border: 1px solid #c9d6c9; "
    "border-radius: 6px; background: #f6faf6; } QPushButton:focus { border: 2px solid #2e7d32; }"
)


class HomePage(QWidget):
    new_request = Signal()
    show_requests = Signal(str)  # a status code, "" for all
    show_beneficiaries = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        layout = QVBoxLayout(self)
        self.title = QLabel("<h1>Bip Pop Desk</h1>")
        layout.addWidget(self.title)
        self.greeting = QLabel()
        layout.addWidget(self.greeting)
        self.intake_button = QPushButton("Nouvelle demande téléphonique   (Ctrl+N)")
        self.intake_button.setObjectName("home_intake")
        self.intake_button.setStyleSheet("font-size: 130%; padding: 16px;")
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
        layout.addLayout(grid)
        layout.addStretch(1)
        context.registry_ready.connect(self.reload)
        context.data_changed.connect(lambda _entities: self.reload())
        context.actor_changed.connect(self._greet)
        if context.ready:
            self.reload()

    def _greet(self) -> None:
        first = (
            self.context.actor.display_name.split()[0] if self.context.actor.display_name else ""
        )
        self.greeting.setText(f"Bonjour {first}. Que souhaitez-vous faire ?")

    def reload(self) -> None:
        self.context.read(overview, self._show)

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
            "outbox": format_count(
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
        self.cards["outbox"].setFocusPolicy(Qt.FocusPolicy.NoFocus)
