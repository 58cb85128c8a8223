"""Alerts and their calls: choose the alert, call people in priority order, one key per
outcome — 1 tout va bien, 2 besoin d'aide (the request is created in the same step),
3 pas de réponse (retry later; after N the person goes to the home-visit list).
Progress at a glance; call sheets and the préfet export from here.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.services.campaigns import PENDING, STATES, CallRow, Campaign, Progress
from bippop_desk.registry.services.catalogue import MissionTypeView
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.pages.register import table_view
from bippop_desk.ui.pages.register_rows import RowsModel

COLUMNS = ("Personne", "Téléphone", "État", "Pourquoi en priorité", "Contact d'urgence")
VIEWS = {"a_faire": "À appeler", "escalade": "Visites à domicile", "tout": "Tout le monde"}


class CampaignPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.campaigns: list[Campaign] = []
        self.rows: list[CallRow] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Alertes et appels</h2>"))
        top = QHBoxLayout()
        self.alert = QComboBox()
        self.alert.setObjectName("campaign_alert")
        self.alert.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._advance = False  # after a call, go to the first person still to call
        label = QLabel("&Alerte :")
        label.setBuddy(self.alert)
        self.new_alert = QPushButton("&Nouvelle alerte…")
        self.end_button = QPushButton("Fin de l'alerte…")
        self.view = QComboBox()
        for code, text in VIEWS.items():
            self.view.addItem(text, code)
        view_label = QLabel("A&fficher :")
        view_label.setBuddy(self.view)
        for widget in (label, self.alert, self.new_alert, self.end_button, view_label, self.view):
            top.addWidget(widget)
        top.addStretch(1)
        self.sheet_button = QPushButton("Fiches d'a&ppel (PDF)…")
        self.prefet_button = QPushButton("E&xport préfet…")
        top.addWidget(self.sheet_button)
        top.addWidget(self.prefet_button)
        layout.addLayout(top)
        self.progress = QLabel()
        self.progress.setObjectName("campaign_progress")
        self.progress.setWordWrap(True)
        layout.addWidget(self.progress)
        self.model = RowsModel(COLUMNS)
        self.table = table_view(self.model)
        self.table.setObjectName("campaign_table")
        layout.addWidget(self.table, 1)
        layout.addWidget(self._call_panel())
        self.new_alert.clicked.connect(self.record_alert)
        self.end_button.clicked.connect(self.end_alert)
        self.alert.currentIndexChanged.connect(lambda _i: self.reload_calls())
        self.view.currentIndexChanged.connect(lambda _i: self._fill())
        self.sheet_button.clicked.connect(self.call_sheet)
        self.prefet_button.clicked.connect(self.prefet_export)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_person())
        context.data_changed.connect(self._changed)
        context.actor_changed.connect(self._changed_all)

    # -- the call panel ------------------------------------------------------------------
    def _call_panel(self) -> QWidget:
        panel = QFrame()
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(panel)
        self.person = QLabel("Choisissez une personne dans la liste.")
        self.person.setObjectName("campaign_person")
        self.person.setWordWrap(True)
        self.person.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(self.person, 0, 0, 1, 4)
        self.notes = QLineEdit()
        self.notes.setObjectName("campaign_notes")
        self.notes.setPlaceholderText("Notes de l'appel (facultatif)")
        grid.addWidget(self.notes, 1, 0, 1, 4)
        self.ok_button = QPushButton("1 — Tout va bien")
        self.help_button = QPushButton("2 — Besoin d'aide…")
        self.silent_button = QPushButton("3 — Pas de réponse")
        for column, (button, slot) in enumerate(
            (
                (self.ok_button, lambda: self.record("ok")),
                (self.help_button, self.ask_help),
                (self.silent_button, lambda: self.record("pas_de_reponse")),
            )
        ):
            button.clicked.connect(slot)
            grid.addWidget(button, 2, column)
        for key, slot in (
            ("1", lambda: self.record("ok")),
            ("2", self.ask_help),
            ("3", lambda: self.record("pas_de_reponse")),
        ):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)
        # "Besoin d'aide": what help, then the call and the request are saved together.
        self.help_box = QFrame()
        help_grid = QGridLayout(self.help_box)
        self.help_type = QComboBox()
        self.help_type.setObjectName("campaign_help_type")
        self.help_notes = QLineEdit()
        self.help_notes.setObjectName("campaign_help_notes")
        self.help_notes.setPlaceholderText("Ce dont la personne a besoin (eau, courses, visite…)")
        self.help_urgent = QCheckBox("&Urgent")
        self.help_urgent.setChecked(True)
        self.help_save = QPushButton("&Enregistrer l'appel et la demande")
        self.help_save.setObjectName("campaign_help_save")
        self.help_save.clicked.connect(lambda: self.record("besoin_aide"))
        self.help_notes.returnPressed.connect(lambda: self.record("besoin_aide"))
        type_label = QLabel("&Aide :")
        type_label.setBuddy(self.help_type)
        help_grid.addWidget(type_label, 0, 0)
        help_grid.addWidget(self.help_type, 0, 1)
        help_grid.addWidget(self.help_notes, 0, 2)
        help_grid.addWidget(self.help_urgent, 0, 3)
        help_grid.addWidget(self.help_save, 0, 4)
        self.help_box.hide()
        grid.addWidget(self.help_box, 3, 0, 1, 4)
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        grid.addWidget(self.message, 4, 0, 1, 4)
        return panel

    # -- loading ---------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def _changed_all(self) -> None:
        if self.isVisible():
            self.reload()

    def _changed(self, entities: frozenset[str]) -> None:
        if self.isVisible() and entities & {"call_campaign", "call_attempt", "register_entry"}:
            self.reload() if "call_campaign" in entities else self.reload_calls()

    def reload(self) -> None:
        from bippop_desk.registry.services.campaigns import campaigns
        from bippop_desk.registry.services.catalogue import list_mission_types

        if not self.context.ready or not self.context.actor.username:
            return
        self.context.read(campaigns, self._show_campaigns, self._refused)
        if self.help_type.count() == 0:
            self.context.read(list_mission_types, self._show_types)

    def _show_types(self, types: list[MissionTypeView]) -> None:
        self.help_type.clear()
        self.help_type.addItem("— choisir —", "")
        for mission_type in types:
            self.help_type.addItem(mission_type.label, mission_type.id)

    def _show_campaigns(self, found: list[Campaign]) -> None:
        current = self.alert.currentData()
        self.campaigns = found
        self.alert.blockSignals(True)
        self.alert.clear()
        for campaign in found:
            self.alert.addItem(campaign.title, campaign.id)
        index = self.alert.findData(current)
        self.alert.setCurrentIndex(index if index >= 0 else 0)
        self.alert.blockSignals(False)
        if not found:
            self.progress.setText(
                "Aucune alerte enregistrée. « Nouvelle alerte… » quand le "
                "préfet déclenche le plan canicule ou grand froid."
            )
            self.model.set_rows([], [])
            return
        self.reload_calls()

    def campaign_id(self) -> str:
        return str(self.alert.currentData() or "")

    def reload_calls(self) -> None:
        from bippop_desk.registry.services.campaigns import call_list

        campaign_id = self.campaign_id()
        if not campaign_id:
            return

        def both(registry: object) -> tuple[list[CallRow], Progress]:
            from bippop_desk.registry.store import Registry

            assert isinstance(registry, Registry)
            # The progress figures are counted from the one list read here.
            rows = call_list(registry, campaign_id)
            counts: dict[str, int] = {}
            for row in rows:
                counts[row.state] = counts.get(row.state, 0) + 1
            return rows, Progress(len(rows), counts)

        self.context.read(both, self._show_calls, self._refused)

    def _show_calls(self, result: tuple[list[CallRow], Progress]) -> None:
        self.rows, progress = result
        self.progress.setStyleSheet("")
        self.progress.setText(progress.text())
        self._fill()

    def _fill(self) -> None:
        view = self.view.currentData()
        if view == "a_faire":
            shown = [r for r in self.rows if r.state in PENDING]
        elif view == "escalade":
            shown = [r for r in self.rows if r.state == "escalade"]
        else:
            shown = self.rows
        current = None if self._advance else self.model.id_at(self.table.currentIndex().row())
        self._advance = False
        self.model.set_rows(
            [r.entry_id for r in shown],
            [
                (
                    r.name,
                    r.phone,
                    STATES[r.state] + (f" ({r.unanswered} sans réponse)" if r.unanswered else ""),
                    r.reasons,
                    r.emergency,
                )
                for r in shown
            ],
            payloads=shown,
            warn={i for i, r in enumerate(shown) if r.state == "escalade"},
        )
        self.table.resizeColumnsToContents()
        row = self.model.row_of(current) if current else -1
        if shown:
            self.table.selectRow(row if row >= 0 else 0)
        self._show_person()

    def _refused(self, error: BaseException) -> None:
        self.rows = []
        self.model.set_rows([], [])
        self.progress.setStyleSheet(ERROR_STYLE)
        self.progress.setText(error_text(error))

    def current(self) -> CallRow | None:
        index = self.table.currentIndex()
        payloads = self.model.payloads
        return payloads[index.row()] if index.isValid() and index.row() < len(payloads) else None

    def _show_person(self) -> None:
        row = self.current()
        self.help_box.hide()
        self.message.clear()
        if row is None:
            self.person.setText("Personne à appeler dans cette vue.")
            return
        phones = " — ".join(p for p in (row.phone, row.phone_secondary) if p) or "pas de téléphone"
        lines = [f"<b>{row.name}</b> — ☎ {phones}", row.address or "adresse inconnue"]
        if row.emergency:
            lines.append(f"À prévenir : {row.emergency}")
        if row.reasons:
            lines.append(f"Priorité : {row.reasons}")
        self.person.setText("<br>".join(lines))

    # -- calls -------------------------------------------------------------------------------
    def ask_help(self) -> None:
        if self.current() is None:
            return
        self.help_box.show()
        self.help_type.setFocus()

    def record(self, outcome: str) -> None:
        from bippop_desk.registry.services.campaigns import HelpNeeded, record_call

        row, campaign_id = self.current(), self.campaign_id()
        if row is None or not campaign_id:
            return
        need = None
        if outcome == "besoin_aide":
            need = HelpNeeded(
                str(self.help_type.currentData() or ""),
                self.help_notes.text(),
                self.help_urgent.isChecked(),
            )
        notes = self.notes.text()
        self.message.clear()
        self.context.mutate(
            lambda r: record_call(r, campaign_id, row.entry_id, outcome, notes, need),
            {"call_attempt", "request"} if need else {"call_attempt"},
            lambda _id: self._recorded(row),
            lambda error: self.message.setText(error_text(error)),
        )

    def _recorded(self, row: CallRow) -> None:
        self._advance = True
        self.notes.clear()
        self.help_notes.clear()
        self.help_box.hide()
        self.table.setFocus()

    # -- documents ---------------------------------------------------------------------------
    def record_alert(self) -> None:
        from bippop_desk.ui.pages.campaign_dialogs import AlertDialog

        AlertDialog(self.context, self).exec()

    def end_alert(self) -> None:
        """The préfet lifts the alert: it ends today (the préfet export closes with it)."""
        from bippop_desk.registry.services.campaigns import end_alert

        campaign = self._campaign()
        if campaign is None:
            return
        answer = QMessageBox.question(
            self, "Fin de l'alerte", f"Terminer l'alerte « {campaign.title} » aujourd'hui ?"
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.context.mutate(
                lambda r: end_alert(r, campaign.id), {"call_campaign"}, None, self._warn
            )

    def _campaign(self) -> Campaign | None:
        return next((c for c in self.campaigns if c.id == self.campaign_id()), None)

    def call_sheet(self) -> None:
        from bippop_desk.reports.call_sheet import write_call_sheet

        campaign = self._campaign()
        if campaign is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Fiches d'appel", str(Path.home() / "fiches-appel.pdf"), "PDF (*.pdf)"
        )
        if path:
            from bippop_desk.registry.services.campaigns import call_sheet_rows

            commune = self.context.commune_name
            self.context.read(
                lambda r: write_call_sheet(
                    call_sheet_rows(r, campaign.id), campaign, commune, Path(path)
                ),
                lambda p: self.progress.setText(f"Fiches d'appel enregistrées : {p}"),
                self._warn,
            )

    def prefet_export(self) -> None:
        """The register for the préfet, xlsx and PDF, while the alert is in force."""
        from bippop_desk.registry.services.register import prefet_export_rows
        from bippop_desk.reports.register_export import write_prefet_pdf, write_prefet_xlsx

        campaign = self._campaign()
        if campaign is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Dossier de l'export pour le préfet")
        if not folder:
            return
        commune = self.context.commune_name

        def export(registry: object) -> list[Path]:
            from bippop_desk.registry.store import Registry

            assert isinstance(registry, Registry)
            rows = prefet_export_rows(registry, campaign.id)
            stem = Path(folder) / f"registre-prefet-{campaign.starts_on.isoformat()}"
            return [
                write_prefet_xlsx(rows, campaign, commune, stem.with_suffix(".xlsx")),
                write_prefet_pdf(rows, campaign, commune, stem.with_suffix(".pdf")),
            ]

        def done(paths: list[Path]) -> None:
            QMessageBox.information(
                self, "Export préfet", "Fichiers enregistrés :\n" + "\n".join(map(str, paths))
            )

        self.context.read(export, done, self._warn)

    def _warn(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Alertes", error_text(error))
