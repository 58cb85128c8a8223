"""The survey's call screen, with the alert campaign's habits: the list in call order,
one key per outcome on the list — 1 joint·e (the interview), 2 pas de réponse (to call
back; injoignable after N), 3 refuse, 4 ne plus appeler — then the intro read to the
person and the consent asked first (O / N), then the questions one by one, each answer
typed and saved with Entrée (Alt+P: ne souhaite pas répondre, Alt+R: question d'avant,
Alt+I: interrompre, taken up again later where it stopped)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.services.survey_calls import PENDING, STATES, ContactRow, Progress
from bippop_desk.registry.services.survey_questions import Answer, Question
from bippop_desk.registry.services.survey_sample import stratum_label
from bippop_desk.registry.services.surveys import SurveyView
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.pages.register import table_view
from bippop_desk.ui.pages.register_rows import RowsModel
from bippop_desk.ui.pages.survey_editor import SURVEY_ENTITIES

CALL_ENTITIES = {"survey_contact", "survey_answer", "do_not_call"}
if TYPE_CHECKING:  # the ORM is imported off the GUI thread
    from bippop_desk.registry.store import Registry

COLUMNS = ("Personne", "Téléphone", "Quartier", "État", "Appels")
KEYS_HELP = (
    "<b>1</b> — Joint·e : commencer l'entretien · <b>2</b> — Pas de réponse · "
    "<b>3</b> — Refuse de répondre · <b>4</b> — Ne plus appeler"
)


def hint(question: Question) -> str:
    """What to type, read under the question."""
    if question.kind == "oui_non":
        return "Tapez O (oui) ou N (non), puis Entrée."
    if question.kind == "echelle":
        return f"Tapez de 1 ({question.low_label}) à 5 ({question.high_label}), puis Entrée."
    if question.kind in ("choix_unique", "choix_multiple"):
        options = " · ".join(f"{n} — {o}" for n, o in enumerate(question.options, start=1))
        many = "un ou plusieurs chiffres (ex. 1 3)" if question.kind == "choix_multiple" else (
            "un chiffre")  # fmt: skip
        return f"{options}<br>Tapez {many}, puis Entrée."
    if question.kind == "nombre":
        return "Tapez un nombre, puis Entrée."
    return "Tapez la réponse en quelques mots, puis Entrée."


class ConsentBox(QFrame):
    """Takes O (accepts) and N (refuses) while it has the focus."""

    def __init__(self, on_answer: object) -> None:
        super().__init__()
        self.on_answer = on_answer
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text().lower()
        if text in ("o", "n") and callable(self.on_answer):
            self.on_answer(text == "o")
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.setStyleSheet("ConsentBox { border: 2px solid #2e7d32; }")


class CallPanel(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.survey: SurveyView | None = None
        self.rows: list[ContactRow] = []
        self.contact: ContactRow | None = None
        self.index = 0
        self.typed: dict[str, str] = {}
        self.busy = False
        self.flash = ""  # "interview saved", shown with the progress until the next call
        layout = QVBoxLayout(self)
        self.progress = QLabel()
        self.progress.setObjectName("survey_progress")
        layout.addWidget(self.progress)
        self.model = RowsModel(COLUMNS)
        self.table = table_view(self.model)
        self.table.setObjectName("survey_calls")
        layout.addWidget(self.table, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._idle_page())
        self.stack.addWidget(self._consent_page())
        self.stack.addWidget(self._question_page())
        layout.addWidget(self.stack)
        self.message = QLabel()
        self.message.setObjectName("survey_message")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        for key, slot in (("1", self.start), ("Return", self.start),
                          ("2", lambda: self.outcome("pas_de_reponse")),
                          ("3", lambda: self.outcome("refus")),
                          ("4", lambda: self.outcome("ne_plus_appeler"))):  # fmt: skip
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_person())
        context.data_changed.connect(self._changed)

    # -- the three panels under the list ------------------------------------------------------
    def _idle_page(self) -> QWidget:
        page = QFrame()
        page.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(page)
        self.person = QLabel("Choisissez une personne dans la liste.")
        self.person.setObjectName("survey_person")
        self.person.setWordWrap(True)
        column.addWidget(self.person)
        keys = QLabel(KEYS_HELP)
        keys.setWordWrap(True)
        column.addWidget(keys)
        return page

    def _consent_page(self) -> QWidget:
        self.consent_box = ConsentBox(self.consent)
        self.consent_box.setObjectName("survey_consent")
        column = QVBoxLayout(self.consent_box)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setObjectName("survey_intro")
        column.addWidget(QLabel("<b>À lire à la personne :</b>"))
        column.addWidget(self.intro)
        row = QHBoxLayout()
        yes = QPushButton("O — &Oui, elle accepte de répondre")
        no = QPushButton("N — &Non, elle refuse")
        yes.clicked.connect(lambda: self.consent(True))
        no.clicked.connect(lambda: self.consent(False))
        row.addWidget(yes)
        row.addWidget(no)
        row.addStretch(1)
        column.addLayout(row)
        return self.consent_box

    def _question_page(self) -> QWidget:
        page = QFrame()
        page.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(page)
        self.counter = QLabel()
        self.question_text = QLabel()
        self.question_text.setObjectName("survey_question")
        self.question_text.setWordWrap(True)
        font = self.question_text.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.question_text.setFont(font)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.answer = QLineEdit()
        self.answer.setObjectName("survey_answer")
        self.answer.setAccessibleName("Réponse")
        self.answer.returnPressed.connect(self.save_answer)
        grid.addWidget(self.counter, 0, 0, 1, 4)
        grid.addWidget(self.question_text, 1, 0, 1, 4)
        grid.addWidget(self.hint, 2, 0, 1, 4)
        grid.addWidget(self.answer, 3, 0, 1, 4)
        for column, (text, slot) in enumerate((
            ("Enregistrer (Entrée)", self.save_answer),
            ("&Passer : ne souhaite pas répondre", self.skip),
            ("&Retour à la question d'avant", self.back),
            ("&Interrompre (reprendre plus tard)", self.interrupt),
        )):  # fmt: skip
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            grid.addWidget(button, 4, column)
        return page

    # -- loading ---------------------------------------------------------------------------
    def set_survey(self, survey: SurveyView | None) -> None:
        same = survey is not None and self.survey is not None and survey.id == self.survey.id
        self.survey = survey
        if same and self.stack.currentIndex() != 0:
            return  # an interview under way is never interrupted by a reload
        self.stack.setCurrentIndex(0)
        self.reload()

    def _changed(self, entities: frozenset[str]) -> None:
        if self.isVisible() and entities & SURVEY_ENTITIES and self.stack.currentIndex() == 0:
            self.reload()

    def reload(self) -> None:
        from bippop_desk.registry.services.survey_calls import call_list, progress_of

        survey = self.survey
        if survey is None or not survey.by_phone or survey.status == "brouillon":
            self.rows = []
            self.model.set_rows([], [])
            self.progress.setText(
                "Les appels commencent quand l'échantillon est tiré (onglet « Qui est interrogé »)."
                if survey is not None and survey.by_phone
                else "Cette enquête se fait en ligne : pas d'appels."
            )
            return

        def both(registry: object) -> tuple[list[ContactRow], Progress]:
            from bippop_desk.registry.store import Registry

            assert isinstance(registry, Registry)
            rows = call_list(registry, survey.id)
            return rows, progress_of(rows, survey.sample_size)

        self.context.read(both, self._show, self._refused)

    def _show(self, result: tuple[list[ContactRow], Progress]) -> None:
        self.rows, progress = result
        self.progress.setStyleSheet("")
        self.progress.setText((f"{self.flash} " if self.flash else "") + progress.text())
        current = self.contact.contact_id if self.contact else None
        self.model.set_rows(
            [r.contact_id for r in self.rows],
            [(r.name, r.phone, stratum_label(r.stratum), STATES.get(r.state, r.state),
              str(r.attempts)) for r in self.rows],
            payloads=self.rows,
            warn={i for i, r in enumerate(self.rows) if r.state == "en_cours"},
        )  # fmt: skip
        self.table.resizeColumnsToContents()
        row = self.model.row_of(current) if current else -1
        if row < 0 or self.rows[row].state not in PENDING:
            row = next((i for i, r in enumerate(self.rows) if r.state in PENDING), 0)
        if self.rows:
            self.table.selectRow(row)
        self._show_person()

    def _refused(self, error: BaseException) -> None:
        self.model.set_rows([], [])
        self.progress.setStyleSheet(ERROR_STYLE)
        self.progress.setText(error_text(error))

    def current(self) -> ContactRow | None:
        index = self.table.currentIndex()
        payloads = self.model.payloads
        return payloads[index.row()] if index.isValid() and index.row() < len(payloads) else None

    def _show_person(self) -> None:
        row = self.current()
        if row is None:
            self.person.setText("Personne à appeler.")
            return
        phones = " — ".join(p for p in (row.phone, row.phone_secondary) if p) or "pas de téléphone"
        state = STATES.get(row.state, row.state)
        self.person.setText(f"<b>{row.name}</b> — ☎ {phones} — {state}"
                            + (f", {row.attempts} appel(s)" if row.attempts else ""))  # fmt: skip

    # -- a call --------------------------------------------------------------------------------
    def _run(self, work: Callable[[Registry], Any], then: Callable[[Any], None]) -> None:
        """One mutation at a time; the message says what went wrong."""
        if self.busy:
            return
        self.busy = True
        self.flash = ""
        self.message.clear()

        def done(result: object) -> None:
            self.busy = False
            then(result)

        def failed(error: BaseException) -> None:
            self.busy = False
            self.message.setText(error_text(error))

        self.context.mutate(work, CALL_ENTITIES, done, failed)

    def outcome(self, outcome: str) -> None:
        from bippop_desk.registry.services.survey_calls import record_outcome

        row = self.current()
        if row is None:
            return
        self._run(lambda r: record_outcome(r, row.contact_id, outcome), lambda _s: self._ended())

    def start(self) -> None:
        row, survey = self.current(), self.survey
        if row is None or survey is None or row.state not in PENDING:
            if row is not None:
                self.message.setText(f"{row.name} n'est plus à appeler ({STATES[row.state]}).")
            return
        self.contact = row
        self.typed = {}
        if row.state == "en_cours":  # an interview cut off: take it up where it stopped
            from bippop_desk.registry.services.survey_calls import contact_answers

            self.context.read(lambda r: contact_answers(r, row.contact_id), self._resume,
                              lambda e: self.message.setText(error_text(e)))  # fmt: skip
            return
        self.intro.setText(survey.intro or "Acceptez-vous de répondre à quelques questions ?")
        self.stack.setCurrentIndex(1)
        self.consent_box.setFocus()

    def _resume(self, answers: dict[str, Answer]) -> None:
        assert self.survey is not None
        keys = [q.key for q in self.survey.questions]
        self.index = next((i for i, k in enumerate(keys) if k not in answers), len(keys))
        self._ask()

    def consent(self, accepted: bool) -> None:
        from bippop_desk.registry.services.survey_calls import record_consent

        row = self.contact
        if row is None or self.stack.currentIndex() != 1:
            return
        then = (lambda _r: self._begin()) if accepted else (lambda _r: self._ended())
        self._run(lambda r: record_consent(r, row.contact_id, accepted), then)

    def _begin(self) -> None:
        self.index = 0
        self._ask()

    def _ask(self) -> None:
        survey = self.survey
        assert survey is not None
        if self.index >= len(survey.questions):
            self._finish()
            return
        question = survey.questions[self.index]
        self.counter.setText(f"Question {self.index + 1} / {len(survey.questions)} — "
                             f"{self.contact.name if self.contact else ''}")  # fmt: skip
        self.question_text.setText(question.text)
        self.hint.setText(hint(question))
        self.answer.setText(self.typed.get(question.key, ""))
        self.stack.setCurrentIndex(2)
        self.answer.setFocus()

    def _question(self) -> Question | None:
        survey = self.survey
        if survey is None or not 0 <= self.index < len(survey.questions):
            return None
        return survey.questions[self.index]

    def save_answer(self, skipped: bool = False) -> None:
        from bippop_desk.registry.services.survey_calls import save_answer

        question, row = self._question(), self.contact
        if question is None or row is None or self.stack.currentIndex() != 2:
            return
        typed = None if skipped else self.answer.text()

        def saved(_id: object) -> None:
            self.typed[question.key] = typed or ""
            self.index += 1
            self._ask()

        self._run(lambda r: save_answer(r, row.contact_id, question.key, typed), saved)

    def skip(self) -> None:
        self.save_answer(skipped=True)

    def back(self) -> None:
        if self.index > 0 and self.stack.currentIndex() == 2:
            self.index -= 1
            self._ask()

    def interrupt(self) -> None:
        self.message.setText(
            "Entretien interrompu : il reprendra à la question où il s'est arrêté."
        )
        self._ended(keep_message=True)

    def _finish(self) -> None:
        from bippop_desk.registry.services.survey_calls import finish_interview

        row = self.contact
        if row is None:
            return
        self._run(lambda r: finish_interview(r, row.contact_id), lambda _r: self._thanked())

    def _thanked(self) -> None:
        self.flash = "Entretien terminé et enregistré, merci !"
        self._ended()

    def _ended(self, keep_message: bool = False) -> None:
        self.contact = None
        self.counter.clear()
        self.stack.setCurrentIndex(0)
        if not keep_message:
            self.message.clear()
        self.table.setFocus()
        self.reload()
