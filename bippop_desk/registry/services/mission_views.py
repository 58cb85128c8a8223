"""Read models of missions for the screens: one mission in full, a request's missions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import aliased

from bippop_desk.registry.errors import NotFoundError
from bippop_desk.registry.models import Beneficiary, Mission, MissionType, Volunteer
from bippop_desk.registry.models.missions import MISSION_STATUSES
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.store import Registry


@dataclass(frozen=True)
class MissionDetail:
    id: str
    request_id: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_label: str
    volunteer_id: str | None
    volunteer_name: str
    volunteer_phone: str
    beneficiary_id: str
    beneficiary_name: str
    address: str
    access_notes: str
    beneficiary_phone: str
    mission_type: str
    notes: str
    actual_duration_min: int | None
    mileage_km: Decimal | None
    outcome_note: str
    concern: bool
    concern_handled: bool
    cancel_reason: str
    override_reason: str

    @property
    def planned_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


_STAFF = aliased(Volunteer)
_DETAIL = (
    select(
        Mission,
        _STAFF.first_name,
        _STAFF.last_name,
        _STAFF.phone,
        Beneficiary.civility,
        Beneficiary.first_name,
        Beneficiary.last_name,
        Beneficiary.address_line,
        Beneficiary.postal_code,
        Beneficiary.city,
        Beneficiary.access_notes,
        Beneficiary.phone,
        MissionType.label,
    )
    .join(Beneficiary, Beneficiary.id == Mission.beneficiary_id)
    .join(MissionType, MissionType.id == Mission.mission_type_id)
    .outerjoin(_STAFF, _STAFF.id == Mission.volunteer_id)
)


def mission_detail(registry: Registry, mission_id: str) -> MissionDetail:
    with registry.session() as session:
        row = session.execute(_DETAIL.where(Mission.id == mission_id)).first()
        if row is None or row[0].deleted_at is not None:
            raise NotFoundError("Cette intervention n'existe plus.")
        (
            mission,
            v_first,
            v_last,
            v_phone,
            civility,
            b_first,
            b_last,
            street,
            postal,
            city,
            access,
            b_phone,
            label,
        ) = row
        return MissionDetail(
            id=mission.id,
            request_id=mission.request_id,
            starts_at=mission.starts_at,
            ends_at=mission.ends_at,
            status=mission.status,
            status_label=MISSION_STATUSES.get(mission.status, mission.status),
            volunteer_id=mission.volunteer_id,
            volunteer_name=f"{v_first or ''} {v_last or ''}".strip(),
            volunteer_phone=format_phone(v_phone or ""),
            beneficiary_id=mission.beneficiary_id,
            beneficiary_name=" ".join(p for p in (civility, b_first, b_last) if p),
            address=" ".join(p for p in (street, postal, city) if p),
            access_notes=access or "",
            beneficiary_phone=format_phone(b_phone or ""),
            mission_type=label,
            notes=mission.notes,
            actual_duration_min=mission.actual_duration_min,
            mileage_km=mission.mileage_km,
            outcome_note=mission.outcome_note,
            concern=mission.concern,
            concern_handled=mission.concern_handled_at is not None,
            cancel_reason=mission.cancel_reason,
            override_reason=mission.override_reason,
        )


@dataclass(frozen=True)
class MissionSummary:
    id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_label: str
    volunteer_name: str


def request_missions(registry: Registry, request_id: str) -> list[MissionSummary]:
    """The request's missions in time order (cancelled ones included, with their status)."""
    query = (
        select(
            Mission.id,
            Mission.starts_at,
            Mission.ends_at,
            Mission.status,
            Volunteer.first_name,
            Volunteer.last_name,
        )
        .outerjoin(Volunteer, Volunteer.id == Mission.volunteer_id)
        .where(Mission.request_id == request_id, Mission.deleted_at.is_(None))
        .order_by(Mission.starts_at)
    )
    with registry.engine.connect() as conn:
        return [
            MissionSummary(
                mid,
                start,
                end,
                status,
                MISSION_STATUSES.get(status, status),
                f"{first or ''} {last or ''}".strip(),
            )
            for mid, start, end, status, first, last in conn.execute(query)
        ]
