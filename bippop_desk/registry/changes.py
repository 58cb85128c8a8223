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

from sqlalchemy.orm import Session

from bippop_desk.registry.actor import SYSTEM_ACTOR, Actor
from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models import AuditEvent, Base, OutboxEntry, SyncedRecord, new_id

__all__ = ["SYSTEM_ACTOR", "Actor", "Change", "ChangeSet", "record_fields", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record_fields(record: Base) -> dict[str, Any]:
    """The record's columns as JSON-ready values, without local-only helpers."""
    local_only: frozenset[str] = getattr(record, "local_only_columns", frozenset())
    return {
        column.key: to_jsonable(getattr(record, column.key))
        for column in record.__table__.columns
        if column.key not in local_only
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
    ) -> list[str]:
        """Apply only the values that differ; returns the names of changed fields.

        Nothing is journaled when nothing changed (unless `force`, for changes that
        live in `extra` such as a volunteer's offered mission types).
        """
        changed = [key for key, value in values.items() if getattr(record, key) != value]
        if not changed and not force:
            return []
        for key in changed:
            setattr(record, key, values[key])
        record.updated_at = utcnow()
        record.row_version = (record.row_version or 1) + 1
        self.session.flush()
        self._journal(action, record, changed, summary, "upsert", extra)  # type: ignore[arg-type]
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
        payload: dict[str, Any] = {
            "fields": record_fields(record),
            "changed": changed,
            "base_version": max(int(getattr(record, "row_version", 1) or 1) - 1, 0),
        }
        if extra:
            payload["extra"] = {key: to_jsonable(value) for key, value in extra.items()}
        self.session.add(
            OutboxEntry(
                mutation_id=new_id(),
                entity=entity,
                record_id=record_id,
                op=op,
                payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            )
        )
        self.changes.append(Change(entity, record_id, action))
