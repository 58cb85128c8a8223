"""Fixtures of the server tests: the real server on SQLite and on PostgreSQL.

`central` is a fresh server on a SQLite file with commune 60159 (what tests/sync uses).
`town` is a fresh commune on a server shared by the session, once on SQLite and once on
PostgreSQL: communes are isolated, so tests need not pay a server start each.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.servers import CentralServer, start_central, start_postgres

_INSEE = itertools.count(10001)


def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh empty database; PostgreSQL tests skip loudly when it is not installed."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('central') / 'central.sqlite3'}"
    try:
        return start_postgres()
    except RuntimeError as error:
        pytest.skip(f"PostgreSQL NON TESTÉ : {error}")


@pytest.fixture
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    """The real server (uvicorn subprocess) on a SQLite file, with commune 60159."""
    server = start_central(database_url("sqlite", tmp_path_factory))
    server.add_commune("60159", "Compiègne", "60")
    yield server
    server.stop()


class ServerPool:
    """One server per backend for the whole session, started on first use."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory
        self.servers: dict[str, CentralServer] = {}

    def get(self, backend: str) -> CentralServer:
        if backend not in self.servers:
            self.servers[backend] = start_central(database_url(backend, self.factory))
        return self.servers[backend]


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    pool = ServerPool(tmp_path_factory)
    yield pool
    for server in pool.servers.values():
        server.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def shared_central(request: pytest.FixtureRequest, server_pool: ServerPool) -> CentralServer:
    return server_pool.get(request.param)


@dataclass
class Town:
    """A commune of its own on the shared server."""

    server: CentralServer
    insee: str

    def enroll(self, device_name: str = "Poste de test") -> tuple[str, str]:
        return self.server.enroll(self.insee, device_name)


@pytest.fixture
def town(shared_central: CentralServer) -> Town:
    insee = str(next(_INSEE))
    shared_central.add_commune(insee, f"Commune {insee}", "60")
    return Town(shared_central, insee)


@pytest.fixture
def sqlite_town(server_pool: ServerPool) -> Town:
    """A fresh commune on the session's SQLite server (protocol tests need one backend)."""
    server = server_pool.get("sqlite")
    insee = str(next(_INSEE))
    server.add_commune(insee, f"Commune {insee}", "60")
    return Town(server, insee)
