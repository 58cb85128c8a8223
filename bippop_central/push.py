"""Push and pull on the database, around the pure merge rules of merge.py.

A push is one transaction: the commune's counter row is locked first (SELECT … FOR
UPDATE on PostgreSQL; BEGIN IMMEDIATE already serialises SQLite), so the sequence
numbers it hands out become visible in commit order and a pull never skips a row.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, Text, cast, delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from bippop_central.auth import AuthError, Caller
from bippop_central.db import reading, writing
from bippop_central.fields import MAX_PAGE_BYTES
from bippop_central.merge import REFUSED_ID, Mutation, Outcome, Stored, merge
from bippop_central.models import applied_t, batch_t, commune_t, device_t, record_t, utcnow
from bippop_central.schemas import PushIn

ATTEMPTS = 4
PURGE_EVERY = 1_000
BATCH_HORIZON_DAYS = 30
# Ids are answered without saying whether another commune uses them.
REFUSED_MUTATION_ID = "Identifiant de modification refusé par la plateforme."
NOT_STORED = (
    "La base de données de la plateforme n'a pas pu enregistrer cette modification : elle "
    "est refusée (les autres modifications du lot sont enregistrées)."
)
log = logging.getLogger(__name__)


def lock_counter(conn: Connection, commune_id: int) -> int:
    query = select(commune_t.c.seq).where(commune_t.c.id == commune_id).with_for_update()
    return int(conn.execute(query).scalar_one())


def save_counter(conn: Connection, commune_id: int, seq: int) -> None:
    conn.execute(update(commune_t).where(commune_t.c.id == commune_id).values(seq=seq))


def retrying(work: Any, *args: Any) -> Any:
    """Runs a write transaction again when it lost a race on a unique key (two
    communes pushing one id, one batch replayed twice at once): the second run sees
    the winner's row and answers accordingly."""
    for attempt in range(ATTEMPTS):
        try:
            return work(*args)
        except (IntegrityError, DBAPIError) as error:
            retryable = isinstance(error, IntegrityError) or "deadlock" in str(error).lower()
            if not retryable or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def push(engine: Engine, caller: Caller, body: PushIn, server_time: str) -> str:
    """The push response as JSON text (a replayed batch gets the stored text back)."""
    response = str(retrying(_push_once, engine, caller, body, server_time))
    if any(m.op == "erase" for m in body.mutations) and engine.dialect.name == "postgresql":
        vacuum_erased(engine)
    return response


def vacuum_erased(engine: Engine) -> None:
    """PostgreSQL keeps an erased record's old row version (and a scrubbed push answer's)
    in the table's pages until VACUUM reclaims it: done as soon as the erasure commits,
    so the name is gone from the files when the desk hears "applied" (only write-ahead
    log segments and backups keep it until they rotate: docs/operations.md). SQLite
    overwrites freed pages itself (secure_delete)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM record, push_batch")


def _push_once(engine: Engine, caller: Caller, body: PushIn, server_time: str) -> str:
    batch_id = str(body.batch_id)
    with writing(engine) as conn:
        seq = start_seq = lock_counter(conn, caller.commune_id)
        stored_batch = conn.execute(
            select(batch_t.c.commune_id, batch_t.c.response).where(batch_t.c.batch_id == batch_id)
        ).first()
        if stored_batch is not None:
            if stored_batch.commune_id != caller.commune_id:
                raise AuthError(403, "Identifiant de lot refusé par la plateforme.")
            return str(stored_batch.response)
        try:
            # The batch's rows go in with a few statements; should the database refuse
            # one of them, the batch is applied again item by item, each in a savepoint,
            # and the refused item alone is rejected (never a 500 for the whole batch).
            with conn.begin_nested():
                results, seq, written = _apply(conn, caller, body, start_seq, each=False)
        except Exception as error:
            if not storage_error(error):
                raise
            log.warning("push of %s: the database refused a row (%s), item by item",
                        batch_id, type(error).__name__)  # fmt: skip
            results, seq, written = _apply(conn, caller, body, start_seq, each=True)
        if seq // PURGE_EVERY != start_seq // PURGE_EVERY:
            # Housekeeping every ~1,000 changes of the commune: a batch replayed after
            # the horizon is still harmless (its mutation ids answer "duplicate").
            horizon = utcnow() - dt.timedelta(days=BATCH_HORIZON_DAYS)
            conn.execute(delete(batch_t).where(batch_t.c.commune_id == caller.commune_id,
                                               batch_t.c.created_at < horizon))  # fmt: skip
        save_counter(conn, caller.commune_id, seq)
        response = json.dumps(
            {"batch_id": batch_id, "server_time": server_time, "results": results},
            ensure_ascii=False,
        )
        conn.execute(
            batch_t.insert().values(
                batch_id=batch_id,
                commune_id=caller.commune_id,
                device_id=caller.device_id,
                response=response,
                created_at=utcnow(),
            )
        )
        conn.execute(
            update(device_t)
            .where(device_t.c.id == caller.device_id)
            .values(last_seen_at=utcnow(), schema_revision=caller.schema)
        )
        erased = [rid for rid, state in written.items() if state.erased]
        if erased:
            _scrub_batches(conn, caller.commune_id, erased)
            # Noted outside the database before the commit (issue 18): a restored backup
            # must not bring the person back (bippop_central/erasures.py).
            from bippop_central.erasures import note_erasures

            note_erasures(engine, caller.commune_id, {rid: written[rid] for rid in erased})
    return response


def _apply(
    conn: Connection, caller: Caller, body: PushIn, seq: int, *, each: bool
) -> tuple[list[dict[str, Any]], int, dict[str, Stored]]:
    """Merge the batch's items in order: (results, last sequence, records written).
    `each`: every item's rows are written at once in a savepoint of their own, and an
    item the database refuses is rejected (otherwise all rows go in at the end)."""
    mutation_ids = [str(m.mutation_id) for m in body.mutations]
    record_ids = list({str(m.record_id) for m in body.mutations})
    seen = _applied(conn, mutation_ids)
    records = _records(conn, record_ids)
    results: list[dict[str, Any]] = []
    new: dict[str, Stored] = {}
    changed: dict[str, Stored] = {}
    applied_rows: list[dict[str, Any]] = []
    for item in body.mutations:
        mutation_id, record_id = str(item.mutation_id), str(item.record_id)
        result: dict[str, Any] = {"mutation_id": mutation_id}
        results.append(result)
        if mutation_id in seen:
            commune_id, version = seen[mutation_id]
            if commune_id != caller.commune_id:
                result.update(status="rejected", detail=REFUSED_MUTATION_ID)
            else:
                result.update(status="duplicate", version=version)
            continue
        owner, state = records.get(record_id, (caller.commune_id, None))
        if owner != caller.commune_id:
            result.update(status="rejected", detail=REFUSED_ID)  # as any refused id
            continue
        mutation = Mutation(
            mutation_id, item.entity, record_id, item.op, item.base_version,
            list(item.changed), dict(item.fields), dict(item.extra),
        )  # fmt: skip
        outcome: Outcome = merge(state, mutation, seq + 1, caller.device_id)
        result["status"] = outcome.status
        if outcome.status == "rejected":
            result["detail"] = outcome.detail
            continue
        result["version"] = outcome.version
        if outcome.conflicts:
            result["conflicts"] = outcome.conflicts
        seen[mutation_id] = (caller.commune_id, outcome.version or 0)
        if outcome.state is None:
            continue
        applied = {"mutation_id": mutation_id, "commune_id": caller.commune_id,
                   "record_id": record_id, "version": seq + 1, "applied_at": utcnow()}  # fmt: skip
        if each and not _write_one(conn, caller, record_id, outcome.state, state, applied):
            result.clear()
            result.update(mutation_id=mutation_id, status="rejected", detail=NOT_STORED)
            del seen[mutation_id]
            continue
        seq += 1
        records[record_id] = (caller.commune_id, outcome.state)
        target = new if record_id in new or state is None else changed
        target[record_id] = outcome.state
        applied_rows.append(applied)
    if not each:
        _write(conn, caller, new, changed)
        insert_rows(conn, applied_t, applied_rows)
    return results, seq, new | changed


def storage_error(error: BaseException) -> bool:
    """True when the database (or the JSON encoding) refused a value: the item's fault.
    Lost races, deadlocks, lock waits and lost connections are the transaction's: they
    go on to `retrying` or to a 500 the desk retries."""
    if isinstance(error, ValueError | TypeError):
        return True
    if not isinstance(error, DBAPIError) or isinstance(error, IntegrityError):
        return False
    message = str(error.orig).lower()
    transient = ("deadlock", "serializ", "locked", "lock timeout", "connection", "terminat")
    return not error.connection_invalidated and not any(word in message for word in transient)


def _write_one(
    conn: Connection, caller: Caller, record_id: str, state: Stored, before: Stored | None,
    applied: dict[str, Any],
) -> bool:  # fmt: skip
    try:
        with conn.begin_nested():
            if before is not None:
                conn.execute(delete(record_t).where(record_t.c.record_id == record_id))
            insert_rows(conn, record_t, [_row(record_id, state, caller)])
            insert_rows(conn, applied_t, [applied])
    except Exception as error:
        if not storage_error(error):
            raise
        log.warning("record %s refused by the database: %s", record_id, type(error).__name__)
        return False
    return True


def _applied(conn: Connection, mutation_ids: list[str]) -> dict[str, tuple[int, int]]:
    if not mutation_ids:
        return {}
    rows = conn.execute(
        select(applied_t.c.mutation_id, applied_t.c.commune_id, applied_t.c.version).where(
            applied_t.c.mutation_id.in_(mutation_ids)
        )
    )
    return {row.mutation_id: (row.commune_id, row.version) for row in rows}


def _records(conn: Connection, record_ids: list[str]) -> dict[str, tuple[int, Stored | None]]:
    if not record_ids:
        return {}
    rows = conn.execute(select(record_t).where(record_t.c.record_id.in_(record_ids))).mappings()
    return {
        row["record_id"]: (
            row["commune_id"],
            Stored(row["entity"], row["version"], row["fields"], row["extra"],
                   row["field_versions"], row["deleted"], row["erased"], row["field_origins"]),
        )
        for row in rows
    }  # fmt: skip


def _row(record_id: str, state: Stored, caller: Caller) -> dict[str, Any]:
    return {
        "record_id": record_id, "commune_id": caller.commune_id, "entity": state.entity,
        "version": state.version, "fields": state.fields, "extra": state.extra,
        "field_versions": state.field_versions, "field_origins": state.field_origins,
        "deleted": state.deleted, "erased": state.erased, "origin_device": caller.device_id,
        "updated_at": utcnow(),
    }  # fmt: skip


# PostgreSQL: a whole batch of rows travels as ONE json parameter and is unpacked by the
# server (json_to_recordset): one statement instead of one per row, nothing to compile.
_PG_INSERT = {
    "record": (
        "record_id text, commune_id int, entity text, version bigint, fields json, extra json, "
        "field_versions json, field_origins json, deleted boolean, erased boolean, "
        "origin_device text, updated_at timestamp"
    ),
    "applied_mutation": (
        "mutation_id text, commune_id int, record_id text, version bigint, applied_at timestamp"
    ),
}


def insert_rows(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows at once: json_to_recordset on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    columns = _PG_INSERT[table.name]
    names = ", ".join(part.split()[0] for part in columns.split(", "))
    payload = json.dumps(rows, default=_json_default, ensure_ascii=False)
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) SELECT {names} "
        f"FROM json_to_recordset(%(rows)s::json) AS r({columns})",
        {"rows": payload},
    )


def _json_default(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _write(conn: Connection, caller: Caller, new: dict[str, Stored],
           changed: dict[str, Stored]) -> None:  # fmt: skip
    """New and changed records in two statements whatever the batch size: changed rows
    are deleted and inserted again with the new ones (the row is the record's whole
    state; one round trip instead of one per row)."""
    if changed:
        conn.execute(delete(record_t).where(record_t.c.record_id.in_(list(changed))))
    insert_rows(
        conn, record_t, [_row(rid, state, caller) for rid, state in (new | changed).items()]
    )


def _scrub_batches(conn: Connection, commune_id: int, erased: Iterable[str]) -> None:
    """Stored push responses may quote a conflict's server value: an erasure removes
    them, so no copy of the person's old data stays anywhere on the server."""
    erased_ids = set(erased)
    mutation_ids = {
        row.mutation_id
        for row in conn.execute(
            select(applied_t.c.mutation_id).where(applied_t.c.record_id.in_(erased_ids))
        )
    }
    rows = conn.execute(
        select(batch_t.c.batch_id, batch_t.c.response).where(batch_t.c.commune_id == commune_id)
    ).all()
    for row in rows:
        if '"conflicts"' not in row.response:
            continue
        response = json.loads(row.response)
        touched = False
        for result in response["results"]:
            if result.get("conflicts") and result["mutation_id"] in mutation_ids:
                result["conflicts"] = {name: {"server": None, "server_version": c["server_version"]}
                                       for name, c in result["conflicts"].items()}  # fmt: skip
                touched = True
        if touched:
            conn.execute(update(batch_t).where(batch_t.c.batch_id == row.batch_id)
                         .values(response=json.dumps(response, ensure_ascii=False)))  # fmt: skip


def pull_json(engine: Engine, caller: Caller, after: int, limit: int, server_time: str) -> str:
    """The pull response as JSON text. Each record's `fields` and `extra` are spliced in
    as the JSON text the database holds, never parsed and dumped again: a desk's first
    pull of 100,000 records is mostly this loop."""
    query = (
        select(record_t.c.record_id, record_t.c.entity, record_t.c.version,
               cast(record_t.c.fields, Text), cast(record_t.c.extra, Text),
               record_t.c.deleted, record_t.c.erased, record_t.c.origin_device)
        .where(record_t.c.commune_id == caller.commune_id, record_t.c.version > after)
        .order_by(record_t.c.version)
        .limit(limit + 1)
    )  # fmt: skip
    with reading(engine) as conn:
        rows = conn.execute(query).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    kept = _within_bytes(rows)
    if kept < len(rows):
        rows, has_more = rows[:kept], True
    dumps = json.dumps
    parts = [
        f'{{"seq":{version},"entity":{dumps(entity)},"record_id":{dumps(record_id)},'
        f'"op":"{"erase" if erased else "delete" if deleted else "upsert"}",'
        f'"version":{version},"fields":{fields},"extra":{extra},'
        f'"origin_device":{dumps(origin)}}}'
        for record_id, entity, version, fields, extra, deleted, erased, origin in rows
    ]
    next_cursor = rows[-1][2] if rows else after
    return (
        f'{{"changes":[{",".join(parts)}],"next_cursor":{next_cursor},'
        f'"has_more":{"true" if has_more else "false"},"server_time":{dumps(server_time)}}}'
    )


def _within_bytes(rows: Any) -> int:
    """How many rows fit MAX_PAGE_BYTES (at least one: a record is never cut): a page
    of large records stays a few MB whatever `limit` says."""
    total = 0
    for index, row in enumerate(rows):
        fields, extra = row[3], row[4]
        total += 200 + (len(fields) if fields.isascii() else len(fields.encode()))
        total += len(extra) if extra.isascii() else len(extra.encode())
        if total > MAX_PAGE_BYTES and index:
            return index
    return len(rows)


def latest_seq(engine: Engine, caller: Caller) -> int:
    return commune_position(engine, caller)[0]


def commune_position(engine: Engine, caller: Caller) -> tuple[int, str, int]:
    """(latest sequence, epoch, sequence the epoch started from) of the caller's commune:
    a desk compares them with what it saw to tell a restored database (issue 14)."""
    with reading(engine) as conn:
        query = select(commune_t.c.seq, commune_t.c.epoch, commune_t.c.epoch_seq).where(
            commune_t.c.id == caller.commune_id
        )
        seq, epoch, epoch_seq = conn.execute(query).one()
        return int(seq), str(epoch or ""), int(epoch_seq or 0)
