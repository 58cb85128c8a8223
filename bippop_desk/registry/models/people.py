"""Beneficiaries, volunteers (with what they offer and when they are free), partners."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from bippop_desk.registry.labels import BENEFICIARY_STATUSES, CONSENT_BY, VOLUNTEER_STATUSES
from bippop_desk.registry.models.base import Base, SyncedRecord

__all__ = [
    "BENEFICIARY_STATUSES",
    "CONSENT_BY",
    "VOLUNTEER_STATUSES",
    "Beneficiary",
    "Partner",
    "Volunteer",
    "VolunteerAbsence",
    "VolunteerAvailability",
    "VolunteerOffer",
]


class Beneficiary(SyncedRecord, Base):
    __tablename__ = "beneficiary"
    local_only_columns = frozenset({"search_phones", "name_key"})

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    civility: Mapped[str] = mapped_column(String(10), default="")
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    birth_name: Mapped[str] = mapped_column(String(80), default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    address_line: Mapped[str] = mapped_column(String(200), default="")
    address_complement: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(5), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    quartier: Mapped[str] = mapped_column(String(80), default="")
    access_notes: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(20), default="")  # E.164
    phone_secondary: Mapped[str] = mapped_column(String(20), default="")  # E.164
    email: Mapped[str] = mapped_column(String(200), default="")
    has_internet: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency_contact_name: Mapped[str] = mapped_column(String(160), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(20), default="")
    home_care_service: Mapped[str] = mapped_column(String(160), default="")
    status: Mapped[str] = mapped_column(String(20), default="actif")
    preferences: Mapped[str] = mapped_column(Text, default="")
    consent_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    consent_channel: Mapped[str] = mapped_column(String(20), default="")
    consent_by: Mapped[str] = mapped_column(String(20), default="")
    consent_third_party: Mapped[str] = mapped_column(String(160), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    last_contact_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # Local search helpers, kept by the services (see registry/search.py).
    search_phones: Mapped[str] = mapped_column(String(200), default="")
    name_key: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        # Covering: the list reads ids in name order from the index alone (migration 0002).
        Index("ix_beneficiary_list", "last_name", "first_name", "deleted_at", "status", "id"),
        Index("ix_beneficiary_name_key", "name_key", "birth_date"),
        Index("ix_beneficiary_phone", "phone"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Volunteer(SyncedRecord, Base):
    __tablename__ = "volunteer"
    local_only_columns = frozenset({"search_phones", "name_key"})

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    civility: Mapped[str] = mapped_column(String(10), default="")
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    birth_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    address_line: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(5), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    quartier: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    has_car: Mapped[bool] = mapped_column(Boolean, default=False)
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partner.id"), default=None)
    max_missions_per_week: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(20), default="en_attente")
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    validated_by: Mapped[str] = mapped_column(String(120), default="")
    validated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    charter_signed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    interview_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    training_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    left_reason: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(20), default="guichet")  # guichet / en_ligne
    notes: Mapped[str] = mapped_column(Text, default="")
    search_phones: Mapped[str] = mapped_column(String(200), default="")
    name_key: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        Index("ix_volunteer_list", "last_name", "first_name", "deleted_at", "status", "id"),
        Index("ix_volunteer_status", "status"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class VolunteerOffer(Base):
    """A mission type a volunteer offers (travels with the volunteer's record)."""

    __tablename__ = "volunteer_offer"

    volunteer_id: Mapped[str] = mapped_column(
        ForeignKey("volunteer.id", ondelete="CASCADE"), primary_key=True
    )
    mission_type_id: Mapped[str] = mapped_column(ForeignKey("mission_type.id"), primary_key=True)

    # Who offers a type (matching, migration 0004).
    __table_args__ = (Index("ix_volunteer_offer_type", "mission_type_id", "volunteer_id"),)


class VolunteerAvailability(SyncedRecord, Base):
    """A weekly recurring free slot: weekday 0 = Monday, local wall-clock times."""

    __tablename__ = "volunteer_availability"

    volunteer_id: Mapped[str] = mapped_column(ForeignKey("volunteer.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[dt.time] = mapped_column(Time)
    end_time: Mapped[dt.time] = mapped_column(Time)

    __table_args__ = (Index("ix_volunteer_availability_volunteer", "volunteer_id"),)


class VolunteerAbsence(SyncedRecord, Base):
    """Holidays or any unavailable range of days, both ends included."""

    __tablename__ = "volunteer_absence"

    volunteer_id: Mapped[str] = mapped_column(ForeignKey("volunteer.id", ondelete="CASCADE"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (Index("ix_volunteer_absence_volunteer", "volunteer_id"),)


class Partner(SyncedRecord, Base):
    """An association or service the commune works with."""

    __tablename__ = "partner"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(60), default="association")
    contact_name: Mapped[str] = mapped_column(String(160), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
