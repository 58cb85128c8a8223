"""A request's detail, its missions, the volunteers suggested for it, and the assignment.

The suggestions come ranked, each with its reasons (✔ for, ✘ against, ⛔ impossible).
A double booking is refused; an assignment outside the volunteer's slots, during an
absence or over their weekly maximum needs a written reason (the override).
"""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import SchedulingError
from bippop_desk.registry.frdates import parse_date, short_date, short_time
from bippop_desk.registry.services.matching import MatchResult, Suggestion, suggest_volunteers
from bippop_desk.registry.services.mission_views import MissionSummary, request_missions
from bippop_desk.registry.services.missions import (
    Assignment,
    Extension,
    assign_volunteer,
    extend_recurrence,
    stop_recurrence,
)
from bippop_desk.registry.services.requests import RequestDetail, cancel_request, request_detail
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.list_model import ItemListModel, ListItem
from bippop_desk.ui.messages import error_text

MARKS = {"positive": "✔", "negative": "✘", "blocking": "⛔"}
OPEN_STATUSES = ("nouvelle", "en_recherche")


def suggestion_item(suggestion: Suggestion) -> ListItem:
    head = f"{suggestion.full_name} — {suggestion.phone or 'sans téléphone'}"
    if suggestion.blocked:
        head = f"⛔ {head} (impossible)"
    elif suggestion.needs_override:
        head = f"{head} (avec justification)"
    reasons = " · ".join(f"{MARKS.get(r.kind, '')} {r.label}" for r in suggestion.reasons)
    return ListItem(suggestion.volunteer_id, head, reasons, suggestion)


def mission_item(mission: MissionSummary) -> ListItem:
    start, end = mission.starts_at, mission.ends_at
    when = f"{short_date(start.date())} {short_time(start)}–{short_time(end)}"
    return ListItem(
        mission.id,
        f"{when} — {mission.volunteer_name or 'sans bénévole'}",
        mission.status_label,
        mission,
    )


class RequestDialog(QDialog):
    open_mission = Signal(str)

    def __init__(self, context: AppContext, request_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.request_id = request_id
        self.detail: RequestDetail | None = None
        self.match: MatchResult | None = None
        self.setWindowTitle("Demande")
        self.resize(900, 760)
        column = QVBoxLayout(self)
        self.text = QLabel("Chargement…")
        self.text.setObjectName("request_text")
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.text)

        self.missions_box = QGroupBox("Interventions (Entrée : ouvrir)")
        missions_layout = QVBoxLayout(self.missions_box)
        self.missions_model = ItemListModel()
        self.missions = QListView()
        self.missions.setObjectName("request_missions")
        self.missions.setModel(self.missions_model)
        self.missions.activated.connect(self._open_mission_row)
        missions_layout.addWidget(self.missions)
        column.addWidget(self.missions_box, 1)

        self.match_box = QGroupBox("Trouver un bénévole")
        match = QVBoxLayout(self.match_box)
        when_row = QHBoxLayout()
        self.other_time = QCheckBox("Proposer un autre &moment :")
        self.starts_at = QDateTimeEdit()
        self.starts_at.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.starts_at.setCalendarPopup(True)
        self.duration = QSpinBox()
        self.duration.setRange(15, 480)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.search_button = QPushButton("&Chercher")
        self.search_button.clicked.connect(self.search)
        for widget in (
            self.other_time,
            self.starts_at,
            QLabel("durée"),
            self.duration,
            self.search_button,
        ):
            when_row.addWidget(widget)
        when_row.addStretch(1)
        match.addLayout(when_row)
        self.match_info = QLabel()
        self.match_info.setWordWrap(True)
        match.addWidget(self.match_info)
        self.suggestions_model = ItemListModel()
        self.suggestions = QListView()
        self.suggestions.setObjectName("request_suggestions")
        self.suggestions.setModel(self.suggestions_model)
        self.suggestions.setWordWrap(True)
        self.suggestions.setAlternatingRowColors(True)
        self.suggestions.activated.connect(lambda _index: self.assign_current())
        match.addWidget(self.suggestions, 1)
        self.assign_button = QPushButton("Confier à ce &bénévole  (Entrée)")
        self.assign_button.clicked.connect(self.assign_current)
        match.addWidget(self.assign_button)
        column.addWidget(self.match_box, 3)

        self.message = QLabel()
        self.message.setWordWrap(True)
        column.addWidget(self.message)
        actions = QHBoxLayout()
        self.cancel_button = QPushButton("&Annuler la demande…")
        self.cancel_button.clicked.connect(self._cancel)
        self.stop_button = QPushButton("A&rrêter la série…")
        self.stop_button.clicked.connect(self._stop_series)
        self.extend_button = QPushButton("&Planifier les semaines suivantes")
        self.extend_button.clicked.connect(self._extend_series)
        close = QPushButton("&Fermer")
        close.clicked.connect(self.accept)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.stop_button)
        actions.addWidget(self.extend_button)
        actions.addStretch(1)
        actions.addWidget(close)
        column.addLayout(actions)
        context.data_changed.connect(self._data_changed)
        self.load()

    # -- loading --------------------------------------------------------------------------
    def load(self) -> None:
        request_id = self.request_id

        def fetch(registry: Registry) -> tuple[RequestDetail, list[MissionSummary]]:
            return request_detail(registry, request_id), request_missions(registry, request_id)

        self.context.read(fetch, self._loaded, lambda e: self.text.setText(html.escape(str(e))))

    def _loaded(self, result: tuple[RequestDetail, list[MissionSummary]]) -> None:
        detail, missions = result
        first_time = self.detail is None
        self.detail = detail
        esc = html.escape
        rows = [
            ("Personne", detail.beneficiary_name),
            ("Type d'aide", detail.mission_type_label),
            ("Statut", detail.status_label),
            ("Souhaitée", detail.wished),
            ("Rythme", detail.recurrence_label),
            ("Urgence", "urgente" if detail.urgent else "normale"),
            ("Reçue", f"{detail.received} par {detail.received_by} ({detail.channel_label})"),
            ("Appelant", detail.caller_name),
            ("Notes", detail.notes),
            ("Motif d'annulation", detail.cancel_reason),
        ]
        self.text.setText(
            f"<h2>{esc(detail.mission_type_label)} — {esc(detail.beneficiary_name)}</h2>"
            + "<br>".join(f"<b>{label} :</b> {esc(value)}" for label, value in rows if value)
        )
        self.setWindowTitle(f"Demande de {detail.beneficiary_name}")
        self.missions_model.set_items([mission_item(m) for m in missions])
        self.missions_box.setVisible(bool(missions))
        searching = detail.status in OPEN_STATUSES
        self.match_box.setVisible(searching)
        self.cancel_button.setEnabled(detail.status not in ("realisee", "annulee"))
        running_series = detail.recurrence != "aucune" and detail.status == "planifiee"
        self.stop_button.setVisible(running_series)
        self.extend_button.setVisible(running_series)
        if searching and first_time:
            self._prefill_time(detail)
            self.search()

    def _prefill_time(self, detail: RequestDetail) -> None:
        day = detail.wished_date or local_today() + dt.timedelta(days=1)
        start = detail.wished_time_from or dt.time(14, 0)
        self.starts_at.setDateTime(
            QDateTime(day.year, day.month, day.day, start.hour, start.minute, 0)
        )
        if detail.wished_time_from and detail.wished_time_to:
            minutes = (
                dt.datetime.combine(day, detail.wished_time_to)
                - dt.datetime.combine(day, detail.wished_time_from)
            ).seconds // 60
            self.duration.setValue(max(15, minutes))
        else:
            self.duration.setValue(60)
        # Without a wished day and time, the coordinator proposes one.
        self.other_time.setChecked(not (detail.wished_date and detail.wished_time_from))

    def _data_changed(self, entities: frozenset[str]) -> None:
        if entities & {"request", "mission"}:
            self.load()

    # -- matching --------------------------------------------------------------------------
    def proposed_start(self) -> dt.datetime | None:
        if not self.other_time.isChecked():
            return None
        value = self.starts_at.dateTime()
        day, moment = value.date(), value.time()
        return dt.datetime(day.year(), day.month(), day.day(), moment.hour(), moment.minute())

    def search(self) -> None:
        request_id = self.request_id
        starts_at = self.proposed_start()
        duration = self.duration.value() if starts_at else None
        self.match_info.setText("Recherche des bénévoles…")

        def fetch(registry: Registry) -> MatchResult:
            return suggest_volunteers(
                registry, request_id, starts_at=starts_at, duration_min=duration
            )

        self.context.read(fetch, self._suggested, self._failed)

    def _suggested(self, result: MatchResult) -> None:
        self.match = result
        self.suggestions_model.set_items([suggestion_item(s) for s in result.suggestions])
        visits = ", ".join(
            f"{short_date(o.day)} {short_time(o.start)}" for o in result.occurrences[:4]
        )
        text = f"{len(result.suggestions)} bénévoles proposés sur {result.candidates} examinés."
        if result.dated:
            more = "…" if len(result.occurrences) > 4 else ""
            text += f" Visites vérifiées : {visits}{more}."
        else:
            text += " Sans jour ni heure, les disponibilités ne sont pas vérifiées."
        if result.skipped:
            text += (
                " Jours fériés sautés : "
                + ", ".join(f"{short_date(s.day)} ({s.holiday})" for s in result.skipped)
                + "."
            )
        self.match_info.setText(text)
        if result.suggestions:
            self.suggestions.setCurrentIndex(self.suggestions_model.index(0))
            self.suggestions.setFocus()

    def assign_current(self) -> None:
        item = self.suggestions_model.item(self.suggestions.currentIndex().row())
        if item is None:
            return
        suggestion: Suggestion = item.payload
        if suggestion.blocked:
            self._say_error(
                f"{suggestion.full_name} a déjà une intervention à ce moment-là : "
                "impossible de lui confier celle-ci."
            )
            return
        reason = ""
        if suggestion.needs_override:
            reason = self._ask_override(
                suggestion.full_name, [r.label for r in suggestion.reasons if r.kind != "positive"]
            )
            if not reason:
                return
        self.assign(suggestion.volunteer_id, suggestion.full_name, reason)

    def _ask_override(self, name: str, problems: list[str]) -> str:
        text, ok = QInputDialog.getText(
            self,
            "Confier quand même ?",
            f"{name} : {'; '.join(problems)}.\nPourquoi lui confier quand même ? "
            "(la raison est gardée dans l'intervention)",
        )
        return text.strip() if ok else ""

    def assign(self, volunteer_id: str, name: str, override_reason: str = "") -> None:
        request_id = self.request_id
        starts_at = self.proposed_start()
        duration = self.duration.value() if starts_at else None

        def work(registry: Registry) -> Assignment:
            return assign_volunteer(
                registry,
                request_id,
                volunteer_id,
                starts_at=starts_at,
                duration_min=duration,
                override_reason=override_reason,
            )

        def failed(error: BaseException) -> None:
            if isinstance(error, SchedulingError) and error.overridable and not override_reason:
                reason = self._ask_override(name, [str(error)])
                if reason:
                    self.assign(volunteer_id, name, reason)
                return
            self._failed(error)

        self.context.mutate(work, {"request", "mission"}, lambda a: self._assigned(name, a), failed)

    def _assigned(self, name: str, assignment: Assignment) -> None:
        count = len(assignment.mission_ids)
        plural = "s" if count > 1 else ""
        text = f"Demande confiée à {name} : {count} intervention{plural} planifiée{plural}."
        if assignment.skipped:
            text += (
                " Jours fériés sautés : "
                + ", ".join(f"{short_date(s.day)} ({s.holiday})" for s in assignment.skipped)
                + "."
            )
        if assignment.continues_after:
            text += f" La série est planifiée jusqu'au {short_date(assignment.continues_after)}."
        self.message.setStyleSheet("")
        self.message.setText(text)

    def _failed(self, error: BaseException) -> None:
        message = error_text(error)
        self._say_error(message)

    def _say_error(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    # -- other actions ---------------------------------------------------------------------
    def _open_mission_row(self, index: object) -> None:
        item = self.missions_model.item(self.missions.currentIndex().row())
        if item is not None:
            self.open_mission.emit(item.id)

    def _cancel(self) -> None:
        reason, ok = QInputDialog.getText(self, "Annuler la demande", "Motif de l'annulation :")
        if not ok:
            return
        request_id = self.request_id
        self.context.mutate(
            lambda r: cancel_request(r, request_id, reason),
            {"request"},
            on_error=self._cancel_failed,
        )

    def _stop_series(self) -> None:
        text, ok = QInputDialog.getText(
            self,
            "Arrêter la série",
            "À partir de quel jour (JJ/MM/AAAA) ?",
            text=short_date(local_today()),
        )
        if not ok:
            return
        try:
            day = parse_date(text)
        except ValueError as error:
            self._say_error(str(error))
            return
        reason, ok = QInputDialog.getText(self, "Arrêter la série", "Pourquoi (facultatif) ?")
        if not ok:
            return
        request_id = self.request_id

        def done(cancelled: int) -> None:
            self.message.setStyleSheet("")
            self.message.setText(
                f"Série arrêtée le {short_date(day)} : {cancelled} visite(s) annulée(s)."
            )

        self.context.mutate(
            lambda r: stop_recurrence(r, request_id, day, reason),
            {"request", "mission"},
            done,
            self._failed,
        )

    def _extend_series(self) -> None:
        request_id = self.request_id

        def done(extension: Extension) -> None:
            count = len(extension.mission_ids)
            text = f"{count} visite(s) de plus planifiée(s)."
            if extension.left_out:
                text += " " + " ".join(extension.left_out)
            self.message.setStyleSheet("")
            self.message.setText(text)

        self.context.mutate(
            lambda r: extend_recurrence(r, request_id), {"request", "mission"}, done, self._failed
        )

    def _cancel_failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Annulation impossible", error_text(error))
