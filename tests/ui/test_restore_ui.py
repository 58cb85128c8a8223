"""The data-protection page restores a backup and says how many erasures it re-applied
(issue 18); it tells how long backups keep the data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from bippop_desk.registry.services.backups import BACKUP_DAYS, take_backup
from bippop_desk.registry.services.erasure import erase_person
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow
from tests.conftest import add_person
from tests.core.register_helpers import ADMIN, add_staff

# Set BIPPOP_SHOTS to a folder to keep the screenshots (looked at by hand).
SHOTS = os.environ.get("BIPPOP_SHOTS", "")


def _shot(widget: object, name: str, tmp_path: Path) -> Path:
    folder = Path(SHOTS) if SHOTS else tmp_path
    path = folder / name
    assert widget.grab().save(str(path))  # type: ignore[attr-defined]
    return path


def test_the_restore_reports_the_erasures_reapplied(
    qtbot: QtBot,
    registry: Registry,
    db_path: Path,
    context: AppContext,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    add_staff(registry, ADMIN)
    person = add_person(registry, "Zéphyrine", "Quaglioni", phone="06 12 98 76 54")
    take_backup(db_path)
    registry.actor = ADMIN
    erase_person(registry, "beneficiary", person)
    context.set_actor(ADMIN)
    window.show_page("rgpd")
    page = window.page("rgpd")
    page.tabs.setCurrentWidget(page.backups)
    tab = page.backups
    qtbot.waitUntil(lambda: tab.list.count() == 1, timeout=5000)
    tab.list.setCurrentRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    tab.restore_button.click()
    qtbot.waitUntil(lambda: "réappliqué" in tab.message.text(), timeout=10000)
    assert "1 effacement(s) réappliqué(s)." in tab.message.text()
    _shot(window, "restauration-rapport.png", tmp_path)
    data = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    data += wal.read_bytes() if wal.exists() else b""
    assert b"Quaglioni" not in data and b"612987654" not in data


def test_the_page_says_backups_keep_data_at_most_fourteen_days(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow, tmp_path: Path
) -> None:
    add_staff(registry, ADMIN)
    context.set_actor(ADMIN)
    window.show_page("rgpd")
    page = window.page("rgpd")
    texts = [label.text() for label in page.person.findChildren(type(page.backups.message))]
    assert any(f"au plus {BACKUP_DAYS} jours" in t for t in texts)
    _shot(window, "confidentialite-texte.png", tmp_path)
