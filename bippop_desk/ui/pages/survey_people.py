"""Who is asked: for a phone survey, the population and the sample size for the target
margin shown before anything is drawn ("184 personnes à joindre pour ± 5 %"), then the
draw (its seed kept) and the replacements; for an online survey, the invitations and
the one-time links (saved once as a workbook to send); the "ne pas appeler" list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.services.survey_calls import DoNotCallRow
from bippop_desk.registry.services.survey_sample import SamplePlan, stratum_label
from bippop_desk.registry.services.surveys import SurveyView
from bippop_desk.reports.survey_format import number
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.pages.register import table_view
from bippop_desk.ui.pages.register_rows import RowsModel
from bippop_desk.ui.pages.survey_editor import SURVEY_ENTITIES

if TYPE_CHECKING:  # the ORM is imported off the GUI thread
    from bippop_desk.registry.store import Registry


class PeoplePanel(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.survey: SurveyView | None = None
        layout = QVBoxLayout(self)
        self.plan = QLabel()
        self.plan.setObjectName("survey_plan")
        self.plan.setWordWrap(True)
        layout.addWidget(self.plan)
        row = QHBoxLayout()
        self.start = QPushButton("&Tirer l'échantillon et commencer les appels")
        self.start.setObjectName("survey_start")
        self.replace = QPushButton("Tirer des &remplaçants")
        self.open_online = QPushButton("&Ouvrir l'enquête en ligne")
        self.links = QPushButton("Créer les &liens à envoyer…")
        self.invite_name = QLineEdit()
        self.invite_name.setPlaceholderText("Mme la maire, adjoint aux solidarités…")
        self.invite = QPushButton("&Inviter")
        self.anonymise = QPushButton("&Anonymiser les réponses (2 ans après la fin)…")
        for widget in (self.start, self.replace, self.open_online, self.invite_name, self.invite,
                       self.links, self.anonymise):  # fmt: skip
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.message)
        box = QGroupBox("Liste « ne pas appeler » (jamais tirées au sort)")
        column = QVBoxLayout(box)
        self.dnc_model = RowsModel(("Personne", "Depuis le", "Pourquoi"))
        self.dnc_table = table_view(self.dnc_model)
        self.dnc_table.setObjectName("survey_do_not_call")
        column.addWidget(self.dnc_table)
        remove = QPushButton("Retirer de la liste la personne choisie")
        column.addWidget(remove)
        layout.addWidget(box, 1)
        self.start.clicked.connect(self.start_phone)
        self.replace.clicked.connect(self.add_replacements)
        self.open_online.clicked.connect(self.start_online)
        self.invite.clicked.connect(self.invite_contact)
        self.invite_name.returnPressed.connect(self.invite_contact)
        self.links.clicked.connect(self.make_links)
        self.anonymise.clicked.connect(self.anonymise_answers)
        remove.clicked.connect(self.remove_do_not_call)

    def set_survey(self, survey: SurveyView | None) -> None:
        self.survey = survey
        self.message.clear()
        self.reload()

    def reload(self) -> None:
        from bippop_desk.registry.services.survey_calls import do_not_call_list
        from bippop_desk.registry.services.survey_sample import sample_plan

        survey = self.survey
        phone = survey is not None and survey.by_phone
        draft = survey is not None and survey.status == "brouillon"
        running = survey is not None and survey.status == "en_cours"
        self.start.setVisible(phone and draft)
        self.replace.setVisible(phone and running)
        self.open_online.setVisible(not phone and draft)
        self.links.setVisible(not phone and running)
        commune = survey is not None and survey.audience == "commune" and running
        self.anonymise.setVisible(survey is not None and survey.status == "terminee")
        self.invite_name.setVisible(commune)
        self.invite.setVisible(commune)
        self.context.read(do_not_call_list, self._show_list, lambda _e: None)
        if survey is None:
            self.plan.setText("Créez une enquête (« Nouvelle enquête… ») pour commencer.")
            return
        if not phone:
            margin = number(float(survey.target_margin))
            self.plan.setText(
                f"{survey.population} personnes invitées ; {survey.sample_size} réponses "
                f"donnent ± {margin} %."
                if not draft
                else "Enquête en ligne : chaque personne reçoit un lien personnel, à usage unique."
            )
            return
        if not draft:
            self.plan.setText(
                f"Échantillon tiré : {survey.sample_size} personnes à joindre sur "
                f"{survey.population} (graine du tirage : {survey.seed})."
            )
            return
        self.context.read(lambda r: sample_plan(r, survey.id), self._show_plan, self._failed)

    def _show_plan(self, plan: SamplePlan) -> None:
        lines = [f"<b>{plan.text()}</b>"]
        if plan.exclusions_text():
            lines.append(plan.exclusions_text())
        if plan.allocation:
            lines.append("Par quartier : " + ", ".join(
                f"{stratum_label(s)} {n}" for s, n in sorted(plan.allocation.items())))  # fmt: skip
        self.plan.setText("<br>".join(lines))

    def _show_list(self, rows: list[DoNotCallRow]) -> None:
        from bippop_desk.registry.frdates import short_date

        shown: list[tuple[str, ...]] = [(r.name, short_date(r.since), r.reason) for r in rows]
        self.dnc_model.set_rows([r.id for r in rows], shown)

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))

    def _mutate(
        self, work: Callable[[Registry], Any], done: Callable[[Any], None] | None = None
    ) -> None:
        self.message.clear()
        self.context.mutate(work, SURVEY_ENTITIES, done, self._failed)

    # -- actions --------------------------------------------------------------------------------
    def start_phone(self) -> None:
        from bippop_desk.registry.services.survey_sample import start_phone_survey

        survey = self.survey
        if survey is None:
            return
        asked = QMessageBox.question(
            self, "Tirer l'échantillon",
            "Tirer l'échantillon maintenant ? Ensuite, la population et la marge ne changent "
            "plus (les questions restent modifiables jusqu'à la première réponse).",
        )  # fmt: skip
        if asked == QMessageBox.StandardButton.Yes:
            self._mutate(lambda r: start_phone_survey(r, survey.id))

    def add_replacements(self) -> None:
        from bippop_desk.registry.services.survey_sample import add_replacements

        survey = self.survey
        if survey is not None:
            self._mutate(
                lambda r: add_replacements(r, survey.id),
                lambda n: self.message.setText(f"{n} remplaçant(s) tiré(s) au sort."),
            )

    def start_online(self) -> None:
        from bippop_desk.registry.services.survey_links import start_online_survey

        survey = self.survey
        if survey is not None:
            self._mutate(lambda r: start_online_survey(r, survey.id))

    def invite_contact(self) -> None:
        from bippop_desk.registry.services.survey_links import add_commune_contact

        survey, label = self.survey, self.invite_name.text()
        if survey is not None:
            self._mutate(lambda r: add_commune_contact(r, survey.id, label),
                         lambda _id: self.invite_name.clear())  # fmt: skip

    def make_links(self) -> None:
        """New links for everyone who has not answered, saved once in a workbook."""
        from bippop_desk.registry.services.survey_links import make_links
        from bippop_desk.reports.survey_workbook import write_links_workbook

        survey = self.survey
        if survey is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Liens à envoyer", str(Path.home() / "liens-enquete.xlsx"), "*.xlsx"
        )
        if not path:
            return

        def work(registry: object) -> int:
            from bippop_desk.registry.store import Registry

            assert isinstance(registry, Registry)
            links = make_links(registry, survey.id)
            write_links_workbook(links, survey.title, Path(path))
            return len(links)

        self._mutate(work, lambda n: self.message.setText(
            f"{n} liens enregistrés dans {path} : envoyez-les (ils ne sont montrés qu'une fois ; "
            "ils marchent après la prochaine synchronisation)."))  # fmt: skip

    def anonymise_answers(self) -> None:
        """Retention: the answers stop naming anyone; the results stay (administrators)."""
        from bippop_desk.registry.services.survey_retention import anonymise_survey

        survey = self.survey
        if survey is None:
            return
        asked = QMessageBox.question(
            self, "Anonymiser les réponses",
            "Les réponses ne diront plus qui les a données (les réponses libres sont "
            "effacées) ; les résultats chiffrés restent. Continuer ?",
        )  # fmt: skip
        if asked == QMessageBox.StandardButton.Yes:
            self._mutate(lambda r: anonymise_survey(r, survey.id),
                         lambda n: self.message.setText(f"{n} personnes détachées de leurs "
                                                        "réponses."))  # fmt: skip

    def remove_do_not_call(self) -> None:
        from bippop_desk.registry.services.survey_calls import remove_do_not_call

        entry = self.dnc_model.id_at(self.dnc_table.currentIndex().row())
        if entry:
            self._mutate(lambda r: remove_do_not_call(r, entry), lambda _r: self.reload())
