"""The figures of the home page, in one read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bippop_desk.registry.models import AppSetting, Beneficiary, OutboxEntry, Request, Volunteer
from bippop_desk.registry.services.requests import count_requests_by_status
from bippop_desk.registry.store import Registry


@dataclass(frozen=True)
class Overview:
    commune: str
    beneficiaries: int
    volunteers_validated: int
    volunteers_pending: int
    requests_by_status: dict[str, int]
    urgent_open: int
    outbox_pending: int
    demo: bool = False  # a demo registry never syncs: its changes are not "waiting"


def overview(registry: Registry) -> Overview:
    with registry.engine.connect() as conn:
        beneficiaries = conn.scalar(
            select(func.count())
            .select_from(Beneficiary)
            .where(Beneficiary.deleted_at.is_(None), Beneficiary.status == "actif")
        )
        by_status = dict(
            conn.execute(
                select(Volunteer.status, func.count())
                .where(Volunteer.deleted_at.is_(None))
                .group_by(Volunteer.status)
            ).all()
        )
        urgent = conn.scalar(
            select(func.count())
            .select_from(Request)
            .where(
                Request.deleted_at.is_(None),
                Request.urgency == "urgente",
                Request.status.in_(("nouvelle", "en_recherche")),
            )
        )
        pending = conn.scalar(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.state == "pending")
        )
        demo = conn.scalar(select(AppSetting.value).where(AppSetting.key == "demo"))
    return Overview(
        commune=registry.commune().name,
        beneficiaries=int(beneficiaries or 0),
        volunteers_validated=int(by_status.get("valide", 0)),
        volunteers_pending=int(by_status.get("en_attente", 0)),
        requests_by_status=count_requests_by_status(registry),
        urgent_open=int(urgent or 0),
        outbox_pending=int(pending or 0),
        demo=demo not in (None, "", "0"),
    )
