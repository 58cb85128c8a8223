"""The register at the desk: a third party registers a person; the page lists her
and flags a late acknowledgement; a secretary not named for it sees the refusal."""

from __future__ import annotations

import datetime as dt
import os

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.models import RegisterEntry
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.register import RegisterPage
from bippop_desk.ui.pages.register_dialog import RegisterDialog
from tests.conftest import SECRETARY, add_person
from tests.core.register_helpers import REGISTRAR, add_staff, registered
from tests.ui.conftest import type_text

SHOTS = os.environ.get("BIPPOP_SHOTS", "")


def test_a_third_party_registers_a_person_from_the_desk(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    add_staff(registry, REGISTRAR, register=True)
    add_person(
        registry, "Hélène", "Vasseur", birth_date=dt.date(1939, 4, 1), phone="03 44 40 12 12"
    )
    registry.actor = REGISTRAR
    context.set_actor(REGISTRAR)
    window.show_page("registre")
    page = window.page("registre")
    assert isinstance(page, RegisterPage)
    dialog = RegisterDialog(context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.search, "vasseur")
    qtbot.waitUntil(lambda: dialog.results.model().rowCount() == 1, timeout=5000)
    dialog.pick_first()
    dialog.category.setCurrentIndex(dialog.category.findData("65_ans"))
    dialog.requested_by.setCurrentIndex(dialog.requested_by.findData("third_party"))
    dialog.save()  # forgot the third party's name and the consent
    consent_error = dialog.errors._fields["consent"][1]
    qtbot.waitUntil(lambda: "accord" in consent_error.text(), timeout=5000)
    assert "Indiquez le nom" in dialog.errors._fields["requester_name"][1].text()
    assert dialog.result() != QDialog.DialogCode.Accepted
    type_text(dialog.requester_name, "Julie Vasseur")
    type_text(dialog.requester_quality, "sa fille")
    dialog.consent.setChecked(True)
    type_text(dialog.contact_name, "Julie Vasseur")
    type_text(dialog.contact_phone, "06 12 34 56 78")
    dialog.lives_alone.setChecked(True)
    if SHOTS:
        dialog.grab().save(os.path.join(SHOTS, "register-dialog.png"))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)
    with registry.session() as session:
        entry = session.scalars(select(RegisterEntry)).one()
    assert entry.requested_by == "third_party" and entry.requester_quality == "sa fille"
    assert entry.consent and entry.lives_alone
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert page.model.index(0, 0).data() == "Vasseur Hélène"


def test_the_page_flags_late_acknowledgements_and_refuses_the_unnamed(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    add_staff(registry, REGISTRAR, register=True)
    add_staff(registry, SECRETARY)
    late = registered(registry, "Odette", "Ancienne")
    registered(registry, "Paul", "Recent", alone=True)
    with registry.change() as changes:
        entry = changes.session.get(RegisterEntry, late)
        assert entry is not None
        entry.request_date = local_today() - dt.timedelta(days=12)
    registry.actor = REGISTRAR
    context.set_actor(REGISTRAR)
    window.show_page("registre")
    page = window.page("registre")
    assert isinstance(page, RegisterPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    assert "1 accusé(s) de réception en retard" in page.summary.text()
    assert "EN RETARD" in page.model.index(0, 4).data()
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, "register-page.png"))
    window.show_page("accueil")
    qtbot.waitUntil(lambda: window.home.register_card.isVisible(), timeout=5000)
    assert window.home.register_card.text().startswith("1 accusé")
    registry.actor = SECRETARY
    context.set_actor(SECRETARY)
    window.show_page("registre")
    qtbot.waitUntil(lambda: "nommé·e pour le registre" in page.summary.text(), timeout=5000)
    assert page.model.rowCount() == 0 and not page.add_button.isEnabled()
