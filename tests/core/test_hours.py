"""Volunteer hours: append-only, corrections as compensating entries, totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import Mission
from bippop_desk.registry.services.hours import (
    HoursInput,
    add_hours,
    correct_hours,
    hours_lines,
    hours_totals,
    volunteer_total,
)
from bippop_desk.registry.services.missions import VisitReport, assign_volunteer, mark_done
from bippop_desk.registry.store import Registry
from tests.core.test_missions import ask
from tests.core.test_volunteers import make_volunteer


def test_training_hours_are_added_and_counted(registry: Registry) -> None:
    marie = make_volunteer(registry)
    today = local_today()
    add_hours(
        registry, HoursInput(marie, today, 120, "formation", note="Formation premiers secours")
    )
    add_hours(registry, HoursInput(marie, today, 45, "reunion", mileage_km="3,5"))
    total = volunteer_total(registry, marie)
    assert (total.minutes, total.mileage_km, total.entries) == (165, Decimal("3.5"), 2)
    assert total.hours_text == "2 h 45"
    # Newest first: same day, so the meeting typed last comes first.
    assert [line.kind_label for line in hours_lines(registry, marie)] == ["Réunion", "Formation"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "mission"}, "kind"),
        ({"kind": "correction"}, "kind"),
        ({"minutes": 0}, "minutes"),
        ({"entry_date": None}, "entry_date"),
        ({"entry_date": dt.date.today() + dt.timedelta(days=2)}, "entry_date"),
        ({"mileage_km": "beaucoup"}, "mileage_km"),
    ],
)
def test_bad_hours_are_refused_at_their_field(
    registry: Registry, values: dict[str, object], field: str
) -> None:
    marie = make_volunteer(registry)
    data = HoursInput(marie, local_today(), 60, "formation")
    for key, value in values.items():
        setattr(data, key, value)
    with pytest.raises(ValidationError) as caught:
        add_hours(registry, data)
    assert field in caught.value.errors
    assert volunteer_total(registry, marie).entries == 0


def test_entries_can_be_neither_changed_nor_deleted(registry: Registry) -> None:
    marie = make_volunteer(registry)
    entry_id = add_hours(registry, HoursInput(marie, local_today(), 60, "formation"))
    for statement in (
        "UPDATE hours_entry SET minutes = 600 WHERE id = :id",
        "DELETE FROM hours_entry WHERE id = :id",
    ):
        with pytest.raises(DatabaseError, match="append-only"), registry.engine.begin() as conn:
            conn.execute(text(statement), {"id": entry_id})
    assert volunteer_total(registry, marie).minutes == 60


def test_a_correction_is_a_new_entry_of_the_difference(registry: Registry) -> None:
    marie = make_volunteer(registry)
    entry_id = add_hours(registry, HoursInput(marie, local_today(), 120, "formation"))
    correction_id = correct_hours(registry, entry_id, minutes=90, reason="Fin à 11 h 30")
    lines = {line.id: line for line in hours_lines(registry, marie)}
    assert lines[entry_id].minutes == 120  # the original is untouched
    assert (lines[correction_id].minutes, lines[correction_id].kind) == (-30, "correction")
    assert lines[correction_id].corrects_entry_id == entry_id
    assert volunteer_total(registry, marie).minutes == 90
    # Correcting the correction fixes the original's total again, by difference.
    correct_hours(registry, correction_id, minutes=100, reason="Finalement 11 h 40")
    assert volunteer_total(registry, marie).minutes == 100
    with pytest.raises(ValidationError):
        correct_hours(registry, entry_id, minutes=100, reason="rien")
    with pytest.raises(ValidationError):
        correct_hours(registry, entry_id, minutes=50, reason=" ")


def test_correcting_a_visit_entry_also_corrects_the_visit(registry: Registry) -> None:
    marie = make_volunteer(registry)
    request_id = ask(registry, local_today(), dt.time(8), dt.time(9))
    (mission_id,) = assign_volunteer(registry, request_id, marie).mission_ids
    entry_id = mark_done(registry, mission_id, VisitReport(60, "10"))
    correct_hours(registry, entry_id, minutes=80, mileage_km="14", reason="Oubli du trajet retour")
    with registry.session() as session:
        mission = session.get(Mission, mission_id)
    assert mission is not None
    assert (mission.actual_duration_min, mission.mileage_km) == (80, Decimal("14.0"))
    total = volunteer_total(registry, marie)
    assert (total.minutes, total.mileage_km) == (80, Decimal("14.0"))


def test_totals_follow_the_period(registry: Registry) -> None:
    marie = make_volunteer(registry)
    paul = make_volunteer(registry, "Paul", "Henry")
    today = local_today()
    last_month = today - dt.timedelta(days=35)
    add_hours(registry, HoursInput(marie, last_month, 60, "formation"))
    add_hours(registry, HoursInput(marie, today, 30, "reunion"))
    add_hours(registry, HoursInput(paul, today, 15, "autre"))
    recent = hours_totals(registry, today - dt.timedelta(days=7), today)
    assert {vid: t.minutes for vid, t in recent.items()} == {marie: 30, paul: 15}
    assert volunteer_total(registry, marie).minutes == 90
