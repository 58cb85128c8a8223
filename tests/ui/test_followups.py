"""The coordinator's follow-ups on the home page, their lists, and the match rate shown
with the requests."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.models import Beneficiary, Mission
from bippop_desk.registry.services.followups import followup_counts, match_stats
from bippop_desk.registry.services.missions import VisitReport, assign_volunteer, mark_done
from bippop_desk.registry.services.settings import get_setting
from bippop_desk.registry.store import Registry
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.beneficiary_dialogs import BeneficiaryFileDialog
from bippop_desk.ui.pages.followups import (
    CONCERNS,
    SILENT,
    UNMATCHED,
    UNMATCHED_DAYS,
    FollowUpsDialog,
)
from bippop_desk.ui.pages.home import HomePage
from bippop_desk.ui.pages.mission_dialog import MissionDialog
from bippop_desk.ui.pages.request_dialog import RequestDialog
from tests.conftest import add_person
from tests.core.test_followups import received_days_ago
from tests.core.test_missions import ask
from tests.core.test_volunteers import make_volunteer
from tests.ui.conftest import SqlThreads, type_text


class Opened:
    """Stands in for a dialog's exec(): records which record it was opened on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, cls: type, attribute: str) -> None:
        self.ids: list[str] = []

        def fake_exec(dialog: object) -> int:
            self.ids.append(str(getattr(dialog, attribute)))
            return 0

        monkeypatch.setattr(cls, "exec", fake_exec)


def silent_since(registry: Registry, person_id: str, days: int) -> None:
    with registry.engine.begin() as conn:
        conn.execute(
            update(Beneficiary)
            .where(Beneficiary.id == person_id)
            .values(created_at=utcnow() - dt.timedelta(days=days))
        )


def follow_up_data(registry: Registry) -> dict[str, str]:
    """Two requests waiting 10 and 20 days (the first urgent), a fresh one, one person
    silent for 60 days, and a concern raised after today's visit."""
    waiting = ask(registry, None, None, None)
    urgent = ask(registry, None, None, None, urgency="urgente")
    fresh = ask(registry, None, None, None)
    received_days_ago(registry, waiting, 20)
    received_days_ago(registry, urgent, 10)
    received_days_ago(registry, fresh, 2)
    quiet = add_person(registry, "Agnès", "Morel")
    silent_since(registry, quiet, 60)
    visited = ask(registry, local_today(), dt.time(8), dt.time(9))
    (mission_id,) = assign_volunteer(registry, visited, make_volunteer(registry)).mission_ids
    mark_done(registry, mission_id, VisitReport(outcome_note="Frigo vide", concern=True))
    return {"waiting": waiting, "urgent": urgent, "quiet": quiet, "concern": mission_id}


def loaded_home(qtbot: QtBot, window: MainWindow) -> HomePage:
    window.show_page("accueil")
    home = window.home
    assert home.isVisible()
    home.followups = None  # the page may have counted before the test's data was in
    home.reload()
    qtbot.waitUntil(lambda: home.followups is not None, timeout=5000)
    return home


def open_list(qtbot: QtBot, home: HomePage, kind: str) -> FollowUpsDialog:
    qtbot.mouseClick(home.followup_cards[kind], Qt.MouseButton.LeftButton)
    dialog = home.followups_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    assert dialog.current_kind() == kind
    return dialog


def test_the_home_follow_up_cards_show_the_services_counts(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    follow_up_data(registry)
    home = loaded_home(qtbot, window)
    expected = followup_counts(registry, 7, 30)
    assert (expected.unmatched, expected.silent, expected.concerns) == (2, 1, 1)
    assert home.followups is not None and home.followups.counts == expected
    assert home.followup_cards[UNMATCHED].text().startswith("2 demandes sans bénévole")
    assert "plus de 7 jours" in home.followup_cards[UNMATCHED].text()
    assert home.followup_cards[SILENT].text().startswith("1 personne sans nouvelles")
    assert home.followup_cards[CONCERNS].text().startswith("1 inquiétude à traiter")
    assert (home.unmatched_days.value(), home.silent_days.value()) == (7, 30)


def test_the_thresholds_are_settings_and_the_counts_follow_them(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    follow_up_data(registry)
    home = loaded_home(qtbot, window)
    home.unmatched_days.setValue(15)  # saved after a short pause, like a person typing
    qtbot.waitUntil(lambda: get_setting(registry, UNMATCHED_DAYS) == 15, timeout=5000)
    qtbot.waitUntil(
        lambda: home.followups is not None and home.followups.counts.unmatched == 1, timeout=5000
    )
    assert home.followups is not None
    assert home.followups.counts == followup_counts(registry, 15, 30)
    assert "plus de 15 jours" in home.followup_cards[UNMATCHED].text()
    # A new home page (next start) reads the kept threshold.
    again = HomePage(window.context)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.followups is not None, timeout=5000)
    assert again.unmatched_days.value() == 15


def test_entree_on_a_waiting_request_opens_the_request(
    qtbot: QtBot,
    registry: Registry,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    sql_threads: SqlThreads,
) -> None:
    ids = follow_up_data(registry)
    sql_threads.names.clear()  # from here on, only the app runs SQL
    opened = Opened(monkeypatch, RequestDialog, "request_id")
    dialog = open_list(qtbot, loaded_home(qtbot, window), UNMATCHED)
    view = dialog.lists[UNMATCHED]
    assert [item.id for item in view.items.items] == [ids["urgent"], ids["waiting"]]
    assert view.items.items[0].text.startswith("URGENT")
    assert dialog.tabs.tabText(0) == "&Demandes sans bénévole (2)"
    view.setCurrentIndex(view.items.index(1))
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert opened.ids == [ids["waiting"]]
    assert dialog.isVisible()  # the list stays, to go on with the next one
    assert sql_threads.names == {"db-worker"}  # never on the GUI thread


def test_a_silent_person_opens_their_file(
    qtbot: QtBot, registry: Registry, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = follow_up_data(registry)
    opened = Opened(monkeypatch, BeneficiaryFileDialog, "beneficiary_id")
    dialog = open_list(qtbot, loaded_home(qtbot, window), SILENT)
    view = dialog.lists[SILENT]
    assert [item.id for item in view.items.items] == [ids["quiet"]]
    assert "Agnès Morel" in view.items.items[0].text
    QTest.keyClick(view, Qt.Key.Key_Enter)
    assert opened.ids == [ids["quiet"]]


def test_a_concern_opens_its_visit_and_once_handled_leaves_the_list(
    qtbot: QtBot, registry: Registry, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = follow_up_data(registry)
    opened = Opened(monkeypatch, MissionDialog, "mission_id")
    home = loaded_home(qtbot, window)
    dialog = open_list(qtbot, home, CONCERNS)
    view = dialog.lists[CONCERNS]
    assert [item.id for item in view.items.items] == [ids["concern"]]
    assert "Frigo vide" in view.items.items[0].detail
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert opened.ids == [ids["concern"]]

    type_text(dialog.concern_note, "Appelé sa fille Hélène")
    assert dialog.handle_button.isEnabled()
    qtbot.mouseClick(dialog.handle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.items.rowCount() == 0, timeout=5000)
    assert dialog.message.text() == "Inquiétude marquée comme traitée."
    qtbot.waitUntil(
        lambda: home.followups is not None and home.followups.counts.concerns == 0, timeout=5000
    )
    assert home.followup_cards[CONCERNS].text().startswith("0 inquiétude")
    with registry.session() as session:
        mission = session.get(Mission, ids["concern"])
        assert mission is not None and mission.concern_handled_at is not None
        assert mission.concern_handled_by == "Sophie Martin"
        assert "Appelé sa fille Hélène" in mission.notes


def french_number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def test_the_requests_page_shows_match_rate_and_time_to_match(
    qtbot: QtBot, demo: Registry, demo_window: MainWindow
) -> None:
    page = demo_window.requests
    today = local_today()
    stats = match_stats(demo, today - dt.timedelta(days=89), today)
    assert stats.received and stats.median_days_to_match is not None
    qtbot.waitUntil(lambda: page.stats_label.text().startswith("Sur les 90"), timeout=5000)
    text = page.stats_label.text()
    assert f"{stats.received} demandes" in text
    assert f"{stats.matched} confiées" in text
    assert stats.match_rate is not None
    assert f"({round(stats.match_rate * 100)}\u202f%)" in text
    assert f"délai médian {french_number(stats.median_days_to_match)} jour" in text
    assert f"{stats.waiting} en attente" in text
    assert not re.search(r"\d\.\d", text)  # French decimals

    start, end = today - dt.timedelta(days=200), today - dt.timedelta(days=30)
    page.date_from.setDate(page.date_from.date().addDays(-170))
    page.date_to.setDate(page.date_to.date().addDays(-30))
    page.use_dates.setChecked(True)
    qtbot.waitUntil(lambda: page.stats_label.text().startswith("Du "), timeout=5000)
    period = match_stats(demo, start, end)
    text = page.stats_label.text()
    assert text.startswith(f"Du {start:%d/%m/%Y} au {end:%d/%m/%Y} :")
    assert f"{period.received} demande" in text
