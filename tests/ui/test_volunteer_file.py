"""The volunteer's file: the .ics calendar of planned visits, hours that are not visits,
and corrections of hours (append-only)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from icalendar import Calendar
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from bippop_desk.registry.services.hours import volunteer_total
from bippop_desk.registry.services.missions import assign_volunteer
from bippop_desk.registry.store import Registry
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.volunteer_hours import AddHoursDialog, CorrectHoursDialog
from bippop_desk.ui.pages.volunteers import VolunteerFileDialog
from tests.conftest import add_person
from tests.core.test_missions import ask, next_weekday
from tests.core.test_volunteers import make_volunteer
from tests.ui.conftest import type_text


def open_file(qtbot: QtBot, window: MainWindow, volunteer_id: str) -> VolunteerFileDialog:
    dialog = VolunteerFileDialog(window.context, volunteer_id, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.file is not None, timeout=5000)
    return dialog


def test_the_calendar_export_holds_the_planned_visits_of_the_next_four_weeks(
    qtbot: QtBot,
    registry: Registry,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    marie = make_volunteer(registry, "Marie-Hélène", "Dupont")
    person = add_person(registry, "Agnès", "Morel", address_line="3 rue Solférino")
    planned = [
        assign_volunteer(registry, ask(registry, day, person=person), marie).mission_ids[0]
        for day in (next_weekday(1), next_weekday(3, 2))
    ]
    assign_volunteer(registry, ask(registry, next_weekday(2, 6), person=person), marie)  # later
    asked: list[str] = []
    target = tmp_path / "export" / "agenda"  # no suffix: the app adds ".ics"
    target.parent.mkdir()

    def fake_save(_parent: object, _title: str, default: str, _filter: str) -> tuple[str, str]:
        asked.append(default)
        return str(target), "Agenda (*.ics)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    dialog = open_file(qtbot, window, marie)
    dialog.export_calendar()
    written = target.with_name("agenda.ics")
    qtbot.waitUntil(lambda: "enregistré" in dialog.message.text(), timeout=5000)
    assert Path(asked[0]).name == "agenda-Marie-Hélène.ics"
    assert "2 interventions planifiées" in dialog.message.text()
    assert "Marie-Hélène D." in dialog.message.text()

    calendar = Calendar.from_ical(written.read_bytes())
    events = calendar.walk("VEVENT")
    assert {str(event["uid"]).split("@")[0] for event in events} == set(planned)
    first = min(events, key=lambda event: event.decoded("dtstart"))
    start = first.decoded("dtstart")
    assert start.date() == next_weekday(1) and start.hour == 14
    assert str(start.tzinfo) == "Europe/Paris"
    assert "Agnès M." in str(first["summary"])
    assert "Solférino" in str(first["location"])


def test_training_hours_added_in_the_file_show_there_and_in_the_totals(
    qtbot: QtBot, registry: Registry, window: MainWindow
) -> None:
    marie = make_volunteer(registry)
    dialog = open_file(qtbot, window, marie)
    assert dialog.hours_list.items.rowCount() == 0
    assert not dialog.correct_button.isEnabled()

    add = AddHoursDialog(window.context, marie, dialog)
    qtbot.addWidget(add)
    assert add.kind.currentData() == "formation"
    add.duration.set_minutes(0)
    add.save()  # nothing is written: the message is under the duration
    error = add.errors._fields["minutes"][1]
    qtbot.waitUntil(lambda: error.isVisibleTo(add) and "durée" in error.text(), timeout=5000)
    assert volunteer_total(registry, marie).entries == 0

    add.duration.set_minutes(150)
    add.mileage.clear()
    type_text(add.mileage, "12,5")
    type_text(add.note, "Premiers secours à l'EHPAD")
    add.save()
    qtbot.waitUntil(lambda: dialog.hours_list.items.rowCount() == 1, timeout=5000)
    line = dialog.hours_list.items.items[0]
    assert line.text.endswith("Formation — 2 h 30 — 12,5 km")
    assert "Premiers secours à l'EHPAD" in line.detail
    total = volunteer_total(registry, marie)
    assert (total.minutes, total.mileage_km) == (150, Decimal("12.5"))
    qtbot.waitUntil(lambda: "2 h 30 cette année" in dialog.details.text(), timeout=5000)
    assert dialog.correct_button.isEnabled()


def test_entree_on_an_hours_line_corrects_it_with_a_new_entry(
    qtbot: QtBot, registry: Registry, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    marie = make_volunteer(registry)
    dialog = open_file(qtbot, window, marie)
    add = AddHoursDialog(window.context, marie, dialog)
    qtbot.addWidget(add)
    add.entry_date.setDate(add.entry_date.date().addDays(-3))
    add.kind.setCurrentIndex(add.kind.findData("reunion"))
    add.duration.set_minutes(90)
    add.save()
    qtbot.waitUntil(lambda: dialog.hours_list.items.rowCount() == 1, timeout=5000)
    original = dialog.hours_lines[0]

    shown: list[CorrectHoursDialog] = []

    def fake_exec(correction: CorrectHoursDialog) -> int:
        shown.append(correction)
        return 0

    monkeypatch.setattr(CorrectHoursDialog, "exec", fake_exec)
    dialog.hours_list.setCurrentIndex(dialog.hours_list.items.index(0))
    QTest.keyClick(dialog.hours_list, Qt.Key.Key_Return)
    (correction,) = shown
    qtbot.addWidget(correction)
    assert correction.entry.currentData() == original.id
    assert correction.duration.minutes() == 90

    correction.duration.set_minutes(60)
    correction.save()  # a reason is required
    reason_error = correction.errors._fields["note"][1]
    qtbot.waitUntil(lambda: reason_error.isVisibleTo(correction), timeout=5000)
    type_text(correction.reason, "Réunion écourtée")
    correction.save()
    qtbot.waitUntil(lambda: dialog.hours_list.items.rowCount() == 2, timeout=5000)
    newest = dialog.hours_list.items.items[0]
    assert "Correction — -0 h 30" in newest.text and "Réunion écourtée" in newest.detail
    assert volunteer_total(registry, marie).minutes == 60
    assert dialog.hours_lines[1].minutes == 90  # the original is never changed
    again = CorrectHoursDialog(window.context, dialog.hours_lines, newest.id, dialog)
    qtbot.addWidget(again)
    assert again.entry.count() == 1 and again.duration.minutes() == 60


def test_the_calendar_file_name_is_safe(qtbot: QtBot) -> None:
    from bippop_desk.ui.pages.volunteer_hours import calendar_file_name

    assert calendar_file_name("Zoé") == "agenda-Zoé.ics"
    assert calendar_file_name("  Jean/Paul ") == "agenda-Jean-Paul.ics"
    assert calendar_file_name("") == "agenda-benevole.ics"
