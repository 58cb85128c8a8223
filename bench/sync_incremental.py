"""`sync_incremental`: everyday sync between two desks of a commune through the real
server on loopback (uvicorn, SQLite file): 100 changes each way.

Round after round, each desk edits one person (a phone desk's typical change) and then
syncs: its `sync_once` pushes its change and pulls the other desk's. One round trip is
one `sync_once` (a push request, a pull request, the local writes and the status
update). Both desks' registries hold 2,000 people, so lookups are not on empty tables.
The floor: the same two HTTP requests (push of one mutation, pull after the cursor)
made with a bare httpx client and prebuilt JSON, no registry at all, in the same run,
interleaved with the measured calls.

Target: p95 <= 100 ms per round trip.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.common import median, percentile, report

TARGET_MS = 100.0
SMALL = os.environ.get("BIPPOP_BENCH_SMALL") == "1"
ROUNDS = 30 if SMALL else 100
PEOPLE = 200 if SMALL else 2_000
HEADERS = {"X-Bippop-Protocol": "1", "X-Bippop-Schema": "0008"}


def _floor_round(web: httpx.Client, record_id: str, cursor: int, turn: int) -> tuple[float, int]:
    mutation = {
        "mutation_id": str(uuid.uuid4()), "entity": "partner", "record_id": record_id,
        "op": "upsert", "base_version": None, "changed": ["notes"],
        "fields": {"name": "Association témoin", "notes": f"tour {turn}"},
    }  # fmt: skip
    started = time.perf_counter()
    pushed = web.post("/api/v1/push", json={"batch_id": str(uuid.uuid4()), "mutations": [mutation]})
    pushed.raise_for_status()
    pulled = web.get("/api/v1/pull", params={"after": cursor, "limit": 1000})
    pulled.raise_for_status()
    return time.perf_counter() - started, int(pulled.json()["next_cursor"])


def run() -> dict[str, object]:
    import keyring

    from bippop_desk.registry.services.beneficiaries import (
        BeneficiaryInput,
        create_beneficiary,
        update_beneficiary,
    )
    from bippop_desk.registry.services.commune import setup_commune
    from bippop_desk.registry.store import Registry
    from bippop_desk.sync.engine import enroll, sync_once
    from tests.memory_keyring import MemoryKeyring
    from tests.servers import start_central

    keyring.set_keyring(MemoryKeyring())  # the bench never touches the real keyring
    folder = Path(tempfile.mkdtemp(prefix="bippop-bench-incr-"))
    server = start_central(f"sqlite:///{folder / 'central.sqlite3'}")
    desks: list[Registry] = []
    try:
        server.add_commune("60159", "Compiègne", "60")
        Registry(folder / "empty.sqlite3").close()
        for name in ("accueil", "ccas"):
            shutil.copyfile(folder / "empty.sqlite3", folder / f"{name}.sqlite3")
            registry = Registry(folder / f"{name}.sqlite3")
            setup_commune(registry, "60159", "Compiègne", "60", "60200")
            enroll(registry, server.url, server.enroll_code("60159"), name)
            desks.append(registry)
        people = [
            create_beneficiary(
                desks[0],
                BeneficiaryInput(first_name="Jeanne", last_name=f"Témoin {chr(65 + n % 26)}"),
            )
            for n in range(PEOPLE)
        ]
        for registry in desks:  # both desks hold everyone before the measure
            if sync_once(registry).error:
                raise RuntimeError("initial sync failed")
        _, token = server.enroll("60159", "témoin")
        web = httpx.Client(
            base_url=server.url, timeout=30,
            headers={**HEADERS, "Authorization": f"Bearer {token}"},
        )  # fmt: skip
        floor_record, cursor = str(uuid.uuid4()), 0
        measured: list[float] = []
        floors: list[float] = []
        for turn in range(ROUNDS):
            for index, registry in enumerate(desks):
                person = people[(turn * 2 + index) % len(people)]
                update_beneficiary(
                    registry,
                    person,
                    BeneficiaryInput(first_name="Jeanne", last_name="Témoin",
                                     notes=f"Appel du tour {turn} ({index})"),
                )  # fmt: skip
                started = time.perf_counter()
                outcome = sync_once(registry)
                measured.append(time.perf_counter() - started)
                if outcome.error or outcome.pushed != 1:
                    raise RuntimeError(f"sync failed: {outcome.error or outcome}")
                spent, cursor = _floor_round(web, floor_record, cursor, turn)
                floors.append(spent)
        web.close()
        p95_ms = percentile(measured, 0.95) * 1000
        floor_ms = percentile(floors, 0.95) * 1000
        return report(
            "sync_incremental",
            p95_ms,
            "ms",
            TARGET_MS,
            floor_ms,
            p95_ms <= TARGET_MS,
            round_trips=len(measured),
            median_ms=round(median(measured) * 1000, 1),
            floor_median_ms=round(median(floors) * 1000, 1),
            people_per_desk=PEOPLE,
        )
    finally:
        for registry in desks:
            registry.close()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
