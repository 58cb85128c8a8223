"""SQLAlchemy models of the registry. Import them from here."""

from bippop_desk.registry.models.base import Base, SyncedRecord, new_id
from bippop_desk.registry.models.commune import AppSetting, Commune, LocalDraft, User
from bippop_desk.registry.models.declarations import HoursDeclaration
from bippop_desk.registry.models.importing import ImportBatch
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
from bippop_desk.registry.models.register import CallAttempt, CallCampaign, RegisterEntry
from bippop_desk.registry.models.survey import DoNotCall, Survey, SurveyAnswer, SurveyContact
from bippop_desk.registry.models.sync import SyncConflict, SyncSetAside, SyncState

__all__ = [
    "AppSetting",
    "AuditEvent",
    "Base",
    "Beneficiary",
    "CallAttempt",
    "CallCampaign",
    "Commune",
    "DoNotCall",
    "HoursDeclaration",
    "HoursEntry",
    "ImportBatch",
    "LocalDraft",
    "Mission",
    "MissionType",
    "OutboxEntry",
    "Partner",
    "RegisterEntry",
    "Request",
    "Survey",
    "SurveyAnswer",
    "SurveyContact",
    "SyncConflict",
    "SyncSetAside",
    "SyncState",
    "SyncedRecord",
    "User",
    "Volunteer",
    "VolunteerAbsence",
    "VolunteerAvailability",
    "VolunteerOffer",
    "new_id",
]
