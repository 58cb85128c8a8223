"""`sync_initial`: a new desk joins a commune whose platform already holds 100,000 records
and pulls them all into its empty registry, over real HTTP from the real server.

The server (uvicorn, SQLite file) is filled first through its own push API by another
desk's worth of records: people (70 %), volunteers, requests and hours, with realistic
fields. The measure is `sync_once` on the new desk, from the first request to the last
page committed: records applied per second, FTS index and search helpers included.
The floor: the same rows (read back from the desk afterwards) inserted into an empty
registry with raw sqlite3 `executemany`, one transaction, triggers firing — the
plainest way to write them, in the same run.

Target: >= 20,000 records/s.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.common import report

TARGET = 20_000.0
SMALL = os.environ.get("BIPPOP_BENCH_SMALL") == "1"
RECORDS = 10_000 if SMALL else 100_000
HEADERS = {"X-Bippop-Protocol": "1", "X-Bippop-Schema": "0008"}
FIRST = ["Jeanne", "Marcel", "Hélène", "André", "Odette", "Lucien", "Yvette", "Gérard", "Zoé"]
LAST = ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Garnier", "Le Goff"]
TABLES = ("mission_type", "beneficiary", "volunteer", "request", "hours_entry")


def _person(rng: random.Random) -> dict[str, Any]:
    now = "2026-11-02T10:00:00"
    return {
        "civility": rng.choice(["Mme", "M."]), "first_name": rng.choice(FIRST),
        "last_name": rng.choice(LAST), "birth_name": "",
        "birth_date": f"19{rng.randint(30, 60)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "address_line": f"{rng.randint(1, 90)} rue de Paris", "address_complement": "",
        "postal_code": "60200", "city": "Compiègne", "quartier": "Centre",
        "phone": f"+3361{rng.randint(1000000, 9999999)}", "email": "",
        "notes": "Appelle le mardi matin.", "created_at": now, "updated_at": now,
        "row_version": 1, "deleted_at": None,
    }  # fmt: skip


def _records(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Push items: a catalogue, then people, volunteers, requests and hours."""
    types = [str(uuid.uuid4()) for _ in range(4)]
    items: list[dict[str, Any]] = [
        _item("mission_type", type_id, code=f"type_{n}", label=f"Type {n}",
              family="mobilite_inversee", default_duration_min=60, needs_car=False,
              active=True, sort_order=n)
        for n, type_id in enumerate(types)
    ]  # fmt: skip
    people: list[str] = []
    volunteers: list[str] = []
    while len(items) < count:
        kind = rng.random()
        if kind < 0.70 or not volunteers:
            fields = _person(rng)
            fields.update(status="actif", has_internet=False, consent_by="self",
                          consent_date="2026-11-02", consent_channel="telephone")  # fmt: skip
            record_id = str(uuid.uuid4())
            (people if kind < 0.70 else volunteers).append(record_id)
            entity = "beneficiary" if kind < 0.70 else "volunteer"
            if entity == "volunteer":
                fields = _person(rng)
                fields.pop("birth_name")
                fields.pop("address_complement")
                fields.update(status="valide", origin="guichet", has_car=True)
            items.append(_item(entity, record_id, **fields))
        elif kind < 0.80:
            fields = _person(rng)
            fields.pop("birth_name")
            fields.pop("address_complement")
            fields.update(status="valide", origin="guichet", has_car=rng.random() < 0.5)
            record_id = str(uuid.uuid4())
            volunteers.append(record_id)
            items.append(_item("volunteer", record_id, **fields))
        elif kind < 0.92 and people:
            items.append(
                _item("request", str(uuid.uuid4()), beneficiary_id=rng.choice(people),
                      mission_type_id=rng.choice(types), channel="telephone",
                      received_at="2026-11-20T09:30:00", status="nouvelle", urgency="normale",
                      notes="Courses du jeudi", recurrence="aucune",
                      created_at="2026-11-20T09:30:00", updated_at="2026-11-20T09:30:00")
            )  # fmt: skip
        else:
            items.append(
                _item("hours_entry", str(uuid.uuid4()), volunteer_id=rng.choice(volunteers),
                      mission_type_id=rng.choice(types), entry_date="2026-11-21",
                      minutes=rng.choice([30, 60, 90]), mileage_km="4.5", kind="mission",
                      note="", created_by="Sophie", created_at="2026-11-21T18:00:00")
            )  # fmt: skip
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
        items = _records(random.Random(1942), RECORDS)
        filled = time.perf_counter()
        _fill_server(server.url, token, items)
        fill_s = time.perf_counter() - filled

        Registry(folder / "empty.sqlite3").close()
        shutil.copyfile(folder / "empty.sqlite3", folder / "floor.sqlite3")
        shutil.copyfile(folder / "empty.sqlite3", folder / "desk.sqlite3")
        registry = Registry(folder / "desk.sqlite3")
        setup_commune(registry, "60159", "Compiègne", "60", "60200")
        enroll(registry, server.url, server.enroll_code("60159"), "Nouveau poste")
        started = time.perf_counter()
        outcome = sync_once(registry)
        elapsed = time.perf_counter() - started
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
            rate >= TARGET and outcome.pulled >= RECORDS,
            records_pulled=outcome.pulled,
            pull_seconds=round(elapsed, 2),
            floor_seconds=round(floor_s, 3),
            server_filled_in_s=round(fill_s, 1),
        )
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
