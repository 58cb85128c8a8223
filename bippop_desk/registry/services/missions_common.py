"""What the mission services share: the status table, loading a request or a mission
for a change, moving a mission's status, creating one visit and cancelling planned ones.
Nothing here opens a transaction: the callers (missions_assign, missions_visits,
missions_series) hand in their ChangeSet."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import (
    NotFoundError,
    StatusTransitionError,
)
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models import (
    Mission,
    Request,
    Volunteer,
)
from bippop_desk.registry.models.missions import MISSION_STATUSES
from bippop_desk.registry.services.recurrence import (
    Occurrence,
)
from bippop_desk.registry.services.scheduling import visit_when

MISSION_TRANSITIONS: dict[str, frozenset[str]] = {
    "planifiee": frozenset({"realisee", "annulee", "absent"}),
    "realisee": frozenset({"validee"}),
    "validee": frozenset(),
    "annulee": frozenset(),
    "absent": frozenset(),
}
DONE = ("realisee", "validee")
MAX_DURATION_MIN = 12 * 60


def get_request(changes: ChangeSet, request_id: str) -> Request:
    request = changes.session.get(Request, request_id)
    if request is None or request.deleted_at is not None:
        raise NotFoundError("Cette demande n'existe plus.")
    return request


def get_mission(changes: ChangeSet, mission_id: str) -> Mission:
    mission = changes.session.get(Mission, mission_id)
    if mission is None or mission.deleted_at is not None:
        raise NotFoundError("Cette intervention n'existe plus.")
    return mission


def move_mission(
    changes: ChangeSet, mission: Mission, status: str, summary: str, **values: object
) -> None:
    if status not in MISSION_TRANSITIONS.get(mission.status, frozenset()):
        raise StatusTransitionError(
            f"Une intervention « {MISSION_STATUSES.get(mission.status, mission.status)} » ne "
            f"peut pas passer à « {MISSION_STATUSES.get(status, status)} »."
        )
    changes.update(
        mission,
        {"status": status, "status_changed_at": utcnow(), **values},
        summary,
        action="status",
    )


def new_mission(
    changes: ChangeSet, request: Request, volunteer: Volunteer, visit: Occurrence, override: str
) -> Mission:
    mission = Mission(
        commune_id=request.commune_id,
        request_id=request.id,
        beneficiary_id=request.beneficiary_id,
        mission_type_id=request.mission_type_id,
        volunteer_id=volunteer.id,
        starts_at=visit.start,
        ends_at=visit.end,
        status="planifiee",
        status_changed_at=utcnow(),
        override_reason=override,
    )
    changes.create(mission, f"Intervention du {visit_when(visit)} confiée à {volunteer.full_name}")
    return mission


def cancel_planned(
    changes: ChangeSet, request_id: str, from_day: dt.date | None, reason: str
) -> int:
    query = select(Mission).where(
        Mission.request_id == request_id,
        Mission.status == "planifiee",
        Mission.deleted_at.is_(None),
    )
    if from_day is not None:
        query = query.where(Mission.starts_at >= dt.datetime.combine(from_day, dt.time()))
    planned = changes.session.scalars(query.order_by(Mission.starts_at)).all()
    for mission in planned:
        move_mission(
            changes,
            mission,
            "annulee",
            f"Intervention du {short_date(mission.starts_at.date())} annulée",
            cancel_reason=reason,
        )
    return len(planned)
