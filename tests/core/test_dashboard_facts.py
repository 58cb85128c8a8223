"""The dashboard's resolved entries (hours_fact) stay right as the registry changes:
new entries, corrections, training hours, a mission whose type or person is changed —
checked against the hours workbook's SQL reference, computed at read time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select, text

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.demo import generate_demo
from bippop_desk.registry.models import Beneficiary, HoursEntry, Mission, MissionType
from bippop_desk.registry.services.dashboard import dashboard
from bippop_desk.registry.services.hours import HoursInput, add_hours, correct_hours
from bippop_desk.registry.services.hours_report import Period, hours_figures
from bippop_desk.registry.store import Registry
from tests.conftest import SECRETARY
from tests.core.test_volunteers import COORDINATOR


def assert_agrees(registry: Registry, period: Period) -> None:
    board = dashboard(registry, period).hours
    reference = hours_figures(registry, period)
    assert board.total_minutes == reference.total_minutes
    assert board.minutes_by == reference.minutes_by
    assert board.by_month == reference.by_month
    assert [c.key for c in board.categories] == [c.key for c in reference.categories]
    assert (board.missions, board.beneficiaries, board.volunteers) == (
        reference.missions,
        reference.beneficiaries,
        reference.volunteers,
    )
    assert (board.mileage_tenths, board.entries) == (
        reference.mileage_tenths,
        reference.entries,
    )


def test_facts_follow_new_entries_corrections_and_changed_missions(db_path: Path) -> None:
    registry = Registry(db_path, SECRETARY)
    generate_demo(registry, 200)
    period = Period.year(local_today().year)
    assert_agrees(registry, period)

    registry.actor = COORDINATOR
    with registry.session() as session:
        # An entry of a person helped by several missions this year: moving one mission
        # to somebody else must add a person reached (or the facts missed the change).
        helped_twice = (
            select(Mission.beneficiary_id)
            .join(HoursEntry, HoursEntry.mission_id == Mission.id)
            .where(HoursEntry.entry_date >= period.start, HoursEntry.kind == "mission")
            .group_by(Mission.beneficiary_id)
            .having(func.count(func.distinct(Mission.id)) >= 2)
        )
        entry = session.scalars(
            select(HoursEntry)
            .join(Mission, Mission.id == HoursEntry.mission_id)
            .where(
                HoursEntry.kind == "mission",
                HoursEntry.entry_date >= period.start,
                Mission.beneficiary_id.in_(helped_twice),
            )
            .order_by(HoursEntry.id)
        ).first()
        assert entry is not None
        other_type = session.scalars(
            select(MissionType.id).where(MissionType.id != entry.mission_type_id)
        ).first()
        # Somebody no mission ever reached: a visible change once the mission is theirs.
        reached = select(Mission.beneficiary_id)
        lonely = session.scalars(
            select(Beneficiary.id).where(Beneficiary.id.not_in(reached)).order_by(Beneficiary.id)
        ).first()
        assert lonely is not None
    correct_hours(registry, entry.id, minutes=entry.minutes + 45, reason="oubli")
    add_hours(
        registry,
        HoursInput(volunteer_id=entry.volunteer_id, entry_date=local_today(), minutes=90),
    )
    assert_agrees(registry, period)

    # An entry logged without its own type, then its mission's type and person changed:
    # the entry follows its mission, as the workbook resolves it at read time.
    with registry.change() as changes:
        changes.session.add(
            HoursEntry(
                commune_id=changes.commune_id,
                volunteer_id=entry.volunteer_id,
                mission_id=entry.mission_id,
                entry_date=local_today() - dt.timedelta(days=1),
                minutes=30,
                kind="mission",
            )
        )
    assert_agrees(registry, period)
    before = dashboard(registry, period)
    with registry.change() as changes:
        mission = changes.session.get(Mission, entry.mission_id)
        assert mission is not None
        changes.update(
            mission,
            {"mission_type_id": other_type, "beneficiary_id": lonely},
            "Intervention corrigée",
        )
    assert_agrees(registry, period)
    after = dashboard(registry, period)
    assert after.hours.beneficiaries == before.hours.beneficiaries + 1  # the lonely person


def test_facts_whose_rowids_no_longer_match_are_resolved_again(db_path: Path) -> None:
    # As if a VACUUM had renumbered rows: the facts point at other people and missions.
    registry = Registry(db_path, SECRETARY)
    generate_demo(registry, 100)
    period = Period.year(local_today().year)
    with registry.engine.begin() as conn:
        conn.execute(text("UPDATE hours_fact SET mission = 1, person = 1"))
    assert_agrees(registry, period)
