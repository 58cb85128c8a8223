"""The questionnaire editor: title, who answers, period, the intro read to the person,
the target margin, who is asked (quartiers, mission type, stratification), and the
questions (add, edit, remove, move; Entrée edits the selected one). The service refuses
an edit once a first answer exists; the page then offers a new version."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.frdates import parse_date, short_date
from bippop_desk.registry.services.catalogue import MissionTypeView
from bippop_desk.registry.services.survey_questions import KINDS, Question
from bippop_desk.registry.services.surveys import AUDIENCES, MARGINS, SurveyInput, SurveyView
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import FormDialog, field_row, save_cancel_buttons
from bippop_desk.ui.forms import ErrorLabel, FieldErrors, date_field

SURVEY_ENTITIES = {"survey", "survey_contact", "survey_answer", "do_not_call"}


class QuestionDialog(QDialog):
    """One question: its kind, its words, and what the kind needs (ends, choices, bounds)."""

    def __init__(self, question: Question | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Question")
        self.key = question.key if question else ""
        self.errors = FieldErrors()
        form = self._form = QFormLayout()
        self.kind = QComboBox()
        for code, label in KINDS.items():
            self.kind.addItem(label, code)
        self.text = QLineEdit()
        self.low = QLineEdit()
        self.high = QLineEdit()
        self.options = QPlainTextEdit()
        self.options.setTabChangesFocus(True)
        self.options.setPlaceholderText("Un choix par ligne (9 au plus)")
        self.minimum = QLineEdit()
        self.maximum = QLineEdit()
        for name, label, widget in (
            ("kind", "&Type", self.kind), ("text", "&Question", self.text),
            ("low", "Ce que veut dire &1", self.low), ("high", "Ce que veut dire &5", self.high),
            ("options", "&Choix", self.options), ("minimum", "M&inimum", self.minimum),
            ("maximum", "Ma&ximum", self.maximum),
        ):  # fmt: skip
            field_row(form, self.errors, name, label, widget)
        self.banner = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.banner)
        layout.addWidget(save_cancel_buttons(self, self._check))
        if question is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(question.kind)))
            self.text.setText(question.text)
            self.low.setText(question.low_label)
            self.high.setText(question.high_label)
            self.options.setPlainText("\n".join(question.options))
            self.minimum.setText("" if question.minimum is None else f"{question.minimum:g}")
            self.maximum.setText("" if question.maximum is None else f"{question.maximum:g}")
        self.kind.currentIndexChanged.connect(lambda _i: self._show_fields())
        self._show_fields()
        self.resize(self.fontMetrics().averageCharWidth() * 80, self.sizeHint().height())

    def _show_fields(self) -> None:
        kind = self.kind.currentData()
        shown = {
            self.low: kind == "echelle",
            self.high: kind == "echelle",
            self.options: kind in ("choix_unique", "choix_multiple"),
            self.minimum: kind == "nombre",
            self.maximum: kind == "nombre",
        }
        for widget, visible in shown.items():
            holder = widget.parentWidget()  # field_row's holder: the row's field
            if holder is not None:
                self._form.setRowVisible(holder, visible)

    def _bound(self, field: QLineEdit, name: str) -> float | bool | None:
        text = field.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            self.errors.show({name: "Écrivez un nombre, ou laissez vide."})
            return False

    def _check(self) -> None:
        self.errors.clear()
        low, high = self._bound(self.minimum, "minimum"), self._bound(self.maximum, "maximum")
        if low is False or high is False:
            return
        if not self.text.text().strip():
            self.errors.show({"text": "Écrivez la question."})
            return
        self.accept()

    def question(self) -> Question:
        kind = str(self.kind.currentData())
        low, high = self._bound(self.minimum, "minimum"), self._bound(self.maximum, "maximum")
        lines = [line.strip() for line in self.options.toPlainText().splitlines() if line.strip()]
        return Question(
            self.key, kind, self.text.text().strip(),
            self.low.text().strip() if kind == "echelle" else "",
            self.high.text().strip() if kind == "echelle" else "",
            tuple(lines) if kind in ("choix_unique", "choix_multiple") else (),
            low if kind == "nombre" and isinstance(low, float) else None,
            high if kind == "nombre" and isinstance(high, float) else None,
        )  # fmt: skip


def question_line(number: int, question: Question) -> str:
    return f"{number}. [{question.kind_label}] {question.text}"


class SurveyDialog(FormDialog):
    """A new survey (from the ready questionnaire) or an edit of one (`survey`)."""

    def __init__(self, context: AppContext, data: SurveyInput, survey: SurveyView | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(context, "Modifier l'enquête" if survey else "Nouvelle enquête", parent)
        self.survey = survey
        self.questions: list[Question] = list(data.questions)
        self.title = QLineEdit(data.title)
        self.audience = QComboBox()
        for code, label in AUDIENCES.items():
            self.audience.addItem(label, code)
        self.audience.setCurrentIndex(max(0, self.audience.findData(data.audience)))
        self.audience.currentIndexChanged.connect(lambda _i: self._model_intro())
        self.start = date_field()
        self.start.setText(short_date(data.period_start))
        self.end = date_field()
        self.end.setText(short_date(data.period_end))
        self.intro = QPlainTextEdit(data.intro)
        self.intro.setTabChangesFocus(True)
        self.intro.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        self.margin = QDoubleSpinBox()
        self.margin.setRange(1, 20)
        self.margin.setDecimals(1)
        self.margin.setSuffix(" points")
        self.margin.setLocale(QLocale(QLocale.Language.French, QLocale.Country.France))
        self.margin.setValue(float(data.target_margin))
        self.margin.setToolTip("Marges usuelles : " + ", ".join(f"± {m} %" for m in MARGINS))
        self.attempts = QSpinBox()
        self.attempts.setRange(1, 10)
        self.attempts.setValue(data.max_attempts)
        self.attempts.setSuffix(" appels sans réponse")
        self.quartiers = QLineEdit(", ".join(data.quartiers))
        self.quartiers.setPlaceholderText("Tous (ou : Centre, Faubourg…)")
        self.mission_type = QComboBox()
        self.mission_type.addItem("Tous les types d'aide", "")
        self._wanted_type = data.mission_type_id
        self.stratify = QCheckBox("Tirer l'échantillon par quartier (en pr&oportion)")
        self.stratify.setChecked(data.stratify)
        for name, label, widget in (
            ("title", "&Titre", self.title), ("audience", "&Qui répond", self.audience),
            ("period_start", "&Du", self.start), ("period_end", "&Au", self.end),
            ("intro", "Texte &lu à la personne", self.intro),
            ("target_margin", "&Marge d'erreur visée", self.margin),
            ("max_attempts", "Injoignable a&près", self.attempts),
            ("quartiers", "Qua&rtiers", self.quartiers),
            ("mission_type_id", "T&ype d'aide reçue", self.mission_type),
            ("stratify", "", self.stratify),
        ):  # fmt: skip
            self.row(name, label, widget)
        self.list = QListWidget()
        self.list.setObjectName("survey_questions")
        self.list.itemActivated.connect(lambda _item: self.edit_question())
        buttons = QHBoxLayout()
        for text, slot in (
            ("A&jouter une question…", self.add_question),
            ("Modi&fier…", self.edit_question),
            ("&Supprimer", self.remove_question),
            ("Mo&nter", lambda: self.move_question(-1)),
            ("Des&cendre", lambda: self.move_question(1)),
        ):
            button = QPushButton(text)  # fmt: skip
            button.clicked.connect(slot)
            buttons.addWidget(button)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.list)
        column.addLayout(buttons)
        self.row("questions", "Q&uestions", holder)
        self._fill_questions()
        from bippop_desk.registry.services.catalogue import list_mission_types

        context.read(list_mission_types, self._show_types)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 110)

    def _model_intro(self) -> None:
        """The ready intro follows who answers, as long as nobody rewrote it."""
        from bippop_desk.registry.services.survey_questions import (
            MODEL_INTRO,
            MODEL_INTRO_ONLINE,
            model_intro,
        )

        if self.intro.toPlainText().strip() in ("", MODEL_INTRO, MODEL_INTRO_ONLINE):
            self.intro.setPlainText(model_intro(str(self.audience.currentData())))

    def _show_types(self, types: list[MissionTypeView]) -> None:
        for mission_type in types:
            self.mission_type.addItem(mission_type.label, mission_type.id)
        self.mission_type.setCurrentIndex(max(0, self.mission_type.findData(self._wanted_type)))

    def _fill_questions(self, select: int = -1) -> None:
        self.list.clear()
        for number, question in enumerate(self.questions, start=1):
            QListWidgetItem(question_line(number, question), self.list)
        if self.questions:
            self.list.setCurrentRow(select if 0 <= select < len(self.questions) else 0)

    def add_question(self) -> None:
        dialog = QuestionDialog(None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.questions.append(dialog.question())
            self._fill_questions(len(self.questions) - 1)

    def edit_question(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.questions):
            return
        dialog = QuestionDialog(self.questions[row], self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.questions[row] = dialog.question()
            self._fill_questions(row)

    def remove_question(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.questions):
            del self.questions[row]
            self._fill_questions(min(row, len(self.questions) - 1))

    def move_question(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if 0 <= row < len(self.questions) and 0 <= target < len(self.questions):
            self.questions[row], self.questions[target] = (
                self.questions[target],
                self.questions[row],
            )
            self._fill_questions(target)

    def _date(self, field: QLineEdit, name: str) -> dt.date | None:
        try:
            return parse_date(field.text().strip())
        except ValueError:
            self.errors.show({name: "Date illisible : écrivez-la JJ/MM/AAAA."})
            return None

    def save(self) -> None:
        from bippop_desk.registry.services.surveys import create_survey, update_survey

        self.errors.clear()
        start, end = self._date(self.start, "period_start"), self._date(self.end, "period_end")
        if start is None or end is None:
            return
        data = SurveyInput(
            title=self.title.text(), period_start=start, period_end=end,
            audience=str(self.audience.currentData()), intro=self.intro.toPlainText(),
            questions=list(self.questions), target_margin=Decimal(str(self.margin.value())),
            quartiers=[q.strip() for q in self.quartiers.text().split(",") if q.strip()],
            mission_type_id=str(self.mission_type.currentData() or ""),
            stratify=self.stratify.isChecked(), max_attempts=self.attempts.value(),
        )  # fmt: skip
        survey = self.survey
        if survey is None:
            self.submit(lambda r: create_survey(r, data), SURVEY_ENTITIES)
        else:
            self.submit(lambda r: update_survey(r, survey.id, data), SURVEY_ENTITIES)


def input_of(survey: SurveyView) -> SurveyInput:
    """The editor's starting values for an existing survey."""
    names = {f.name for f in dataclasses.fields(SurveyInput)}
    return SurveyInput(**{name: getattr(survey, name) for name in names})
