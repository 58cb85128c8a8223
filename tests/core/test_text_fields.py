"""Hostile text and numbers are refused with a French message, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import AuditEvent
from bippop_desk.registry.services.beneficiaries import BeneficiaryInput, create_beneficiary
from bippop_desk.registry.services.catalogue import list_mission_types
from bippop_desk.registry.services.missions import VisitReport, assign_volunteer, mark_done
from bippop_desk.registry.services.requests import RequestInput, create_request
from bippop_desk.registry.services.scheduling import WeeklySlot
from bippop_desk.registry.services.volunteers import (
    VolunteerInput,
    add_absence,
    create_volunteer,
)
from bippop_desk.registry.store import Registry
from tests.conftest import add_person
from tests.core.test_volunteers import make_volunteer


def audit_count(registry: Registry) -> int:
    with registry.session() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("last_name", "Du\x00pont"),
        ("first_name", "Jean\x1b[31m"),
        ("address_line", "12 rue\x00 de Paris"),
        ("city", "Comp\x07iègne"),
        ("notes", "Appelle le mardi\x00"),
        ("address_line", "x" * 201),
        ("city", "y" * 121),
        ("email", "a" * 196 + "@b.fr"),
        ("notes", "n" * 4001),
    ],
)
def test_a_person_with_control_characters_or_too_long_text_is_refused(
    registry: Registry, field: str, value: str
) -> None:
    before = audit_count(registry)
    values = {"first_name": "Jean", "last_name": "Dupont", field: value}
    with pytest.raises(ValidationError) as caught:
        create_beneficiary(registry, BeneficiaryInput(**values))
    assert field in caught.value.errors
    assert caught.value.errors[field].endswith(".")  # a sentence, in French
    assert audit_count(registry) == before


def test_notes_keep_their_line_breaks(registry: Registry) -> None:
    create_beneficiary(
        registry, BeneficiaryInput("Jean", "Dupont", notes="Ligne 1\nLigne 2\r\n\tretrait")
    )


def test_a_request_with_a_nul_in_the_caller_name_is_refused(registry: Registry) -> None:
    person = add_person(registry, "Hélène", "Le Goff")
    type_id = list_mission_types(registry)[0].id
    with pytest.raises(ValidationError) as caught:
        create_request(registry, RequestInput(person, type_id, caller_name="Sa\x00fille"))
    assert "caller_name" in caught.value.errors


def test_a_volunteer_with_a_control_character_is_refused(registry: Registry) -> None:
    with pytest.raises(ValidationError) as caught:
        create_volunteer(registry, VolunteerInput("Marc", "Petit", quartier="Centre\x0b"))
    assert "quartier" in caught.value.errors
    volunteer = create_volunteer(registry, VolunteerInput("Marc", "Petit"))
    with pytest.raises(ValidationError) as caught:
        add_absence(registry, volunteer, dt.date(2026, 12, 1), dt.date(2026, 12, 2), "\x00")
    assert "reason" in caught.value.errors


@pytest.fixture
def done_visit(registry: Registry) -> str:
    person = add_person(registry, "Hélène", "Le Goff")
    type_id = list_mission_types(registry)[0].id
    today = local_today()
    slots = [WeeklySlot(today.weekday(), dt.time(9), dt.time(18))]
    volunteer = make_volunteer(registry, slots=slots)
    request = create_request(
        registry, RequestInput(person, type_id, wished_date=today, wished_time_from=dt.time(14))
    )
    assignment = assign_volunteer(registry, request, volunteer, today=today)
    return assignment.mission_ids[0]


@pytest.mark.parametrize(
    "mileage", ["NaN", "nan", "inf", "-Infinity", "sNaN", "999999999", "999,999,999", "1e999"]
)
def test_absurd_mileage_is_refused_with_a_message(
    registry: Registry, done_visit: str, mileage: str
) -> None:
    before = audit_count(registry)
    with pytest.raises(ValidationError) as caught:
        mark_done(registry, done_visit, VisitReport(mileage_km=mileage), today=local_today())
    assert "kilométrage" in caught.value.errors["mileage_km"].lower()
    assert audit_count(registry) == before
    mark_done(registry, done_visit, VisitReport(mileage_km="12,5"), today=local_today())


@pytest.mark.parametrize("mileage", ["NaN", "inf", "999999999"])
def test_absurd_mileage_in_hours_typed_by_hand_is_refused(registry: Registry, mileage: str) -> None:
    from bippop_desk.registry.services.hours import HoursInput, add_hours

    volunteer = make_volunteer(registry)
    with pytest.raises(ValidationError) as caught:
        add_hours(
            registry,
            HoursInput(volunteer, local_today(), 60, "formation", mileage_km=mileage),
        )
    assert "kilométrage" in caught.value.errors["mileage_km"].lower()
