"""The demo commune plans its visits the way the desk would: inside the volunteers'
slots, off their absences, never double-booked, series following their rhythm."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise

import pytest
from sqlalchemy import select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.demo import generate_demo
from bippop_desk.registry.models import (
    HoursEntry,
    Mission,
    OutboxEntry,
    Request,
    Volunteer,
    VolunteerAbsence,
    VolunteerAvailability,
)
from bippop_desk.registry.services.availability import WeeklySlot, within_slots
from bippop_desk.registry.services.followups import (
    beneficiaries_without_contact,
    unhandled_concerns,
    unmatched_requests,
)
from bippop_desk.registry.services.matching import suggest_volunteers
from bippop_desk.registry.services.recurrence import holiday_name
from bippop_desk.registry.store import Registry


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    registry = Registry(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    generate_demo(registry, people=600)
    yield registry
    registry.close()


def live_missions(demo: Registry) -> list[Mission]:
    with demo.session() as session:
        return list(session.scalars(select(Mission).where(Mission.status != "annulee")))


def test_no_volunteer_is_ever_double_booked(demo: Registry) -> None:
    by_volunteer: dict[str, list[Mission]] = defaultdict(list)
    for mission in live_missions(demo):
        by_volunteer[str(mission.volunteer_id)].append(mission)
    assert by_volunteer
    for missions in by_volunteer.values():
        missions.sort(key=lambda m: m.starts_at)
        for before, after in pairwise(missions):
            assert before.ends_at <= after.starts_at


def test_every_visit_fits_its_volunteers_slots_absences_and_weekly_maximum(
    demo: Registry,
) -> None:
    with demo.session() as session:
        slots: dict[str, list[WeeklySlot]] = defaultdict(list)
        for a in session.scalars(select(VolunteerAvailability)):
            slots[a.volunteer_id].append(WeeklySlot(a.weekday, a.start_time, a.end_time))
        away = defaultdict(list)
        for absence in session.scalars(select(VolunteerAbsence)):
            away[absence.volunteer_id].append((absence.start_date, absence.end_date))
        maximum = dict(session.execute(select(Volunteer.id, Volunteer.max_missions_per_week)).all())
    per_week: dict[tuple[str, dt.date], int] = defaultdict(int)
    for mission in live_missions(demo):
        volunteer = str(mission.volunteer_id)
        assert within_slots(mission.starts_at, mission.ends_at, slots[volunteer])
        day = mission.starts_at.date()
        assert not any(first <= day <= last for first, last in away[volunteer])
        per_week[(volunteer, day - dt.timedelta(days=day.weekday()))] += 1
    for (volunteer, _monday), count in per_week.items():
        assert count <= maximum[volunteer]


def test_series_follow_their_rhythm_and_skip_public_holidays(demo: Registry) -> None:
    with demo.session() as session:
        series = session.execute(
            select(Request.id, Request.recurrence).where(Request.recurrence != "aucune")
        ).all()
        missions = session.execute(
            select(Mission.request_id, Mission.starts_at).order_by(Mission.starts_at)
        ).all()
    starts: dict[str, list[dt.datetime]] = defaultdict(list)
    for request_id, start in missions:
        starts[str(request_id)].append(start)
    checked = 0
    for request_id, rhythm in series:
        days = starts.get(request_id, [])
        step = 7 if rhythm == "hebdomadaire" else 14
        for before, after in pairwise(days):
            assert after.time() == before.time()  # wall clock, across DST too
            assert (after.date() - before.date()).days % step == 0
        assert not any(holiday_name(d.date(), "60") for d in days)
        checked += len(days) > 2
    assert checked > 10


def test_statuses_match_the_calendar_and_done_visits_have_their_hours(demo: Registry) -> None:
    today = local_today()
    with demo.session() as session:
        rows = session.execute(select(Mission.id, Mission.starts_at, Mission.status)).all()
        hours = dict(session.execute(select(HoursEntry.mission_id, HoursEntry.minutes)).all())
        minutes = dict(session.execute(select(Mission.id, Mission.actual_duration_min)).all())
        outbox = session.scalars(select(OutboxEntry.entity).distinct()).all()
    statuses = {status for _id, _start, status in rows}
    assert {"planifiee", "realisee", "validee", "annulee", "absent"} <= statuses
    for mission_id, start, status in rows:
        if start.date() < today:
            assert status != "planifiee"
        else:
            assert status in ("planifiee", "annulee")
        if status in ("realisee", "validee"):
            assert hours[mission_id] == minutes[mission_id]
    assert "mission" not in outbox  # demo data never syncs


def test_the_demo_gives_every_follow_up_screen_something_to_show(demo: Registry) -> None:
    with demo.session() as session:
        pending = session.scalars(select(Volunteer.id).where(Volunteer.status == "en_attente"))
        assert pending.first() is not None
    assert unhandled_concerns(demo)
    assert beneficiaries_without_contact(demo, days=30)
    waiting = unmatched_requests(demo, older_than_days=14)
    assert waiting
    result = suggest_volunteers(demo, waiting[0].id)
    assert result.suggestions
