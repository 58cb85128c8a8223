"""SQLAlchemy models of the registry. Import them from here."""

from bippop_desk.registry.models.base import Base, SyncedRecord, new_id
from bippop_desk.registry.models.commune import AppSetting, Commune, LocalDraft, User
from bippop_desk.registry.models.journal import AuditEvent, OutboxEntry
from bippop_desk.registry.models.missions import HoursEntry, Mission, MissionType, Request
from bippop_desk.registry.models.people import (
    Beneficiary,
    Partner,
    Volunteer,
    VolunteerAbsence,
    VolunteerAvailability,
    VolunteerOffer,
)

__all__ = [
    "AppSetting",
    "AuditEvent",
    "Base",
    "Beneficiary",
    "Commune",
    "HoursEntry",
    "LocalDraft",
    "Mission",
    "MissionType",
    "OutboxEntry",
    "Partner",
    "Request",
    "SyncedRecord",
    "User",
    "Volunteer",
    "VolunteerAbsence",
    "VolunteerAvailability",
    "VolunteerOffer",
    "new_id",
]
