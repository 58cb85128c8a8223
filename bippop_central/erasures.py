"""The erasures the server applied, remembered outside its database (issue 18).

A database restored from a backup has forgotten every erasure made after the backup
point: the person would be back, and a desk pulling would get their name. So each
erasure a push applies is also appended (fsync'ed, before the push's transaction
commits: no erasure is answered "applied" without its note) to a JSON-lines file
outside the database: commune, entity, record id, date and the erased record's
scrubbed fields as the desk sent them (no name: the desk's scrub already removed them).

At start (`serve`, `restored`) `reapply` erases again every listed record that the
database holds and does not show erased: the same scrub as the push (the fields
replaced, a tombstone, stored push answers scrubbed, PostgreSQL vacuumed), plus the
free texts of the person's requests and missions (the desk sent those as plain
updates, which the restore forgot too), each under a new sequence number so desks
pull it.

Where the file lives: `BIPPOP_CENTRAL_ERASURE_LIST` when set; otherwise beside a SQLite
database (`<file>.effacements.jsonl`), or for PostgreSQL in the user's state folder
(`~/.local/state/bippop-central/effacements-<host>-<base>.jsonl`). docs/operations.md.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import make_url

from bippop_central.db import writing
from bippop_central.merge import Stored
from bippop_central.models import record_t, utcnow

log = logging.getLogger(__name__)
LIST_ENV = "BIPPOP_CENTRAL_ERASURE_LIST"
# The free texts of a person's linked records (copied from the desk's erasure scrub,
# bippop_desk/registry/services/erasure.SCRUB: the server imports nothing from the desk).
LINKED_FREE_TEXTS = {
    "request": ("caller_name", "notes", "cancel_reason"),
    "mission": ("outcome_note", "notes", "cancel_reason", "override_reason"),
}


def list_path(engine: Engine) -> Path:
    configured = os.environ.get(LIST_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    url = make_url(str(engine.url))
    if url.get_backend_name() == "sqlite" and url.database:
        database = Path(url.database)
        return database.with_name(database.name + ".effacements.jsonl")
    state = Path(os.environ.get("XDG_STATE_HOME", "") or Path.home() / ".local" / "state")
    return state / "bippop-central" / f"effacements-{url.host or 'local'}-{url.database}.jsonl"


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def note_erasures(engine: Engine, commune_id: int, erased: Mapping[str, Stored]) -> None:
    """Append the erasures of one push, on disk when this returns (OSError otherwise:
    the caller's transaction then rolls back and the desk sends the push again)."""
    path = list_path(engine)
    path.parent.mkdir(parents=True, exist_ok=True)
    at = utcnow().isoformat(timespec="seconds")
    lines = b"".join(
        (
            json.dumps(
                {"commune_id": commune_id, "entity": state.entity, "id": record_id,
                 "at": at, "fields": state.fields},
                ensure_ascii=False, separators=(",", ":"), default=str,
            ) + "\n"
        ).encode("utf-8")
        for record_id, state in erased.items()
    )  # fmt: skip
    new = not path.exists()
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(handle, lines)
        os.fsync(handle)
    finally:
        os.close(handle)
    if new:
        _fsync_folder(path.parent)


def read_erasures(engine: Engine) -> list[dict[str, Any]]:
    """Every noted erasure, oldest first; a line cut short by a crash is skipped."""
    path = list_path(engine)
    if not path.exists():
        return []
    notes = []
    for line in path.read_text("utf-8").splitlines():
        try:
            note = json.loads(line)
            if isinstance(note, dict) and {"commune_id", "entity", "id"} <= note.keys():
                notes.append(note)
        except ValueError:
            log.warning("erasure list %s: unreadable line skipped", path)
    return notes


def reapply(engine: Engine) -> int:
    """Erase again every noted record the database shows not erased (a restored
    backup). Returns how many."""
    from bippop_central.push import (
        _scrub_batches,
        lock_counter,
        save_counter,
        vacuum_erased,
    )

    notes = read_erasures(engine)
    if not notes:
        return 0
    done = 0
    with writing(engine) as conn:
        wanted = {n["id"]: n for n in notes}
        rows = conn.execute(
            select(record_t.c.record_id, record_t.c.commune_id, record_t.c.erased)
            .where(record_t.c.record_id.in_(list(wanted)))
        ).all()  # fmt: skip
        back = [
            r for r in rows if not r.erased and r.commune_id == wanted[r.record_id]["commune_id"]
        ]
        by_commune: dict[int, list[str]] = {}
        for row in back:
            by_commune.setdefault(int(row.commune_id), []).append(row.record_id)
        for commune_id, record_ids in by_commune.items():
            seq = lock_counter(conn, commune_id)
            linked = _linked_free_texts(conn, commune_id, set(record_ids))
            for record_id in record_ids:
                seq += 1
                fields = dict(wanted[record_id].get("fields") or {})
                fields.setdefault("deleted_at", utcnow().isoformat(timespec="seconds"))
                conn.execute(
                    update(record_t)
                    .where(record_t.c.record_id == record_id)
                    .values(version=seq, fields=fields, extra={},
                            field_versions=dict.fromkeys(fields, seq), field_origins={"": ""},
                            deleted=True, erased=True, updated_at=utcnow())
                )  # fmt: skip
            for record_id, (fields, versions) in linked.items():
                seq += 1
                for key in fields:
                    versions[key] = seq
                conn.execute(
                    update(record_t)
                    .where(record_t.c.record_id == record_id)
                    .values(version=seq, fields=fields, field_versions=versions,
                            updated_at=utcnow())
                )  # fmt: skip
            save_counter(conn, commune_id, seq)
            _scrub_batches(conn, commune_id, [*record_ids, *linked])
            done += len(record_ids)
    if done:
        log.warning("%d erasure(s) applied again (database restored from a backup?)", done)
        _compact(engine, vacuum_erased)
    return done


def _linked_free_texts(
    conn: Any, commune_id: int, people: set[str]
) -> dict[str, tuple[dict[str, Any], dict[str, int]]]:
    """Requests and missions of the people, their free texts emptied (only those that
    still hold something)."""
    rows = conn.execute(
        select(record_t.c.record_id, record_t.c.entity, record_t.c.fields,
               record_t.c.field_versions)
        .where(record_t.c.commune_id == commune_id,
               record_t.c.entity.in_(list(LINKED_FREE_TEXTS)))
    ).all()  # fmt: skip
    scrubbed: dict[str, tuple[dict[str, Any], dict[str, int]]] = {}
    for record_id, entity, fields, versions in rows:
        if fields.get("beneficiary_id") not in people:
            continue
        keys = [k for k in LINKED_FREE_TEXTS[entity] if fields.get(k)]
        if keys:
            scrubbed[record_id] = ({**fields, **dict.fromkeys(keys, "")}, dict(versions))
    return scrubbed


def _compact(engine: Engine, vacuum_erased: Any) -> None:
    """The old values out of the files: VACUUM on PostgreSQL (as a push does); on
    SQLite secure_delete zeroed the freed cells, the WAL is emptied into the file."""
    if engine.dialect.name == "postgresql":
        vacuum_erased(engine)
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
