"""What this installation knows about its sync with the central server (migration 0005).

`SyncState` is one row: which server, which device, how far the pull went, the last
outcome. `SyncConflict` keeps a protected field that two desks changed at once, until a
staff member chooses which value stays (docs/sync-protocol.md). Both are local: no
outbox, no audit of their own (the resolution is journaled as a normal change).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models.base import Base

# What travels, parents first (docs/sync-protocol.md). Anything else in the outbox
# (commune, staff users, settings) is local: its entries are marked `local`.
SYNCED_ENTITIES: tuple[str, ...] = (
    "partner",
    "mission_type",
    "beneficiary",
    "volunteer",
    "volunteer_availability",
    "volunteer_absence",
    "request",
    "mission",
    "hours_entry",
    "hours_declaration",
    "register_entry",
    "call_campaign",
    "call_attempt",
    # Impact surveys (issue 16): the questionnaire, who is asked, the answers (phone ones
    # and those given online, which come back from the platform), the "do not call" list.
    "survey",
    "survey_contact",
    "survey_answer",
    "do_not_call",
)

# Columns that never leave this computer: search helpers, the server's version as
# seen here, and the tenant (the server knows it from the device token).
LOCAL_ONLY_FIELDS = frozenset({"search_phones", "name_key", "server_version", "commune_id"})

# Never silently overwritten by a concurrent edit: identity, contact, consent, assignment.
PROTECTED_FIELDS = frozenset(
    {
        "civility", "first_name", "last_name", "birth_name", "birth_date",
        "address_line", "address_complement", "postal_code", "city", "phone",
        "phone_secondary", "email", "emergency_contact_name", "emergency_contact_phone",
        "consent_date", "consent_channel", "consent_by", "consent_third_party",
        "volunteer_id", "starts_at", "ends_at", "beneficiary_id",
    }
)  # fmt: skip


class SyncState(Base):
    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    device_id: Mapped[str] = mapped_column(String(36), default="")
    server_url: Mapped[str] = mapped_column(String(300), default="")
    # A private certificate authority the server's certificate is checked against
    # (empty: the system's authorities). Verification itself is never turned off.
    ca_file: Mapped[str] = mapped_column(String(500), default="")
    device_name: Mapped[str] = mapped_column(String(120), default="")
    commune_insee: Mapped[str] = mapped_column(String(5), default="")
    pull_cursor: Mapped[int] = mapped_column(Integer, default=0)
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    clock_offset_s: Mapped[float | None] = mapped_column(Float, default=None)
    enrolled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # An enrollment sent but not confirmed yet, as JSON (sync/enrollment.py); '' if none.
    pending_enrollment: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The platform's database epoch last seen (a new one: restored from a backup, see
    # sync/restore.py) and what this desk did about it, in French, for the staff.
    server_epoch: Mapped[str] = mapped_column(Text, default="", server_default="")
    restore_notice: Mapped[str] = mapped_column(Text, default="", server_default="")


class SyncConflict(Base):
    """A protected field changed here and on the server: both values, until resolved.

    `resolution` is "mine", "theirs", "edit" or "converged" (both sides ended equal)."""

    __tablename__ = "sync_conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))
    local_value: Mapped[str] = mapped_column(Text, default="null")  # JSON
    server_value: Mapped[str] = mapped_column(Text, default="null")  # JSON
    server_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    resolution: Mapped[str] = mapped_column(String(20), default="")
    resolved_by: Mapped[str] = mapped_column(String(120), default="")

    __table_args__ = (Index("ix_sync_conflict_open", "resolved_at", "entity", "record_id"),)


class SyncSetAside(Base):
    """A pulled record this desk could not store (a value its SQLite refuses): kept
    here with the reason, so the page and the cursor go on and the commune's other
    records still arrive. Listed on the Synchronisation page; gone once a later version
    of the record is applied, or the record is erased (migration 0012)."""

    __tablename__ = "sync_set_aside"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    entity: Mapped[str] = mapped_column(String(40), default="")
    record_id: Mapped[str] = mapped_column(String(36), default="")
    version: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    change: Mapped[str] = mapped_column(Text, default="{}")  # the change as received (JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_sync_set_aside_record", "entity", "record_id"),)
