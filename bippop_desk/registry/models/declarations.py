"""Hours a volunteer declared online for a visit (issue 15): they arrive from the
platform awaiting validation and count nowhere until a coordinator accepts them (the
visit is then done and validated, and its hours entry appended) or refuses them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models.base import Base, SyncedRecord

DECLARATION_STATUSES = {"en_attente": "À valider", "acceptee": "Acceptée", "refusee": "Refusée"}


class HoursDeclaration(SyncedRecord, Base):
    __tablename__ = "hours_declaration"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    # No foreign keys to the volunteer and the mission: the platform sends records in its
    # own order, and a declaration is shown only with the visit it names.
    volunteer_id: Mapped[str] = mapped_column(String(36))
    mission_id: Mapped[str] = mapped_column(String(36))
    minutes: Mapped[int] = mapped_column(Integer)
    mileage_km: Mapped[Decimal] = mapped_column(Numeric(8, 1), default=Decimal("0"))
    note: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="en_attente")
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_hours_declaration_status", "status", "deleted_at"),)
