"""`sync_load`: 50 desks of 50 communes pushing and pulling at once against the central
server on PostgreSQL with 2 uvicorn workers (the way it scales past one machine).

Each desk (a thread with its own httpx client, its own commune and device token) syncs
on its own clock, once per PERIOD, staggered like desks whose timers started at
different moments: it pushes a batch of realistic records (new people, volunteers,
missions and hours, and edits of its own earlier records), then pulls what changed.
The offered load is 50 desks x 50 mutations per second = 2,500 mutations/s; a server
that cannot keep up makes the desks fall behind their clocks and the measured rate
drops. Printed: applied mutations/s over the whole run, the p95 latency of one push
request, the desks' worst lag. Nothing may be lost: the server's applied-mutation and
record counts must equal what the desks pushed, and every desk pulls back exactly its
own records. The floor: the same record rows inserted straight into PostgreSQL with
psycopg `executemany`, one transaction per batch, from as many threads, in the same run
(no HTTP, no JSON, no merge rules).

Targets: >= 2,000 applied mutations/s and p95 push <= 250 ms.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.common import percentile, report

TARGET_RATE = 2_000.0
TARGET_P95_MS = 250.0
DESKS = 50
BATCH = 50
PERIOD_S = 1.0
SMALL = os.environ.get("BIPPOP_BENCH_SMALL") == "1"
ROUNDS = 3 if SMALL else 12
HEADERS = {"X-Bippop-Protocol": "1", "X-Bippop-Schema": "0008"}
FIRST = ["Jeanne", "Marcel", "Hélène", "André", "Odette", "Lucien", "Yvette", "Gérard"]
LAST = ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Garnier", "Faure"]


def _person(rng: random.Random) -> dict[str, Any]:
    now = "2026-12-02T10:00:00"
    return {
        "civility": rng.choice(["Mme", "M."]), "first_name": rng.choice(FIRST),
        "last_name": rng.choice(LAST),
        "birth_date": f"19{rng.randint(30, 60)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "address_line": f"{rng.randint(1, 90)} rue de Paris", "postal_code": "60200",
        "city": "Compiègne", "phone": f"+3361{rng.randint(1000000, 9999999)}", "email": "",
        "status": "actif", "notes": "Appelle le mardi matin.", "consent_date": "2026-11-02",
        "consent_channel": "telephone", "consent_by": "self", "created_at": now,
        "updated_at": now,
    }  # fmt: skip


def _record(rng: random.Random) -> tuple[str, dict[str, Any]]:
    kind = rng.random()
    if kind < 0.5:
        return "beneficiary", _person(rng)
    if kind < 0.65:
        fields = _person(rng)
        fields.update(status="valide", origin="guichet", has_car=rng.random() < 0.5)
        return "volunteer", fields
    if kind < 0.85:
        day = f"2026-12-{rng.randint(10, 28)}"
        return "mission", {
            "beneficiary_id": str(uuid.uuid4()), "mission_type_id": str(uuid.uuid4()),
            "volunteer_id": str(uuid.uuid4()), "starts_at": f"{day}T14:00:00",
            "ends_at": f"{day}T15:00:00", "status": "planifiee", "notes": "",
        }  # fmt: skip
    return "hours_entry", {
        "volunteer_id": str(uuid.uuid4()), "entry_date": "2026-12-01",
        "minutes": rng.choice([30, 60, 90]), "mileage_km": "4.5", "kind": "mission",
    }  # fmt: skip


class Desk(threading.Thread):
    def __init__(self, url: str, token: str, seed: int, start: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.url, self.token, self.rng, self.start_line = url, token, random.Random(seed), start
        self.latencies_ms: list[float] = []
        self.pushed = self.applied = 0
        self.records: dict[str, tuple[str, int]] = {}  # id -> (entity, version)
        self.pulled: set[str] = set()
        self.error: BaseException | None = None
        self.offset = seed * PERIOD_S / DESKS  # staggered sync clocks
        self.lag_s = 0.0
        self.finished = 0.0

    def _batch(self) -> list[dict[str, Any]]:
        items = []
        editable = [(rid, v) for rid, (e, v) in self.records.items() if e == "beneficiary"]
        for _ in range(BATCH):
            if editable and self.rng.random() < 0.2:
                rid, version = self.rng.choice(editable)
                items.append({"entity": "beneficiary", "record_id": rid, "op": "upsert",
                              "base_version": version, "changed": ["notes"],
                              "fields": {"notes": f"Rappel {self.rng.random():.6f}"}})  # fmt: skip
            else:
                entity, fields = _record(self.rng)
                items.append(
                    {
                        "entity": entity,
                        "record_id": str(uuid.uuid4()),
                        "op": "upsert",
                        "base_version": None,
                        "changed": list(fields),
                        "fields": fields,
                    }
                )
            items[-1]["mutation_id"] = str(uuid.uuid4())
        return items

    def run(self) -> None:
        headers = {**HEADERS, "Authorization": f"Bearer {self.token}"}
        cursor = 0
        try:
            with httpx.Client(base_url=self.url, headers=headers, timeout=60) as http:
                self.start_line.wait()
                due = time.perf_counter() + self.offset
                for _ in range(ROUNDS):
                    ahead = due - time.perf_counter()
                    if ahead > 0:
                        time.sleep(ahead)
                    self.lag_s = max(self.lag_s, -ahead)
                    due += PERIOD_S
                    items = self._batch()
                    body = json.dumps({"batch_id": str(uuid.uuid4()), "mutations": items})
                    sent = time.perf_counter()
                    response = http.post(
                        "/api/v1/push", content=body, headers={"Content-Type": "application/json"}
                    )
                    self.latencies_ms.append((time.perf_counter() - sent) * 1000)
                    response.raise_for_status()
                    self.pushed += len(items)
                    for item, result in zip(items, response.json()["results"], strict=True):
                        if result["status"] in ("applied", "conflict"):
                            self.applied += 1
                            self.records[item["record_id"]] = (item["entity"], result["version"])
                    has_more = True
                    while has_more:
                        page = http.get("/api/v1/pull", params={"after": cursor}).json()
                        self.pulled.update(c["record_id"] for c in page["changes"])
                        cursor, has_more = page["next_cursor"], page["has_more"]
                self.finished = time.perf_counter()
        except BaseException as error:
            self.error = error


def _floor(db_url: str, rows_per_desk: list[list[tuple[Any, ...]]]) -> float:
    """Rows/s inserting the same records straight into PostgreSQL with executemany."""
    import psycopg

    from bippop_central.db import migrate

    migrate(db_url)
    dsn = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        for insee in range(len(rows_per_desk)):
            conn.execute(
                "INSERT INTO commune (insee_code, name, departement, seq, created_at) "
                "VALUES (%s, %s, '60', 0, now())",
                (f"{70000 + insee}", "Floor"),
            )
    sql = ("INSERT INTO record (record_id, commune_id, entity, version, fields, extra, "
           "field_versions, field_origins, deleted, erased, origin_device, updated_at) "
           "VALUES (%s, %s, %s, %s, %s, '{}', %s, '{}', false, false, NULL, now())")  # fmt: skip

    def insert(rows: list[tuple[Any, ...]]) -> None:
        with psycopg.connect(dsn) as conn:
            for start in range(0, len(rows), BATCH):
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(sql, rows[start : start + BATCH])

    threads = [threading.Thread(target=insert, args=(rows,)) for rows in rows_per_desk]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(map(len, rows_per_desk)) / (time.perf_counter() - started)


def _postmaster(directory: Path) -> int:
    return int((directory / "data" / "postmaster.pid").read_text().split()[0])


def _tree(pid: int) -> list[Any]:
    import psutil

    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def _cpu(processes: list[Any]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except Exception:
            pass
    return total


def run() -> dict[str, object]:
    from sqlalchemy import func, select

    from bippop_central.models import applied_t, record_t
    from tests.servers import start_central, start_postgres, start_postgres_cluster

    try:
        db_url = start_postgres()
    except RuntimeError as error:
        return report("sync_load", 0.0, "mutations/s", TARGET_RATE, None, False,
                      skipped=f"PostgreSQL absent: {error}")  # fmt: skip
    server = start_central(db_url, workers=2)
    try:
        tokens = []
        for i in range(DESKS):
            insee = f"{60001 + i}"
            server.add_commune(insee, f"Commune {i}", "60")
            tokens.append(server.enroll(insee, f"Poste {i}")[1])
        barrier = threading.Barrier(DESKS + 1)
        desks = [Desk(server.url, token, i, barrier) for i, token in enumerate(tokens)]
        for desk in desks:
            desk.start()
        roots = {"server": server.process.pid,
                 "postgres": _postmaster(start_postgres_cluster().directory)}  # fmt: skip
        # Process trees read again at the end: database backends start during the run.
        cpu_before = {name: _cpu(_tree(pid)) for name, pid in roots.items()}
        own_before = time.process_time()
        barrier.wait()
        started = time.perf_counter()
        for desk in desks:
            desk.join()
        elapsed = max(desk.finished for desk in desks) - started
        cpu = {name: _cpu(_tree(pid)) - cpu_before[name] for name, pid in roots.items()}
        cpu["bench desks"] = time.process_time() - own_before
        errors = [desk.error for desk in desks if desk.error]
        with server.engine().connect() as conn:
            applied_rows = conn.execute(select(func.count()).select_from(applied_t)).scalar_one()
            record_rows = conn.execute(select(func.count()).select_from(record_t)).scalar_one()
    finally:
        server.stop()
    pushed = sum(desk.pushed for desk in desks)
    applied = sum(desk.applied for desk in desks)
    created = sum(len(desk.records) for desk in desks)
    latencies = [ms for desk in desks for ms in desk.latencies_ms]
    lost = (pushed - applied) + (applied - applied_rows) + (created - record_rows)
    lost += sum(len(set(desk.records) ^ desk.pulled) for desk in desks)
    rate = applied / elapsed
    p95 = percentile(latencies, 0.95)
    floor_rows = [
        [(rid, 0, entity, n + 1, json.dumps({"n": n}), "{}") for n, (rid, (entity, _v))
         in enumerate(desk.records.items())]
        for desk in desks
    ]  # fmt: skip
    # The floor runs on a fresh database: its communes get ids 1..50.
    for offset, rows in enumerate(floor_rows):
        floor_rows[offset] = [(str(uuid.uuid4()), offset + 1, *row[2:]) for row in rows]
    floor = _floor(start_postgres(), floor_rows)
    ok = not errors and lost == 0 and rate >= TARGET_RATE and p95 <= TARGET_P95_MS
    return report(
        "sync_load", rate, "mutations/s", TARGET_RATE, floor, ok,
        desks=f"{DESKS} desks of {DESKS} communes, each pushing {BATCH} mutations then pulling "
        f"every {PERIOD_S:g} s, {ROUNDS} times (offered {DESKS * BATCH / PERIOD_S:,.0f}/s); "
        "PostgreSQL, 2 uvicorn workers",
        cpu_s=", ".join(f"{name} {seconds:.1f}" for name, seconds in cpu.items())
        + f" (2 cores x {elapsed:.1f} s = {2 * elapsed:.1f} s available, shared)",
        worst_lag_s=f"{max(desk.lag_s for desk in desks):.2f} (a desk behind its clock)",
        applied=f"{applied:,} mutations in {elapsed:.1f} s",
        push_p50_ms=f"{percentile(latencies, 0.5):.0f}",
        push_p95_ms=f"{p95:.0f} (target <= {TARGET_P95_MS:.0f})",
        nothing_lost=f"{lost == 0} (server applied {applied_rows:,}, records {record_rows:,}; "
        f"desks pushed {pushed:,}, created {created:,})",
        floor_detail=f"{floor:,.0f} rows/s: psycopg executemany of the same rows, {DESKS} threads",
        errors=[repr(e)[:200] for e in errors][:3],
    )  # fmt: skip
