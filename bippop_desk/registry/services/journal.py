"""Reading the audit trail: who did what to which record, when (administrators only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select

from bippop_desk.registry.clock import utc_to_local
from bippop_desk.registry.frdates import short_datetime
from bippop_desk.registry.models import (
    AuditEvent,
    Beneficiary,
    CallAttempt,
    Mission,
    RegisterEntry,
    Request,
)
from bippop_desk.registry.permissions import require
from bippop_desk.registry.store import Registry

ENTITY_LABELS = {
    "beneficiary": "Bénéficiaire",
    "volunteer": "Bénévole",
    "request": "Demande",
    "mission": "Intervention",
    "hours_entry": "Heures",
    "mission_type": "Type de mission",
    "volunteer_availability": "Disponibilité",
    "volunteer_absence": "Absence",
    "partner": "Partenaire",
    "staff_user": "Utilisateur",
    "commune": "Commune",
    "app_setting": "Réglage",
    "register_entry": "Registre",
    "call_campaign": "Alerte",
    "call_attempt": "Appel d'alerte",
    "permission": "Accès",
}
ACTION_LABELS = {
    "create": "création",
    "update": "modification",
    "delete": "suppression",
    "status": "changement de statut",
    "assign": "affectation",
    "setting": "réglage",
    "demo": "démonstration",
    "connexion": "connexion",
    "connexion_refusee": "connexion refusée",
    "refus": "action refusée",
    "export": "export",
    "consultation": "consultation",
    "radiation": "radiation",
    "erase": "effacement RGPD",
}
JOURNAL_COLUMNS = ("Quand", "Qui", "Action", "Fiche", "Ce qui s'est passé")


@dataclass(frozen=True)
class JournalFilter:
    entity: str | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    user: str = ""  # part of the staff member's name
    record_id: str = ""  # one record's id
    person: str = ""  # a beneficiary's name: their file and everything linked to it


def _person_records(registry: Registry, name: str) -> list[str]:
    """Ids of the beneficiaries whose name holds `name`, and of their requests,
    visits, register entries and alert calls."""
    pattern = f"%{name.strip()}%"
    people = select(Beneficiary.id).where(
        or_(
            (Beneficiary.last_name + " " + Beneficiary.first_name).like(pattern),
            (Beneficiary.first_name + " " + Beneficiary.last_name).like(pattern),
        )
    )
    entries = select(RegisterEntry.id).where(RegisterEntry.beneficiary_id.in_(people))
    with registry.engine.connect() as conn:
        ids = [str(i) for i in conn.scalars(people)]
        for linked in (
            select(Request.id).where(Request.beneficiary_id.in_(people)),
            select(Mission.id).where(Mission.beneficiary_id.in_(people)),
            entries,
            select(CallAttempt.id).where(CallAttempt.entry_id.in_(entries)),
        ):
            ids += [str(i) for i in conn.scalars(linked)]
    return ids


def journal_ids(registry: Registry, filters: JournalFilter = JournalFilter()) -> list[str]:
    """Event ids, newest first. Only administrators read the journal."""
    require(registry, "journal.read")
    query = select(AuditEvent.id)
    if filters.entity:
        query = query.where(AuditEvent.entity == filters.entity)
    if filters.user.strip():
        query = query.where(AuditEvent.user_name.like(f"%{filters.user.strip()}%"))
    if filters.record_id.strip():
        query = query.where(AuditEvent.record_id == filters.record_id.strip())
    if filters.person.strip():
        query = query.where(AuditEvent.record_id.in_(_person_records(registry, filters.person)))
    if filters.day_from:
        query = query.where(AuditEvent.at >= dt.datetime.combine(filters.day_from, dt.time()))
    if filters.day_to:
        end = dt.datetime.combine(filters.day_to + dt.timedelta(days=1), dt.time())
        query = query.where(AuditEvent.at < end)
    with registry.engine.connect() as conn:
        return [str(i) for i in conn.scalars(query.order_by(AuditEvent.id.desc()))]


def journal_rows(registry: Registry, ids: list[str]) -> dict[str, tuple[str, ...]]:
    if not ids:
        return {}
    query = select(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.user_name,
        AuditEvent.action,
        AuditEvent.entity,
        AuditEvent.summary,
    ).where(AuditEvent.id.in_([int(i) for i in ids]))
    rows: dict[str, tuple[str, ...]] = {}
    with registry.engine.connect() as conn:
        for event_id, at, user, action, entity, summary in conn.execute(query):
            rows[str(event_id)] = (
                short_datetime(utc_to_local(at)),
                user,
                ACTION_LABELS.get(action, action),
                ENTITY_LABELS.get(entity, entity),
                summary,
            )
    return rows
