"""The sync as the staff see it, against the REAL central server on 127.0.0.1: enroll the
desk from the Synchronisation page, sync in the background, see the status bar, settle a
conflict with "Garder ma version" — the window never runs SQL or HTTP on its thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from bippop_desk.registry.actor import Actor
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    get_beneficiary,
    update_beneficiary,
)
from bippop_desk.registry.services.commune import setup_commune
from bippop_desk.registry.store import Registry
from bippop_desk.sync.engine import enroll, sync_once, sync_status
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.enroll_dialog import EnrollDialog
from bippop_desk.ui.pages.sync_page import SyncPage
from tests.conftest import add_person
from tests.servers import CentralServer, start_central
from tests.sync.proxy import Proxy
from tests.ui.conftest import type_text

COORDINATOR = Actor("claire", "Claire Petit", "coordinateur")


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    server = start_central(f"sqlite:///{tmp_path_factory.mktemp('central') / 'central.sqlite3'}")
    server.add_commune("60159", "Compiègne", "60")
    yield server
    server.stop()


def other_desk(tmp_path: Path, central: CentralServer) -> Registry:
    """A second town-hall computer of the same commune, enrolled with the server."""
    registry = Registry(tmp_path / "ccas.sqlite3", COORDINATOR)
    setup_commune(registry, "60159", "Compiègne", "60", "60200")
    enroll(registry, central.url, central.enroll_code("60159"), "CCAS")
    return registry


def sync_page(window: MainWindow) -> SyncPage:
    window.show_page("synchro")
    page = window.page("synchro")
    assert isinstance(page, SyncPage)
    return page


def test_the_desk_is_enrolled_from_the_sync_page_and_syncs_in_the_background(
    qtbot: QtBot, window: MainWindow, central: CentralServer, tmp_path: Path
) -> None:
    page = sync_page(window)
    qtbot.waitUntil(lambda: "pas encore inscrit" in page.summary.text(), timeout=5000)
    assert "non inscrit" in window.sync_indicator.text()

    dialog = EnrollDialog(window.context, window.sync, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.server_url.clear()
    type_text(dialog.server_url, central.url)
    code = central.enroll_code("60159")
    type_text(dialog.code, code)
    dialog.device_name.clear()
    type_text(dialog.device_name, "Accueil mairie")
    # A secretary may not connect the registry to a platform: the service refuses.
    dialog.save()
    qtbot.waitUntil(lambda: "ne permet pas" in dialog.banner.text(), timeout=10000)
    assert dialog.isVisible() and dialog.buttons.isEnabled()

    window.context.set_actor(COORDINATOR)
    gui_thread = threading.current_thread().name
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=10000)

    # The enrollment is followed by a first sync, off the GUI thread.
    qtbot.waitUntil(lambda: window.sync.last_report is not None, timeout=15000)
    assert window.sync.last_report is not None and window.sync.last_report.error == ""
    qtbot.waitUntil(lambda: "En ligne" in window.sync_indicator.text(), timeout=5000)
    assert "Plateforme : " + central.url in page.summary.text()
    assert window.sync.net._thread.name != gui_thread

    # A person typed at the desk reaches the other computer through the platform.
    registry = window.context.registry_for_background()
    person = add_person(registry, "Hélène", "Bréval", phone="06 12 34 56 78")
    window.context.data_changed.emit(frozenset({"beneficiary"}))
    qtbot.waitUntil(lambda: "1 modification en attente" in page.summary.text(), timeout=5000)
    window.sync.last_report = None
    page.sync_button.click()
    qtbot.waitUntil(lambda: window.sync.last_report is not None, timeout=15000)
    assert window.sync.last_report is not None and window.sync.last_report.pushed >= 1
    qtbot.waitUntil(lambda: "Aucune modification en attente" in page.summary.text(), timeout=5000)
    ccas = other_desk(tmp_path, central)
    try:
        assert sync_once(ccas).error == ""
        assert get_beneficiary(ccas, person).last_name == "Bréval"
    finally:
        ccas.close()


def test_a_lost_enrollment_answer_is_worded_as_enrollment_and_finished_by_the_desk(
    qtbot: QtBot, window: MainWindow, central: CentralServer
) -> None:
    proxy = Proxy(central.url).start()
    try:
        window.context.set_actor(COORDINATOR)
        page = sync_page(window)
        qtbot.waitUntil(lambda: "pas encore inscrit" in page.summary.text(), timeout=5000)
        dialog = EnrollDialog(window.context, window.sync, window)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.server_url.clear()
        type_text(dialog.server_url, proxy.url)
        type_text(dialog.code, central.enroll_code("60159"))
        for _ in range(4):  # every try of the desk: the server enrolls, the answer is lost
            proxy.plan("/api/v1/enroll", "drop_response")
        dialog.save()
        qtbot.waitUntil(lambda: "confirmée" in dialog.banner.text(), timeout=15000)
        assert (
            "l'inscription n'a pas pu être confirmée : réessayez avec le même code dans les "
            "15 minutes" in dialog.banner.text().lower()
        )
        assert "injoignable" not in dialog.banner.text()
        assert dialog.isVisible() and dialog.buttons.isEnabled()
        qtbot.waitUntil(lambda: "attend la réponse" in page.summary.text(), timeout=5000)
        assert "inscription en attente" in window.sync_indicator.text()
        dialog.reject()
        # The connection is back: the desk sends it again by itself (its retry timer).
        assert window.sync.pending_timer.isActive()
        window.sync.pending_timer.setInterval(100)
        qtbot.waitUntil(lambda: "En ligne" in window.sync_indicator.text(), timeout=15000)
        assert "Plateforme : " + proxy.url in page.summary.text()
        qtbot.waitUntil(lambda: not window.sync.pending_timer.isActive(), timeout=5000)
    finally:
        proxy.stop()


def test_a_conflict_is_shown_and_settled_with_keep_mine(
    qtbot: QtBot, window: MainWindow, central: CentralServer, tmp_path: Path
) -> None:
    registry = window.context.registry_for_background()
    with registry.acting_as(COORDINATOR):
        enroll(registry, central.url, central.enroll_code("60159"), "Accueil")
    person = add_person(registry, "Rose", "Lemaire", phone="06 00 00 00 00")
    assert sync_once(registry).error == ""
    ccas = other_desk(tmp_path, central)
    try:
        assert sync_once(ccas).error == ""
        update_beneficiary(
            ccas,
            person,
            BeneficiaryInput(first_name="Rose", last_name="Lemaire", phone="0611111111"),
        )
        assert sync_once(ccas).error == ""
        update_beneficiary(
            registry,
            person,
            BeneficiaryInput(first_name="Rose", last_name="Lemaire", phone="0622222222"),
        )

        page = sync_page(window)
        window.sync.refresh_status()
        qtbot.waitUntil(lambda: window.sync.status is not None, timeout=5000)
        window.sync.last_report = None
        page.sync_button.click()
        qtbot.waitUntil(lambda: page.conflicts.items.rowCount() == 1, timeout=15000)
        item = page.conflicts.items.item(0)
        assert item is not None
        assert item.text == "Rose Lemaire — Téléphone"
        assert "06 22 22 22 22" in item.detail and "06 11 11 11 11" in item.detail
        qtbot.waitUntil(lambda: "conflit" in window.sync_indicator.text(), timeout=5000)
        assert page.keep_mine.isEnabled()

        page.conflicts.setCurrentIndex(page.conflicts.items.index(0))
        page.keep_mine.click()
        qtbot.waitUntil(lambda: page.conflicts.items.rowCount() == 0, timeout=5000)
        assert "Conflit réglé" in page.conflict_message.text()

        window.sync.last_report = None
        page.sync_button.click()
        qtbot.waitUntil(lambda: window.sync.last_report is not None, timeout=15000)
        assert sync_once(ccas).error == ""
        assert get_beneficiary(ccas, person).phone == "+33622222222"
        assert sync_status(registry).open_conflicts == 0
    finally:
        ccas.close()


def test_the_sync_page_reads_well_with_large_text(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.set_large_text(True)
    page = sync_page(window)
    qtbot.waitUntil(lambda: "pas encore inscrit" in page.summary.text(), timeout=5000)
    QApplication.processEvents()
    shot = tmp_path / "sync-page.png"
    assert window.grab().save(str(shot))
    # Every button's text fits its button at the large size.
    for button in (page.sync_button, page.enroll_button, page.keep_mine, page.keep_theirs):
        assert button.sizeHint().width() <= button.width() + 1
    window.set_large_text(False)


def test_the_demo_commune_says_it_never_syncs(qtbot: QtBot, demo_window: MainWindow) -> None:
    demo_window.show()
    page = sync_page(demo_window)
    qtbot.waitUntil(lambda: "démonstration" in page.summary.text(), timeout=10000)
    assert not page.enroll_button.isEnabled() and not page.sync_button.isEnabled()
    assert "Démonstration" in demo_window.sync_indicator.text()
    demo_window.show_page("accueil")
    card = demo_window.home.cards["outbox"]
    qtbot.waitUntil(lambda: "rien n'est synchronisé" in card.text(), timeout=10000)


def test_a_pulled_record_set_aside_is_listed_with_its_reason(
    qtbot: QtBot, window: MainWindow
) -> None:
    from sqlalchemy import text

    from bippop_desk.registry.remote_set_aside import set_aside

    registry = window.context.registry_for_background()
    change = {"seq": 7, "entity": "volunteer", "record_id": "0b7c1d2e-0000-4000-8000-000000000001",
              "version": 7, "fields": {"max_missions_per_week": 10**30}}  # fmt: skip
    with registry.remote_transaction() as conn:
        set_aside(conn, change, "Fiche reçue que ce poste ne peut pas enregistrer : un nombre "
                  "est trop grand pour ce poste. Elle est mise de côté.")  # fmt: skip
        assert conn.execute(text("SELECT count(*) FROM sync_set_aside")).scalar() == 1
    page = sync_page(window)
    page.reload()
    qtbot.waitUntil(lambda: page.set_aside.items.rowCount() == 1, timeout=5000)
    assert page.set_aside_box.isVisibleTo(page)
    item = page.set_aside.items.item(0)
    assert item is not None
    assert item.text.startswith("Bénévole 0b7c1d2e") and "version 7" in item.text
    assert "un nombre est trop grand" in item.detail
