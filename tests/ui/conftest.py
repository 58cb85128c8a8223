"""pytest-qt fixtures: the real main window over a real registry file, offscreen."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from bippop_desk.registry.demo import generate_demo
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.settings import Preferences
from bippop_desk.ui.worker import DbWorker
from tests.conftest import SECRETARY


def type_text(widget: QWidget, text: str) -> None:
    """Type like a person, one key at a time (qtbot.keyClicks aborts on accents, Qt 6.12)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier
        )


def press(
    widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    QTest.keyClick(widget, key, modifier)


class SqlThreads:
    """Records the name of every thread that ran SQL on the registry."""

    def __init__(self, registry: Registry) -> None:
        self.names: set[str] = set()
        event.listen(registry.engine, "before_cursor_execute", self._record)

    def _record(self, *_args: Any) -> None:
        self.names.add(threading.current_thread().name)


@pytest.fixture
def sql_threads(registry: Registry) -> SqlThreads:
    return SqlThreads(registry)


@pytest.fixture
def context(qtbot: QtBot, registry: Registry) -> Iterator[AppContext]:
    worker = DbWorker()
    ctx = AppContext(worker, SECRETARY)
    yield ctx
    worker.shutdown()


@pytest.fixture
def window(qtbot: QtBot, context: AppContext, registry: Registry) -> MainWindow:
    win = MainWindow(context, Preferences())
    qtbot.addWidget(win)
    win.show()
    context.set_registry(registry, "Compiègne")
    qtbot.waitUntil(lambda: win.intake.mission_type.count() > 1, timeout=5000)
    return win


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Registry]:
    registry = Registry(tmp_path / "demo.sqlite3", SECRETARY)
    generate_demo(registry, people=120)
    yield registry
    registry.close()


@pytest.fixture
def demo_window(qtbot: QtBot, demo: Registry) -> Iterator[MainWindow]:
    worker = DbWorker()
    context = AppContext(worker, SECRETARY)
    window = MainWindow(context, Preferences())
    qtbot.addWidget(window)
    context.set_registry(demo, "Compiègne")
    yield window
    worker.shutdown()
