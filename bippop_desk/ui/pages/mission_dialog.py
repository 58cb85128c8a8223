"""One mission (intervention): its details and what can happen to it next.

Statuses only move forward: planned → done → validated, or planned → cancelled /
nobody home. Marking it done records the visit report and the volunteer's hours in
one transaction.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGridLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.frdates import long_date, short_time
from bippop_desk.registry.services.matching import MatchResult, suggest_for_mission
from bippop_desk.registry.services.mission_views import MissionDetail, mission_detail
from bippop_desk.registry.services.missions import (
    VisitReport,
    cancel_mission,
    mark_done,
    mark_no_show,
    reassign_mission,
    validate_missions,
)
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import FormDialog
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.messages import error_text

CHANGED = frozenset({"mission", "request", "hours_entry"})


def describe_mission(mission: MissionDetail) -> str:
    esc = html.escape
    when = (
        f"{long_date(mission.starts_at.date())}, {short_time(mission.starts_at)}–"
        f"{short_time(mission.ends_at)}"
    )
    facts = [
        ("Quand", when),
        ("Statut", mission.status_label),
        (
            "Bénévole",
            " — ".join(p for p in (mission.volunteer_name, mission.volunteer_phone) if p)
            or "à trouver",
        ),
        ("Chez", mission.beneficiary_name),
        ("Adresse", mission.address),
        ("Accès", mission.access_notes),
        ("Téléphone", mission.beneficiary_phone),
        ("Notes", mission.notes),
        (
            "Durée réelle",
            f"{mission.actual_duration_min} min" if mission.actual_duration_min else "",
        ),
        ("Kilomètres", f"{mission.mileage_km} km".replace(".", ",") if mission.mileage_km else ""),
        ("Compte rendu", mission.outcome_note),
        (
            "Inquiétude",
            ("oui, traitée" if mission.concern_handled else "oui, à traiter")
            if mission.concern
            else "",
        ),
        ("Motif d'annulation", mission.cancel_reason),
        ("Confiée malgré", mission.override_reason),
    ]
    return f"<h2>{esc(mission.mission_type)}</h2>" + "<br>".join(
        f"<b>{label} :</b> {esc(value)}" for label, value in facts if value
    )


class MissionDialog(QDialog):
    def __init__(self, context: AppContext, mission_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.mission_id = mission_id
        self.mission: MissionDetail | None = None
        self.setWindowTitle("Intervention")
        self.resize(720, 560)
        column = QVBoxLayout(self)
        self.details = QLabel("Chargement…")
        self.details.setObjectName("mission_details")
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.details, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        column.addWidget(self.message)
        grid = QGridLayout()
        self.done_button = QPushButton("Marquer &réalisée…")
        self.done_button.clicked.connect(self.report_done)
        self.no_show_button = QPushButton("Personne &absente…")
        self.no_show_button.clicked.connect(self.no_show)
        self.cancel_button = QPushButton("A&nnuler la visite…")
        self.cancel_button.clicked.connect(self.cancel)
        self.reassign_button = QPushButton("Confier à un &autre bénévole…")
        self.reassign_button.clicked.connect(self.reassign)
        self.validate_button = QPushButton("&Valider")
        self.validate_button.clicked.connect(self.validate)
        close = QPushButton("&Fermer")
        close.clicked.connect(self.accept)
        for position, button in enumerate(
            (
                self.done_button,
                self.no_show_button,
                self.cancel_button,
                self.reassign_button,
                self.validate_button,
                close,
            )
        ):
            grid.addWidget(button, position // 3, position % 3)
        column.addLayout(grid)
        context.data_changed.connect(lambda e: self.load() if e & CHANGED else None)
        self.load()

    def load(self) -> None:
        mission_id = self.mission_id
        self.context.read(
            lambda r: mission_detail(r, mission_id),
            self._loaded,
            lambda e: self.details.setText(html.escape(str(e))),
        )

    def _loaded(self, mission: MissionDetail) -> None:
        self.mission = mission
        self.details.setText(describe_mission(mission))
        planned = mission.status == "planifiee"
        for button in (
            self.done_button,
            self.no_show_button,
            self.cancel_button,
            self.reassign_button,
        ):
            button.setVisible(planned)
        self.validate_button.setVisible(mission.status == "realisee")

    def _run(self, work: Callable[[Registry], object], done_text: str) -> None:
        self.context.mutate(work, CHANGED, lambda _result: self._say(done_text), self._failed)

    def _failed(self, error: BaseException) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        text = error_text(error)
        self.message.setText(text)

    def report_done(self) -> None:
        if self.mission is not None:
            dialog = VisitReportDialog(self.context, self.mission, self)
            dialog.saved.connect(
                lambda _entry: self._say("Intervention réalisée ; heures enregistrées.")
            )
            dialog.open()

    def _say(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    def no_show(self) -> None:
        note, ok = QInputDialog.getText(
            self, "Personne absente", "Ce qui s'est passé (facultatif) :"
        )
        if not ok:
            return
        mission_id = self.mission_id
        self._run(
            lambda r: mark_no_show(r, mission_id, note, concern=True),
            "Personne absente : signalé au coordinateur.",
        )

    def cancel(self) -> None:
        reason, ok = QInputDialog.getText(self, "Annuler la visite", "Motif :")
        if ok:
            mission_id = self.mission_id
            self._run(lambda r: cancel_mission(r, mission_id, reason), "Visite annulée.")

    def validate(self) -> None:
        mission_id = self.mission_id
        self._run(lambda r: validate_missions(r, [mission_id]), "Intervention validée.")

    def reassign(self) -> None:
        mission_id = self.mission_id
        self.context.read(
            lambda r: suggest_for_mission(r, mission_id), self._choose_replacement, self._failed
        )

    def _choose_replacement(self, result: MatchResult) -> None:
        choices = [s for s in result.suggestions if not s.blocked]
        if not choices:
            self._failed(ValidationError.single("volunteer", "Aucun bénévole disponible."))
            return
        labels = [f"{s.full_name} — " + ", ".join(r.label for r in s.reasons) for s in choices]
        label, ok = QInputDialog.getItem(
            self, "Confier à un autre bénévole", "Bénévole :", labels, 0, False
        )
        if not ok:
            return
        chosen = choices[labels.index(label)]
        reason = ""
        if chosen.needs_override:
            reason, ok = QInputDialog.getText(
                self, "Confier quand même ?", "Pourquoi lui confier quand même ?"
            )
            if not ok or not reason.strip():
                return
        mission_id = self.mission_id
        self._run(
            lambda r: reassign_mission(r, mission_id, chosen.volunteer_id, override_reason=reason),
            f"Intervention confiée à {chosen.full_name}.",
        )


class VisitReportDialog(FormDialog):
    """What the volunteer reported: duration, kilometres, how it went, any concern."""

    def __init__(self, context: AppContext, mission: MissionDetail, parent: QWidget | None = None):
        super().__init__(context, "Compte rendu de la visite", parent)
        self.mission = mission
        self.duration = QSpinBox()
        self.duration.setRange(0, 720)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.duration.setValue(mission.planned_minutes)
        self.mileage = QLineEdit()
        self.mileage.setPlaceholderText("0")
        self.outcome = QPlainTextEdit()
        self.outcome.setTabChangesFocus(True)
        self.outcome.setPlaceholderText("Comment cela s'est passé…")
        self.concern = QCheckBox("Une &inquiétude à signaler au coordinateur")
        self.row("actual_duration_min", "&Durée réelle", self.duration)
        self.row("mileage_km", "&Kilomètres", self.mileage)
        self.row("outcome_note", "&Compte rendu", self.outcome)
        self.row("concern", "", self.concern)
        self.fit()

    def report(self) -> VisitReport:
        mileage = self.mileage.text().strip().replace(",", ".")
        return VisitReport(
            actual_duration_min=self.duration.value(),
            mileage_km=mileage or Decimal(0),
            outcome_note=self.outcome.toPlainText(),
            concern=self.concern.isChecked(),
        )

    def save(self) -> None:
        report, mission_id = self.report(), self.mission.id
        self.submit(lambda r: mark_done(r, mission_id, report), CHANGED)
