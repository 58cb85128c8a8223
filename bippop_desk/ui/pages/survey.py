"""Enquêtes d'impact: choose a survey, prepare its questionnaire (the ready French one
to start from), see who is asked and draw the sample, make the calls, read the results.
Tabs: 1 Questionnaire, 2 Qui est interrogé, 3 Appels, 4 Résultats (Alt+number)."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.services.surveys import AUDIENCES, STATUSES, SurveyView, model_input
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.pages.survey_calls import CallPanel, hint
from bippop_desk.ui.pages.survey_editor import SURVEY_ENTITIES, SurveyDialog, input_of
from bippop_desk.ui.pages.survey_people import PeoplePanel
from bippop_desk.ui.pages.survey_results import ResultsPanel


def questionnaire_html(survey: SurveyView) -> str:
    state = STATUSES.get(survey.status, survey.status)
    frozen = (" — <b>figé</b> : il a des réponses (« Nouvelle version » pour le changer)"
              if survey.frozen else "")  # fmt: skip
    parts = [
        f"<p>{escape(AUDIENCES.get(survey.audience, survey.audience))} — du "
        f"{short_date(survey.period_start)} au {short_date(survey.period_end)} — {state}, "
        f"version {survey.version}{frozen}</p>",
        f"<p><i>{escape(survey.intro)}</i></p>" if survey.intro else "",
        "<ol>",
    ]
    for question in survey.questions:
        parts.append(f"<li><b>{escape(question.text)}</b><br><small>{escape(question.kind_label)}"
                     f" — {hint(question)}</small></li>")  # fmt: skip
    parts.append("</ol>")
    return "".join(parts)


class SurveyPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.surveys: list[SurveyView] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Enquêtes d'impact</h2>"))
        top = QHBoxLayout()
        self.choice = QComboBox()
        self.choice.setObjectName("survey_choice")
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        label = QLabel("&Enquête :")
        label.setBuddy(self.choice)
        self.new_button = QPushButton("&Nouvelle enquête…")
        self.edit_button = QPushButton("&Modifier…")
        self.version_button = QPushButton("Nouvelle &version")
        self.close_button = QPushButton("C&lore l'enquête")
        for widget in (label, self.choice, self.new_button, self.edit_button,
                       self.version_button, self.close_button):  # fmt: skip
            top.addWidget(widget)
        top.addStretch(1)
        layout.addLayout(top)
        self.tabs = QTabWidget()
        self.questionnaire = QTextBrowser()
        self.questionnaire.setObjectName("survey_questionnaire")
        self.people = PeoplePanel(context)
        self.calls = CallPanel(context)
        self.results = ResultsPanel(context)
        tabs: list[tuple[str, QWidget]] = [
            ("&1 Questionnaire", self.questionnaire),
            ("&2 Qui est interrogé", self.people),
            ("&3 Appels", self.calls),
            ("&4 Résultats", self.results),
        ]
        for title, tab in tabs:
            self.tabs.addTab(tab, title)
        layout.addWidget(self.tabs, 1)
        self.new_button.clicked.connect(self.new_survey)
        self.edit_button.clicked.connect(self.edit_survey)
        self.version_button.clicked.connect(self.new_version)
        self.close_button.clicked.connect(self.close_survey)
        self.choice.currentIndexChanged.connect(lambda _i: self._show_survey())
        self.tabs.currentChanged.connect(self._tab_shown)
        context.data_changed.connect(self._changed)
        context.actor_changed.connect(lambda: self.reload() if self.isVisible() else None)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def _changed(self, entities: frozenset[str]) -> None:
        if self.isVisible() and "survey" in entities:
            self.reload()

    def reload(self) -> None:
        from bippop_desk.registry.services.surveys import list_surveys

        if self.context.ready and self.context.actor.username:
            self.context.read(list_surveys, self._show_surveys, self._warn)

    def _show_surveys(self, found: list[SurveyView]) -> None:
        current = self.choice.currentData()
        self.surveys = found
        self.choice.blockSignals(True)
        self.choice.clear()
        for survey in found:
            self.choice.addItem(survey.label, survey.id)
        index = self.choice.findData(current)
        self.choice.setCurrentIndex(index if index >= 0 else 0)
        self.choice.blockSignals(False)
        self._show_survey()

    def current(self) -> SurveyView | None:
        return next((s for s in self.surveys if s.id == self.choice.currentData()), None)

    def _show_survey(self) -> None:
        survey = self.current()
        self.edit_button.setEnabled(survey is not None and not survey.frozen
                                    and survey.status != "terminee")  # fmt: skip
        self.version_button.setEnabled(survey is not None)
        self.close_button.setEnabled(survey is not None and survey.status == "en_cours")
        self.questionnaire.setHtml(
            questionnaire_html(survey) if survey else
            "<p>Aucune enquête. « Nouvelle enquête… » part du questionnaire prêt à l'emploi "
            "<b>Isolement et aide reçue</b>, à modifier à votre guise.</p>"
        )  # fmt: skip
        self.people.set_survey(survey)
        self.calls.set_survey(survey)
        self.results.set_survey(survey)

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.results:
            self.results.reload()
        elif self.tabs.widget(index) is self.calls:
            self.calls.reload()

    # -- actions ----------------------------------------------------------------------------
    def new_survey(self) -> None:
        today = local_today()
        start = today.replace(month=1, day=1) if today.month > 6 else today.replace(
            year=today.year - 1, month=7, day=1)  # fmt: skip
        SurveyDialog(self.context, model_input(start, today), parent=self).exec()

    def edit_survey(self) -> None:
        survey = self.current()
        if survey is not None:
            SurveyDialog(self.context, input_of(survey), survey, self).exec()

    def new_version(self) -> None:
        from bippop_desk.registry.services.surveys import new_version

        survey = self.current()
        if survey is None:
            return

        def chosen(new_id: object) -> None:
            self.choice.addItem("…", new_id)  # selected once the list comes back
            self.choice.setCurrentIndex(self.choice.count() - 1)

        self.context.mutate(lambda r: new_version(r, survey.id), SURVEY_ENTITIES, chosen,
                            self._warn)  # fmt: skip

    def close_survey(self) -> None:
        from bippop_desk.registry.services.surveys import close_survey

        survey = self.current()
        if survey is None:
            return
        asked = QMessageBox.question(
            self, "Clore l'enquête", f"Clore « {survey.title} » ? Plus d'appels ni de réponses "
            "en ligne ; les résultats restent.",
        )  # fmt: skip
        if asked == QMessageBox.StandardButton.Yes:
            self.context.mutate(lambda r: close_survey(r, survey.id), SURVEY_ENTITIES, None,
                                self._warn)  # fmt: skip

    def _warn(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Enquêtes", error_text(error))
