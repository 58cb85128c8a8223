"""Sign-in at the desk: the first administrator, a wrong password, the idle lock and
switching user — always through the real dialog, the real worker and argon2."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from pytestqt.qtbot import QtBot

from bippop_desk.registry.services.auth import needs_first_administrator
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.signin import SignInDialog
from tests.conftest import SECRETARY
from tests.core.register_helpers import ADMIN, PASSWORD, REGISTRAR, add_staff
from tests.ui.conftest import press, type_text

SHOTS = os.environ.get("BIPPOP_SHOTS", "")


def _shot(widget: object, name: str) -> None:
    if SHOTS:
        widget.grab().save(os.path.join(SHOTS, name))  # type: ignore[attr-defined]


def test_the_first_start_creates_the_administrator_and_signs_in(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    window.guard.start()
    assert window.guard.locked and not window.beneficiaries.isVisible()
    dialog = SignInDialog(context, window, first=True)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.username, "marie")
    type_text(dialog.display_name, "Marie Lefèvre")
    type_text(dialog.password, PASSWORD)
    type_text(dialog.confirm, PASSWORD)
    _shot(dialog, "signin-first.png")
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
    assert dialog.actor is not None and dialog.actor.role == "administrateur"
    window.guard.accept_actor(dialog.actor)
    assert not window.guard.locked and context.actor.display_name == "Marie Lefèvre"
    assert not needs_first_administrator(registry)


def test_a_wrong_password_is_refused_in_french_and_the_field_emptied(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    add_staff(registry, REGISTRAR)
    dialog = SignInDialog(context, window, username="claire")
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.password, "pas-le-bon")
    press(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "incorrect" in dialog.banner.text(), timeout=10000)
    assert dialog.password.text() == "" and dialog.result() != QDialog.DialogCode.Accepted
    _shot(dialog, "signin-wrong.png")
    type_text(dialog.password, PASSWORD)
    press(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.actor is not None, timeout=10000)
    assert dialog.actor == REGISTRAR


def test_idle_time_locks_the_window_and_hides_the_registry(
    qtbot: QtBot, context: AppContext, window: MainWindow
) -> None:
    window.guard.idle_minutes = 0.002  # ~120 ms
    press(window.nav, Qt.Key.Key_Down)  # any key counts as activity and starts the clock
    qtbot.waitUntil(lambda: window.guard.locked, timeout=5000)
    assert not window.guard.content.isVisible()
    _shot(window, "locked.png")


def test_switching_user_asks_for_the_password(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    add_staff(registry, ADMIN)

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SignInDialog)
        assert dialog.username.text() == ""  # another person: their own name
        type_text(dialog.username, "admin")
        type_text(dialog.password, PASSWORD)
        dialog.ok.click()

    QTimer.singleShot(200, answer)
    window.choose_user()
    assert context.actor == ADMIN and not window.guard.locked


def test_idle_lock_closes_a_form_left_open(
    qtbot: QtBot, context: AppContext, window: MainWindow
) -> None:
    from bippop_desk.ui.pages.register_dialog import RegisterDialog

    dialog = RegisterDialog(context, window)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    window.guard.idle_minutes = 0.002
    press(dialog.search, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.guard.locked, timeout=5000)
    assert not dialog.isVisible()


def test_the_navigation_hides_pages_the_user_may_not_use(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    from bippop_desk.ui.main_window import PAGES

    rows = {key: row for row, (key, _title) in enumerate(PAGES)}
    add_staff(registry, REGISTRAR, register=True)
    context.set_actor(REGISTRAR)  # a secretary named for the register
    qtbot.waitUntil(lambda: window.nav.item(rows["rgpd"]).isHidden(), timeout=5000)
    assert not window.nav.item(rows["registre"]).isHidden()
    assert window.nav.item(rows["journal"]).isHidden()
    context.set_actor(ADMIN)  # an administrator not named for it
    qtbot.waitUntil(lambda: window.nav.item(rows["registre"]).isHidden(), timeout=5000)
    assert not window.nav.item(rows["rgpd"]).isHidden()


def _status_texts(window: MainWindow) -> list[str]:
    bar = window.statusBar()
    labels = [label.text() for label in bar.findChildren(QLabel) if label.isVisible()]
    return [bar.currentMessage(), *labels]


def test_the_status_bar_names_the_signed_in_user_once(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    add_staff(registry, ADMIN)
    window.guard.start()
    window.guard.accept_actor(ADMIN)
    texts = _status_texts(window)
    assert sum(text.count(ADMIN.display_name) for text in texts) == 1, texts
    assert "Connecté·e : Alain Admin (Administrateur·rice)" in texts
    _shot(window, "status-bar-user.png")


def test_after_sign_in_and_unlocking_the_home_pages_first_action_has_the_focus(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    window.show_page("accueil")
    window.nav.setFocus()
    window.guard.start()
    window.guard.accept_actor(SECRETARY)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.home.intake_button)
    window.guard.lock()
    assert QApplication.focusWidget() is window.guard.lock_screen.button  # Entrée unlocks
    window.guard.accept_actor(SECRETARY)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.home.intake_button)
    with qtbot.waitSignal(window.home.new_request, timeout=2000):
        press(window.home.intake_button, Qt.Key.Key_Return)  # Entrée, as Espace


def test_the_status_bar_words_render_in_the_screen_font(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    """No character the font lacks (it would show as an empty box): the "work in
    progress" sign once was ⏳, which DejaVu Sans does not draw."""
    add_staff(registry, ADMIN)
    window.guard.start()
    window.guard.accept_actor(ADMIN)
    context.worker.busy_changed.emit(True)
    labels = [label for label in window.statusBar().findChildren(QLabel) if label.text()]
    assert any("cours" in label.text() for label in labels)
    missing = [
        (label.text(), char)
        for label in labels
        for char in label.text()
        if not char.isspace() and not QFontMetrics(label.font()).inFontUcs4(ord(char))
    ]
    assert missing == []
