"""Fixtures of the sync tests: the REAL central server (uvicorn subprocess on 127.0.0.1,
tests/servers.py) and desks that are real registry files enrolled with it.

One server per database kind for the whole session (starting uvicorn costs ~1 s); each
test gets a commune of its own (a fresh INSEE code), which the server isolates like
any other tenant. `central_any` runs on SQLite and PostgreSQL (skipped loudly when the
PostgreSQL binaries are absent).
"""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bippop_central.models import commune_t, record_t, utcnow
from bippop_central.push import lock_counter, save_counter
from bippop_desk.registry.changes import Actor
from bippop_desk.registry.services.commune import setup_commune
from bippop_desk.registry.store import Registry
from bippop_desk.sync.client import RetryPolicy
from bippop_desk.sync.engine import SyncReport, enroll, sync_once
from tests.servers import HEADERS, CentralServer, start_central, start_postgres
from tests.sync.proxy import Proxy

COORDINATOR = Actor("claire", "Claire Petit", "coordinateur")
FAST_RETRY = RetryPolicy(attempts=4, base_s=0.01, max_s=0.05)
_INSEE = itertools.count(10001)


@dataclass
class Desk:
    """One town-hall computer: its registry file, enrolled with the server."""

    name: str
    path: Path
    registry: Registry
    server: CentralServer

    def sync(self, **options: Any) -> SyncReport:
        options.setdefault("retry", FAST_RETRY)
        return sync_once(self.registry, **options)

    def sync_ok(self) -> SyncReport:
        report = self.sync()
        assert report.error == "", report.error
        return report


@dataclass
class Commune:
    server: CentralServer
    insee: str
    tmp: Path
    desks: list[Desk]

    def desk(self, name: str, *, enrolled: bool = True, via: str = "") -> Desk:
        """A new desk; `via` is the URL it knows the server by (a faulty proxy)."""
        path = self.tmp / f"{name}.sqlite3"
        shutil.copyfile(_template(), path)  # an empty registry at the head schema
        registry = Registry(path, COORDINATOR)
        setup_commune(registry, self.insee, f"Commune {self.insee}", "60", "60200")
        if enrolled:
            url = via or self.server.url
            enroll(registry, url, self.server.enroll_code(self.insee), name)
        desk = Desk(name, path, registry, self.server)
        self.desks.append(desk)
        return desk


_TEMPLATE: list[Path] = []


def _template() -> Path:
    """An empty registry file migrated once per session (migrating costs ~0.3 s)."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="bippop-desk-template-"))
        Registry(folder / "empty.sqlite3").close()
        _TEMPLATE.append(folder / "empty.sqlite3")
    return _TEMPLATE[0]


def _server(db_url: str) -> Iterator[CentralServer]:
    server = start_central(db_url)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def central_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    yield from _server(f"sqlite:///{tmp_path_factory.mktemp('central') / 'central.sqlite3'}")


@pytest.fixture(scope="session")
def central_postgres() -> Iterator[CentralServer]:
    try:
        url = start_postgres()
    except RuntimeError as error:
        pytest.skip(f"PostgreSQL NON TESTÉ : {error}")
    yield from _server(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def central_any(request: pytest.FixtureRequest) -> CentralServer:
    name = "central_sqlite" if request.param == "sqlite" else "central_postgres"
    server: CentralServer = request.getfixturevalue(name)
    return server


def _commune(server: CentralServer, tmp_path: Path) -> Iterator[Commune]:
    insee = f"{next(_INSEE):05d}"
    server.add_commune(insee, f"Commune {insee}", "60")
    commune = Commune(server, insee, tmp_path, [])
    yield commune
    for desk in commune.desks:
        desk.registry.close()


@pytest.fixture
def commune(central_sqlite: CentralServer, tmp_path: Path) -> Iterator[Commune]:
    """A fresh commune on the SQLite server; `commune.desk(name)` adds an enrolled desk."""
    yield from _commune(central_sqlite, tmp_path)


@pytest.fixture
def commune_any(central_any: CentralServer, tmp_path: Path) -> Iterator[Commune]:
    """The same on SQLite and on PostgreSQL."""
    yield from _commune(central_any, tmp_path)


@pytest.fixture
def commune_pg(central_postgres: CentralServer, tmp_path: Path) -> Iterator[Commune]:
    """A fresh commune on the PostgreSQL server only."""
    yield from _commune(central_postgres, tmp_path)


# -- comparing desks -----------------------------------------------------------------------
SYNCED_TABLES = (
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
NOT_COMPARED = {"commune_id", "server_version", "search_phones", "name_key"}


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every synced record of a registry file, without local-only columns."""
    conn = sqlite3.connect(path)
    try:
        tables: dict[str, list[tuple[Any, ...]]] = {}
        for table in SYNCED_TABLES:
            columns = [
                row[1]
                for row in conn.execute(f"PRAGMA table_info({table})")
                if row[1] not in NOT_COMPARED
            ]
            tables[table] = conn.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"
            ).fetchall()
        tables["volunteer_offer"] = conn.execute(
            "SELECT volunteer_id, mission_type_id FROM volunteer_offer ORDER BY 1, 2"
        ).fetchall()
        return tables
    finally:
        conn.close()


def assert_converged(*desks: Desk) -> None:
    first = snapshot(desks[0].path)
    for desk in desks[1:]:
        other = snapshot(desk.path)
        for table, rows in first.items():
            assert other[table] == rows, f"{desk.name} differs from {desks[0].name} in {table}"


def pending(desk: Desk) -> int:
    with sqlite3.connect(desk.path) as conn:
        return int(
            conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
        )


SyncAll = Callable[..., None]


def active_devices(server: CentralServer, insee: str) -> set[str]:
    """The ids of the commune's devices the server would let sync (not revoked)."""
    from sqlalchemy import select

    from bippop_central.models import commune_t, device_t

    query = (
        select(device_t.c.id)
        .join(commune_t, commune_t.c.id == device_t.c.commune_id)
        .where(commune_t.c.insee_code == insee, device_t.c.revoked_at.is_(None))
    )
    with server.engine().connect() as conn:
        return set(conn.execute(query).scalars())


def withheld_tokens(proxy: Proxy) -> list[str]:
    """The tokens of enroll answers the proxy kept from the desk (dropped, cut, replaced)."""
    tokens = []
    for path, body in proxy.withheld:
        if path.startswith("/api/v1/enroll") and b'"device_token"' in body:
            tokens.append(json.loads(body)["device_token"])
    return tokens


def token_works(server: CentralServer, token: str) -> bool:
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    answer = httpx.get(f"{server.url}/api/v1/status", headers=headers, timeout=30)
    assert answer.status_code in (200, 401), answer.text
    return answer.status_code == 200


def stored_as_is(server: CentralServer, insee: str, entity: str, fields: dict[str, Any]) -> str:
    """A record written straight into the server's database, as records were before
    the platform checked values (its SQLite kept them): what a pull may still bring."""
    record_id = str(uuid.uuid4())
    with server.engine().begin() as conn:
        commune_id = conn.execute(
            select(commune_t.c.id).where(commune_t.c.insee_code == insee)
        ).scalar_one()
        seq = lock_counter(conn, commune_id) + 1
        conn.execute(
            record_t.insert().values(
                record_id=record_id, commune_id=commune_id, entity=entity, version=seq,
                fields=fields, extra={}, field_versions=dict.fromkeys(fields, seq),
                field_origins={"": ""}, deleted=False, erased=False, origin_device=None,
                updated_at=utcnow(),
            )
        )  # fmt: skip
        save_counter(conn, commune_id, seq)
    return record_id
