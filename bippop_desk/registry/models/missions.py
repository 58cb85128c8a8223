"""Mission types, requests (demandes), missions (interventions) and volunteer hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models.base import Base, SyncedRecord, new_id

FAMILIES = {
    "mobilite_inversee": "Mobilité inversée (le bénévole vient chez la personne)",
    "mobilite_accompagnee": "Mobilité accompagnée (le bénévole sort avec la personne)",
    "a_distance": "À distance",
}


class MissionType(SyncedRecord, Base):
    __tablename__ = "mission_type"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    family: Mapped[str] = mapped_column(String(30))
    default_duration_min: Mapped[int] = mapped_column(Integer, default=60)
    needs_car: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


CHANNELS = {
    "telephone": "Téléphone",
    "accueil": "Accueil de la mairie",
    "plateforme": "Plateforme en ligne",
    "partenaire": "Partenaire",
    "famille": "Famille / proche",
}

REQUEST_STATUSES = {
    "nouvelle": "Nouvelle",
    "en_recherche": "En recherche",
    "planifiee": "Planifiée",
    "realisee": "Réalisée",
    "annulee": "Annulée",
}

URGENCIES = {"normale": "Normale", "urgente": "Urgente"}

RECURRENCES = {
    "aucune": "Ponctuelle",
    "hebdomadaire": "Chaque semaine",
    "bimensuelle": "Toutes les deux semaines",
}


class Request(SyncedRecord, Base):
    """A demande: somebody asked for help; it becomes one or more missions."""

    __tablename__ = "request"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    beneficiary_id: Mapped[str] = mapped_column(ForeignKey("beneficiary.id"))
    mission_type_id: Mapped[str] = mapped_column(ForeignKey("mission_type.id"))
    channel: Mapped[str] = mapped_column(String(20), default="telephone")
    caller_name: Mapped[str] = mapped_column(String(160), default="")
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    received_by: Mapped[str] = mapped_column(String(120), default="")
    wished_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    wished_date_end: Mapped[dt.date | None] = mapped_column(Date, default=None)
    wished_time_from: Mapped[dt.time | None] = mapped_column(Time, default=None)
    wished_time_to: Mapped[dt.time | None] = mapped_column(Time, default=None)
    urgency: Mapped[str] = mapped_column(String(10), default="normale")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="nouvelle")
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    matched_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    recurrence: Mapped[str] = mapped_column(String(20), default="aucune")
    recurrence_count: Mapped[int | None] = mapped_column(Integer, default=None)
    recurrence_until: Mapped[dt.date | None] = mapped_column(Date, default=None)
    recurrence_stopped_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    __table_args__ = (
        Index("ix_request_beneficiary", "beneficiary_id"),
        Index("ix_request_status", "status", "received_at"),
        Index("ix_request_received", "received_at"),
    )


MISSION_STATUSES = {
    "planifiee": "Planifiée",
    "realisee": "Réalisée",
    "validee": "Validée",
    "annulee": "Annulée",
    "absent": "Personne absente",
}


class Mission(SyncedRecord, Base):
    """An intervention: one occurrence, local wall-clock start and end."""

    __tablename__ = "mission"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    request_id: Mapped[str | None] = mapped_column(ForeignKey("request.id"), default=None)
    beneficiary_id: Mapped[str] = mapped_column(ForeignKey("beneficiary.id"))
    mission_type_id: Mapped[str] = mapped_column(ForeignKey("mission_type.id"))
    volunteer_id: Mapped[str | None] = mapped_column(ForeignKey("volunteer.id"), default=None)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="planifiee")
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    actual_duration_min: Mapped[int | None] = mapped_column(Integer, default=None)
    mileage_km: Mapped[Decimal | None] = mapped_column(Numeric(8, 1), default=None)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    concern: Mapped[bool] = mapped_column(Boolean, default=False)
    concern_handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    concern_handled_by: Mapped[str] = mapped_column(String(120), default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_mission_starts", "starts_at"),
        Index("ix_mission_volunteer", "volunteer_id", "starts_at"),
        Index("ix_mission_beneficiary", "beneficiary_id", "starts_at"),
        Index("ix_mission_request", "request_id"),
        # Only the concerns nobody has handled yet (migration 0003): the home card's list.
        Index(
            "ix_mission_open_concern",
            "starts_at",
            sqlite_where=text("concern = 1 AND concern_handled_at IS NULL"),
        ),
        # A week's load per volunteer read from the index alone (matching, migration 0004).
        Index(
            "ix_mission_week_load",
            "starts_at",
            "volunteer_id",
            "status",
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )


HOURS_KINDS = {
    "mission": "Intervention",
    "formation": "Formation",
    "reunion": "Réunion",
    "autre": "Autre",
    "correction": "Correction",
}


class HoursEntry(Base):
    """Append-only volunteer time. A database trigger refuses UPDATE and DELETE;
    a correction is a new entry with negative minutes pointing at the one it fixes."""

    __tablename__ = "hours_entry"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    volunteer_id: Mapped[str] = mapped_column(ForeignKey("volunteer.id"))
    mission_id: Mapped[str | None] = mapped_column(ForeignKey("mission.id"), default=None)
    mission_type_id: Mapped[str | None] = mapped_column(ForeignKey("mission_type.id"), default=None)
    entry_date: Mapped[dt.date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    mileage_km: Mapped[Decimal] = mapped_column(Numeric(8, 1), default=Decimal("0"))
    kind: Mapped[str] = mapped_column(String(20), default="mission")
    corrects_entry_id: Mapped[str | None] = mapped_column(
        ForeignKey("hours_entry.id"), default=None
    )
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        Index("ix_hours_entry_date", "entry_date"),
        Index("ix_hours_entry_volunteer", "volunteer_id", "entry_date"),
        Index("ix_hours_entry_mission", "mission_id"),
    )
