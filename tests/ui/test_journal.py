"""The journal shows every change to administrators, and only to them."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from bippop_desk.registry.actor import Actor
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.lazy_model import LOADING
from bippop_desk.ui.main_window import MainWindow
from tests.conftest import add_person

ADMIN = Actor("admin", "Administrateur mairie", "administrateur")


def test_an_administrator_reads_who_changed_what_newest_first(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    add_person(registry, "Hélène", "Le Goff")  # journaled as Sophie Martin, secretary
    registry.actor = ADMIN
    context.set_actor(ADMIN)
    page = window.page("journal")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=5000)
    first = page.model.index(0, 4)
    page.model.data(first)
    qtbot.waitUntil(lambda: page.model.data(first) != LOADING, timeout=5000)
    assert page.model.data(first) == "Bénéficiaire Hélène Le Goff créé·e"
    assert page.model.data(page.model.index(0, 1)) == "Sophie Martin"
    page.entity.setCurrentIndex(page.entity.findData("mission_type"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 12, timeout=5000)  # the seeded catalogue


def test_a_secretary_is_told_the_journal_is_for_administrators(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    add_person(registry, "Hélène", "Le Goff")
    page = window.page("journal")
    qtbot.waitUntil(lambda: bool(page.message.text()), timeout=5000)
    assert "Votre rôle ne permet pas de consulter le journal" in page.message.text()
    assert page.model.rowCount() == 0
