"""What the coordinator sees at a glance: waiting requests, silent people, concerns,
and the match rate with the time it takes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import Mission, Request
from bippop_desk.registry.services.followups import (
    beneficiaries_without_contact,
    count_without_contact,
    followup_counts,
    handle_concern,
    match_stats,
    unhandled_concerns,
    unmatched_requests,
)
from bippop_desk.registry.services.missions import VisitReport, assign_volunteer, mark_done
from bippop_desk.registry.services.requests import cancel_request
from bippop_desk.registry.store import Registry
from tests.conftest import add_person
from tests.core.test_missions import ask, next_weekday
from tests.core.test_volunteers import COORDINATOR, as_coordinator, make_volunteer


def received_days_ago(registry: Registry, request_id: str, days: int) -> None:
    with registry.engine.begin() as conn:
        conn.execute(
            update(Request)
            .where(Request.id == request_id)
            .values(received_at=utcnow() - dt.timedelta(days=days))
        )


def test_requests_without_a_volunteer_for_n_days_are_listed_urgent_first(
    registry: Registry,
) -> None:
    old = ask(registry, None, None, None)
    urgent = ask(registry, None, None, None, urgency="urgente")
    fresh = ask(registry, None, None, None)
    matched = ask(registry, next_weekday(1))
    for request_id, days in ((old, 20), (urgent, 9), (fresh, 2), (matched, 30)):
        received_days_ago(registry, request_id, days)
    assign_volunteer(registry, matched, make_volunteer(registry))
    waiting = unmatched_requests(registry, older_than_days=7)
    assert [w.id for w in waiting] == [urgent, old]
    assert waiting[1].days_waiting == 20 and waiting[0].urgent
    assert waiting[1].beneficiary == "Hélène Le Goff"


def test_people_nobody_heard_from_for_n_days_are_listed(registry: Registry) -> None:
    quiet = add_person(registry, "Hélène", "Le Goff")
    called = add_person(registry, "Odette", "Morel")
    visited = add_person(registry, "Simone", "Petit")
    marie = make_volunteer(registry)
    request_id = ask(registry, local_today(), dt.time(8), dt.time(9), person=visited)
    mark_done(registry, assign_volunteer(registry, request_id, marie).mission_ids[0], VisitReport())
    later = utcnow() + dt.timedelta(days=40)
    # Odette made a request 40 days from now minus one: she was heard from recently.
    ask(registry, None, None, None, person=called)
    with registry.engine.begin() as conn:
        conn.execute(
            update(Request)
            .where(Request.beneficiary_id == called)
            .values(received_at=later - dt.timedelta(days=1))
        )
    silent = beneficiaries_without_contact(registry, days=30, now=later)
    assert {s.id for s in silent} == {quiet, visited}
    assert count_without_contact(registry, days=30, now=later) == 2
    assert all(s.days_silent >= 39 for s in silent)
    assert beneficiaries_without_contact(registry, days=30) == []
    assert beneficiaries_without_contact(registry, days=50, now=later) == []


def test_a_concern_is_listed_until_someone_handles_it(registry: Registry) -> None:
    marie = make_volunteer(registry)
    request_id = ask(registry, local_today(), dt.time(8), dt.time(9))
    (mission_id,) = assign_volunteer(registry, request_id, marie).mission_ids
    mark_done(registry, mission_id, VisitReport(outcome_note="Frigo vide", concern=True))
    (concern,) = unhandled_concerns(registry)
    assert (concern.mission_id, concern.volunteer, concern.outcome_note) == (
        mission_id,
        "Marie Dupont",
        "Frigo vide",
    )
    as_coordinator(registry, lambda: handle_concern(registry, mission_id, "Appel au CCAS, portage"))
    assert unhandled_concerns(registry) == []
    with registry.session() as session:
        handled = session.get(Mission, mission_id)
    assert handled is not None and handled.concern_handled_by == COORDINATOR.display_name
    assert handled.concern_handled_at is not None and "portage" in handled.notes
    other = ask(registry, local_today(), dt.time(10), dt.time(11))
    (plain,) = assign_volunteer(registry, other, marie).mission_ids
    with pytest.raises(ValidationError):
        handle_concern(registry, plain)


def test_match_rate_and_time_to_match_over_a_period(registry: Registry) -> None:
    marie = make_volunteer(registry)
    quick, slow, _waiting, dropped = (ask(registry, next_weekday(1, 2)) for _ in range(4))
    received_days_ago(registry, slow, 4)
    received_days_ago(registry, quick, 1)
    assign_volunteer(registry, quick, marie)
    assign_volunteer(registry, slow, make_volunteer(registry, "Paul", "Henry"))
    cancel_request(registry, dropped, "Plus besoin")
    today = local_today()
    stats = match_stats(registry, today - dt.timedelta(days=10), today)
    assert (stats.received, stats.matched, stats.waiting, stats.cancelled_unmatched) == (4, 2, 1, 1)
    assert stats.match_rate == pytest.approx(2 / 3)
    assert stats.mean_days_to_match == 2.5 and stats.median_days_to_match == 2.5
    empty = match_stats(registry, today - dt.timedelta(days=100), today - dt.timedelta(days=50))
    assert empty.received == 0 and empty.match_rate is None
    counts = followup_counts(registry, unmatched_days=3)
    assert counts.unmatched == 0 and counts.concerns == 0
