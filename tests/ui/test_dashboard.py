"""The Tableau de bord page: figures and charts from the registry, read on the DB worker;
the annual report written from it."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.services.dashboard import dashboard, fr_number
from bippop_desk.registry.services.hours_report import Period
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.dashboard import DashboardPage
from bippop_desk.ui.settings import Preferences
from tests.ui.conftest import SqlThreads


def open_dashboard(qtbot: QtBot, context: AppContext, demo: Registry) -> DashboardPage:
    window = MainWindow(context, Preferences())
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    context.set_registry(demo, "Compiègne")
    window.show_page("tableau")
    page = window.page("tableau")
    assert isinstance(page, DashboardPage)
    qtbot.waitUntil(lambda: page.board is not None, timeout=10000)
    return page


def test_the_dashboard_shows_the_years_figures_and_charts(
    qtbot: QtBot, context: AppContext, demo: Registry, tmp_path: Path
) -> None:
    threads = SqlThreads(demo)
    page = open_dashboard(qtbot, context, demo)
    assert "MainThread" not in threads.names  # figures read on the DB worker only
    expected = dashboard(demo, Period.year(local_today().year))
    cards = {card.label.text(): card.value.text() for card in page.cards if not card.isHidden()}
    assert cards["Heures de bénévolat"] == fr_number(expected.hours_total, 1)
    assert cards["Interventions"] == fr_number(expected.hours.missions)
    assert cards["Bénéficiaires aidés"] == fr_number(expected.hours.beneficiaries)
    bars = page.months_chart.series()[0].barSets()[0]
    assert [round(bars.at(i), 2) for i in range(bars.count())] == [
        round(float(h), 2) for _m, h in expected.hours_by_month()
    ]
    axis = page.months_chart.axes()[0]
    assert axis.count() == len(expected.hours_by_month()) == 12  # one label per month
    types = page.types_chart.series()[0].barSets()[0]
    assert sum(types.at(i) for i in range(types.count())) == sum(
        t.missions for t in expected.missions_by_type[:10]
    )
    page.window().grab().save(str(tmp_path / "dashboard.png"))
    page.window().grab().save("/tmp/dashboard.png")


def test_a_quarter_is_a_click_away(qtbot: QtBot, context: AppContext, demo: Registry) -> None:
    page = open_dashboard(qtbot, context, demo)
    page.kind.setCurrentIndex(page.kind.findData("quarter"))
    page.part.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.board is not None and page.board.period.start.month == 1)
    qtbot.waitUntil(lambda: page.board is not None and page.board.period.end.month == 3)
    assert "1er trimestre" in page.message.text()


def test_the_annual_report_is_written_from_the_page(
    qtbot: QtBot, context: AppContext, demo: Registry, tmp_path: Path
) -> None:
    page = open_dashboard(qtbot, context, demo)
    target = tmp_path / "rapport.pdf"
    page.write_report(str(target))
    qtbot.waitUntil(lambda: page.last_report is not None, timeout=15000)
    assert "Rapport enregistré : rapport.pdf" in page.message.text()
    text = PdfReader(target).pages[0].extract_text()
    assert "Rapport d'activité" in text and "Compiègne" in text
