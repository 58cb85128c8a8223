"""The bulk path of a pull (registry/remote_values.insert_new): a new desk's first pull
writes each table's new rows through a staging table and one INSERT ... SELECT, so the
search index and the hours facts are built by the registry's own triggers once per
statement. Proven here over real HTTP from the real server, against the same pull done
row by row: the same index, the same facts, every person found, the schema untouched,
and the same after desks killed (SIGKILL) in the middle of such pulls."""

from __future__ import annotations

import gc
import os
import random
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from bippop_desk.registry import remote_values
from bippop_desk.registry.changes import to_jsonable
from bippop_desk.registry.demo import generate_demo
from bippop_desk.registry.models import Base
from bippop_desk.registry.models.sync import LOCAL_ONLY_FIELDS, SYNCED_ENTITIES
from bippop_desk.registry.search import search_people
from bippop_desk.registry.store import Registry
from bippop_desk.sync.client import SyncHttp
from bippop_desk.sync.credentials import load_token
from bippop_desk.sync.pull import pull_all
from bippop_desk.sync.state import read_state
from tests.servers import HEADERS, CentralServer
from tests.sync.conftest import _INSEE, COORDINATOR, FAST_RETRY, Commune, assert_converged

KILLS = 20
TOMBSTONES = 7  # people sent deleted: kept, but never in the search index


def _demo_items(folder: Path) -> tuple[Path, list[dict[str, Any]]]:
    """A small demo commune (300 people, 40 volunteers, their requests, missions and
    hours, accented and composite names included) as a first desk would push it."""
    source = folder / "demo.sqlite3"
    with Registry(source) as registry:
        generate_demo(registry, 300, 40)
    items: list[dict[str, Any]] = []
    deleted = 0
    with Registry(source, migrate=False) as registry, registry.engine.connect() as conn:
        for entity in SYNCED_ENTITIES:
            table = Base.metadata.tables.get(entity)
            if table is None:
                continue
            names = [c.key for c in table.columns if c.key not in LOCAL_ONLY_FIELDS]
            for row in conn.execute(select(*[table.c[n] for n in names]).order_by(table.c.id)):
                fields = {n: to_jsonable(v) for n, v in zip(names, row, strict=True)}
                record_id = fields.pop("id")
                if entity == "beneficiary" and deleted < TOMBSTONES:
                    fields["deleted_at"] = "2026-11-02T10:00:00"
                    deleted += 1
                items.append({
                    "mutation_id": str(uuid.uuid4()), "entity": entity, "record_id": record_id,
                    "op": "upsert", "base_version": None, "changed": list(fields),
                    "fields": fields,
                })  # fmt: skip
    return source, items


def _fill(commune: Commune, items: list[dict[str, Any]]) -> None:
    _, token = commune.server.enroll(commune.insee, "remplissage")
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=commune.server.url, headers=headers, timeout=60) as web:
        for start in range(0, len(items), 500):
            body = {"batch_id": str(uuid.uuid4()), "mutations": items[start : start + 500]}
            answer = web.post("/api/v1/push", json=body)
            answer.raise_for_status()
            assert all(r["status"] != "rejected" for r in answer.json()["results"])


def schema(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name"
        ).fetchall()


def index(path: Path) -> list[tuple[Any, ...]]:
    """The search index by record: kind, id and the indexed text (docids aside)."""
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT d.kind, d.record_id, i.names, i.phones, i.street FROM search_doc AS d "
            "LEFT JOIN search_index AS i ON i.rowid = d.docid ORDER BY d.record_id"
        ).fetchall()


def facts(path: Path) -> list[tuple[Any, ...]]:
    """The dashboard's hours facts by entry id (rowids resolved to ids)."""
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT e.id, f.month, f.entry_date, f.minutes, f.tenths, f.type, f.base, "
            "f.original, m.id, b.id, v.id FROM hours_fact AS f "
            "JOIN hours_entry AS e ON e.rowid = f.entry_rowid "
            "LEFT JOIN mission AS m ON m.rowid = f.mission "
            "LEFT JOIN beneficiary AS b ON b.rowid = f.person "
            "LEFT JOIN volunteer AS v ON v.rowid = f.volunteer ORDER BY e.id"
        ).fetchall()


def checks(path: Path) -> None:
    """A file as any crash may leave it: sound, its index whole for the people it has."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.execute("INSERT INTO search_index(search_index) VALUES ('integrity-check')")
        people = conn.execute(
            "SELECT (SELECT count(*) FROM beneficiary) + (SELECT count(*) FROM volunteer)"
        ).fetchone()[0]
        living = conn.execute(
            "SELECT (SELECT count(*) FROM beneficiary WHERE deleted_at IS NULL)"
            " + (SELECT count(*) FROM volunteer WHERE deleted_at IS NULL)"
        ).fetchone()[0]
        assert conn.execute("SELECT count(*) FROM search_doc").fetchone()[0] == people
        assert conn.execute("SELECT count(*) FROM search_index").fetchone()[0] == living
        entries = conn.execute("SELECT count(*) FROM hours_entry").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM hours_fact").fetchone()[0] == entries


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    return _demo_items(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def filled(
    central_sqlite: CentralServer,
    tmp_path_factory: pytest.TempPathFactory,
    demo: tuple[Path, list[dict[str, Any]]],
) -> Iterator[Commune]:
    """One commune holding the demo (a record id belongs to one commune forever)."""
    insee = f"{next(_INSEE):05d}"
    commune = Commune(central_sqlite, insee, tmp_path_factory.mktemp("filled"), [])
    central_sqlite.add_commune(commune.insee, "Commune pleine", "60")
    _fill(commune, demo[1])
    yield commune
    for desk in commune.desks:
        desk.registry.close()


def test_a_bulk_first_pull_indexes_every_person_as_the_row_by_row_pull_does(
    filled: Commune, demo: tuple[Path, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, items = demo
    commune = filled
    bulk, by_row = commune.desk("bulk"), commune.desk("row-by-row")
    before = schema(bulk.path)
    statements: list[str] = []
    event.listen(bulk.registry.engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))  # fmt: skip
    assert gc.isenabled()
    report = bulk.sync_ok()
    assert report.pulled >= len(items)
    assert gc.isenabled()  # paused during the pull only
    # The staging path did the work, for the people and the hours alike.
    for table in ("beneficiary", "volunteer", "hours_entry"):
        assert any(f"INSERT INTO main.{table}" in s and "FROM temp." in s for s in statements)
    monkeypatch.setattr(remote_values, "STAGE_FROM", 10**9)  # every row by executemany
    by_row.sync_ok()

    assert schema(bulk.path) == before  # triggers and tables exactly as they were
    assert_converged(bulk, by_row)
    assert index(bulk.path) == index(by_row.path)
    assert facts(bulk.path) == facts(by_row.path) == facts(source)
    checks(bulk.path)
    # The text indexed is the one the services indexed on the desk that made them.
    assert index(bulk.path) == [
        row if row[1] not in _tombstones(items) else (*row[:2], None, None, None)
        for row in index(source)
    ]
    with sqlite3.connect(bulk.path) as conn:
        people = conn.execute(
            "SELECT id, first_name, last_name, deleted_at FROM beneficiary "
            "UNION ALL SELECT id, first_name, last_name, deleted_at FROM volunteer"
        ).fetchall()
    assert len(people) == 340
    for record_id, first, last, deleted_at in people:
        found = {hit.id for hit in search_people(bulk.registry, f"{first} {last}", 50)}
        assert (record_id in found) == (deleted_at is None), (first, last)


def _tombstones(items: list[dict[str, Any]]) -> set[str]:
    return {i["record_id"] for i in items if i["fields"].get("deleted_at") is not None}


def _pull(path: Path, **sizes: int) -> None:
    registry = Registry(path, COORDINATOR)
    try:
        state = read_state(registry)
        token = load_token(state.device_id) or ""
        with SyncHttp(state.server_url, token, retry=FAST_RETRY) as http:
            pull_all(registry, http, **sizes)
    finally:
        registry.close()


def cursor(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT pull_cursor FROM sync_state").fetchone()[0])


def test_desks_killed_mid_bulk_pull_keep_their_triggers_and_a_whole_index(
    filled: Commune,
) -> None:
    commune = filled
    reference = commune.desk("reference")
    reference.sync_ok()
    last = cursor(reference.path)
    fresh = commune.desk("fresh")
    fresh.registry.close()
    before = schema(fresh.path)
    rng = random.Random(11)
    landed = 0
    whole = 0.0  # how long a whole pull takes a child here: kills are spread over it
    for kill in range(-1, KILLS):
        path = commune.tmp / f"killed-{kill}.sqlite3"
        path.write_bytes(fresh.path.read_bytes())  # the same enrolled desk, nothing pulled
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the child: pull until killed
            try:  # small pages and transactions: kills land inside and between them
                _pull(path, page_size=100, group=300)
            finally:
                os._exit(0)
        if kill < 0:
            os.waitpid(pid, 0)
            whole = time.monotonic() - started
            continue
        time.sleep(rng.uniform(0.1, 0.95) * whole)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert schema(path) == before
        checks(path)
        landed += 0 < cursor(path) < last
        if kill % 5 == 4:  # the killed desk finishes its pull: equal to the reference
            _pull(path)
            assert cursor(path) == last
            assert schema(path) == before
            checks(path)
            assert index(path) == index(reference.path)
            assert facts(path) == facts(reference.path)
    print(f"{landed} of {KILLS} kills left a pull half done")
    assert landed > 0
