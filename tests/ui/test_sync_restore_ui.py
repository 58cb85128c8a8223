"""The Synchronisation page after the platform came back from a backup (issue 14): the
sync says what this desk did, and the page keeps saying it. Real server, real files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from bippop_central.restore import mark_restored
from bippop_desk.registry.actor import Actor
from bippop_desk.registry.store import Registry
from bippop_desk.sync.engine import enroll
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.sync_page import SyncPage
from tests.conftest import add_person
from tests.servers import CentralServer, copy_sqlite, start_central

COORDINATOR = Actor("claire", "Claire Petit", "coordinateur")
SHOTS = os.environ.get("BIPPOP_SHOTS", "")


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralServer]:
    server = start_central(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    server.add_commune("60159", "Compiègne", "60")
    yield server
    server.stop()


def test_the_page_says_the_platform_was_restored_and_what_was_sent_again(
    qtbot: QtBot, window: MainWindow, registry: Registry, central: CentralServer, tmp_path: Path
) -> None:
    window.context.set_actor(COORDINATOR)
    enroll(registry, central.url, central.enroll_code("60159"), "Accueil mairie")
    live = Path(central.db_url.removeprefix("sqlite:///"))
    window.show_page("synchro")
    page = window.page("synchro")
    assert isinstance(page, SyncPage)

    window.sync.refresh_status()
    qtbot.waitUntil(lambda: page.sync_button.isEnabled(), timeout=10000)

    def sync() -> None:
        qtbot.waitUntil(lambda: not window.sync.running, timeout=15000)
        window.sync.last_report = None
        page.sync_button.click()
        qtbot.waitUntil(lambda: window.sync.last_report is not None, timeout=15000)

    sync()
    copy_sqlite(live, tmp_path / "sauvegarde.sqlite3")
    for name in ("Hélène", "Marcel", "Odette"):
        add_person(window.context.registry_for_background(), name, "Bréval")
    sync()
    copy_sqlite(tmp_path / "sauvegarde.sqlite3", live)
    mark_restored(central.engine())
    sync()
    report = window.sync.last_report
    assert report is not None and report.error == ""
    qtbot.waitUntil(lambda: "restaurée depuis une sauvegarde" in page.result.text(), timeout=5000)
    qtbot.waitUntil(lambda: "restaurée depuis une sauvegarde" in page.warning.text(), timeout=5000)
    assert "modifications de ce poste renvoyées" in page.warning.text()
    target = Path(SHOTS or tmp_path) / "sync-restored.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(target))
