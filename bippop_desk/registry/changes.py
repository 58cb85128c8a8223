"""The one way data changes: a ChangeSet writes the record, its audit event and its
outbox entry in the same transaction.

Services receive a ChangeSet from `Registry.change()`; they never commit themselves.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from bippop_desk.registry.actor import SYSTEM_ACTOR, Actor
from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import AuditEvent, Base, OutboxEntry, SyncedRecord, new_id
from bippop_desk.registry.models.sync import LOCAL_ONLY_FIELDS, SYNCED_ENTITIES
from bippop_desk.registry.outgoing import problems

__all__ = ["SYSTEM_ACTOR", "Actor", "Change", "ChangeSet", "record_fields", "to_jsonable"]

_SYNCED = frozenset(SYNCED_ENTITIES)
_VERSIONED: dict[str, bool] = {}


def server_version_of(session: Session, entity: str, record_id: str) -> int | None:
    """The server's version of a record as this desk last saw it (None: never synced).

    The column (migration 0005) is not mapped on the models: plain reads and inserts
    never name it, only sync code reads or writes it."""
    if entity not in _SYNCED:
        return None
    known = _VERSIONED.get(entity)
    if known is None:
        columns = session.execute(text(f"PRAGMA table_info({entity})")).all()
        known = _VERSIONED[entity] = any(row[1] == "server_version" for row in columns)
    if not known:
        return None
    value = session.execute(
        text(f"SELECT server_version FROM {entity} WHERE id = :id"), {"id": record_id}
    ).scalar()
    return None if value is None else int(value)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record_fields(record: Base) -> dict[str, Any]:
    """The record's columns as JSON-ready values, without local-only helpers (search
    keys, the server version seen here, the tenant: see models/sync.py)."""
    local_only: frozenset[str] = getattr(record, "local_only_columns", frozenset())
    return {
        column.key: to_jsonable(getattr(record, column.key))
        for column in record.__table__.columns
        if column.key not in local_only and column.key not in LOCAL_ONLY_FIELDS
    }


@dataclass
class Change:
    """What one mutation touched, for views to decide whether to redraw."""

    entity: str
    record_id: str
    action: str


@dataclass
class ChangeSet:
    session: Session
    actor: Actor
    commune_id: str
    changes: list[Change] = field(default_factory=list)
    # Lookups a service may reuse within this one transaction (e.g. labels).
    memo: dict[str, Any] = field(default_factory=dict)

    # -- writing records -------------------------------------------------------
    def create(self, record: Base, summary: str, extra: Mapping[str, Any] | None = None) -> None:
        self.session.add(record)
        self.session.flush()
        fields = [c.key for c in record.__table__.columns]
        self._journal("create", record, fields, summary, "upsert", extra)

    def update(
        self,
        record: SyncedRecord,
        values: Mapping[str, Any],
        summary: str,
        *,
        action: str = "update",
        extra: Mapping[str, Any] | None = None,
        force: bool = False,
        touch: Iterable[str] = (),
        base_version: int | None = None,
    ) -> list[str]:
        """Apply only the values that differ; returns the names of changed fields.

        Nothing is journaled when nothing changed (unless `force`, for changes that
        live in `extra` such as a volunteer's offered mission types). `touch` names
        fields sent as changed even when equal, and `base_version` the server version
        the change is based on: a sync conflict settled with the local value uses both
        (sync/conflicts.py).
        """
        changed = [key for key, value in values.items() if getattr(record, key) != value]
        changed += [key for key in touch if key not in changed]
        if not changed and not force:
            return []
        for key in changed:
            if key in values:
                setattr(record, key, values[key])
        record.updated_at = utcnow()
        record.row_version = (record.row_version or 1) + 1
        self.session.flush()
        self._journal(action, record, changed, summary, "upsert", extra, base_version)  # type: ignore[arg-type]
        return changed

    def delete(self, record: SyncedRecord, summary: str) -> None:
        """Soft delete: the tombstone travels to the central platform."""
        record.deleted_at = utcnow()
        record.updated_at = record.deleted_at
        record.row_version = (record.row_version or 1) + 1
        self.session.flush()
        self._journal("delete", record, ["deleted_at"], summary, "delete", None)  # type: ignore[arg-type]

    def append(self, record: Base, summary: str) -> None:
        """For append-only records (hours): created once, never changed."""
        self.create(record, summary)

    def erase(self, record: SyncedRecord, scrubbed_fields: Mapping[str, Any], summary: str) -> None:
        """Personal-data erasure (RGPD): the record keeps only `scrubbed_fields` (already
        emptied of personal data by the erasure service) and becomes a tombstone; the
        outbox entry (op "erase") carries only the scrubbed values to the platform,
        which keeps no copy of the old ones. Pending entries of the record, which still
        hold the old values, leave the queue."""
        for key, value in scrubbed_fields.items():
            setattr(record, key, value)
        now = utcnow()
        if record.deleted_at is None:
            record.deleted_at = now
        record.updated_at = now
        record.row_version = (record.row_version or 1) + 1
        self.session.flush()
        entity = record.__tablename__  # type: ignore[attr-defined]
        self.session.query(OutboxEntry).filter(
            OutboxEntry.entity == entity,
            OutboxEntry.record_id == record.id,
            OutboxEntry.state.in_(("pending", "rejected")),
        ).delete(synchronize_session=False)
        changed = sorted({*scrubbed_fields, "deleted_at"})
        self._journal("erase", record, changed, summary, "erase", None)  # type: ignore[arg-type]

    def note_local(
        self, action: str, entity: str, record_id: str, summary: str, fields: str = "value"
    ) -> None:
        """An audit event for a local-only change (a setting): journaled, never queued
        for the central platform."""
        self.session.add(
            AuditEvent(
                at=utcnow(),
                user_name=self.actor.display_name,
                user_role=self.actor.role,
                action=action,
                entity=entity,
                record_id=record_id,
                fields=fields,
                summary=summary,
            )
        )
        self.changes.append(Change(entity, record_id, action))

    # -- journal ----------------------------------------------------------------
    def _journal(
        self,
        action: str,
        record: Base,
        changed: Iterable[str],
        summary: str,
        op: str,
        extra: Mapping[str, Any] | None,
        base_version: int | None = None,
    ) -> None:
        entity = record.__tablename__
        record_id = str(getattr(record, "id"))  # noqa: B009 - every journaled record has an id
        changed = list(changed)
        self.session.add(
            AuditEvent(
                at=utcnow(),
                user_name=self.actor.display_name,
                user_role=self.actor.role,
                action=action,
                entity=entity,
                record_id=record_id,
                fields=",".join(changed),
                summary=summary,
            )
        )
        # The base is the server's version of the record as this desk last saw it
        # (None: the server never had it): the server merges field by field on it.
        # A record created here: the server never had it.
        seen = None if action == "create" else server_version_of(self.session, entity, record_id)
        if base_version is not None:
            seen = max(seen or 0, base_version)
        payload: dict[str, Any] = {
            "fields": record_fields(record),
            # The bookkeeping columns change with every edit: sent along so the
            # platform's copy stays whole (audit keeps only the named fields).
            "changed": changed
            + [k for k in ("updated_at", "row_version") if op != "erase" and k not in changed]
            if action != "create"
            else changed,
            "base_version": seen,
        }
        if extra:
            payload["extra"] = {key: to_jsonable(value) for key, value in extra.items()}
        if entity in _SYNCED:
            found = problems(entity, payload)  # what no desk could store back never leaves
            if found:
                raise ValidationError(found)
        self.session.add(
            OutboxEntry(
                mutation_id=new_id(),
                entity=entity,
                record_id=record_id,
                op=op,
                payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                # Commune, staff users…: journaled like the rest, never sent.
                state="pending" if entity in _SYNCED else "local",
            )
        )
        self.changes.append(Change(entity, record_id, action))
