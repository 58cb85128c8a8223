"""Assigning volunteers and the life of a visit: double bookings, overrides, recurrence,
forward-only statuses, hours written with the visit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import SchedulingError, StatusTransitionError, ValidationError
from bippop_desk.registry.models import AuditEvent, HoursEntry, Mission, OutboxEntry, Request
from bippop_desk.registry.services.availability import WeeklySlot
from bippop_desk.registry.services.mission_views import request_missions
from bippop_desk.registry.services.missions import (
    VisitReport,
    assign_volunteer,
    cancel_mission,
    cancel_request_and_missions,
    extend_recurrence,
    mark_done,
    mark_no_show,
    reassign_mission,
    stop_recurrence,
    validate_missions,
)
from bippop_desk.registry.services.requests import RequestInput, create_request
from bippop_desk.registry.services.volunteers import (
    add_absence,
    change_volunteer_status,
    volunteer_file,
)
from bippop_desk.registry.store import Registry
from tests.conftest import add_person
from tests.core.test_volunteers import as_coordinator, make_volunteer, type_id


def next_weekday(weekday: int, weeks_ahead: int = 1) -> dt.date:
    today = local_today()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def ask(
    registry: Registry,
    day: dt.date | None,
    start: dt.time | None = dt.time(14),
    end: dt.time | None = dt.time(15),
    *,
    person: str | None = None,
    code: str = "visite",
    **values: object,
) -> str:
    return create_request(
        registry,
        RequestInput(
            person or add_person(registry, "Hélène", "Le Goff"),
            type_id(registry, code),
            wished_date=day,
            wished_time_from=start,
            wished_time_to=end,
            **values,  # type: ignore[arg-type]
        ),
    )


def request_status(registry: Registry, request_id: str) -> Request:
    with registry.session() as session:
        request = session.get(Request, request_id)
        assert request is not None
        return request


def mission(registry: Registry, mission_id: str) -> Mission:
    with registry.session() as session:
        found = session.get(Mission, mission_id)
        assert found is not None
        return found


def rows(registry: Registry, model: type) -> int:
    with registry.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_assigning_a_one_off_request_plans_one_visit_and_the_request_at_once(
    registry: Registry,
) -> None:
    marie = make_volunteer(registry)
    day = next_weekday(1)
    request_id = ask(registry, day)
    result = assign_volunteer(registry, request_id, marie)
    (mission_id,) = result.mission_ids
    visit = mission(registry, mission_id)
    assert (visit.starts_at, visit.ends_at) == (
        dt.datetime.combine(day, dt.time(14)),
        dt.datetime.combine(day, dt.time(15)),
    )
    assert visit.status == "planifiee" and visit.volunteer_id == marie
    request = request_status(registry, request_id)
    assert request.status == "planifiee" and request.matched_at is not None
    with registry.session() as session:
        journaled = session.scalars(
            select(OutboxEntry.entity).where(OutboxEntry.record_id.in_([mission_id, request_id]))
        ).all()
    assert sorted(journaled) == ["mission", "request", "request"]


def test_a_double_booking_is_refused_without_override_and_nothing_is_written(
    registry: Registry,
) -> None:
    marie = make_volunteer(registry)
    day = next_weekday(1)
    assign_volunteer(registry, ask(registry, day, dt.time(14), dt.time(15)), marie)
    clash = ask(registry, day, dt.time(14, 30), dt.time(15, 30))
    before = (rows(registry, Mission), rows(registry, AuditEvent))
    with pytest.raises(SchedulingError) as caught:
        assign_volunteer(registry, clash, marie, override_reason="Elle a dit oui")
    assert caught.value.overridable is False
    assert "Marie Dupont a déjà une intervention" in str(caught.value)
    assert (rows(registry, Mission), rows(registry, AuditEvent)) == before
    assert request_status(registry, clash).status == "nouvelle"
    # Back to back is not a double booking.
    assign_volunteer(registry, ask(registry, day, dt.time(15), dt.time(16)), marie)


def test_outside_availability_needs_a_written_reason_which_is_kept(registry: Registry) -> None:
    marie = make_volunteer(registry, slots=[WeeklySlot(0, dt.time(9), dt.time(12))])
    request_id = ask(registry, next_weekday(1))
    with pytest.raises(SchedulingError) as caught:
        assign_volunteer(registry, request_id, marie)
    assert caught.value.overridable is True
    assert "en dehors des disponibilités de Marie Dupont" in str(caught.value)
    result = assign_volunteer(registry, request_id, marie, override_reason="Arrangement au tél.")
    assert result.overridden and mission(registry, result.mission_ids[0]).override_reason == (
        "Arrangement au tél."
    )


def test_an_absence_or_a_full_week_needs_an_override(registry: Registry) -> None:
    day = next_weekday(2)
    away = make_volunteer(registry, "Paul", "Henry")
    add_absence(registry, away, day - dt.timedelta(days=1), day + dt.timedelta(days=2), "Congés")
    with pytest.raises(SchedulingError, match="absent·e du") as caught:
        assign_volunteer(registry, ask(registry, day), away)
    assert caught.value.overridable
    busy = make_volunteer(registry, "Léa", "Roux", max_missions_per_week=1)
    assign_volunteer(registry, ask(registry, day, dt.time(9), dt.time(10)), busy)
    with pytest.raises(SchedulingError, match="maximum 1") as caught:
        assign_volunteer(registry, ask(registry, day, dt.time(16), dt.time(17)), busy)
    assert caught.value.overridable


def test_only_validated_volunteers_can_be_assigned(registry: Registry) -> None:
    pending = make_volunteer(registry, validated=False)
    with pytest.raises(SchedulingError, match="validés") as caught:
        assign_volunteer(registry, ask(registry, next_weekday(1)), pending, override_reason="x")
    assert not caught.value.overridable


def test_a_request_without_a_day_needs_one_at_assignment(registry: Registry) -> None:
    marie = make_volunteer(registry)
    request_id = ask(registry, None, None, None)
    with pytest.raises(ValidationError) as caught:
        assign_volunteer(registry, request_id, marie)
    assert "starts_at" in caught.value.errors
    start = dt.datetime.combine(next_weekday(3), dt.time(10))
    result = assign_volunteer(registry, request_id, marie, starts_at=start)
    assert mission(registry, result.mission_ids[0]).starts_at == start


def test_a_weekly_request_creates_its_visits_and_skips_public_holidays(
    registry: Registry,
) -> None:
    year = local_today().year + 1
    armistice = dt.date(year, 11, 11)
    first = armistice - dt.timedelta(weeks=1)
    marie = make_volunteer(registry)
    request_id = ask(
        registry, first, dt.time(10), dt.time(11), recurrence="hebdomadaire", recurrence_count=3
    )
    result = assign_volunteer(registry, request_id, marie)
    days = [mission(registry, m).starts_at.date() for m in result.mission_ids]
    assert days == [first, armistice + dt.timedelta(weeks=1)]
    assert [s.day for s in result.skipped] == [armistice]


def test_an_open_ended_series_is_planned_twelve_weeks_ahead_then_extended(
    registry: Registry,
) -> None:
    marie = make_volunteer(registry)
    monday = next_weekday(0)
    request_id = ask(registry, monday, dt.time(10), dt.time(11), recurrence="hebdomadaire")
    first = assign_volunteer(registry, request_id, marie, skip_holidays=False)
    assert first.continues_after == monday + dt.timedelta(weeks=12)
    assert len(first.mission_ids) == 13
    later_today = local_today() + dt.timedelta(weeks=4)
    later = extend_recurrence(registry, request_id, today=later_today)
    assert later.mission_ids
    days = [
        m.starts_at.date()
        for m in request_missions(registry, request_id)
        if m.status != "annulee" and m.starts_at.date() < monday + dt.timedelta(weeks=30)
    ]
    horizon = later_today + dt.timedelta(weeks=12)
    # Every Monday from the first up to the new horizon, each once, holidays aside.
    expected = [monday + dt.timedelta(weeks=i) for i in range(30)]
    expected = [d for d in expected if d <= horizon and d not in {s.day for s in later.skipped}]
    assert days == expected
    assert extend_recurrence(registry, request_id, today=later_today).mission_ids == ()


def test_marking_done_writes_the_report_and_the_hours_in_one_go(registry: Registry) -> None:
    marie = make_volunteer(registry)
    today = local_today()
    request_id = ask(registry, today, dt.time(8), dt.time(9))
    (mission_id,) = assign_volunteer(registry, request_id, marie).mission_ids
    with pytest.raises(ValidationError) as caught:
        mark_done(registry, mission_id, VisitReport(actual_duration_min=0, mileage_km="abc"))
    assert set(caught.value.errors) == {"actual_duration_min", "mileage_km"}
    assert rows(registry, HoursEntry) == 0 and mission(registry, mission_id).status == "planifiee"
    entry_id = mark_done(
        registry,
        mission_id,
        VisitReport(75, "12,5", "Bonne humeur, a parlé de son frère", concern=True),
    )
    done = mission(registry, mission_id)
    assert (done.status, done.actual_duration_min, done.mileage_km) == (
        "realisee",
        75,
        Decimal("12.5"),
    )
    assert done.concern is True
    with registry.session() as session:
        entry = session.get(HoursEntry, entry_id)
    assert entry is not None and (entry.minutes, entry.volunteer_id) == (75, marie)
    assert request_status(registry, request_id).status == "realisee"
    assert volunteer_file(registry, marie).hours_total_minutes == 75


def test_a_visit_planned_after_today_cannot_be_done_yet(registry: Registry) -> None:
    marie = make_volunteer(registry)
    (mission_id,) = assign_volunteer(registry, ask(registry, next_weekday(1)), marie).mission_ids
    with pytest.raises(StatusTransitionError, match="pas encore"):
        mark_done(registry, mission_id, VisitReport())


def test_visit_statuses_only_move_forward(registry: Registry) -> None:
    marie = make_volunteer(registry)
    today = local_today()
    done_id, cancelled_id = (
        assign_volunteer(
            registry, ask(registry, today, dt.time(h), dt.time(h + 1)), marie
        ).mission_ids[0]
        for h in (8, 10)
    )
    mark_done(registry, done_id, VisitReport())
    cancel_mission(registry, cancelled_id, "Hospitalisée")
    for action in (
        lambda: cancel_mission(registry, done_id, "oups"),
        lambda: mark_no_show(registry, done_id),
        lambda: mark_done(registry, cancelled_id, VisitReport()),
        lambda: reassign_mission(registry, cancelled_id, marie),
    ):
        with pytest.raises(StatusTransitionError):
            action()
    with pytest.raises(ValidationError):
        cancel_mission(registry, done_id, " ")
    as_coordinator(registry, lambda: validate_missions(registry, [done_id]))
    assert mission(registry, done_id).status == "validee"
    with pytest.raises(StatusTransitionError):
        as_coordinator(registry, lambda: validate_missions(registry, [done_id]))


def test_cancelling_the_only_visit_puts_the_request_back_in_search(registry: Registry) -> None:
    marie = make_volunteer(registry)
    request_id = ask(registry, next_weekday(1))
    (mission_id,) = assign_volunteer(registry, request_id, marie).mission_ids
    cancel_mission(registry, mission_id, "La bénévole est malade")
    assert request_status(registry, request_id).status == "en_recherche"
    paul = make_volunteer(registry, "Paul", "Henry")
    assign_volunteer(registry, request_id, paul)
    assert request_status(registry, request_id).status == "planifiee"


def test_one_visit_of_a_series_can_go_to_someone_else_with_the_same_checks(
    registry: Registry,
) -> None:
    marie = make_volunteer(registry)
    paul = make_volunteer(registry, "Paul", "Henry")
    day = next_weekday(1)
    series = ask(registry, day, recurrence="hebdomadaire", recurrence_count=2)
    first, second = assign_volunteer(registry, series, marie, skip_holidays=False).mission_ids
    one_off = ask(registry, day, dt.time(14, 30), dt.time(15, 30))
    assign_volunteer(registry, one_off, paul)
    with pytest.raises(SchedulingError) as caught:
        reassign_mission(registry, first, paul)
    assert not caught.value.overridable
    reassign_mission(registry, second, paul)
    assert [m.volunteer_name for m in request_missions(registry, series)] == [
        "Marie Dupont",
        "Paul Henry",
    ]
    assert [m.volunteer_name for m in request_missions(registry, one_off)] == ["Paul Henry"]


def test_stopping_a_series_cancels_the_visits_from_that_day(registry: Registry) -> None:
    marie = make_volunteer(registry)
    today = local_today()
    series = ask(registry, today, dt.time(8), dt.time(9), recurrence="hebdomadaire")
    first, *rest = assign_volunteer(registry, series, marie, skip_holidays=False).mission_ids
    mark_done(registry, first, VisitReport())
    cancelled = stop_recurrence(registry, series, today + dt.timedelta(days=1), "Entre en EHPAD")
    assert cancelled == len(rest)
    assert {mission(registry, m).status for m in rest} == {"annulee"}
    request = request_status(registry, series)
    assert request.status == "realisee" and request.recurrence_stopped_on is not None


def test_cancelling_a_request_cancels_its_planned_visits(registry: Registry) -> None:
    marie = make_volunteer(registry)
    series = ask(registry, next_weekday(1), recurrence="hebdomadaire", recurrence_count=3)
    ids = assign_volunteer(registry, series, marie, skip_holidays=False).mission_ids
    assert cancel_request_and_missions(registry, series, "Déménage chez sa fille") == 3
    assert {mission(registry, m).status for m in ids} == {"annulee"}
    assert request_status(registry, series).status == "annulee"


def test_a_suspended_volunteer_leaves_a_list_of_visits_to_reassign(registry: Registry) -> None:
    marie = make_volunteer(registry)
    (mission_id,) = assign_volunteer(registry, ask(registry, next_weekday(1)), marie).mission_ids
    change = as_coordinator(
        registry, lambda: change_volunteer_status(registry, marie, "suspendu", "Pause")
    )
    assert change.missions_to_reassign == (mission_id,)
