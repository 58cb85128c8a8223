"""`apply_remote`: the one path by which records received from the central server enter
the registry (docs/sync-protocol.md).

It never writes the outbox (a received change must not travel back), never runs the
staff-only checks of the services (the server already accepted the change), but keeps
the registry's own truths: statuses only move forward, hours are insert-only, a
tombstone stays. Per-field merge with what this desk has not sent yet: a field changed
by a pending outbox entry (or held by an open conflict) keeps its local value; when that
field is protected (identity, contact, consent, assignment) and the server's value
differs, a `sync_conflict` row keeps both values for a staff member to choose.

Speed: a pulled page is written with Core executemany (one INSERT and one UPDATE
statement per entity), never ORM objects one by one. The FTS index follows through its
triggers; the local search helpers (`name_key`, `search_phones`) are recomputed as the
services do. Foreign keys are off while a page is applied: the server sends each
record at its latest change, not in parent-first order, so a mission may arrive a page
before the volunteer it names.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, text
from sqlalchemy.orm import Session

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models import Base, SyncConflict
from bippop_desk.registry.models.sync import PROTECTED_FIELDS, SYNCED_ENTITIES
from bippop_desk.registry.remote_conflicts import (
    add_conflict,
    held_fields,
    open_conflicts,
    record_conflict,
    refresh_conflict,
)
from bippop_desk.registry.remote_set_aside import apply_guarded
from bippop_desk.registry.remote_values import (
    Shape,
    chunks,
    incoming_values,
    insert_new,
    local_helpers,
    shape_of,
    status_is_backwards,
)

log = logging.getLogger(__name__)

__all__ = ["AppliedChanges", "apply_remote", "record_conflict", "status_is_backwards"]

_CONFLICTS = cast(Table, SyncConflict.__table__)
BULK_FROM = 2000  # changes in one transaction worth a large page cache
BULK_CACHE_KIB = 64 * 1024


@dataclass
class AppliedChanges:
    """What a pulled page did here: for the report and the views' broadcast."""

    applied: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    conflicts: int = 0
    erased: int = 0
    entities: set[str] = field(default_factory=set)
    ids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


# -- the entry point ------------------------------------------------------------------------
def apply_remote(
    registry: Any, changes: Sequence[Mapping[str, Any]], *, cursor: int | None = None
) -> AppliedChanges:
    """Write a page of pulled changes (and, when given, the new pull cursor) in ONE
    transaction. Each change is the server's `{"entity", "record_id", "op", "version",
    "fields", "extra"}`. Runs on any thread holding no session (DB worker or sync thread)."""
    commune_id = registry.commune_id
    with registry.remote_transaction() as conn:
        big = len(changes) >= BULK_FROM
        if big:
            # Thousands of rows keyed by random UUIDs: a large page cache for this one
            # transaction keeps the index inserts in memory (as the demo generator does;
            # the mission table's eight indexes cost 40 % less, bench sync_initial).
            conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        try:
            result = apply_guarded(conn, commune_id, changes, apply_page)
        finally:
            if big:  # SQLite's default again before the connection returns to the pool
                conn.exec_driver_sql("PRAGMA cache_size=-2000")
        if cursor is not None:
            conn.execute(
                text(
                    "UPDATE sync_state SET pull_cursor = :cursor "
                    "WHERE id = 1 AND pull_cursor < :cursor"
                ),
                {"cursor": cursor},
            )
    return result


def apply_page(
    conn: Connection, commune_id: str, changes: Sequence[Mapping[str, Any]]
) -> AppliedChanges:
    """The work of `apply_remote` inside a transaction the caller owns."""
    result = AppliedChanges()
    by_entity: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for change in changes:
        entity = str(change.get("entity", ""))
        if entity not in SYNCED_ENTITIES or entity not in Base.metadata.tables:
            log.warning("pulled change of an unknown kind ignored: %r", entity[:40])
            result.skipped += 1
            continue
        # A page lists a record once; should it repeat, the later (higher seq) wins.
        latest[(entity, str(change["record_id"]))] = change
    for (entity, _record_id), change in latest.items():
        by_entity[entity].append(change)
    for entity in SYNCED_ENTITIES:
        if entity in by_entity:
            _apply_entity(conn, commune_id, entity, by_entity[entity], result)
    return result


def _apply_entity(
    conn: Connection,
    commune_id: str,
    entity: str,
    changes: list[Mapping[str, Any]],
    result: AppliedChanges,
) -> None:
    shape = shape_of(conn, entity)
    table = shape.table
    ids = [str(c["record_id"]) for c in changes]
    # Which of them are known here, in one plain query (a first pull: none of them),
    # then the rows of those only.
    known = [
        row[0]
        for row in conn.exec_driver_sql(
            f"SELECT id FROM {entity} WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
    ]
    existing: dict[str, dict[str, Any]] = {}
    for part in chunks(known):
        for found in conn.execute(select(table).where(table.c.id.in_(part))):
            existing[found.id] = dict(found._mapping)
    held = held_fields(conn, entity, ids) if existing else {}
    conflicts = open_conflicts(conn, entity, ids) if existing else {}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    now = utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")
    base = _base_row(shape, commune_id, now)
    offers: dict[str, list[str]] = {}
    seen_versions: list[dict[str, Any]] = []
    for change in changes:
        record_id = str(change["record_id"])
        op = str(change.get("op", "upsert"))
        version = int(change.get("version") or 0)
        fields = change.get("fields") or {}
        extra = change.get("extra") or {}
        if op == "erase":
            _erase(conn, entity, record_id, shape, fields, version, existing.get(record_id))
            result.erased += 1
            result.entities.add(entity)
            result.ids[entity].append(record_id)
            continue
        local = existing.get(record_id)
        if local is None:
            row = _new_row(shape, base, fields, record_id, version)
            if op == "delete" and "deleted_at" in row and row["deleted_at"] is None:
                row["deleted_at"] = now
            local_helpers(entity, row)
            inserts.append(row)
            if entity == "mission_type":
                _adopt_catalogue(conn, row)
        elif entity == "hours_entry":
            # Insert-only: a known entry never changes, but the platform has it now (after
            # a restore, those it lacks are sent back: sync/restore.py).
            if shape.has_server_version:
                seen_versions.append({"_id": record_id, "v": version})
            result.skipped += 1
            continue
        else:
            incoming = incoming_values(shape, fields)
            merged = _merge(entity, local, incoming, fields, version, held, conflicts, conn)
            result.conflicts += merged.pop("__conflicts__", 0)
            if op == "delete" and merged.get("deleted_at") is None:
                merged["deleted_at"] = utcnow()
            local_helpers(entity, merged)
            merged.pop("id")
            merged["_id"] = record_id
            updates.append(merged)
        if entity == "volunteer" and isinstance(extra.get("mission_type_ids"), list):
            offers[record_id] = [str(i) for i in extra["mission_type_ids"]]
        result.entities.add(entity)
        result.ids[entity].append(record_id)
    if inserts:
        # Straight to the driver in SQLite's storage form: SQLAlchemy's per-row
        # processing would cost more than the insert itself (bench sync_initial).
        insert_new(conn, shape, inserts)
        result.inserted += len(inserts)
    if updates:
        statement = table.update().where(table.c.id == bindparam("_id"))
        conn.execute(statement, updates)
        result.updated += len(updates)
    if offers:
        _write_offers(conn, offers)
    if seen_versions:
        version_column = table.c.server_version
        conn.execute(
            table.update()
            .where(table.c.id == bindparam("_id"))
            .where((version_column.is_(None)) | (version_column < bindparam("v")))
            .values(server_version=bindparam("v")),
            seen_versions,
        )
    result.applied += len(inserts) + len(updates)


def _base_row(shape: Shape, commune_id: str, now: str) -> dict[str, Any]:
    """The columns a new record gets when the server does not say (once per page)."""
    base = dict(shape.stored_defaults)
    if shape.has_commune:
        base["commune_id"] = commune_id
    for key in ("created_at", "updated_at"):
        if key in base and base[key] is None:
            base[key] = now
    return base


def _new_row(
    shape: Shape, base: dict[str, Any], fields: Mapping[str, Any], record_id: str, version: int
) -> dict[str, Any]:
    """A record new here, in SQLite's storage form, every column filled."""
    row = base.copy()
    travel = shape.travel
    for key, value in fields.items():
        if key in travel:  # a known, travelling column (null stays null: no call)
            convert = travel[key]
            row[key] = value if convert is None or value is None else convert(value)
    row["id"] = record_id
    if shape.has_server_version:
        row["server_version"] = version
    for key in shape.stamps:  # sent as null: now, like the columns' own default
        if row[key] is None:
            row[key] = base[key]
    return row


def _merge(
    entity: str,
    local: dict[str, Any],
    incoming: dict[str, Any],
    fields: Mapping[str, Any],
    version: int,
    held: dict[str, set[str]],
    conflicts: dict[str, dict[str, int]],
    conn: Connection,
) -> dict[str, Any]:
    record_id = local["id"]
    merged = dict(local)
    pending = held.get(record_id, set())
    open_ = conflicts.get(record_id, {})
    new_conflicts = 0
    for key, value in incoming.items():
        if key in open_:
            refresh_conflict(conn, open_[key], local.get(key), value, fields.get(key), version)
            if value == local.get(key):
                merged[key] = value
            continue
        if key in pending:
            if key in PROTECTED_FIELDS and value != local.get(key):
                add_conflict(conn, entity, record_id, key, local.get(key), fields[key], version)
                new_conflicts += 1
            continue
        merged[key] = value
    status_free = "status" in incoming and "status" not in pending and "status" not in open_
    if status_free and status_is_backwards(entity, local.get("status"), incoming["status"]):
        merged["status"] = local["status"]
        if "status_changed_at" in local:
            merged["status_changed_at"] = local["status_changed_at"]
    if local.get("deleted_at") is not None and merged.get("deleted_at") is None:
        merged["deleted_at"] = local["deleted_at"]  # a tombstone stays
    if "server_version" in merged:
        merged["server_version"] = max(int(local.get("server_version") or 0), version)
    merged["__conflicts__"] = new_conflicts
    return merged


# -- children and special cases --------------------------------------------------------------
def _write_offers(conn: Connection, offers: Mapping[str, list[str]]) -> None:
    table = Base.metadata.tables["volunteer_offer"]
    ids = list(offers)
    for part in chunks(ids):
        conn.execute(delete(table).where(table.c.volunteer_id.in_(part)))
    rows = [
        {"volunteer_id": volunteer_id, "mission_type_id": type_id}
        for volunteer_id, type_ids in offers.items()
        for type_id in dict.fromkeys(type_ids)
    ]
    if rows:
        conn.execute(insert(table), rows)


def _adopt_catalogue(conn: Connection, row: Mapping[str, Any]) -> None:
    """A desk joining a commune that already syncs adopts the platform's catalogue: its
    own seeded mission type of the same code goes, when nothing here uses it yet and it
    never reached the server (otherwise both stay, and staff can retire one)."""
    local = conn.execute(
        text(
            "SELECT id FROM mission_type WHERE code = :code AND id != :id "
            "AND server_version IS NULL AND deleted_at IS NULL"
        ),
        {"code": row["code"], "id": row["id"]},
    ).scalars()
    for type_id in list(local):
        used = conn.execute(
            text(
                "SELECT 1 FROM request WHERE mission_type_id = :t "
                "UNION ALL SELECT 1 FROM mission WHERE mission_type_id = :t "
                "UNION ALL SELECT 1 FROM hours_entry WHERE mission_type_id = :t "
                "UNION ALL SELECT 1 FROM volunteer_offer WHERE mission_type_id = :t LIMIT 1"
            ),
            {"t": type_id},
        ).first()
        if used is None:
            conn.execute(
                text("DELETE FROM outbox WHERE entity = 'mission_type' AND record_id = :t"),
                {"t": type_id},
            )
            conn.execute(text("DELETE FROM mission_type WHERE id = :t"), {"t": type_id})


def _erase(
    conn: Connection,
    entity: str,
    record_id: str,
    shape: Shape,
    fields: Mapping[str, Any],
    version: int,
    local: dict[str, Any] | None,
) -> None:
    """Personal-data erasure from the platform: the erasure service scrubs the record
    (ERASE_HOOK); without it, the scrubbed fields overwrite the record as a tombstone."""
    hook = _erase_hook()
    if hook is not None and local is not None:
        with Session(bind=conn) as session:
            hook(session, entity, record_id)
            session.flush()
    if entity == "hours_entry" and local is not None:
        return  # append-only here: what the erasure service scrubbed is all that changes
    incoming = incoming_values(shape, fields)
    if local is None:
        row = {**shape.defaults, **incoming, "id": record_id}
        if shape.has_commune:
            row["commune_id"] = _commune_of(conn)
        for key in ("created_at", "updated_at"):
            if key in row and row[key] is None:
                row[key] = utcnow()
    else:
        found = conn.execute(select(shape.table).where(shape.table.c.id == record_id)).first()
        row = {**dict(found._mapping), **incoming} if found is not None else dict(local)
    if "deleted_at" in row and row["deleted_at"] is None:
        row["deleted_at"] = utcnow()
    if shape.has_server_version:
        row["server_version"] = version
    local_helpers(entity, row)
    if local is None:
        conn.execute(insert(shape.table), [row])
    else:
        row.pop("id", None)
        conn.execute(shape.table.update().where(shape.table.c.id == record_id).values(**row))
    # Nothing of the old values may wait in the queue or in a conflict either.
    conn.execute(
        text("DELETE FROM outbox WHERE entity = :e AND record_id = :r AND state != 'sent'"),
        {"e": entity, "r": record_id},
    )
    conn.execute(
        delete(_CONFLICTS).where(SyncConflict.entity == entity, SyncConflict.record_id == record_id)
    )


# The erasure service (issue 8) provides `erase_locally(session, entity, record_id)`;
# until it exists, pulled erasures fall back to overwriting with the scrubbed fields.
ERASE_HOOK_MODULE = "bippop_desk.registry.services.erasure"


def _erase_hook() -> Callable[[Session, str, str], Any] | None:
    try:
        module = importlib.import_module(ERASE_HOOK_MODULE)
    except ImportError:
        return None
    hook = getattr(module, "erase_locally", None)
    return hook if callable(hook) else None


def _commune_of(conn: Connection) -> str:
    return str(conn.execute(text("SELECT id FROM commune LIMIT 1")).scalar() or "")
