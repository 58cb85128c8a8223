"""Reading the audit trail: who did what to which record, when (administrators only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from bippop_desk.registry.clock import utc_to_local
from bippop_desk.registry.frdates import short_datetime
from bippop_desk.registry.models import AuditEvent
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
}
ACTION_LABELS = {
    "create": "création",
    "update": "modification",
    "delete": "suppression",
    "status": "changement de statut",
    "assign": "affectation",
    "setting": "réglage",
    "demo": "démonstration",
}
JOURNAL_COLUMNS = ("Quand", "Qui", "Action", "Fiche", "Ce qui s'est passé")


@dataclass(frozen=True)
class JournalFilter:
    entity: str | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None


def journal_ids(registry: Registry, filters: JournalFilter = JournalFilter()) -> list[str]:
    """Event ids, newest first. Only administrators read the journal."""
    registry.actor.require("administrateur", action="consulter le journal")
    query = select(AuditEvent.id)
    if filters.entity:
        query = query.where(AuditEvent.entity == filters.entity)
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
