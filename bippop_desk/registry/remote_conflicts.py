"""What this desk still holds against a pulled change: fields of pending outbox entries
(kept local until sent) and open conflicts (kept local until a staff member chooses).
Used inside apply_remote's transaction (registry/remote.py) and by push results."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select

from bippop_desk.registry.changes import to_jsonable
from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models import SyncConflict
from bippop_desk.registry.remote_values import chunks

_CONFLICTS = cast(Table, SyncConflict.__table__)


# -- what this desk still holds ------------------------------------------------------------
def held_fields(conn: Connection, entity: str, ids: Sequence[str]) -> dict[str, set[str]]:
    """Fields changed by pending (not yet acknowledged) outbox entries, per record."""
    held: dict[str, set[str]] = defaultdict(set)
    if not conn.exec_driver_sql("SELECT 1 FROM outbox WHERE state = 'pending' LIMIT 1").first():
        return held
    for part in chunks(ids):
        rows = conn.exec_driver_sql(
            "SELECT record_id, payload FROM outbox WHERE state = 'pending' "
            f"AND entity = ? AND record_id IN ({','.join('?' * len(part))})",
            (entity, *part),
        )
        for record_id, payload in rows:
            try:
                changed = json.loads(payload).get("changed", [])
            except ValueError:
                continue
            held[record_id].update(changed)
    return held


def open_conflicts(conn: Connection, entity: str, ids: Sequence[str]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = defaultdict(dict)
    if not conn.exec_driver_sql(
        "SELECT 1 FROM sync_conflict WHERE resolved_at IS NULL LIMIT 1"
    ).first():
        return found
    for part in chunks(ids):
        rows = conn.exec_driver_sql(
            "SELECT id, record_id, field FROM sync_conflict WHERE resolved_at IS NULL "
            f"AND entity = ? AND record_id IN ({','.join('?' * len(part))})",
            (entity, *part),
        )
        for conflict_id, record_id, name in rows:
            found[record_id][name] = conflict_id
    return found


def record_conflict(
    conn: Connection,
    entity: str,
    record_id: str,
    name: str,
    local_value: Any,
    server_json: Any,
    server_version: int,
) -> bool:
    """Open a conflict, or refresh the open one of that field. True when it is new."""
    row = conn.execute(
        select(SyncConflict.id).where(
            SyncConflict.resolved_at.is_(None),
            SyncConflict.entity == entity,
            SyncConflict.record_id == record_id,
            SyncConflict.field == name,
        )
    ).first()
    if row is not None:
        conn.execute(
            _CONFLICTS.update()
            .where(SyncConflict.id == row[0])
            .values(
                server_value=json.dumps(server_json, ensure_ascii=False),
                server_version=server_version,
            )
        )
        return False
    conn.execute(
        insert(_CONFLICTS).values(
            entity=entity,
            record_id=record_id,
            field=name,
            local_value=json.dumps(to_jsonable(local_value), ensure_ascii=False),
            server_value=json.dumps(server_json, ensure_ascii=False),
            server_version=server_version,
            created_at=utcnow(),
            resolution="",
            resolved_by="",
        )
    )
    return True


def add_conflict(
    conn: Connection,
    entity: str,
    record_id: str,
    name: str,
    local_value: Any,
    server_json: Any,
    version: int,
) -> None:
    record_conflict(conn, entity, record_id, name, local_value, server_json, version)


def refresh_conflict(
    conn: Connection,
    conflict_id: int,
    local_value: Any,
    value: Any,
    server_json: Any,
    version: int,
) -> None:
    table = _CONFLICTS
    if value == local_value:
        # Both sides ended with the same value: nothing left to choose.
        conn.execute(
            table.update()
            .where(table.c.id == conflict_id)
            .values(resolved_at=utcnow(), resolution="converged", resolved_by="")
        )
        return
    conn.execute(
        table.update()
        .where(table.c.id == conflict_id)
        .values(server_value=json.dumps(server_json, ensure_ascii=False), server_version=version)
    )
