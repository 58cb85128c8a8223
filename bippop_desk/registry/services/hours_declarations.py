"""Hours declared online by volunteers (issue 15): the coordinator's list to validate
them, and the two answers.

A declaration counts nowhere until accepted. Accepting it does, in one transaction,
what the desk does for a visit reported by phone and then checked: the visit is done
with the declared duration and mileage (its hours entry appended, missions_visits.
done_in) and validated, and the declaration is marked accepted. Refusing keeps the
visit as it was, with the reason on the declaration (it travels back to the platform).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.errors import NotFoundError, StatusTransitionError, ValidationError
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models import (
    Beneficiary,
    HoursDeclaration,
    Mission,
    MissionType,
    Volunteer,
)
from bippop_desk.registry.permissions import require
from bippop_desk.registry.services import validation
from bippop_desk.registry.services.missions_common import get_mission, move_mission
from bippop_desk.registry.services.missions_visits import VisitReport, done_in
from bippop_desk.registry.store import Registry


@dataclass(frozen=True)
class PendingDeclaration:
    id: str
    declared_at: dt.datetime
    volunteer: str
    mission_id: str
    mission_starts_at: dt.datetime | None
    mission_type: str
    person: str
    mission_status: str
    minutes: int
    mileage_km: Decimal
    note: str

    @property
    def hours_text(self) -> str:
        hours, minutes = divmod(self.minutes, 60)
        return f"{hours} h {minutes:02d}"


def pending_declarations(registry: Registry) -> list[PendingDeclaration]:
    """Declarations awaiting validation, oldest first, with their visit (the visit may
    not be here yet when the pull brought the declaration first)."""
    query = (
        select(HoursDeclaration, Volunteer.first_name, Volunteer.last_name, Mission.starts_at,
               Mission.status, MissionType.label, Beneficiary.first_name, Beneficiary.last_name)
        .outerjoin(Volunteer, Volunteer.id == HoursDeclaration.volunteer_id)
        .outerjoin(Mission, Mission.id == HoursDeclaration.mission_id)
        .outerjoin(MissionType, MissionType.id == Mission.mission_type_id)
        .outerjoin(Beneficiary, Beneficiary.id == Mission.beneficiary_id)
        .where(HoursDeclaration.status == "en_attente", HoursDeclaration.deleted_at.is_(None))
        .order_by(HoursDeclaration.declared_at, HoursDeclaration.id)
    )  # fmt: skip
    with registry.session() as session:
        rows = session.execute(query).all()
    return [
        PendingDeclaration(
            d.id, d.declared_at, f"{vf or ''} {vl or ''}".strip() or "(bénévole inconnu)",
            d.mission_id, starts, label or "", f"{pf or ''} {pl or ''}".strip(),
            status or "", d.minutes, d.mileage_km, d.note,
        )
        for d, vf, vl, starts, status, label, pf, pl in rows
    ]  # fmt: skip


def _pending(changes: ChangeSet, declaration_id: str) -> HoursDeclaration:
    declaration = changes.session.get(HoursDeclaration, declaration_id)
    if declaration is None or declaration.deleted_at is not None:
        raise NotFoundError("Cette déclaration d'heures n'existe pas.")
    if declaration.status != "en_attente":
        raise StatusTransitionError("Cette déclaration d'heures a déjà été traitée.")
    return declaration


def accept_declaration(registry: Registry, declaration_id: str) -> str:
    """The visit done with the declared hours, validated; returns the hours entry id."""
    require(registry, "coordination")
    with registry.change() as changes:
        declaration = _pending(changes, declaration_id)
        mission = get_mission(changes, declaration.mission_id)
        if mission.volunteer_id != declaration.volunteer_id:
            raise StatusTransitionError(
                "Cette intervention n'est plus confiée à ce bénévole : refusez la déclaration."
            )
        if mission.status != "planifiee":
            raise StatusTransitionError(
                "Cette intervention n'est plus prévue (déjà réalisée, annulée…) : ses heures "
                "sont déjà saisies ou ne comptent pas. Refusez la déclaration."
            )
        report = VisitReport(declaration.minutes, declaration.mileage_km,
                             outcome_note=declaration.note)  # fmt: skip
        entry_id = done_in(changes, mission.id, report, local_today())
        move_mission(
            changes, mission, "validee", "Intervention validée (heures déclarées en ligne)"
        )
        changes.update(declaration, {
            "status": "acceptee", "decided_by": changes.actor.display_name,
            "decided_at": utcnow(),
        }, f"Heures déclarées en ligne acceptées (intervention du "
           f"{short_date(mission.starts_at.date())})", action="status")  # fmt: skip
        return entry_id


def refuse_declaration(registry: Registry, declaration_id: str, reason: str) -> None:
    require(registry, "coordination")
    if not reason.strip():
        raise ValidationError.single("refusal_reason", "Indiquez pourquoi vous refusez.")
    message = validation.notes(reason, "Les raisons")
    if message:
        raise ValidationError.single("refusal_reason", message)
    with registry.change() as changes:
        declaration = _pending(changes, declaration_id)
        changes.update(declaration, {
            "status": "refusee", "decided_by": changes.actor.display_name,
            "decided_at": utcnow(), "refusal_reason": reason.strip(),
        }, "Heures déclarées en ligne refusées", action="status")  # fmt: skip
