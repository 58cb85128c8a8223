"""The week read model: seven days with French holidays, every live mission formatted.

The helpers at the top write missions and hours through the ORM and ChangeSet (the
same journaled path as the services); the report tests import them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bippop_desk.registry.changes import Actor
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import HoursEntry, Mission, MissionType, Volunteer, new_id
from bippop_desk.registry.services.commune import setup_commune
from bippop_desk.registry.services.week import (
    UNSTAFFED,
    parse_iso_week,
    week_missions,
)
from bippop_desk.registry.store import Registry
from tests.conftest import add_person

COORDINATOR = Actor("karim", "Karim Benali", "coordinateur")
# ISO week 46 of 2026: Monday 9 to Sunday 15 November; Wednesday 11 is Armistice day.
WEEK = (2026, 46)
MONDAY = dt.date(2026, 11, 9)


def type_id(registry: Registry, code: str) -> str:
    with registry.session() as session:
        return session.scalars(select(MissionType.id).where(MissionType.code == code)).one()


def add_volunteer(registry: Registry, first: str, last: str, phone: str = "") -> str:
    with registry.change(COORDINATOR) as changes:
        volunteer = Volunteer(
            commune_id=changes.commune_id,
            first_name=first,
            last_name=last,
            phone=phone,
            status="valide",
        )
        changes.create(volunteer, f"Bénévole {first} {last} créé")
        return volunteer.id


def add_mission(
    registry: Registry,
    beneficiary_id: str,
    volunteer_id: str | None,
    starts: dt.datetime,
    *,
    minutes: int = 60,
    code: str = "visite",
    status: str = "planifiee",
    notes: str = "",
) -> str:
    with registry.change(COORDINATOR) as changes:
        mission = Mission(
            commune_id=changes.commune_id,
            beneficiary_id=beneficiary_id,
            mission_type_id=type_id(registry, code),
            volunteer_id=volunteer_id,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=minutes),
            status=status,
            notes=notes,
        )
        changes.create(mission, "Intervention planifiée")
        return mission.id


def add_hours(
    registry: Registry,
    volunteer_id: str,
    day: dt.date,
    minutes: int,
    *,
    code: str | None = "visite",
    mission_id: str | None = None,
    kind: str = "mission",
    mileage: str = "0",
    corrects: str | None = None,
) -> str:
    with registry.change(COORDINATOR) as changes:
        entry = HoursEntry(
            commune_id=changes.commune_id,
            volunteer_id=volunteer_id,
            mission_id=mission_id,
            mission_type_id=type_id(registry, code) if code else None,
            entry_date=day,
            minutes=minutes,
            mileage_km=Decimal(mileage),
            kind=kind,
            corrects_entry_id=corrects,
            created_by=COORDINATOR.display_name,
        )
        changes.append(entry, f"{minutes} minutes de bénévolat")
        return entry.id


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.fixture
def people(registry: Registry) -> dict[str, str]:
    return {
        "helene": add_person(
            registry,
            "Hélène",
            "Le Goff",
            civility="Mme",
            phone="06 12 34 56 78",
            address_line="12 rue Solférino",
            postal_code="60200",
            city="Compiègne",
            access_notes="Code 4521B, 2e étage gauche",
        ),
        "marcel": add_person(registry, "Marcel", "Legrand", address_line="8 rue de Paris"),
        "anna": add_volunteer(registry, "Anna", "Zeller"),
        "bruno": add_volunteer(registry, "Bruno", "Abadie"),
    }


def test_a_week_has_seven_days_from_monday_with_french_holidays_named_in_french(
    registry: Registry,
) -> None:
    week = week_missions(registry, *WEEK)
    assert [day.day for day in week.days] == [MONDAY + dt.timedelta(days=i) for i in range(7)]
    assert week.public_holidays == [(dt.date(2026, 11, 11), "Armistice")]
    assert week.label == "Semaine 46 — du lundi 9 novembre au dimanche 15 novembre 2026"
    assert week.code == "2026-W46" and week.commune_name == "Compiègne"
    assert week.mission_count() == 0


def test_the_week_lists_its_missions_in_time_order_with_what_a_visit_needs(
    registry: Registry, people: dict[str, str]
) -> None:
    late = add_mission(registry, people["marcel"], people["anna"], at(MONDAY, 15), notes="Clés")
    early = add_mission(
        registry, people["helene"], people["bruno"], at(MONDAY, 9, 30), code="acc_courses"
    )
    sunday_night = add_mission(
        registry, people["marcel"], None, at(MONDAY + dt.timedelta(days=6), 23, 30)
    )
    add_mission(registry, people["marcel"], people["anna"], at(MONDAY - dt.timedelta(days=1), 10))
    add_mission(registry, people["marcel"], people["anna"], at(MONDAY + dt.timedelta(days=7), 0))
    week = week_missions(registry, *WEEK)
    assert [m.id for m in week.missions()] == [early, late, sunday_night]
    first = week.days[0].missions[0]
    assert first.beneficiary_name == "Mme Hélène Le Goff"
    assert first.address == "12 rue Solférino, 60200 Compiègne"
    assert first.access_notes == "Code 4521B, 2e étage gauche"
    assert first.phone == "06 12 34 56 78"
    assert first.volunteer_name == "Bruno Abadie"
    assert first.mission_type_label == "Accompagnement courses"
    assert (first.starts_at, first.ends_at) == (at(MONDAY, 9, 30), at(MONDAY, 10, 30))
    assert week.days[0].missions[1].notes == "Clés"
    assert week.days[6].missions[0].volunteer_name == UNSTAFFED


def test_deleted_missions_are_left_out_and_cancelled_ones_kept_with_their_status(
    registry: Registry, people: dict[str, str]
) -> None:
    gone = add_mission(registry, people["marcel"], people["anna"], at(MONDAY, 10))
    add_mission(registry, people["marcel"], people["anna"], at(MONDAY, 14), status="annulee")
    with registry.change(COORDINATOR) as changes:
        mission = changes.session.get(Mission, gone)
        assert mission is not None
        changes.delete(mission, "Intervention supprimée")
    missions = list(week_missions(registry, *WEEK).missions())
    assert [(m.status, m.status_label) for m in missions] == [("annulee", "Annulée")]


def test_one_volunteers_week_and_the_grouping_by_volunteer_with_unstaffed_last(
    registry: Registry, people: dict[str, str]
) -> None:
    add_mission(registry, people["marcel"], None, at(MONDAY, 8))
    add_mission(registry, people["helene"], people["anna"], at(MONDAY, 9))
    add_mission(registry, people["marcel"], people["bruno"], at(MONDAY, 10))
    add_mission(registry, people["helene"], people["anna"], at(MONDAY, 11))
    groups = week_missions(registry, *WEEK).by_volunteer()
    assert [(g.volunteer_name, len(g.missions)) for g in groups] == [
        ("Bruno Abadie", 1),
        ("Anna Zeller", 2),
        (UNSTAFFED, 1),
    ]
    only_anna = week_missions(registry, *WEEK, volunteer_id=people["anna"])
    assert {m.volunteer_id for m in only_anna.missions()} == {people["anna"]}
    assert only_anna.mission_count() == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-W48", (2026, 48)), ("2026w05", (2026, 5)), (" 2026-W53 ", (2026, 53))],
)
def test_iso_weeks_are_read_as_typed(text: str, expected: tuple[int, int]) -> None:
    assert parse_iso_week(text) == expected


@pytest.mark.parametrize("text", ["2025-W53", "2026-W00", "semaine 48", ""])
def test_weeks_that_do_not_exist_are_refused_in_french(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_iso_week(text)
    assert "semaine" in str(caught.value)


def test_alsace_moselle_communes_get_their_own_public_holidays(db_path: Path) -> None:
    with Registry(db_path) as registry:
        setup_commune(registry, "57463", "Metz", "57", "57000")
        christmas = week_missions(registry, 2026, 52)
    assert christmas.public_holidays == [
        (dt.date(2026, 12, 25), "Noël"),
        (dt.date(2026, 12, 26), "Saint-Étienne"),
    ]


def test_a_week_of_two_thousand_missions_loads_whole(
    registry: Registry, people: dict[str, str]
) -> None:
    # How fast is bench/planning's business (target and floor in the same run):
    # a wall-clock assertion here would only measure the machine's load.
    mission_type = type_id(registry, "visite")
    rows = [
        {
            "id": new_id(),
            "commune_id": registry.commune_id,
            "beneficiary_id": people["helene"] if i % 2 else people["marcel"],
            "mission_type_id": mission_type,
            "volunteer_id": people["anna"] if i % 3 else None,
            "starts_at": at(MONDAY + dt.timedelta(days=i % 7), 8 + i % 10),
            "ends_at": at(MONDAY + dt.timedelta(days=i % 7), 9 + i % 10),
        }
        for i in range(2000)
    ]
    with registry.engine.begin() as conn:
        conn.execute(insert(Mission), rows)
    week = week_missions(registry, *WEEK)
    assert week.mission_count() == 2000
    assert sum(len(group.missions) for group in week.by_volunteer()) == 2000
