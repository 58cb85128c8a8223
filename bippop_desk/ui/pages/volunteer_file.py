"""A volunteer's file: life cycle, offers, weekly slots, absences, missions, hours,
and the actions on them (the forms live in `volunteer_forms`)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.paths import export_dir
from bippop_desk.registry.frdates import short_date, short_datetime, short_time
from bippop_desk.registry.models.people import VOLUNTEER_STATUSES
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.services.hours import HoursLine, hours_lines
from bippop_desk.registry.services.volunteers import (
    ORIGINS,
    MissionLine,
    StatusChange,
    VolunteerFile,
    change_volunteer_status,
    remove_absence,
    volunteer_file,
)
from bippop_desk.reports.ics import CalendarExport, write_volunteer_calendar
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import (
    ERROR_STYLE,
)
from bippop_desk.ui.item_list import ItemList
from bippop_desk.ui.list_model import ListItem
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.pages.volunteer_forms import AbsenceDialog, SlotsDialog, VolunteerEditDialog
from bippop_desk.ui.pages.volunteer_hours import (
    RECENT_LINES,
    AddHoursDialog,
    CorrectHoursDialog,
    calendar_file_name,
    hours_item,
)


def hours_text(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d}"


def describe_volunteer(file: VolunteerFile) -> str:
    v = file.volunteer
    esc = html.escape
    facts = [
        ("Statut", file.status_label),
        (
            "Validé·e par",
            f"{v.validated_by} le {short_datetime(v.validated_at)}" if v.validated_at else "",
        ),
        ("Charte signée le", short_date(v.charter_signed_on)),
        ("Entretien le", short_date(v.interview_on)),
        ("Formation le", short_date(v.training_on)),
        ("Raison du départ", v.left_reason),
        ("Téléphone", format_phone(v.phone)),
        ("Courriel", v.email),
        ("Adresse", " ".join(p for p in (v.address_line, v.postal_code, v.city) if p)),
        ("Quartier", v.quartier),
        ("Voiture", "oui" if v.has_car else "non"),
        ("Au plus", f"{v.max_missions_per_week} interventions par semaine"),
        ("Association", file.partner_name),
        ("Inscription", ORIGINS.get(v.origin, v.origin)),
        ("Propose", ", ".join(label for _id, label in file.offers) or "rien encore"),
        ("Disponible", "; ".join(slot.text() for slot in file.slots) or "aucun créneau"),
        ("Absences", "; ".join(a.text() for a in file.absences)),
        (
            "Heures données",
            f"{hours_text(file.hours_this_year_minutes)} cette année, "
            f"{hours_text(file.hours_total_minutes)} en tout",
        ),
        ("Notes", v.notes),
    ]
    lines = [f"<h2>{esc(v.civility)} {esc(v.first_name)} {esc(v.last_name)}</h2>"]
    lines += [f"<b>{label} :</b> {esc(value)}" for label, value in facts if value]

    def missions(title: str, items: tuple[MissionLine, ...]) -> None:
        if items:
            lines.append(f"<br><b>{title}</b>")
            lines.extend(
                esc(
                    f"• {short_date(m.starts_at.date())} {short_time(m.starts_at)} — "
                    f"{m.mission_type} chez {m.beneficiary} ({m.status_label})"
                )
                for m in items
            )

    missions("Prochaines interventions", file.upcoming_missions)
    missions("Dernières interventions", file.recent_missions)
    return "<br>".join(lines)


class VolunteerFileDialog(QDialog):
    def __init__(self, context: AppContext, volunteer_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.volunteer_id = volunteer_id
        self.file: VolunteerFile | None = None
        self.setWindowTitle("Fiche bénévole")
        self.resize(900, 720)
        layout = QVBoxLayout(self)
        self.details = QLabel("Chargement…")
        self.details.setObjectName("volunteer_details")
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setWordWrap(True)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.details)
        layout.addWidget(scroll, 3)
        self.hours_lines: list[HoursLine] = []
        self.hours_list = ItemList()
        self.hours_list.setObjectName("volunteer_hours")
        self.hours_list.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self.hours_list.open_item.connect(lambda item: self.correct_hours(item.id))
        hours_label = QLabel("Heures sa&isies, les plus récentes d'abord (Entrée pour corriger) :")
        hours_label.setBuddy(self.hours_list)
        layout.addWidget(hours_label)
        layout.addWidget(self.hours_list, 2)
        hours_row = QHBoxLayout()
        layout.addLayout(hours_row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        grid = QGridLayout()
        self.edit_button = QPushButton("&Modifier la fiche")
        self.edit_button.clicked.connect(self.edit)
        self.slots_button = QPushButton("&Disponibilités…")
        self.slots_button.clicked.connect(self.edit_slots)
        self.absence_button = QPushButton("Ajouter une &absence…")
        self.absence_button.clicked.connect(self.add_absence)
        self.remove_absence_button = QPushButton("&Retirer une absence…")
        self.remove_absence_button.clicked.connect(self.remove_absence)
        self.validate_button = QPushButton("&Valider le bénévole")
        self.validate_button.clicked.connect(lambda: self.change_status("valide"))
        self.suspend_button = QPushButton("&Suspendre…")
        self.suspend_button.clicked.connect(lambda: self.change_status("suspendu"))
        self.leave_button = QPushButton("Enregistrer son dé&part…")
        self.leave_button.clicked.connect(lambda: self.change_status("parti"))
        self.calendar_button = QPushButton("Exporter son a&genda (.ics)…")
        self.calendar_button.clicked.connect(self.export_calendar)
        self.add_hours_button = QPushButton("Ajouter des &heures (formation, réunion…)…")
        self.add_hours_button.clicked.connect(self.add_hours)
        self.correct_button = QPushButton("&Corriger une saisie…")
        self.correct_button.clicked.connect(lambda: self.correct_hours(None))
        self.correct_button.setEnabled(False)
        for button in (self.add_hours_button, self.correct_button, self.calendar_button):
            hours_row.addWidget(button)
        hours_row.addStretch(1)
        close = QPushButton("&Fermer")
        close.clicked.connect(self.accept)
        for column, button in enumerate(
            (self.edit_button, self.slots_button, self.absence_button, self.remove_absence_button)
        ):
            grid.addWidget(button, 0, column)
        # Validate and suspend never show together: they share a cell, leaving no gap.
        grid.addWidget(self.validate_button, 1, 0)
        grid.addWidget(self.suspend_button, 1, 0)
        grid.addWidget(self.leave_button, 1, 1)
        grid.addWidget(close, 1, 3)
        layout.addLayout(grid)
        context.data_changed.connect(self._data_changed)
        self.load()

    def load(self) -> None:
        volunteer_id = self.volunteer_id
        self.context.read(
            lambda r: volunteer_file(r, volunteer_id),
            self._loaded,
            lambda error: self.details.setText(html.escape(error_text(error))),
        )
        self.context.read(
            lambda r: hours_lines(r, volunteer_id, RECENT_LINES), self._hours_loaded, self._failed
        )

    def _hours_loaded(self, lines: list[HoursLine]) -> None:
        self.hours_lines = lines
        items: list[ListItem] = [hours_item(line) for line in lines]
        self.hours_list.set_items(items)
        self.correct_button.setEnabled(bool(lines))

    def _loaded(self, file: VolunteerFile) -> None:
        self.file = file
        self.details.setText(describe_volunteer(file))
        self.setWindowTitle(f"Fiche de {file.volunteer.full_name}")
        status = file.volunteer.status
        self.validate_button.setVisible(status in ("en_attente", "suspendu"))
        self.validate_button.setText(
            "&Valider le bénévole" if status == "en_attente" else "Ré&activer"
        )
        self.suspend_button.setVisible(status == "valide")
        self.leave_button.setVisible(status != "parti")
        self.remove_absence_button.setEnabled(bool(file.absences))

    def _data_changed(self, entities: frozenset[str]) -> None:
        if entities & {
            "volunteer",
            "mission",
            "hours_entry",
            "volunteer_availability",
            "volunteer_absence",
        }:
            self.load()

    def _failed(self, error: BaseException) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(error_text(error))

    def _say(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    def change_status(self, status: str) -> None:
        reason = ""
        if status in ("suspendu", "parti"):
            question = (
                "Pourquoi ce départ ?"
                if status == "parti"
                else "Motif de la suspension (facultatif) :"
            )
            reason, ok = QInputDialog.getText(self, VOLUNTEER_STATUSES[status], question)
            if not ok:
                return
        volunteer_id = self.volunteer_id

        def done(result: StatusChange) -> None:
            text = f"Statut : {VOLUNTEER_STATUSES[result.status]}."
            if result.missions_to_reassign:
                count = len(result.missions_to_reassign)
                text += (
                    f" {count} intervention{'s' if count > 1 else ''} planifiée"
                    f"{'s' if count > 1 else ''} à confier à quelqu'un d'autre (voir le planning)."
                )
            self._say(text)

        self.context.mutate(
            lambda r: change_volunteer_status(r, volunteer_id, status, reason),
            {"volunteer", "mission"},
            done,
            self._failed,
        )

    def add_hours(self) -> None:
        AddHoursDialog(self.context, self.volunteer_id, self).exec()

    def correct_hours(self, entry_id: str | None) -> None:
        if not self.hours_lines:
            return
        if entry_id is None:
            current = self.hours_list.current_item()
            entry_id = current.id if current is not None else None
        CorrectHoursDialog(self.context, self.hours_lines, entry_id, self).exec()

    def export_calendar(self) -> None:
        """The planned visits of the next four weeks, as an .ics file the volunteer
        imports in a phone's calendar."""
        first_name = self.file.volunteer.first_name if self.file is not None else ""
        default = export_dir() / calendar_file_name(first_name)
        path, _filter = QFileDialog.getSaveFileName(
            self, "Exporter l'agenda du bénévole", str(default), "Agenda (*.ics)"
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".ics":
            target = target.with_name(target.name + ".ics")
        volunteer_id = self.volunteer_id
        self._say("Export de l'agenda…")
        self.context.read(
            lambda r: write_volunteer_calendar(r, volunteer_id, target),
            lambda export: self._calendar_written(export, target),
            self._failed,
            progress="Export de l'agenda…",
        )

    def _calendar_written(self, export: CalendarExport, target: Path) -> None:
        period = f"du {short_date(export.start)} au {short_date(export.end)}"
        if export.events:
            visits = f"{export.events} intervention{'s' if export.events > 1 else ''} planifiée"
            visits += "s" if export.events > 1 else ""
            text = f"Agenda de {export.volunteer} enregistré : {visits} {period}."
        else:
            text = f"Agenda de {export.volunteer} enregistré, vide : aucune intervention {period}."
        self._say(f"{text}\n{target}")

    def edit(self) -> None:
        VolunteerEditDialog(self.context, self.volunteer_id, self).exec()

    def edit_slots(self) -> None:
        if self.file is not None:
            SlotsDialog(self.context, self.volunteer_id, list(self.file.slots), self).exec()

    def add_absence(self) -> None:
        AbsenceDialog(self.context, self.volunteer_id, self).exec()

    def remove_absence(self) -> None:
        if self.file is None or not self.file.absences:
            return
        texts = [a.text() for a in self.file.absences]
        choice, ok = QInputDialog.getItem(self, "Retirer une absence", "Absence :", texts, 0, False)
        if ok:
            absence_id = self.file.absences[texts.index(choice)].id
            self.context.mutate(
                lambda r: remove_absence(r, absence_id),
                {"volunteer_absence"},
                on_error=self._failed,
            )
