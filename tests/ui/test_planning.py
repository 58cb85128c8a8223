"""The week view: volunteers × days, coloured by status, holidays marked, ISO-week navigation."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from bippop_desk.registry.services.week import current_iso_week, week_missions
from bippop_desk.registry.store import Registry
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.planning import HOLIDAY_COLOUR, MISSIONS_ROLE


def test_the_week_view_shows_every_live_mission_of_the_week(
    qtbot: QtBot,
    demo: Registry,
    demo_window: MainWindow,
) -> None:
    page = demo_window.planning
    year, week = current_iso_week()
    page.show_week(year, week)
    qtbot.waitUntil(
        lambda: page.model.week is not None and page.model.week.iso_week == week, timeout=5000
    )
    expected = {m.id for m in week_missions(demo, year, week).missions() if m.status != "annulee"}
    shown = {
        mission.id
        for row in range(page.model.rowCount())
        for column in range(7)
        for mission in page.model.index(row, column).data(MISSIONS_ROLE)
    }
    assert shown == expected and expected
    assert f"Semaine {week}" in page.title.text()
    image = page.grid.grab()  # paints every visible chip without error
    assert not image.isNull()


def test_navigation_moves_by_iso_week_and_marks_public_holidays(
    qtbot: QtBot,
    demo_window: MainWindow,
) -> None:
    page = demo_window.planning
    page.show_week(2026, 52)  # Christmas, Friday 25 December 2026
    qtbot.waitUntil(
        lambda: page.model.week is not None and page.model.week.iso_week == 52, timeout=5000
    )
    christmas = dt.date(2026, 12, 25).weekday()
    header = page.model.headerData(christmas, Qt.Orientation.Horizontal)
    assert "Noël" in header
    brush = page.model.headerData(
        christmas, Qt.Orientation.Horizontal, Qt.ItemDataRole.BackgroundRole
    )
    assert brush.color() == QColor(HOLIDAY_COLOUR)
    assert "férié : Noël" in page.title.text()
    page.shift(1)
    qtbot.waitUntil(
        lambda: page.model.week is not None and page.model.week.iso_week == 53, timeout=5000
    )
    page.shift(1)
    qtbot.waitUntil(
        lambda: page.model.week is not None and page.model.week.iso_year == 2027, timeout=5000
    )
    assert page.model.week is not None and page.model.week.iso_week == 1
    page.jump.setText("2027-W10")
    page._jump()
    qtbot.waitUntil(
        lambda: page.model.week is not None and page.model.week.iso_week == 10, timeout=5000
    )
    page.jump.setText("n'importe quoi")
    page._jump()
    assert page.message.text()  # a French message, not a crash
