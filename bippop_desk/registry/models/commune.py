"""The commune (tenant), staff users, and local-only settings and drafts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bippop_desk.registry.actor import ROLE_LABELS, ROLES
from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models.base import Base, SyncedRecord

__all__ = ["ROLES", "ROLE_LABELS", "AppSetting", "Commune", "LocalDraft", "User"]


class Commune(SyncedRecord, Base):
    __tablename__ = "commune"

    insee_code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    departement: Mapped[str] = mapped_column(String(3))
    postal_code: Mapped[str] = mapped_column(String(5), default="")
    service_name: Mapped[str] = mapped_column(String(120), default="CCAS")


class User(SyncedRecord, Base):
    """A member of the town-hall staff who uses the desk."""

    __tablename__ = "staff_user"
    # The password hash and lockout counters never leave this computer (issue 8).
    local_only_columns = frozenset({"password_hash", "failed_attempts", "locked_until"})

    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), default="secretaire")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Sign-in (registry/services/auth.py) and register access granted by name.
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    register_access: Mapped[bool] = mapped_column(Boolean, default=False)


class AppSetting(Base):
    """Local settings of this installation (never synced, never personal data)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class LocalDraft(Base):
    """What a secretary typed and has not saved yet, kept across a closed window.

    A scratchpad, not a registry change: no audit event, no outbox entry.
    """

    __tablename__ = "local_draft"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    content: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
