"""The Documents page: the hours workbook exported from the app, the roster previewed."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.services.hours_report import Period, hours_figures, hours_of
from bippop_desk.registry.services.week import current_iso_week, week_missions
from bippop_desk.registry.store import Registry
from bippop_desk.ui.main_window import MainWindow


def test_the_hours_workbook_exported_from_the_app_matches_the_registry(
    qtbot: QtBot, demo: Registry, demo_window: MainWindow, tmp_path: Path
) -> None:
    box = demo_window.reports.hours
    box.kind.setCurrentIndex(box.kind.findData("year"))
    box.year.setValue(local_today().year)
    target = tmp_path / "heures.xlsx"
    box.export(str(target))
    qtbot.waitUntil(lambda: box.open_folder.isEnabled(), timeout=20000)
    assert target.exists() and "saisies" in box.message.text()

    figures = hours_figures(demo, Period.year(local_today().year))
    assert figures.entries > 0
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames == ["Synthèse", "Par bénévole", "Détail", "Valorisation", "Paramètres"]
    # The cells themselves hold the registry's figures (the totals are formulas, checked
    # by LibreOffice's recomputation in tests/core; here the values they add up).
    detail = list(book["Détail"].iter_rows(min_row=2, values_only=True))
    assert len(detail) == figures.entries
    assert sum(row[4] for row in detail) == pytest.approx(figures.total_minutes / 60)
    assert sum(row[5] for row in detail) == pytest.approx(float(figures.mileage_km))
    synthesis = {row[0]: row for row in book["Synthèse"].iter_rows(values_only=True) if row}
    for category in figures.categories:
        cells = synthesis[category.label][1 : 1 + len(figures.months)]
        expected = [figures.minutes_by.get((m, category.key), 0) / 60 for m in figures.months]
        assert list(cells) == pytest.approx(expected), category.label
    volunteers = list(book["Par bénévole"].iter_rows(min_row=2, values_only=True))
    assert [row[:5] for row in volunteers[: len(figures.per_volunteer)]] == [
        (v.last_name, v.first_name, pytest.approx(v.minutes / 60), v.missions, float(v.mileage_km))
        for v in figures.per_volunteer
    ]
    assert box.message.text().startswith(
        f"Tableau enregistré : heures.xlsx — {figures.entries} saisies"
    )
    total = f"{hours_of(figures.total_minutes):,.2f}".replace(",", "\u202f").replace(".", ",")
    assert f"{total} heures" in box.message.text()


def test_the_roster_preview_shows_the_real_pdf_pages(
    qtbot: QtBot, demo: Registry, demo_window: MainWindow
) -> None:
    box = demo_window.reports.roster
    year, week = current_iso_week()
    box.iso_year, box.iso_week = year, week
    box.preview()
    qtbot.waitUntil(lambda: box.pdf is not None, timeout=20000)
    pages = [
        w for w in box.pages_holder.findChildren(QLabel) if w.pixmap() and not w.pixmap().isNull()
    ]
    assert pages, "no page rendered"
    assert box.pdf is not None and box.pdf.startswith(b"%PDF")
    data = week_missions(demo, year, week)
    expected = len({m.volunteer_id for m in data.missions() if m.status != "annulee"})
    # One section per volunteer, each starting on its own page.
    assert len(pages) >= max(1, expected)
    assert box.message.text().startswith(f"{len(pages)} page")
