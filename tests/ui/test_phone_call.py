"""A scripted phone call at the desk, keyboard only, against a real registry file."""

from __future__ import annotations

import os

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from bippop_desk.registry.models import AuditEvent, Beneficiary, OutboxEntry, Request
from bippop_desk.registry.services.drafts import load_draft
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.intake import DRAFT_KEY
from bippop_desk.ui.settings import Preferences
from tests.conftest import add_person
from tests.ui.conftest import SqlThreads, press, type_text

SHOTS = os.environ.get("BIPPOP_SHOTS", "")


def requests_of(registry: Registry, person_id: str) -> list[Request]:
    with registry.session() as session:
        return list(session.scalars(select(Request).where(Request.beneficiary_id == person_id)))


def test_a_secretary_logs_a_call_for_a_known_person_with_the_keyboard_alone(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    helene = add_person(
        registry, "Hélène", "Le Goff", phone="06 12 34 56 78", address_line="12 rue Solférino"
    )
    add_person(registry, "Henri", "Lefèvre")
    threads = SqlThreads(registry)  # from here on, record which thread runs SQL

    press(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # the global shortcut
    intake = window.intake
    assert window.stack.currentWidget() is intake
    qtbot.waitUntil(lambda: QApplication.focusWidget() is intake.search)
    type_text(intake.search, "hélène le g")
    qtbot.waitUntil(lambda: len(intake.results_model.items) == 1, timeout=3000)
    press(intake.search, Qt.Key.Key_Down)
    press(intake.results, Qt.Key.Key_Return)
    assert intake.picked is not None and intake.picked.id == helene
    assert "Hélène Le Goff" in intake.card.text()

    # Focus moved to the type of help: pick "Lecture à voix haute" by typing.
    assert QApplication.focusWidget() is intake.mission_type
    type_text(intake.mission_type, "Lec")
    press(intake.mission_type, Qt.Key.Key_Return)
    assert intake.mission_type.currentText() == "Lecture à voix haute"
    intake.notes.setFocus()
    type_text(intake.notes, "Aime les romans de Zola ; préfère l'après-midi.")
    with qtbot.waitSignal(intake.saved, timeout=3000):
        press(intake.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    # The list of requests refreshes, and the form is ready for the next call.
    qtbot.waitUntil(lambda: len(window.requests.model._ids) == 1, timeout=3000)
    assert intake.search.text() == "" and intake.picked is None
    # The search hint starts over too: never "1 personne — ↓ puis Entrée" over no list.
    assert intake.search_hint.text() == "Tapez au moins deux lettres ou chiffres."
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, "intake-after-save.png"))
    assert "Demande enregistrée pour Hélène Le Goff" in window.statusBar().currentMessage()
    # Every SQL statement of the whole call ran on the database worker, none on the GUI.
    assert threads.names == {"db-worker"}

    request = requests_of(registry, helene)[0]
    assert request.notes == "Aime les romans de Zola ; préfère l'après-midi."
    assert request.channel == "telephone" and request.received_by == "Sophie Martin"
    with registry.session() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.record_id == request.id)
            )
            == 1
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(OutboxEntry)
                .where(OutboxEntry.record_id == request.id)
            )
            == 1
        )
    assert window.requests.model._ids == [request.id]


def test_a_new_caller_is_created_inline_and_bad_input_is_explained_in_french(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    window.open_intake()
    intake = window.intake
    type_text(intake.search, "Œuvrard")
    qtbot.waitUntil(lambda: "Personne ne correspond" in intake.search_hint.text(), timeout=3000)
    press(intake.search, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    form = intake.person_form
    assert form.isVisible() and form.texts["last_name"].text() == "Œuvrard"
    type_text(form.texts["first_name"], "Gaëlle")
    type_text(form.texts["phone"], "06 12")
    intake.mission_type.setCurrentIndex(1)
    press(intake, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    error_label = form.errors._fields["phone"][1]
    qtbot.waitUntil(error_label.isVisible, timeout=3000)
    assert "n'existe pas" in error_label.text()
    with registry.session() as session:
        assert session.scalar(select(func.count()).select_from(Beneficiary)) == 0
        assert session.scalar(select(func.count()).select_from(Request)) == 0

    form.texts["phone"].clear()
    type_text(form.texts["phone"], "06 12 34 56 78")
    press(intake, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: intake.person_form.isHidden(), timeout=3000)
    with registry.session() as session:
        person = session.scalars(select(Beneficiary)).one()
        assert (person.first_name, person.last_name, person.phone) == (
            "Gaëlle",
            "Œuvrard",
            "+33612345678",
        )
        assert session.scalars(select(Request)).one().beneficiary_id == person.id


def test_an_empty_name_is_refused_at_the_field(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    window.open_intake()
    intake = window.intake
    press(intake.search, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    intake.mission_type.setCurrentIndex(1)
    press(intake, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    label = intake.person_form.errors._fields["last_name"][1]
    qtbot.waitUntil(label.isVisible, timeout=3000)
    assert label.text() == "Le nom est obligatoire."


def test_what_was_typed_survives_a_closed_window(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    person = add_person(registry, "Jérôme", "Séguin")
    window.open_intake()
    intake = window.intake
    type_text(intake.search, "seguin")
    qtbot.waitUntil(lambda: len(intake.results_model.items) == 1, timeout=3000)
    press(intake.search, Qt.Key.Key_Return)
    intake.notes.setFocus()
    type_text(intake.notes, "Rappeler sa fille Anaïs")
    window.close()  # flushes the draft through the worker
    qtbot.waitUntil(
        lambda: (load_draft(registry, DRAFT_KEY) or {}).get("notes") == "Rappeler sa fille Anaïs",
        timeout=3000,
    )

    reopened = MainWindow(context, Preferences())
    qtbot.addWidget(reopened)
    reopened._registry_ready()
    reopened.intake._load()
    qtbot.waitUntil(
        lambda: reopened.intake.notes.toPlainText() == "Rappeler sa fille Anaïs", timeout=3000
    )
    assert reopened.intake.picked is not None and reopened.intake.picked.id == person


def test_the_wished_date_cannot_be_set_in_the_past(window: MainWindow) -> None:
    from bippop_desk.registry.clock import local_today
    from bippop_desk.ui.forms import from_qdate

    assert from_qdate(window.intake.wished_date.minimumDate()) == local_today()


def test_a_weekly_request_is_logged_with_its_number_of_sessions(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    from bippop_desk.registry.clock import local_today
    from bippop_desk.ui.forms import to_qdate

    person = add_person(registry, "Gaëlle", "Hébert")
    window.open_intake()
    intake = window.intake
    type_text(intake.search, "hebert")
    qtbot.waitUntil(lambda: len(intake.results_model.items) == 1, timeout=3000)
    press(intake.search, Qt.Key.Key_Return)
    intake.mission_type.setCurrentIndex(intake.mission_type.findText("Appel de convivialité"))
    intake.recurrence.setCurrentIndex(intake.recurrence.findData("hebdomadaire"))
    assert intake.when.currentData() == "day" and intake.use_time.isChecked()
    assert intake.sessions.isEnabled()
    intake.sessions.setValue(6)
    intake.wished_date.setDate(to_qdate(local_today()))
    with qtbot.waitSignal(intake.saved, timeout=3000):
        intake.save()
    (request,) = requests_of(registry, person)
    assert (request.recurrence, request.recurrence_count) == ("hebdomadaire", 6)
    assert request.wished_date == local_today() and request.wished_time_from is not None


def test_a_possible_duplicate_is_shown_before_a_new_file_and_can_be_used_instead(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    existing = add_person(registry, "Hélène", "Le Goff", phone="06 12 34 56 78")
    window.open_intake()
    intake = window.intake
    press(intake.search, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    form = intake.person_form
    type_text(form.texts["first_name"], "Helene")
    type_text(form.texts["last_name"], "LE GOFF")
    qtbot.waitUntil(lambda: len(intake.duplicates_model.items) == 1, timeout=3000)
    item = intake.duplicates_model.items[0]
    assert item.id == existing and "même nom" in item.detail
    assert not intake.duplicates.isHidden()
    intake.duplicates.setFocus()
    intake.duplicates.setCurrentIndex(intake.duplicates_model.index(0))
    press(intake.duplicates, Qt.Key.Key_Return)
    assert intake.picked is not None and intake.picked.id == existing
    assert intake.person_form.isHidden()  # no second file for the same person


def test_the_type_of_help_is_found_by_any_word_of_its_label(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    window.open_intake()
    combo = window.intake.mission_type
    combo.setFocus()
    type_text(combo, "cour")
    completer = combo.completer()
    qtbot.waitUntil(lambda: completer.popup().isVisible(), timeout=2000)
    offered = completer.completionModel()
    labels = [offered.index(row, 0).data() for row in range(offered.rowCount())]
    assert labels == ["Accompagnement courses", "Livraison de courses"]
    if SHOTS:
        # The list of choices is a window of its own: drawn over the window's picture.
        picture = window.grab()
        popup = completer.popup()
        painter = QPainter(picture)
        painter.drawPixmap(window.mapFromGlobal(popup.mapToGlobal(QPoint(0, 0))), popup.grab())
        painter.end()
        picture.save(os.path.join(SHOTS, "help-type-cour.png"))
    # ↓ ↓ Entrée in the list chooses the second one.
    press(completer.popup(), Qt.Key.Key_Down)
    press(completer.popup(), Qt.Key.Key_Down)
    press(completer.popup(), Qt.Key.Key_Return)
    assert combo.currentText() == "Livraison de courses"
    assert combo.currentData() == combo.itemData(combo.findText("Livraison de courses"))
    # Accents and case fold; Entrée takes the first one shown; a word's middle does not
    # match, and what matches nothing goes back to the type chosen before.
    combo.lineEdit().selectAll()
    type_text(combo, "EVÉNE")
    press(combo, Qt.Key.Key_Return)
    assert combo.currentText() == "Accompagnement événement"
    combo.lineEdit().selectAll()
    type_text(combo, "ourses")
    press(combo, Qt.Key.Key_Return)
    assert combo.currentText() == "Accompagnement événement"
