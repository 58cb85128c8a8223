"""`sync_initial`: a new desk joins a commune whose platform already holds ~100,000 records
and pulls them all into its empty registry, over real HTTP from the real server.

The server (uvicorn, SQLite file) is filled first through its own push API with every
record of the demo commune of 21,000 people (bench.common's cached demo registry):
people (~25 %), volunteers and their slots, requests, a year of missions and hours.
The measure is `sync_once` on the new desk, from the first request to the last
page committed: records applied per second, FTS index and search helpers included.
The floor: the same rows (read back from the desk afterwards) inserted into an empty
registry with raw sqlite3 `executemany`, one transaction, triggers firing — the
plainest way to write them, in the same run.

Target: >= 20,000 records/s.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.common import demo_registry_file, report

TARGET = 20_000.0
SMALL = os.environ.get("BIPPOP_BENCH_SMALL") == "1"
PEOPLE = 2_000 if SMALL else 21_000  # a demo commune of ~100,000 records in all
HEADERS = {"X-Bippop-Protocol": "1", "X-Bippop-Schema": "0008"}
TABLES = (
    "partner",
    "mission_type",
    "beneficiary",
    "volunteer",
    "volunteer_availability",
    "volunteer_absence",
    "request",
    "mission",
    "hours_entry",
)


def _records(people: int) -> list[dict[str, Any]]:
    """Push items for every synced record of the demo commune of that size (the project's
    own model of a commune: people, volunteers and their slots, requests, a year of
    missions and hours), as a first desk would send them."""
    from sqlalchemy import select

    from bippop_desk.registry.changes import to_jsonable
    from bippop_desk.registry.models import Base
    from bippop_desk.registry.models.sync import LOCAL_ONLY_FIELDS, SYNCED_ENTITIES
    from bippop_desk.registry.store import Registry

    source = demo_registry_file(people, people // 10)
    items: list[dict[str, Any]] = []
    with Registry(source, migrate=False) as registry, registry.engine.connect() as conn:
        for entity in SYNCED_ENTITIES:
            table = Base.metadata.tables.get(entity)
            if table is None:
                continue
            names = [c.key for c in table.columns if c.key not in LOCAL_ONLY_FIELDS]
            for row in conn.execute(select(*[table.c[n] for n in names])):
                fields = {n: to_jsonable(v) for n, v in zip(names, row, strict=True)}
                record_id = fields.pop("id")
                items.append(_item(entity, record_id, **fields))
    return items


def _item(entity: str, record_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "mutation_id": str(uuid.uuid4()), "entity": entity, "record_id": record_id,
        "op": "upsert", "base_version": None, "changed": list(fields), "fields": fields,
    }  # fmt: skip


def _fill_server(url: str, token: str, items: list[dict[str, Any]]) -> None:
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as web:
        for start in range(0, len(items), 500):
            body = {"batch_id": str(uuid.uuid4()), "mutations": items[start : start + 500]}
            answer = web.post("/api/v1/push", json=body)
            answer.raise_for_status()
            refused = [r for r in answer.json()["results"] if r["status"] == "rejected"]
            if refused:
                raise RuntimeError(f"server refused bench records: {refused[:3]}")


def _floor(desk: Path, empty: Path) -> tuple[float, int]:
    """The same rows, raw sqlite3 executemany into an empty registry, one transaction."""
    source = sqlite3.connect(desk)
    tables = {t: source.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
    columns = {t: [r[1] for r in source.execute(f"PRAGMA table_info({t})")] for t in TABLES}
    commune = source.execute("SELECT * FROM commune").fetchall()
    source.close()
    from bippop_desk.registry.textkeys import register_functions

    target = sqlite3.connect(empty, isolation_level=None)
    register_functions(target)  # the search triggers fold names in Python
    target.execute("PRAGMA foreign_keys=OFF")
    target.execute("PRAGMA synchronous=FULL")
    marks = ",".join("?" * len(commune[0]))
    target.execute(f"INSERT INTO commune VALUES ({marks})", commune[0])
    started = time.perf_counter()
    target.execute("BEGIN")
    for table in TABLES:
        marks = ",".join("?" * len(columns[table]))
        target.executemany(f"INSERT INTO {table} VALUES ({marks})", tables[table])
    target.execute("COMMIT")
    elapsed = time.perf_counter() - started
    target.close()
    return elapsed, sum(len(rows) for rows in tables.values())


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process so far, from /proc (NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run() -> dict[str, object]:
    import keyring

    from bippop_desk.registry.services.commune import setup_commune
    from bippop_desk.registry.store import Registry
    from bippop_desk.sync.engine import enroll, sync_once
    from tests.memory_keyring import MemoryKeyring
    from tests.servers import start_central

    keyring.set_keyring(MemoryKeyring())  # the bench never touches the real keyring
    folder = Path(tempfile.mkdtemp(prefix="bippop-bench-sync-"))
    server = start_central(f"sqlite:///{folder / 'central.sqlite3'}")
    try:
        server.add_commune("60159", "Compiègne", "60")
        _, token = server.enroll("60159", "remplissage")
        items = _records(PEOPLE)
        filled = time.perf_counter()
        _fill_server(server.url, token, items)
        fill_s = time.perf_counter() - filled

        Registry(folder / "empty.sqlite3").close()
        shutil.copyfile(folder / "empty.sqlite3", folder / "floor.sqlite3")
        shutil.copyfile(folder / "empty.sqlite3", folder / "desk.sqlite3")
        registry = Registry(folder / "desk.sqlite3")
        setup_commune(registry, "60159", "Compiègne", "60", "60200")
        enroll(registry, server.url, server.enroll_code("60159"), "Nouveau poste")
        server_cpu = _cpu_seconds(server.process.pid)
        desk_cpu = time.process_time()
        started = time.perf_counter()
        outcome = sync_once(registry)
        elapsed = time.perf_counter() - started
        desk_cpu = time.process_time() - desk_cpu
        server_cpu = _cpu_seconds(server.process.pid) - server_cpu
        registry.close()
        if outcome.error:
            raise RuntimeError(outcome.error)
        rate = outcome.pulled / elapsed
        floor_s, floor_rows = _floor(folder / "desk.sqlite3", folder / "floor.sqlite3")
        floor_rate = floor_rows / floor_s
        return report(
            "sync_initial",
            rate,
            "records/s",
            TARGET,
            floor_rate,
            rate >= TARGET and outcome.pulled >= len(items),
            records_pulled=outcome.pulled,
            pull_seconds=round(elapsed, 2),
            # Where the time went: the desk's threads (writing, fetching ahead) and the
            # server's process, which share this machine's cores.
            desk_cpu_seconds=round(desk_cpu, 2),
            server_cpu_seconds=round(server_cpu, 2),
            floor_seconds=round(floor_s, 3),
            server_filled_in_s=round(fill_s, 1),
        )
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
