"""The vulnerable-persons register (registre nominatif, CASF L121-6-1, R121-2 ff.) and
the call campaigns run when the préfet raises an alert. Synced records."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models.base import Base, SyncedRecord

__all__ = ["CallAttempt", "CallCampaign", "RegisterEntry"]


class RegisterEntry(SyncedRecord, Base):
    """One person's registration. Removal (at the person's request) sets `removed_on`:
    the entry leaves the register but the fact that it existed stays in the journal."""

    __tablename__ = "register_entry"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    beneficiary_id: Mapped[str] = mapped_column(ForeignKey("beneficiary.id"))
    category: Mapped[str] = mapped_column(String(20))  # see labels in services/register.py
    disability_basis: Mapped[str] = mapped_column(String(20), default="")
    requested_by: Mapped[str] = mapped_column(String(20), default="self")
    requester_name: Mapped[str] = mapped_column(String(160), default="")
    requester_quality: Mapped[str] = mapped_column(String(120), default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    request_date: Mapped[dt.date] = mapped_column(Date)
    home_care_service: Mapped[str] = mapped_column(String(160), default="")
    emergency_contact_name: Mapped[str] = mapped_column(String(160), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(20), default="")
    lives_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    ack_sent_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    removed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    removal_reason: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        Index("ix_register_entry_person", "beneficiary_id"),
        Index("ix_register_entry_ack", "ack_sent_on", "request_date"),
    )


class CallCampaign(SyncedRecord, Base):
    """An alert recorded by the mairie (canicule, grand froid, autre) and its calls.
    The alert is active from `starts_on` to `ends_on` (open-ended when None)."""

    __tablename__ = "call_campaign"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    kind: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    notes: Mapped[str] = mapped_column(Text, default="")


class CallAttempt(SyncedRecord, Base):
    """One call to one person during a campaign: what came of it."""

    __tablename__ = "call_attempt"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    campaign_id: Mapped[str] = mapped_column(ForeignKey("call_campaign.id"))
    entry_id: Mapped[str] = mapped_column(ForeignKey("register_entry.id"))
    called_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20))
    called_by: Mapped[str] = mapped_column(String(120), default="")
    request_id: Mapped[str | None] = mapped_column(ForeignKey("request.id"), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_call_attempt_entry", "entry_id", "campaign_id", "called_at"),
        # The call list reads one campaign's calls from this index alone.
        Index("ix_call_attempt_campaign", "campaign_id", "entry_id", "called_at", "outcome"),
    )
