"""The coordinator confides a phone request to a suggested volunteer, then records the
visit as done: the hours appear on the volunteer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from bippop_desk.registry.actor import Actor
from bippop_desk.registry.clock import local_today
from bippop_desk.registry.models import Mission
from bippop_desk.registry.services.availability import WeeklySlot
from bippop_desk.registry.services.beneficiaries import BeneficiaryInput
from bippop_desk.registry.services.catalogue import list_mission_types
from bippop_desk.registry.services.hours import volunteer_total
from bippop_desk.registry.services.intake import log_phone_request
from bippop_desk.registry.services.requests import RequestInput
from bippop_desk.registry.services.volunteers import (
    VolunteerInput,
    change_volunteer_status,
    create_volunteer,
    set_weekly_slots,
)
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.mission_dialog import MissionDialog, VisitReportDialog
from bippop_desk.ui.pages.request_dialog import RequestDialog
from bippop_desk.ui.pages.volunteers import VolunteerFileDialog

COORDINATOR = Actor("karim", "Karim Benali", "coordinateur")


def test_a_suggested_volunteer_takes_the_request_and_the_done_visit_gives_hours(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    registry.actor = COORDINATOR
    context.set_actor(COORDINATOR)
    today = local_today()
    visit = next(t.id for t in list_mission_types(registry) if t.code == "visite")
    volunteer = create_volunteer(
        registry,
        VolunteerInput(
            "Jérôme",
            "Séguin",
            phone="06 11 22 33 44",
            charter_signed_on=today,
            mission_type_ids=[visit],
        ),
    )
    change_volunteer_status(registry, volunteer, "valide")
    set_weekly_slots(registry, volunteer, [WeeklySlot(today.weekday(), dt.time(8), dt.time(20))])
    other = create_volunteer(registry, VolunteerInput("Anaïs", "Roux", mission_type_ids=[]))
    change_volunteer_status(registry, other, "parti", "Déménagement")
    call = log_phone_request(
        registry,
        RequestInput(
            mission_type_id=visit,
            wished_date=today,
            wished_time_from=dt.time(9),
            wished_time_to=dt.time(10),
        ),
        BeneficiaryInput("Hélène", "Le Goff", phone="03 44 20 30 40"),
    )

    dialog = RequestDialog(context, call.request_id, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.match is not None, timeout=5000)
    first = dialog.suggestions_model.item(0)
    assert first is not None and first.id == volunteer
    assert "✔ Disponible" in first.detail and "✔ Propose" in first.detail
    assert all(item.id != other for item in dialog.suggestions_model.items)  # not validated
    dialog.assign_current()
    qtbot.waitUntil(lambda: len(dialog.missions_model.items) == 1, timeout=5000)
    assert "Demande confiée à Jérôme Séguin" in dialog.message.text()
    qtbot.waitUntil(lambda: dialog.detail is not None and dialog.detail.status == "planifiee")
    assert dialog.match_box.isHidden()  # nothing left to match
    mission_id = dialog.missions_model.items[0].id

    mission_dialog = MissionDialog(context, mission_id, window)
    qtbot.addWidget(mission_dialog)
    qtbot.waitUntil(lambda: mission_dialog.mission is not None, timeout=5000)
    assert mission_dialog.mission is not None
    report = VisitReportDialog(context, mission_dialog.mission, mission_dialog)
    qtbot.addWidget(report)
    report.duration.setValue(75)
    report.mileage.setText("4,5")
    report.outcome.setPlainText("Très bon moment autour des photos de famille.")
    with qtbot.waitSignal(report.saved, timeout=5000):
        report.save()

    total = volunteer_total(registry, volunteer)
    assert (total.minutes, total.mileage_km, total.entries) == (75, Decimal("4.5"), 1)
    with registry.session() as session:
        mission = session.scalars(select(Mission).where(Mission.id == mission_id)).one()
        assert mission.status == "realisee" and mission.actual_duration_min == 75
    qtbot.waitUntil(
        lambda: mission_dialog.mission is not None and mission_dialog.mission.status == "realisee",
        timeout=5000,
    )
    file_dialog = VolunteerFileDialog(context, volunteer, window)
    qtbot.addWidget(file_dialog)
    qtbot.waitUntil(lambda: file_dialog.file is not None, timeout=5000)
    assert "1 h 15 cette année" in file_dialog.details.text()
