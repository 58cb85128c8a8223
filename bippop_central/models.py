"""The server's tables (SQLAlchemy 2). Timestamps are naive UTC.

A record is kept at its latest state only: `version` is the commune's sequence number
of its last change, so "changes after cursor N" is simply the commune's records with
version > N, each once at its latest state.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def new_epoch() -> str:
    return str(uuid.uuid4())


class Commune(Base):
    """A tenant. `seq` is its change counter, locked by every write transaction.

    `epoch` names the database's history of the commune: `bippop-central restored`
    gives it a new one after a backup was put back (`epoch_seq`: the commune's sequence
    then), so its desks learn that what they saw after that point is gone (issue 14)."""

    __tablename__ = "commune"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    insee_code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    departement: Mapped[str] = mapped_column(String(3))
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    epoch: Mapped[str] = mapped_column(String(36), default=new_epoch, server_default="")
    epoch_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Device(Base):
    """An enrolled desk. Only the SHA-256 of its token is kept."""

    __tablename__ = "device"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"))
    name: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    schema_revision: Mapped[str] = mapped_column(String(16), default="")


class EnrollCode(Base):
    """A single-use, expiring enrollment code (kept hashed like tokens)."""

    __tablename__ = "enroll_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    device_id: Mapped[str | None] = mapped_column(String(36), default=None)


class Record(Base):
    """A synced record at its latest state. `record_id` belongs to one commune forever."""

    __tablename__ = "record"

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"))
    entity: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(BigInteger)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON)
    field_versions: Mapped[dict[str, int]] = mapped_column(JSON)
    # Which device last wrote a field ("" = the creator's, the default): a desk's
    # second edit of a field is never a conflict with its own first one.
    field_origins: Mapped[dict[str, str]] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    erased: Mapped[bool] = mapped_column(Boolean, default=False)
    origin_device: Mapped[str | None] = mapped_column(String(36), default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_record_commune_version", "commune_id", "version", unique=True),)


class AppliedMutation(Base):
    """A mutation id seen once, written in the same transaction as its change."""

    __tablename__ = "applied_mutation"

    mutation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(BigInteger)
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PushBatch(Base):
    """A push's stored response: the same batch id replayed gets it back unchanged."""

    __tablename__ = "push_batch"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"))
    device_id: Mapped[str] = mapped_column(String(36))
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_push_batch_commune_created", "commune_id", "created_at"),)


commune_t = cast(Table, Commune.__table__)
device_t = cast(Table, Device.__table__)
enroll_code_t = cast(Table, EnrollCode.__table__)
record_t = cast(Table, Record.__table__)
applied_t = cast(Table, AppliedMutation.__table__)
batch_t = cast(Table, PushBatch.__table__)


# The web pages' tables share this metadata (migrations and their test see them).
from bippop_central.web import tables as _web_tables  # noqa: E402, F401
