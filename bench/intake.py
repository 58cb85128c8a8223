"""`intake`: saving a phone request through the service, with its audit event and outbox
entry, on a copy of the 100,000-person registry.

Each save is one `create_request(registry, RequestInput(...))` call: validation, the
request row, the audit event, the outbox entry, one BEGIN IMMEDIATE … COMMIT with
WAL and synchronous=FULL. The floor is the plainest way to write the same three rows:
raw sqlite3, same pragmas, one transaction. Saves are interleaved service / floor on
the same file so that disk and CPU noise hit both alike.

Target: p95 ≤ 5 ms.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sqlite3
import time
import uuid
from pathlib import Path

from bench.common import demo_registry_file, percentile, report, scratch_copy

TARGET_MS = 5.0
SAVES = 300
WARMUP = 20


def small_mode() -> bool:
    return os.environ.get("BIPPOP_BENCH_SMALL") == "1"


def _raw_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


_FLOOR_REQUEST = """INSERT INTO request (
    id, commune_id, beneficiary_id, mission_type_id, channel, caller_name, received_at,
    received_by, wished_date, wished_date_end, wished_time_from, wished_time_to, urgency,
    notes, status, status_changed_at, matched_at, cancel_reason, recurrence,
    recurrence_count, recurrence_until, recurrence_stopped_on, created_at, updated_at,
    row_version, deleted_at)
  VALUES (?, ?, ?, ?, 'telephone', ?, ?, 'Sophie Martin', ?, NULL, ?, ?, 'normale', ?,
    'nouvelle', ?, NULL, '', 'aucune', NULL, NULL, NULL, ?, ?, 1, NULL)"""
_FLOOR_AUDIT = """INSERT INTO audit_event
    (at, user_name, user_role, action, entity, record_id, fields, summary)
  VALUES (?, 'Sophie Martin', 'secretaire', 'create', 'request', ?, ?, ?)"""
_FLOOR_OUTBOX = """INSERT INTO outbox
    (mutation_id, entity, record_id, op, payload, created_at, state, attempts, last_error)
  VALUES (?, 'request', ?, 'upsert', ?, ?, 'pending', 0, '')"""


def floor_save(
    conn: sqlite3.Connection,
    commune_id: str,
    beneficiary_id: str,
    type_id: str,
    wished: dt.date,
    notes: str,
) -> str:
    """The same three rows, written the plainest way, in one transaction."""
    request_id = str(uuid.uuid4())
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
    values = {
        "id": request_id,
        "commune_id": commune_id,
        "beneficiary_id": beneficiary_id,
        "mission_type_id": type_id,
        "caller_name": "Sa fille",
        "received_at": now,
        "wished_date": wished.isoformat(),
        "wished_time_from": "14:00:00.000000",
        "wished_time_to": "16:00:00.000000",
        "notes": notes,
        "status_changed_at": now,
        "created_at": now,
        "updated_at": now,
    }
    payload = json.dumps(
        {"fields": values, "changed": list(values), "base_version": 0},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_FLOOR_REQUEST, (*values.values(),))
        conn.execute(_FLOOR_AUDIT, (now, request_id, ",".join(values), "Demande reçue"))
        conn.execute(_FLOOR_OUTBOX, (str(uuid.uuid4()), request_id, payload, now))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return request_id


def measure(path: Path, saves: int = SAVES) -> dict[str, list[float]]:
    from bippop_desk.registry.changes import Actor
    from bippop_desk.registry.clock import local_today
    from bippop_desk.registry.services.requests import RequestInput, create_request
    from bippop_desk.registry.store import Registry

    rng = random.Random(7)
    conn = _raw_connection(path)
    try:
        (commune_id,) = conn.execute("SELECT id FROM commune").fetchone()
        type_ids = [r[0] for r in conn.execute("SELECT id FROM mission_type WHERE active")]
        people = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM beneficiary WHERE deleted_at IS NULL ORDER BY random() LIMIT ?",
                (2 * (saves + WARMUP),),
            )
        ]
        service_ms: list[float] = []
        floor_ms: list[float] = []
        secretary = Actor("sophie", "Sophie Martin", "secretaire")
        with Registry(path, secretary, migrate=False) as registry:
            clock = time.perf_counter
            for index in range(saves + WARMUP):
                wished = local_today() + dt.timedelta(days=rng.randint(1, 30))
                notes = rng.choice(("", "Se sent seule depuis le décès de son mari.", "x" * 400))
                data = RequestInput(
                    beneficiary_id=people[2 * index],
                    mission_type_id=rng.choice(type_ids),
                    caller_name="Sa fille",
                    wished_date=wished,
                    wished_time_from=dt.time(14),
                    wished_time_to=dt.time(16),
                    notes=notes,
                )
                start = clock()
                create_request(registry, data)
                service = (clock() - start) * 1000
                start = clock()
                floor_save(
                    conn, commune_id, people[2 * index + 1], rng.choice(type_ids), wished, notes
                )
                floor = (clock() - start) * 1000
                if index >= WARMUP:
                    service_ms.append(service)
                    floor_ms.append(floor)
    finally:
        conn.close()
    return {"service_ms": service_ms, "floor_ms": floor_ms}


def settle(path: Path) -> None:
    """Flush the fresh copy to disk first: its writeback must not slow the saves' fsyncs."""
    with open(path, "rb+") as copied:
        os.fsync(copied.fileno())


def run() -> dict[str, object]:
    people, volunteers = (2_000, 400) if small_mode() else (100_000, 20_000)
    saves = 30 if small_mode() else SAVES
    source = demo_registry_file(people, volunteers)
    copy = scratch_copy(source)
    settle(copy)
    try:
        result = measure(copy, saves)
    finally:
        for leftover in copy.parent.glob(copy.name + "*"):
            leftover.unlink()
        copy.parent.rmdir()
    service = result["service_ms"]
    floor = result["floor_ms"]
    p95 = percentile(service, 0.95)
    floor_p95 = percentile(floor, 0.95)
    return report(
        "intake",
        p95,
        "ms",
        TARGET_MS,
        floor_p95,
        p95 <= TARGET_MS,
        registry=f"copy of {source.name} ({people:,} beneficiaries)",
        saves=f"{len(service)} through create_request, {len(floor)} raw (after {WARMUP} warm-up)",
        service_p50_ms=f"{percentile(service, 0.5):.3f}",
        service_p95_ms=f"{p95:.3f}",
        service_max_ms=f"{max(service):.3f}",
        floor_p50_ms=f"{percentile(floor, 0.5):.3f}",
        floor_p95_ms=f"{floor_p95:.3f} (raw sqlite3: request + audit + outbox, one transaction)",
        pragmas="WAL, synchronous=FULL, foreign_keys=ON, BEGIN IMMEDIATE",
        goal=f"p95 ≤ {TARGET_MS} ms",
    )
