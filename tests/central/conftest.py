"""Fixtures of the server tests: the real server on SQLite and on PostgreSQL.

`central` is a fresh server on a SQLite file with commune 60159 (what tests/sync uses).
`town` is a fresh commune on a server shared by the module, once on SQLite and once on
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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_central(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CentralServer]:
    server = start_central(database_url(request.param, tmp_path_factory))
    yield server
    server.stop()


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
