"""Push: the outbox goes to the server in batches of at most 500, each with an
idempotency key (`batch_id`) stored on its entries BEFORE it is sent.

So a batch whose answer was lost (dropped connection, killed desk) is sent again with
the same key and the same entries, and the server answers from its memory instead of
applying anything twice. Results are written in one local transaction per batch:
applied, duplicate and conflict entries become `sent`; a refused item becomes
`rejected` with the server's French detail, and the rest of the queue keeps flowing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models import new_id
from bippop_desk.registry.models.sync import LOCAL_ONLY_FIELDS
from bippop_desk.registry.outgoing import problems, summary
from bippop_desk.registry.remote import record_conflict
from bippop_desk.registry.store import Registry
from bippop_desk.sync.client import Refused, SyncError, SyncHttp

log = logging.getLogger(__name__)

BATCH_SIZE = 500
# Platform answers that blame the batch's content: its items go again one by one, and
# the one still refused alone is marked refused. Any other 4xx stops the sync.
ITEM_STATUSES = frozenset({400, 403, 413, 422})
ODD_ANSWER = (
    "La plateforme a répondu sans les résultats de l'envoi : vérifiez l'adresse de la "
    "plateforme. Les modifications restent en attente."
)


@dataclass
class PushOutcome:
    pushed: int = 0
    rejected: int = 0
    conflicts: int = 0
    entities: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Entry:
    id: int
    mutation_id: str
    entity: str
    record_id: str
    op: str
    payload: str


def push_all(registry: Registry, http: SyncHttp, *, batch_size: int | None = None) -> PushOutcome:
    outcome = PushOutcome()
    batch_size = batch_size or BATCH_SIZE
    while True:
        batch_id, entries = next_batch(registry, batch_size)
        if not entries:
            return outcome
        entries = _storable(registry, entries, outcome)
        if not entries:
            continue
        try:
            answer = http.call(
                "POST",
                "/api/v1/push",
                body={"batch_id": batch_id, "mutations": [_mutation(e) for e in entries]},
            )
        except Refused as error:
            if error.status not in ITEM_STATUSES:
                raise  # the call itself was refused (404, 405…): the sync stops, nothing refused
            if len(entries) == 1:
                _reject(registry, entries, str(error))
                outcome.rejected += 1
                continue
            # The batch as a whole was refused (malformed): send its items one by one,
            # so the bad one is found and the others still go.
            log.warning("batch %s refused (%s): retried item by item", batch_id, error.status)
            _unbatch(registry, batch_id)
            batch_size = 1
            continue
        if not _answers(answer, batch_id, entries):
            # Not this batch's answer (a proxy's empty 200, another batch): taking it
            # would send the same entries again and again. Stop; the queue waits.
            raise SyncError(ODD_ANSWER)
        record_results(registry, entries, answer["results"], outcome)


def _answers(answer: dict[str, Any], batch_id: str, entries: list[_Entry]) -> bool:
    results = answer.get("results")
    if answer.get("batch_id") != batch_id or not isinstance(results, list):
        return False
    mutations = {entry.mutation_id for entry in entries}
    return any(isinstance(r, dict) and r.get("mutation_id") in mutations for r in results)


def _storable(registry: Registry, entries: list[_Entry], outcome: PushOutcome) -> list[_Entry]:
    """The entries the platform can take; the others are refused here, never sent
    (registry/outgoing.py: a value no desk could store back must not reach them)."""
    kept: list[_Entry] = []
    for entry in entries:
        found = problems(entry.entity, json.loads(entry.payload))
        if found:
            _reject(registry, [entry], summary(found))
            outcome.rejected += 1
        else:
            kept.append(entry)
    return kept


def next_batch(registry: Registry, size: int) -> tuple[str, list[_Entry]]:
    """The batch in flight (sent before, answer never recorded), or a new one."""
    with registry.raw() as raw:  # a plain read first: most syncs have nothing to send
        if raw.execute("SELECT 1 FROM outbox WHERE state = 'pending' LIMIT 1").fetchone() is None:
            return "", []
    with registry.remote_transaction() as conn:
        row = conn.execute(
            text(
                "SELECT batch_id FROM outbox WHERE state = 'pending' AND batch_id IS NOT NULL "
                "ORDER BY id LIMIT 1"
            )
        ).first()
        if row is not None:
            batch_id = str(row[0])
        else:
            ids = list(
                conn.execute(
                    text(
                        "SELECT id FROM outbox WHERE state = 'pending' AND batch_id IS NULL "
                        "ORDER BY id LIMIT :size"
                    ),
                    {"size": size},
                ).scalars()
            )
            if not ids:
                return "", []
            batch_id = new_id()
            conn.execute(
                text(f"UPDATE outbox SET batch_id = :b WHERE id IN ({','.join(map(str, ids))})"),
                {"b": batch_id},
            )
        entries = [
            _Entry(*r)
            for r in conn.execute(
                text(
                    "SELECT id, mutation_id, entity, record_id, op, payload FROM outbox "
                    "WHERE batch_id = :b AND state = 'pending' ORDER BY id"
                ),
                {"b": batch_id},
            )
        ]
    return batch_id, entries


def _mutation(entry: _Entry) -> dict[str, Any]:
    payload = json.loads(entry.payload)
    fields = {
        key: value
        for key, value in (payload.get("fields") or {}).items()
        if key not in LOCAL_ONLY_FIELDS and key != "id"
    }
    changed = [name for name in payload.get("changed") or [] if name not in LOCAL_ONLY_FIELDS]
    mutation: dict[str, Any] = {
        "mutation_id": entry.mutation_id,
        "entity": entry.entity,
        "record_id": entry.record_id,
        "op": entry.op,
        "base_version": payload.get("base_version"),
        "changed": changed,
        "fields": fields,
    }
    if payload.get("extra"):
        mutation["extra"] = payload["extra"]
    return mutation


def record_results(
    registry: Registry,
    entries: list[_Entry],
    results: list[dict[str, Any]],
    outcome: PushOutcome,
) -> None:
    by_mutation = {str(r.get("mutation_id")): r for r in results}
    now = utcnow().isoformat(sep=" ")
    with registry.remote_transaction() as conn:
        for entry in entries:
            result = by_mutation.get(entry.mutation_id)
            if result is None:
                # No word on it: it leaves this batch and goes again in the next one.
                conn.execute(
                    text("UPDATE outbox SET batch_id = NULL WHERE id = :i"), {"i": entry.id}
                )
                continue
            status = result.get("status")
            if status == "rejected":
                conn.execute(
                    text(
                        "UPDATE outbox SET state = 'rejected', attempts = attempts + 1, "
                        "last_error = :e, batch_id = NULL WHERE id = :i"
                    ),
                    {"e": str(result.get("detail") or "Refusé par la plateforme."), "i": entry.id},
                )
                outcome.rejected += 1
                continue
            version = result.get("version")
            conn.execute(
                text(
                    "UPDATE outbox SET state = 'sent', sent_at = :now, attempts = attempts + 1, "
                    "last_error = '' WHERE id = :i"
                ),
                {"now": now, "i": entry.id},
            )
            outcome.pushed += 1
            if isinstance(version, int):
                _acknowledged(conn, entry, version)
            for name, info in (result.get("conflicts") or {}).items():
                if _conflict(conn, entry, name, info):
                    outcome.conflicts += 1
                outcome.entities.add(entry.entity)


def _acknowledged(conn: Connection, entry: _Entry, version: int) -> None:
    """The server has this record at `version`. New edits stay based on the last PULLED
    version, never on the pushed one (issue 14): between the desk's last pull and
    `version`, other desks may have changed fields this desk has not seen, and a base
    past them would let its next edit overwrite them without a conflict (its own
    earlier changes are no conflict anyway: the platform knows which device wrote a
    field). Only a creation's acknowledgement gives the record its first base: the
    platform's record at that version is exactly what this desk sent."""
    if json.loads(entry.payload).get("base_version") is not None:
        return
    if _has_server_version(conn, entry.entity):
        moved = conn.execute(
            text(
                f"UPDATE {entry.entity} SET server_version = :v WHERE id = :r "
                "AND server_version IS NULL"
            ),
            {"v": version, "r": entry.record_id},
        ).rowcount
        if not moved:
            return  # not the creation's first acknowledgement
    conn.execute(
        text(
            "UPDATE outbox SET payload = json_set(payload, '$.base_version', :v) "
            "WHERE record_id = :r AND state = 'pending' AND id > :i "
            "AND json_extract(payload, '$.base_version') IS NULL"
        ),
        {"v": version, "r": entry.record_id, "i": entry.id},
    )


def _conflict(conn: Connection, entry: _Entry, name: str, info: dict[str, Any]) -> bool:
    if not _is_column(conn, entry.entity, name):
        return False
    local = conn.execute(
        text(f"SELECT {name} FROM {entry.entity} WHERE id = :r"), {"r": entry.record_id}
    ).scalar()
    server_version = int(info.get("server_version") or 0)
    return record_conflict(
        conn, entry.entity, entry.record_id, name, local, info.get("server"), server_version
    )


_COLUMNS: dict[str, frozenset[str]] = {}


def _columns(conn: Connection, entity: str) -> frozenset[str]:
    if entity not in _COLUMNS:
        rows = conn.exec_driver_sql(f"PRAGMA table_info({entity})").all()
        _COLUMNS[entity] = frozenset(str(r[1]) for r in rows)
    return _COLUMNS[entity]


def _is_column(conn: Connection, entity: str, name: str) -> bool:
    return name in _columns(conn, entity)


def _has_server_version(conn: Connection, entity: str) -> bool:
    return "server_version" in _columns(conn, entity)


def _reject(registry: Registry, entries: list[_Entry], detail: str) -> None:
    with registry.remote_transaction() as conn:
        for entry in entries:
            conn.execute(
                text(
                    "UPDATE outbox SET state = 'rejected', attempts = attempts + 1, "
                    "last_error = :e, batch_id = NULL WHERE id = :i"
                ),
                {"e": detail, "i": entry.id},
            )


def _unbatch(registry: Registry, batch_id: str) -> None:
    with registry.remote_transaction() as conn:
        conn.execute(text("UPDATE outbox SET batch_id = NULL WHERE batch_id = :b"), {"b": batch_id})
