"""A heatwave campaign at the desk: the call list in priority order, keys 1/2/3, and a
call to "besoin d'aide" that creates the request in the same step."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.models import CallAttempt, Request
from bippop_desk.registry.services.campaigns import record_alert
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.campaign import CampaignPage
from tests.core.register_helpers import REGISTRAR, add_staff, registered
from tests.ui.conftest import press, type_text

SHOTS = os.environ.get("BIPPOP_SHOTS", "")


def test_a_call_to_need_of_help_creates_the_request(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    add_staff(registry, REGISTRAR, register=True)
    registered(registry, "Anne", "Entouree")
    registered(registry, "Hélène", "Seule", alone=True, contact=False)
    registered(registry, "Marc", "Silencieux")
    registry.actor = REGISTRAR
    context.set_actor(REGISTRAR)
    record_alert(registry, "canicule", local_today())
    window.show_page("alertes")
    page = window.page("alertes")
    assert isinstance(page, CampaignPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
    assert page.model.index(0, 0).data() == "Seule Hélène"  # alone, no contact: first
    qtbot.waitUntil(lambda: page.help_type.count() > 1, timeout=5000)
    page.table.setFocus()
    page.table.selectRow(0)
    press(page.table, Qt.Key.Key_2)
    assert page.help_box.isVisible()
    page.help_type.setCurrentIndex(1)
    type_text(page.help_notes, "eau et courses, il fait 38°")
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, "campaign-help.png"))
    press(page.help_notes, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "1 / 3 personnes jointes" in page.progress.text(), timeout=5000)
    with registry.session() as session:
        attempt = session.scalars(select(CallAttempt)).one()
        request = session.get(Request, attempt.request_id)
    assert attempt.outcome == "besoin_aide" and attempt.called_by == "Claire Dubois"
    assert request is not None and "eau et courses" in request.notes
    assert request.urgency == "urgente"
    # The person helped left the "to call" view; the next one is selected: "3" = no answer.
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    page.table.setFocus()
    page.table.selectRow(1)
    name = page.model.index(1, 0).data()
    press(page.table, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: "1 à rappeler" in page.progress.text(), timeout=5000)
    row = page.model.row_of(next(r.entry_id for r in page.rows if r.name == name))
    assert "1 sans réponse" in page.model.index(row, 2).data()
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, "campaign-page.png"))
