"""A phone survey run through the call screen, keyboard only: the keys of the list
(2 no answer, 3 refusal, 1 the interview), the consent first (O), the questions one by
one typed and saved with Entrée (a wrong answer refused in French, the field kept),
an interview cut off and taken up where it stopped; then the results tab (staff only)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from bippop_desk.registry.models import SurveyAnswer, SurveyContact
from bippop_desk.registry.services.survey_sample import start_phone_survey
from bippop_desk.registry.services.surveys import get_survey
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.survey import SurveyPage
from bippop_desk.ui.pages.survey_editor import SurveyDialog, input_of
from tests.conftest import SECRETARY
from tests.core.register_helpers import COORDINATOR
from tests.core.survey_helpers import coordinator, helped, phone_survey, run_survey
from tests.ui.conftest import press, type_text

SHOTS = os.environ.get("BIPPOP_SHOTS", "")
ANSWERS = ("4", "o", "2", "1 3", "5", "3,5", "Très contente, Mme Durand vient le mardi")


def _shot(window: MainWindow, name: str) -> None:
    if SHOTS:
        QApplication.processEvents()
        window.grab().save(os.path.join(SHOTS, f"{name}.png"))


def _answer(qtbot: QtBot, page: SurveyPage, typed: str, number: int) -> None:
    calls = page.calls
    qtbot.waitUntil(lambda: calls.counter.text().startswith(f"Question {number} /"), timeout=5000)
    calls.answer.clear()
    type_text(calls.answer, typed)
    press(calls.answer, Qt.Key.Key_Return)


def test_a_whole_phone_survey_at_the_keyboard(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    coordinator(registry)
    helped(registry, 6, "Centre")
    survey = phone_survey(registry)
    start_phone_survey(registry, survey)
    registry.actor = SECRETARY  # the secretary makes the calls
    window.show_page("enquetes")
    page = window.page("enquetes")
    assert isinstance(page, SurveyPage)
    qtbot.waitUntil(lambda: page.choice.count() == 1, timeout=5000)
    assert "Isolement et aide reçue" in page.choice.currentText()
    page.tabs.setCurrentWidget(page.calls)
    calls = page.calls
    qtbot.waitUntil(lambda: calls.model.rowCount() == 6, timeout=5000)
    _shot(window, "survey-call-list")

    calls.table.setFocus()
    calls.table.selectRow(0)
    press(calls.table, Qt.Key.Key_2)  # no answer: to call back
    qtbot.waitUntil(lambda: "1 à rappeler" in calls.progress.text(), timeout=5000)
    calls.table.setFocus()
    press(calls.table, Qt.Key.Key_3)  # the next one refuses
    qtbot.waitUntil(lambda: "1 refus" in calls.progress.text(), timeout=5000)

    calls.table.setFocus()
    reached = calls.current()
    assert reached is not None and reached.state == "a_appeler"
    press(calls.table, Qt.Key.Key_1)
    assert calls.stack.currentIndex() == 1 and "Acceptez-vous de répondre" in calls.intro.text()
    _shot(window, "survey-consent")
    type_text(calls.consent_box, "o")
    _answer(qtbot, page, "9", 1)  # out of the scale: refused in French, the field kept
    qtbot.waitUntil(lambda: "de 1 à 5" in calls.message.text(), timeout=5000)
    assert calls.answer.text() == "9" and calls.counter.text().startswith("Question 1 /")
    for number, typed in enumerate(ANSWERS, start=1):
        if number == 4:
            _shot(window, "survey-question")
        _answer(qtbot, page, typed, number)
    qtbot.waitUntil(lambda: "1 / " in calls.progress.text() and "merci" in calls.progress.text(),
                    timeout=5000)  # fmt: skip
    with registry.session() as session:
        contact = session.get(SurveyContact, reached.contact_id)
        assert contact is not None and contact.state == "repondu"
        assert contact.consent is True and contact.consent_by == "Sophie Martin"
        answers = session.scalars(select(SurveyAnswer)).all()
    assert len(answers) == 7 and {a.question for a in answers} == {f"q{n}" for n in range(1, 8)}
    assert next(a for a in answers if a.question == "q7").value_text.startswith("Très contente")

    # Cut off after two questions, taken up at the third.
    calls.table.setFocus()
    second = calls.current()
    assert second is not None and second.state == "a_appeler"
    press(calls.table, Qt.Key.Key_1)
    type_text(calls.consent_box, "o")
    _answer(qtbot, page, "3", 1)
    _answer(qtbot, page, "n", 2)
    qtbot.waitUntil(lambda: calls.counter.text().startswith("Question 3 /"), timeout=5000)
    press(calls.answer, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: calls.stack.currentIndex() == 0, timeout=5000)
    qtbot.waitUntil(lambda: "1 entretien commencé" in calls.progress.text(), timeout=5000)
    calls.table.setFocus()
    calls.table.selectRow(calls.model.row_of(second.contact_id))
    press(calls.table, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: calls.stack.currentIndex() == 2, timeout=5000)
    assert calls.counter.text().startswith("Question 3 /")  # where it stopped
    press(calls.answer, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # ne souhaite pas répondre
    qtbot.waitUntil(lambda: calls.counter.text().startswith("Question 4 /"), timeout=5000)
    with registry.session() as session:
        skipped = session.scalars(
            select(SurveyAnswer).where(
                SurveyAnswer.contact_id == second.contact_id, SurveyAnswer.question == "q3"
            )
        ).one()
    assert skipped.skipped

    # The results are for staff: the secretary is told so, the coordinator sees them.
    page.tabs.setCurrentWidget(page.results)
    qtbot.waitUntil(lambda: "Votre rôle ne permet pas" in page.results.status.text(), timeout=5000)
    registry.actor = COORDINATOR
    context.set_actor(COORDINATOR)
    page.results.reload()
    qtbot.waitUntil(lambda: "réponses sur" in page.results.view.toPlainText(), timeout=5000)
    text = page.results.view.toPlainText()
    assert "trop peu de réponses" in text  # one interview: every group under 5
    page.tabs.setCurrentWidget(page.people)
    _shot(window, "survey-results-people")


def test_the_sample_size_shows_before_the_draw_and_the_results_after(
    qtbot: QtBot,
    registry: Registry,
    context: AppContext,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    coordinator(registry)
    context.set_actor(COORDINATOR)
    helped(registry, 350, day="2025-03-10 14:00:00")  # helped in 2025
    survey = phone_survey(registry, title="Bilan 2025", period_start=dt.date(2025, 1, 1),
                          period_end=dt.date(2025, 6, 30))  # fmt: skip
    window.show_page("enquetes")
    page = window.page("enquetes")
    assert isinstance(page, SurveyPage)
    qtbot.waitUntil(lambda: page.choice.count() == 1, timeout=5000)
    page.tabs.setCurrentWidget(page.people)
    qtbot.waitUntil(lambda: "184 personnes à joindre pour ± 5 %" in page.people.plan.text(),
                    timeout=5000)  # fmt: skip
    _shot(window, "survey-plan")
    dialog = SurveyDialog(context, input_of(get_survey(registry, survey)),
                          get_survey(registry, survey), window)  # fmt: skip
    dialog.show()
    qtbot.waitUntil(lambda: dialog.mission_type.count() > 1, timeout=5000)
    assert dialog.list.count() == 7
    dialog.audience.setCurrentIndex(dialog.audience.findData("benevoles"))
    assert "je vous appelle" not in dialog.intro.toPlainText()  # the online intro instead
    dialog.audience.setCurrentIndex(dialog.audience.findData("beneficiaires"))
    if SHOTS:
        dialog.grab().save(os.path.join(SHOTS, "survey-editor.png"))
    dialog.close()
    # The one confirmation box answered "yes" (the only point mocked).
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    page.people.start.click()
    qtbot.waitUntil(lambda: "Échantillon tiré : 184" in page.people.plan.text(), timeout=5000)

    other = run_survey(registry)  # 52 interviews in three quartiers
    page.reload()
    qtbot.waitUntil(lambda: page.choice.findData(other) >= 0, timeout=5000)
    page.choice.setCurrentIndex(page.choice.findData(other))
    page.tabs.setCurrentWidget(page.results)
    qtbot.waitUntil(lambda: "IC 95 % (Wilson)" in page.results.view.toPlainText(), timeout=5000)
    text = page.results.view.toPlainText()
    assert "trop peu de réponses" in text and "Gisèle" not in text
    _shot(window, "survey-results")
