"""The web pages' own tables (migration c0002): the mairie's public contact, rate-limit
counters, submissions held for moderation, the volunteers' sign-in links, sessions and
calendar feeds, and the server's signing secret.

Everything that must hold across uvicorn workers and hosts lives here, in the database,
never in process memory. Secrets (links, sessions, feed tokens) are stored as SHA-256.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from bippop_central.models import Base, utcnow

DEFAULT_DAILY_QUOTA = 30  # new web submissions a commune takes per day before moderation


class WebCommune(Base):
    """What the commune's public pages show about the mairie, and its daily quota."""

    __tablename__ = "web_commune"

    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"), primary_key=True)
    service_name: Mapped[str] = mapped_column(String(160), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    opening_hours: Mapped[str] = mapped_column(String(300), default="")
    # None: the platform's default (BIPPOP_WEB_DAILY_QUOTA, else DEFAULT_DAILY_QUOTA).
    daily_quota: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WebCounter(Base):
    """A fixed-window counter: rate limits (per address, per commune) and daily quotas.
    `window` is the window's number (epoch seconds // its length, or a day's ordinal)."""

    __tablename__ = "web_counter"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_web_counter_expires_at", "expires_at"),)


class WebHeld(Base):
    """A web submission past the commune's daily quota: it waits here, on the server,
    until a desk's staff accepts it (then it becomes records) or rejects it (deleted)."""

    __tablename__ = "web_held"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"))
    kind: Mapped[str] = mapped_column(String(20))  # volunteer / request
    records: Mapped[list[Any]] = mapped_column(JSON)  # [[entity, record_id, fields, extra]]
    summary: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_web_held_commune_received", "commune_id", "received_at"),)


class WebLogin(Base):
    """A one-time sign-in link sent by e-mail to a validated volunteer."""

    __tablename__ = "web_login"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"))
    volunteer_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class WebSession(Base):
    """A volunteer signed in on a browser (the cookie holds the token, here its hash)."""

    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"))
    volunteer_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_web_session_expires_at", "expires_at"),)


class WebFeed(Base):
    """A volunteer's private calendar address (calendar apps send no cookie)."""

    __tablename__ = "web_feed"

    volunteer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WebSecret(Base):
    """The key that signs the forms' tokens: one per platform, shared by every worker."""

    __tablename__ = "web_secret"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


web_commune_t = cast(Table, WebCommune.__table__)
counter_t = cast(Table, WebCounter.__table__)
held_t = cast(Table, WebHeld.__table__)
login_t = cast(Table, WebLogin.__table__)
session_t = cast(Table, WebSession.__table__)
feed_t = cast(Table, WebFeed.__table__)
secret_t = cast(Table, WebSecret.__table__)
