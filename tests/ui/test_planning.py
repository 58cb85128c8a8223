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


def _registry_missions(registry: Registry, year: int, week: int) -> dict[str, dict[str, object]]:
    """The week's live missions read straight from the tables (not through week.py)."""
    monday = dt.date.fromisocalendar(year, week, 1)
    sql = """
        SELECT m.id, m.starts_at, m.ends_at, m.status,
               coalesce(v.first_name || ' ' || v.last_name, ''),
               b.first_name, b.last_name, t.label
          FROM mission AS m
          JOIN beneficiary AS b ON b.id = m.beneficiary_id
          JOIN mission_type AS t ON t.id = m.mission_type_id
          LEFT JOIN volunteer AS v ON v.id = m.volunteer_id
         WHERE m.deleted_at IS NULL AND m.status != 'annulee'
           AND m.starts_at >= ? AND m.starts_at < ?
    """
    with registry.raw() as conn:
        rows = conn.execute(
            sql, (f"{monday} 00:00:00", f"{monday + dt.timedelta(days=7)} 00:00:00")
        ).fetchall()
    return {
        mid: {
            "start": dt.datetime.fromisoformat(start),
            "end": dt.datetime.fromisoformat(end),
            "status": status,
            "volunteer": volunteer,
            "who": f"{first} {last}",
            "what": label,
        }
        for mid, start, end, status, volunteer, first, last, label in rows
    }


def test_each_chip_sits_in_its_volunteers_row_and_days_column_and_says_what_and_who(
    qtbot: QtBot, demo: Registry, demo_window: MainWindow
) -> None:
    page = demo_window.planning
    year, week = current_iso_week()
    page.show_week(year, week)
    qtbot.waitUntil(
        lambda: page.model.week is not None and page.model.week.iso_week == week, timeout=5000
    )
    expected = _registry_missions(demo, year, week)
    assert expected
    seen: set[str] = set()
    model = page.model
    for row in range(model.rowCount()):
        row_name = model.headerData(row, Qt.Orientation.Vertical)
        for column in range(7):
            index = model.index(row, column)
            missions = index.data(MISSIONS_ROLE)
            tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
            if not missions:
                assert tooltip == "libre"
                continue
            for mission in missions:
                truth = expected[mission.id]
                seen.add(mission.id)
                assert truth["start"].weekday() == column  # type: ignore[attr-defined]
                if truth["volunteer"]:
                    assert row_name == truth["volunteer"]
                start = f"{truth['start']:%H:%M}"
                # The chip's words: when, who (civility may precede), what, and the status.
                line = next(t for t in tooltip.split("\n") if t.startswith(start))
                assert str(truth["who"]) in line and str(truth["what"]) in line
                assert mission.status_label in line
    assert seen == set(expected)


def test_a_chip_is_painted_in_its_status_colour(
    qtbot: QtBot, demo: Registry, demo_window: MainWindow
) -> None:
    from bippop_desk.ui.pages.planning import STATUS_COLOURS

    page = demo_window.planning
    demo_window.resize(1400, 900)
    demo_window.show_page("planning")
    year, week = current_iso_week()
    page.show_week(year, week)
    qtbot.waitUntil(
        lambda: page.model.week is not None and page.model.week.iso_week == week, timeout=5000
    )
    grid = page.grid
    # The window's pending layout (its new size, the stretched columns) happens at its
    # next paint: render it once so the cells' rects are where their chips get painted.
    demo_window.grab()
    qtbot.waitUntil(lambda: grid.horizontalHeader().length() >= grid.viewport().width() - 7)
    checked = 0
    for row in range(min(page.model.rowCount(), 4)):
        for column in range(7):
            index = page.model.index(row, column)
            missions = index.data(MISSIONS_ROLE)
            rect = grid.visualRect(index)
            if not missions or rect.isEmpty():
                continue
            image = grid.viewport().grab(rect).toImage()
            colours = {
                image.pixelColor(x, y).name()
                for x in range(0, image.width(), 2)
                for y in range(0, image.height(), 2)
            }
            for mission in missions:
                assert STATUS_COLOURS[mission.status] in colours, (mission.status, colours)
            checked += 1
    assert checked > 0
